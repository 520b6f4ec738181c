"""HTTP semantics the whole app shares: HEAD wherever GET is, 405 with Allow, CORS for reads, no API docs."""

import httpx
import pytest

from tests.conftest import openapi

pytestmark = pytest.mark.slow

# A URL for every route the app documents; a route added without one fails the test below.
EXAMPLES = {
    "/": ["/"], "/.well-known/void": ["/.well-known/void"], "/context.jsonld": ["/context.jsonld"],
    "/dumps": ["/dumps"], "/dumps/": ["/dumps/"], "/dumps/{name}": ["/dumps/conflict-ld.ttl"],
    "/dumps/{version}/{name}": ["/dumps/{version}/SHA256SUMS", "/dumps/1.0.0/conflict-ld.nq.gz"],
    "/dumps/{version}/": ["/dumps/1.1.0/"], "/releases": ["/releases"], "/release/{version}": ["/release/1.0.0"],
    "/changes/{older}/{newer}": ["/changes/1.0.0/1.1.0", "/changes/1.0.0/1.1.0.rdfp"],
    "/changes.atom": ["/changes.atom"], "/events": ["/events"],
    "/id/{path}": ["/id/organisation/mnla", "/id/place/kidal.ttl", "/id/work/mcgregor-2017.bib"],
    "/ontology": ["/ontology"], "/ontology.{suffix}": ["/ontology.ttl"], "/queries": ["/queries"],
    "/reconcile": ["/reconcile"], "/reconcile/preview": ["/reconcile/preview?id=organisation/mnla"],
    "/reconcile/propose_properties": ["/reconcile/propose_properties"],
    "/reconcile/suggest/entity": ["/reconcile/suggest/entity?prefix=mn"],
    "/reconcile/suggest/property": ["/reconcile/suggest/property?prefix=p"],
    "/reconcile/suggest/type": ["/reconcile/suggest/type?prefix=org"], "/search": ["/search?q=mnla"],
    "/network": ["/network", "/network?focus=organisation/mnla&format=json"], "/places": ["/places"],
    "/shapes": ["/shapes"], "/fragments": ["/fragments?subject=https%3A%2F%2Fw3id.org%2Fconflict-ld%2Fid%2Fplace%2Fkidal"],
    "/.well-known/genid/{name}": ["/.well-known/genid/0a1b"],
    "/sources": ["/sources"], "/sources.{suffix}": ["/sources.ris"],
    "/sparql": ["/sparql", "/sparql?query=ASK%7B%7D"], "/wikidata/{qid}": ["/wikidata/Q853699"],
    "/{index}": ["/organisations"],
}


def test_every_route_that_answers_get_answers_head():
    paths = openapi()["paths"]
    assert set(paths) == set(EXAMPLES)
    assert [path for path, operations in paths.items() if "get" in operations and "head" not in operations] == []


@pytest.mark.parametrize("url", [url for urls in EXAMPLES.values() for url in urls])
def test_head_has_the_headers_of_get_and_no_body(live_server, url):
    """HEAD answered 405 on 19 of 25 routes (RFC 9110 §9.3.2: HEAD wherever GET is)."""
    if "{version}" in url:
        version = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()["version"]
        url = url.replace("{version}", version)
    got, head = httpx.get(live_server.url + url), httpx.head(live_server.url + url)
    assert got.status_code in (200, 303) and head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "vary", "link", "location", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_a_method_not_allowed_says_which_are(live_server):
    for method, url, allowed in (("DELETE", "/", {"GET", "HEAD"}), ("PUT", "/sparql", {"GET", "HEAD", "POST"})):
        response = httpx.request(method, live_server.url + url)
        assert response.status_code == 405
        assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize("asked", ["X-Requested-With", "content-type, x-requested-with",
                                   "accept-language, if-none-match, range, cache-control, x-custom"])
def test_preflights_allow_the_headers_browsers_send(live_server, asked):
    """A preflight for `X-Requested-With` (jQuery, OpenRefine's pages) was a 400: every read is open, without
    credentials."""
    response = httpx.options(live_server.sparql, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": asked})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == asked
    assert "access-control-allow-credentials" not in response.headers


def test_preflights_for_writes_are_refused(live_server):
    response = httpx.options(live_server.sparql, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
def test_no_api_documentation_is_served(live_server, path):
    """The framework's docs and schema were published beside the documented surface; the README documents it."""
    assert httpx.get(live_server.url + path).status_code == 404


def test_the_schema_is_still_there_for_the_tests():
    assert "/sparql" in openapi()["paths"]
