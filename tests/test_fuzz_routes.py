"""Every route, driven with what an attacker sends, on the real server.

Two drives over every path of the app's own schema (`app.openapi()`, so a new route is driven as
soon as it exists). A sweep gives each parameter a route reads, and each path parameter, every kind
of bad value in turn, the rest of the request valid so that the value reaches the code reading it.
Hypothesis then starts from a request each route answers and changes one to three things in it:
parameters (huge numbers, Unicode digits, control characters, raw and broken percent-encodings,
empty, repeated and unknown ones), path segments, the headers that steer negotiation, caching,
ranges and CORS, the method, the body; and sends arbitrary paths. Every answer must be one: no 5xx
(but a 503 with Retry-After, which a saturated query pool may send), no traceback, an answer at
all (a request the server never answers fails on the client's timeout, a guard against hangs: how
long answers take is for the benchmark), and nothing unhandled in the server's log. Derandomised,
with a fixed budget.
"""

import re
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import openapi, start_server, stop_server

pytestmark = pytest.mark.slow

SCHEMA = openapi()["paths"]
EXAMPLES = 40  # per route that reads parameters; half as many for the others

NUMBERS = ["", " 1", "1 ", "0", "-1", "+1", "01", "1.5", "1e3", "1e309", "NaN", "Infinity", "1_0", "0x10",
           "9" * 30, "9" * 5000, "\u00b2", "\u0663\u0664", "\uff11", "\U0001d7d9", "1\n", "%31", "999999999"]
NASTY = ["", " ", "\n", "\r\n", "\t", "\x00", "\x7f", "\u2028", "\u202e", "%", "%%", "%00", "%0A", "%0D%0A", "%zz",
         "%2F", "%2e%2e", "%C2%B2", "%FF%FE", "..", "../..", "/", "//", "Q1\n", "Q" + "9" * 20, "grp:mnla",
         "organisation/mnla", "mnla.ttl", "x.csl.json", "'\"<>&", "<script>alert(1)</script>", "{}", "[]", "null",
         "\u00e9", "M\u00e9naka", "a" * 600, "a" * 5000, "*", "a\nb", "a;b=c", "a\u0000b", "\U0001f600"]
QUERIES = ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s a cao:Event } LIMIT 2",
           "DESCRIBE grp:mnla", "INSERT DATA { <a:b> <a:b> <a:b> }", "SELECT * WHERE { SERVICE <http://x/> {} }",
           "SELECT", "SELECT * WHERE { ?s ?p ?o } LIMIT -1", "PREFIX : <\n> ASK {}", "ASK { <a\u0000> ?p ?o }"]
JSON = ['{"q0": {"query": "MNLA"}}', '{"q0": {"query": "x", "limit": 1e999}}', '{"q0": {"query": "x", "limit": -0}}',
        '{"q0": {"query": "Ag Ghaly", "type": "grp:nothing"}}', '{"q0": {"properties": [{"pid": "wikidata", "v": "Q1\\n"}]}}',
        '{"q0": {"query": "Kidal", "properties": [{"pid": "place", "v": {"id": 1}}]}}', "[]", "{", "1" * 5000,
        '{"ids": ["organisation/mnla"], "properties": [{"id": "place"}, {"id": "inception"}]}',
        '{"ids": [1, null], "properties": []}', "[" * 5000, '{"q0": {"query": "' + "a" * 600 + '"}}']
PARAMETERS = ["page", "limit", "cursor", "prefix", "format", "callback", "query", "queries", "extend", "id", "type",
              "type_strict", "update"]
CALLBACKS = ["cb", "jQuery123_456", "a\n", "a.b", "alert(1)", "a" * 101, "caf\u00e9", "$", ""]
FORMATS = ["ttl", "json", "html", "bib", "csl.json", "text/turtle", "xml,csv", "*/*", "", "\u00e9"]

# What turns a valid value into a near miss: a character after or before it, its digits in another script.
STRAY = ["\n", "\r\n", " ", "\t", "\x00", "%", "%0A", "\u00b2", "\u0660", "\u2028", "/", ".", "\U0001f600"]
OTHER_DIGITS = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")

nasty = st.sampled_from(NASTY)
anything = st.one_of(nasty, nasty, st.text(max_size=30), st.integers(-10**30, 10**30).map(str))
# Numbers as text in the forms that break parsers: Unicode decimal digits, thousands of ASCII digits, and others.
numbers = st.one_of(st.sampled_from(NUMBERS), st.text(st.characters(categories=["Nd"]), min_size=1, max_size=4),
                    st.integers(4000, 6000).map(lambda n: "9" * n))
# The values a route's own parameters are given: of their kind (mostly wrong), or anything.
KINDS = {"page": numbers, "limit": numbers, "cursor": numbers,
         "query": st.one_of(st.sampled_from(QUERIES), anything), "queries": st.one_of(st.sampled_from(JSON), anything),
         "extend": st.one_of(st.sampled_from(JSON), anything), "callback": st.one_of(st.sampled_from(CALLBACKS), anything),
         "format": st.one_of(st.sampled_from(FORMATS), anything),
         "type": st.one_of(st.sampled_from(["org:Organization", "organisation", "https://schema.org/Place"]), anything)}
