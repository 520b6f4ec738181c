"""The result cache before the query workers (service/result_cache.py), on a real server: what is
kept, what is never kept, and the validators a client or a shared cache uses (RFC 9110 §8.8.3,
§13.1.2; RFC 9111 §5.2)."""

import json
import re
import uuid

import httpx
import pytest

from service.result_cache import cacheable

from .conftest import ROOT, start_server, stop_server

pytestmark = pytest.mark.slow

RELEASE_1_0_0 = "https://w3id.org/conflict-ld/release/1.0.0"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# each release's size as its record gives it; the data served now is release 1.1.0
RECORDED = {version: json.loads((ROOT / "releases" / f"{version}.json").read_text())["quads"]
            for version in ("1.0.0", "1.1.0")}


def runs(server) -> int:
    """How many queries the server's workers have run: each is one `pool query` line of its log."""
    return len(re.findall(r"INFO pool query query=", server.log()))


def unique(text: str) -> str:
    """The query with a comment no other test's query has, so that no earlier request cached it."""
    return f"# {uuid.uuid4()}\n{text}"


def get(server, text: str, accept: str = "application/sparql-results+json", **headers) -> httpx.Response:
    return httpx.get(server.sparql, params={"query": text}, headers={"Accept": accept, **headers})


def test_an_identical_get_is_answered_without_a_worker(live_server):
    text = unique(QUADS)
    before = runs(live_server)
    first, second = get(live_server, text), get(live_server, text)
    assert runs(live_server) == before + 1
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and int(first.json()["results"]["bindings"][0]["n"]["value"]) == RECORDED["1.1.0"]


def test_the_etag_is_strong_and_a_client_holding_it_gets_304(live_server):
    text = unique(QUADS)
    first = get(live_server, text)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[^"]+"', etag), "a strong entity-tag: no W/ prefix"
    assert first.headers["cache-control"] == "public, max-age=300"
    before = runs(live_server)
    again = get(live_server, text, **{"If-None-Match": f'"other", {etag}'})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "Accept" in again.headers["vary"]
    assert get(live_server, text, **{"If-None-Match": '"other"'}).status_code == 200
    assert runs(live_server) == before


def test_a_304_needs_no_kept_answer(live_server):
    """The tag is the answer's digest: a client's validator matches an answer made afresh (here, to a
    query the cache has never seen) when its bytes are the same."""
    etag = get(live_server, unique(QUADS)).headers["etag"]
    before = runs(live_server)
    assert get(live_server, unique(QUADS), **{"If-None-Match": etag}).status_code == 304
    assert runs(live_server) == before + 1


def test_each_media_type_is_kept_apart(live_server):
    text = unique(QUADS)
    as_json, as_csv = get(live_server, text), get(live_server, text, "text/csv")
    assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.text == f"n\r\n{RECORDED['1.1.0']}\r\n"
    assert get(live_server, text).content == as_json.content
    assert get(live_server, text, "text/csv").content == as_csv.content
    assert as_json.headers["etag"] != as_csv.headers["etag"]


def test_a_release_and_the_current_data_are_kept_apart(live_server):
    """Release 1.0.0 is smaller than the data served now; asked in either order, each answer stays its own."""
    text = unique(QUADS)
    old = httpx.get(live_server.sparql, params={"query": text, "default-graph-uri": RELEASE_1_0_0},
                    headers={"Accept": "text/csv"})
    now = get(live_server, text, "text/csv")
    again = httpx.get(live_server.sparql, params={"query": text, "default-graph-uri": RELEASE_1_0_0},
                      headers={"Accept": "text/csv"})
    assert [int(answer.text.split()[1]) for answer in (old, now, again)] == [
        RECORDED["1.0.0"], RECORDED["1.1.0"], RECORDED["1.0.0"]]


def test_a_post_is_run_every_time(live_server):
    text = unique(QUADS)
    before = runs(live_server)
    for _ in range(2):
        answer = httpx.post(live_server.sparql, content=text, headers={"Content-Type": "application/sparql-query"})
        assert answer.status_code == 200 and "etag" not in answer.headers
    assert runs(live_server) == before + 2


@pytest.mark.parametrize("call", ["NOW()", "RAND()", "STRUUID()", "str(UUID ())", "str(bnode())"])
def test_an_answer_that_may_change_is_never_kept(live_server, call):
    text = unique(f"SELECT ?value WHERE {{ BIND({call} AS ?value) }}")
    before = runs(live_server)
    first, second = get(live_server, text), get(live_server, text)
    assert first.status_code == second.status_code == 200 and "etag" not in second.headers
    assert runs(live_server) == before + 2


def test_errors_are_never_kept(live_server):
    text = unique("SELECT * WHERE { ?s ?p")
    before = runs(live_server)
    assert [get(live_server, text).status_code for _ in range(2)] == [400, 400]
    assert runs(live_server) == before + 2


@pytest.mark.parametrize(("method", "text", "kept"), [
    ("GET", "SELECT * { ?s ?p ?o }", True),
    ("HEAD", "SELECT * { ?s ?p ?o }", True),
    ("POST", "SELECT * { ?s ?p ?o }", False),
    ("GET", "SELECT * { ?s ?p ?o FILTER(?o < now\t()) }", False),
    ("GET", 'SELECT * { ?s ?p "rand()" }', False),  # a false alarm: it costs the cache, never an answer
    ("GET", "SELECT * { ?s cao:randomised ?now }", True),
    ("GET", "SELECT ?uuid { ?s ?p ?uuid }", True),
])
def test_which_requests_are_kept(method, text, kept):
    assert cacheable(method, text) is kept


def test_no_answer_is_kept_when_the_cache_is_off(store_dir):
    server = start_server(store_dir, result_cache="0")
    try:
        text = unique(QUADS)
        before = runs(server)
        first, second = get(server, text), get(server, text)
        assert first.content == second.content and runs(server) == before + 2
        assert get(server, text, **{"If-None-Match": first.headers["etag"]}).status_code == 304
    finally:
        stop_server(server)


def test_a_kept_answer_is_sent_with_the_headers_of_the_first(live_server):
    """The second request is answered before routing (result_cache.AnswersAgain): same bytes, same
    headers, CORS's included."""
    text = unique(QUADS)
    first, second = (get(live_server, text, Origin="http://example.org") for _ in range(2))
    drop = {"date"}
    assert second.content == first.content
    assert {k: v for k, v in second.headers.items() if k not in drop} == \
           {k: v for k, v in first.headers.items() if k not in drop}
    assert second.headers["access-control-allow-origin"] == "*"
    head = httpx.head(live_server.sparql, params={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == first.headers["etag"]


def test_each_site_gets_its_own_answer(live_server):
    """A relative IRI resolves against the endpoint's own URL, so the site asked is part of the key."""
    text = unique("SELECT ?x WHERE { BIND(<s> AS ?x) }")
    answers = {host: [httpx.get(live_server.sparql, params={"query": text},
                                headers={"Accept": "text/csv", "Host": host}).text for _ in range(2)]
               for host in ("one.example", "two.example")}
    assert answers == {"one.example": ["x\r\nhttp://one.example/s\r\n"] * 2,
                       "two.example": ["x\r\nhttp://two.example/s\r\n"] * 2}