# A request each route answers, with what it reads; each example changes one to three things in it.
GRAPH = "https://w3id.org/conflict-ld/graph/data"
VALID = {"/id/{path}": [("page", "1"), ("format", "ttl"), ("version", "1.0.0")],
         "/sparql": [("query", "ASK {}"), ("default-graph-uri", GRAPH), ("named-graph-uri", GRAPH)],
         "/reconcile": [("queries", '{"q0": {"query": "MNLA"}}'), ("callback", "cb")],
         "/reconcile/preview": [("id", "organisation/mnla")],
         "/reconcile/propose_properties": [("type", "org:Organization"), ("limit", "3")],
         **{f"/reconcile/suggest/{kind}": [("prefix", "ag"), ("limit", "5"), ("cursor", "0")]
            for kind in ("entity", "type", "property")}}
# Path parameters as they are when they name something.
NAMING = {"path": ["organisation/mnla", "place/kidal.ttl", "work/mcgregor-2017.bib", "organisation/cma",
                   "organisation/mnla/history"],
          "qid": ["Q853699", "Q1"], "name": ["conflict-ld.nt", "conflict-ld.ttl.gz", "SHA256SUMS"],
          "suffix": ["ttl", "bib", "csl.json"], "index": ["organisations", "people"], "version": ["0", "1.0.0", "latest"],
          "older": ["1.0.0", "1.1.0"], "newer": ["1.1.0", "1.1.0.rdfp", "1.1.0.json"]}
HEADERS = {
    "Accept": ["text/html", "text/turtle;q=0", "*/*;q=\u00b2", "application/ld+json;q=1e3", "a/b, " * 500, ",,,",
               "text/*;level=1", "image/png", "application/x-bibtex", "*/*"],
    "If-None-Match": ["*", 'W/"x"', '"x", W/"y"', '"', "W/", '"a,b"', "*, *"],
    "If-Modified-Since": ["Sun, 06 Nov 1994 08:49:37 GMT", "yesterday", "Tue, 01 Jan 10000 00:00:00 GMT",
                          "Sun, 06 Nov 1994 08:49:37 +9999999999"],
    "Range": ["bytes=0-5", "bytes=5-0", "bytes=-0", "bytes=" + "9" * 5000 + "-", "items=0-5", "bytes=\u00b2-3",
              "bytes", "bytes=-", "bytes=0-5, 3-8", ",".join(["bytes=0-0"] * 200)],
    "If-Range": ['"x"', 'W/"x"', "Sun, 06 Nov 1994 08:49:37 GMT"],
    "Origin": ["https://example.org", "null"],
    "Access-Control-Request-Method": ["GET", "POST", "DELETE", "get"],
    "Access-Control-Request-Headers": ["x-requested-with", "content-type, x-a", "a" * 9000],
    "Content-Type": ["application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
                     "application/json", "multipart/form-data; boundary=x", "text/plain"],
}
# What h11 lets a client put in a header: visible Latin-1 characters, spaces and tabs.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40)
CHANGES = ["value", "value", "value", "drop", "repeat", "parameter", "segment", "segment", "header", "header",
           "method"]


def near(valid: str):
    """Near misses of a valid value, which get furthest into the code that reads it."""
    stray = st.sampled_from(STRAY)
    return st.one_of(stray.map(lambda c: valid + c), stray.map(lambda c: c + valid), st.just(valid.translate(OTHER_DIGITS)))


def changed(name: str, value: str):
    """Another value for a parameter: a near miss, or a value of its kind (mostly wrong), or anything."""
    return st.one_of(near(value), KINDS.get(name, anything))


@st.composite
def encoded(draw, value: str) -> str:
    """A value as it goes in a URL: percent-encoded, or as it is but for ASCII control characters, which
    no client sends raw (httpx escapes what else it must, so `%zz` and `%0A` arrive as they are)."""
    if draw(st.booleans()):
        return quote(value, safe="")
    return "".join(quote(c) if c.isascii() and not c.isprintable() else c for c in value)


@st.composite
def requests(draw, template: str | None):
    """A request the route answers (an arbitrary path for None), with one to three things changed."""
    parts = re.split(r"(\{[^}]*\})", template) if template else ["/"]
    segments = {part: draw(st.sampled_from(NAMING[part[1:-1]])) for part in parts if part.startswith("{")}
    fields, headers = list(VALID.get(template, [])), {}
    methods = [m.upper() for m in SCHEMA.get(template, {"get": {}})]
    method = "GET" if "GET" in methods else methods[0]
    if template is None:
        parts.append("/".join(draw(st.lists(anything.flatmap(encoded), min_size=1, max_size=4))))
    for change in draw(st.lists(st.sampled_from(CHANGES), min_size=1, max_size=3)):
        at = draw(st.integers(0, max(len(fields) - 1, 0)))
        if change == "value" and fields:
            fields[at] = (fields[at][0], draw(changed(*fields[at])))
        elif change == "drop" and fields:
            del fields[at]
        elif change == "repeat" and fields:
            fields.insert(at, (fields[at][0], draw(st.one_of(st.just(fields[at][1]), changed(*fields[at])))))
        elif change == "segment" and segments:
            name = draw(st.sampled_from(sorted(segments)))
            segments[name] = draw(st.one_of(near(segments[name]), anything).flatmap(encoded))
        elif change == "header":
            name = draw(st.sampled_from(sorted(HEADERS)))
            headers[name] = draw(st.one_of(st.sampled_from(HEADERS[name]), header_text)).strip().encode("latin-1")
        elif change == "method":
            method = draw(st.sampled_from([*methods, "OPTIONS", "PUT", "DELETE"]))
        else:  # a parameter more (also for a change that does not apply to this route)
            fields.append((draw(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8))), draw(anything)))
    path = "".join(segments.get(part, part) for part in parts)
    query = "&".join(f"{draw(encoded(name))}={draw(encoded(value))}" for name, value in fields)
    body = b""
    if method == "POST" and draw(st.booleans()):  # the fields as a form, or a body of another kind
        body, query = query.encode("utf-8"), ""
        headers.setdefault("Content-Type", b"application/x-www-form-urlencoded")
    elif method == "POST":
        body = draw(st.one_of(st.binary(max_size=200), st.sampled_from(QUERIES + JSON).map(str.encode)))
    return method, path + ("?" + query if query else ""), headers, body


@pytest.fixture(scope="module")
def target(store_dir):
    """A server of its own, so that its log holds only what the fuzzing caused; a request waits for a
    query worker rather than being turned away."""
    server = start_server(store_dir, workers="2", queue_wait="30", query_timeout="10")
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield server, client
    stop_server(server)


def check(response: httpx.Response, shown: str) -> None:
    """An answer, not a failure: no 5xx but a 503 that says when to retry, no traceback."""
    assert response.status_code < 500 or (response.status_code == 503 and "retry-after" in response.headers), \
        f"{shown} -> {response.status_code} {response.text[:300]}"
    assert "Traceback" not in response.text and 'File "/' not in response.text, shown


def send(client: httpx.Client, method: str, url: str, headers=None, body: bytes = b"") -> None:
    shown = f"{method} {url[:200]!r} {headers!r}"[:600]
    try:
        response = client.request(method, url, headers=headers, content=body)
    except httpx.TimeoutException:
        pytest.fail(f"{shown}: no answer before the client gave up")
    check(response, shown)


def nothing_unhandled(server, logged: int) -> None:
    log = server.log()[logged:]
    assert "Traceback" not in log and " unhandled" not in log, log[-3000:]


# The kinds of bad value the sweep gives each parameter, besides near misses of its valid value.
BAD = ["", " 1", "1 ", "\n", "\x00", "%", "%zz", "%00", "-1", "1.5", "1e309", "0x10", "\u00b2", "\u0663\u0664",
       "\uff11", "9" * 5000, "a" * 600, "\U0001f600", "../..", "<script>"]
SWEPT = [(t, ("field", i)) for t, fields in VALID.items() for i in range(len(fields))] + \
        [(t, ("segment", part)) for t in SCHEMA for part in re.findall(r"\{[^}]*\}", t)]


@pytest.mark.parametrize("template, where", SWEPT,
                         ids=[f"{t} {VALID[t][k][0] if kind == 'field' else k}" for t, (kind, k) in SWEPT])
def test_every_parameter_takes_every_kind_of_bad_value(target, template, where):
    server, client = target
    logged = len(server.log())
    kind, key = where
    parts = re.split(r"(\{[^}]*\})", template)
    segments = {part: NAMING[part[1:-1]][0] for part in parts if part.startswith("{")}
    fields = VALID.get(template, [])
    valid = segments[key] if kind == "segment" else fields[key][1]
    for bad in [*BAD, valid + "\n", valid + "\u00b2", valid.translate(OTHER_DIGITS), " " + valid]:
        path = "".join(quote(bad, safe="") if part == key else segments.get(part, part) for part in parts)
        query = "&".join(f"{name}={quote(bad if i == key and kind == 'field' else value, safe='')}"
                         for i, (name, value) in enumerate(fields))
        send(client, "GET", path + ("?" + query if query else ""))
    nothing_unhandled(server, logged)


@pytest.mark.parametrize("template", [*sorted(SCHEMA), None])
def test_no_input_makes_the_server_fail(target, template):
    server, client = target
    logged = len(server.log())

    @settings(max_examples=EXAMPLES if template in VALID else EXAMPLES // 2, derandomize=True, deadline=None,
              database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(requests(template))
    def answer(request):
        send(client, *request)

    answer()
    nothing_unhandled(server, logged)
