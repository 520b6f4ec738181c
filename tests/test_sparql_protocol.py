"""The SPARQL 1.1 Protocol against a real server on loopback, with real clients."""

import json
import re
from collections import Counter

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, JSONLD, SPARQLWrapper

pytestmark = pytest.mark.slow

LABELS = "SELECT ?label WHERE { grp:mnla rdfs:label ?label } ORDER BY ?label"
ALLIANCE = "ASK { ?c a cao:Alliance ; cao:party grp:mnla , grp:ansar-dine }"
CONSTRUCT = "CONSTRUCT { grp:mnla ?p ?o } WHERE { grp:mnla ?p ?o }"
MNLA = URIRef("https://w3id.org/conflict-ld/id/organisation/mnla")


def wrapper(server, query, fmt, method=None):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client.query()


@pytest.mark.parametrize("method", [None, "urlencoded", POSTDIRECTLY])
def test_select_json_by_every_method(live_server, method):
    result = wrapper(live_server, LABELS, JSON, method).convert()
    labels = {b["label"]["value"]: b["label"].get("xml:lang") for b in result["results"]["bindings"]}
    assert labels == {"National Movement for the Liberation of Azawad": "en",
                      "Mouvement national de libération de l'Azawad": "fr"}


def test_select_xml(live_server):
    document = wrapper(live_server, LABELS, XML).convert()
    values = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert "Mouvement national de libération de l'Azawad" in values


@pytest.mark.parametrize("fmt, separator", [(CSV, ","), (TSV, "\t")])
def test_select_csv_and_tsv(live_server, fmt, separator):
    text = wrapper(live_server, LABELS, fmt).convert().decode("utf-8")
    lines = text.strip().splitlines()
    assert lines[0] in ("label", "?label")
    assert len(lines) == 3
    assert any("Liberation of Azawad" in line for line in lines)


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(live_server, fmt):
    result = wrapper(live_server, ALLIANCE, fmt).convert()
    answer = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert answer is True


def mnla_statements(server) -> set[tuple]:
    """What the data says about grp:mnla, as a SELECT returns it (JSON results, read by hand)."""
    response = httpx.get(server.sparql, params={"query": "SELECT ?p ?o WHERE { grp:mnla ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"})
    return {(MNLA, URIRef(b["p"]["value"]), term(b["o"])) for b in response.json()["results"]["bindings"]}


def unlabelled(triple: tuple) -> tuple:
    """A triple with its blank nodes as one marker: each answer labels them anew."""
    return tuple("_:" if isinstance(t, BNode) else t for t in triple)


def term(binding: dict):
    """A SPARQL JSON results term (https://www.w3.org/TR/sparql11-results-json/#select-encode-terms)."""
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    return Literal(binding["value"], lang=binding.get("xml:lang"),
                   datatype=URIRef(binding["datatype"]) if "datatype" in binding else None)


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_construct_in_every_graph_format(live_server, fmt):
    """CONSTRUCT instantiates its template once per solution (SPARQL 1.1 §16.2): the graph is
    exactly the solutions of the same pattern, in every format."""
    result = wrapper(live_server, CONSTRUCT, fmt).convert()
    graph = result if isinstance(result, Graph) else Graph().parse(
        data=result, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt])
    expected = mnla_statements(live_server)
    assert len(expected) > 40  # the MNLA is the profile's most described organisation
    assert Counter(map(unlabelled, graph)) == Counter(map(unlabelled, expected))


def test_describe_gives_the_entity(live_server):
    """DESCRIBE answers the resource's concise bounded description: every statement about it (and
    about the blank nodes those reach), nothing about anything else."""
    graph = wrapper(live_server, "DESCRIBE grp:mnla", TURTLE).convert()
    graph = graph if isinstance(graph, Graph) else Graph().parse(data=graph, format="turtle")
    about_mnla = {t for t in graph if t[0] == MNLA}
    assert {(s, p, o) for s, p, o in about_mnla if not isinstance(o, BNode)} == \
        {(s, p, o) for s, p, o in mnla_statements(live_server) if not isinstance(o, BNode)}
    assert all(s == MNLA or isinstance(s, BNode) for s, _, _ in graph)


def test_rdflib_sparqlstore_as_a_second_client(live_server):
    store = SPARQLStore(live_server.sparql, returnFormat="json")
    rows = list(store.query("SELECT ?n WHERE { ?w <https://w3id.org/conflict-ld/ontology#worksCitedNumber> ?n }"))
    assert len(rows) == 26


def test_relative_iris_resolve_against_the_endpoint_in_every_query_form(live_server):
    """SPARQL resolves a relative IRI against the query's base (RFC 3986 §5.1): with no BASE in the
    text, the endpoint's own URL, as a document's IRIs resolve against where it was fetched. They
    were refused ("IRI parsing failed"), and with them W3C's protocol test for CONSTRUCT."""
    endpoint = live_server.sparql
    here = endpoint.rsplit("/", 1)[0] + "/"

    def ask(text: str, accept: str) -> httpx.Response:
        response = httpx.get(endpoint, params={"query": text}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        return response

    triples = ask("CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples").text
    assert triples.strip() == f'<{here}s> <{here}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    rows = ask("SELECT ?x WHERE { BIND (<s> AS ?x) }", "application/sparql-results+json").json()["results"]["bindings"]
    assert rows == [{"x": {"type": "uri", "value": here + "s"}}]
    assert ask("ASK { FILTER (<../a> = <a>) }", "application/sparql-results+json").json()["boolean"] is True
    described = ask("DESCRIBE <s>", "application/n-triples").text
    assert described.strip() == ""  # nothing is said of it, and the query runs
    # a BASE in the text wins, and a relative IRI after it resolves against it
    rows = ask("BASE <https://w3id.org/conflict-ld/id/> SELECT ?l WHERE { <organisation/mnla> rdfs:label ?l FILTER (LANG(?l) = 'en') }",
               "application/sparql-results+json").json()["results"]["bindings"]
    assert rows == [{"l": {"type": "literal", "value": "National Movement for the Liberation of Azawad", "xml:lang": "en"}}]


def test_default_graph_uri_restricts_the_dataset(live_server):
    ontology = "https://w3id.org/conflict-ld/graph/ontology"
    query = "SELECT (COUNT(*) AS ?n) WHERE { grp:mnla ?p ?o }"
    everything = httpx.get(live_server.sparql, params={"query": query})
    only_ontology = httpx.get(live_server.sparql, params={"query": query, "default-graph-uri": ontology})
    count = lambda r: int(r.json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(everything) > 0 and count(only_ontology) == 0


def test_named_graph_uri_limits_graph_patterns(live_server):
    data = "https://w3id.org/conflict-ld/graph/data"
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.post(live_server.sparql, data={"query": query, "named-graph-uri": data})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [data]


# --- the dataset: FROM, FROM NAMED, and the protocol's graph parameters -------------------------------

def count(server, query: str, **protocol) -> int:
    response = httpx.post(server.sparql, data={"query": query, **protocol})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_from_queries_that_graph_only(live_server, settings):
    """The ontology graph holds the ontology's files (ontology/*.ttl, service/dataset.py), counted
    here with rdflib from those files."""
    ontology = Graph()
    for path in sorted(settings.ontology_dir.glob("*.ttl")):
        ontology.parse(path, format="turtle", publicID=settings.base)
    everything = count(live_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    only = count(live_server, f"SELECT (COUNT(*) AS ?n) FROM <{settings.graph_iri('ontology')}> WHERE {{ ?s ?p ?o }}")
    assert only == len(ontology) < everything
    assert httpx.get(live_server.sparql, params={"query": f"ASK FROM <{settings.graph_iri('ontology')}> "
                                                          "{ grp:mnla ?p ?o }"}).json()["boolean"] is False


def test_from_a_graph_we_do_not_hold_is_empty(live_server):
    assert count(live_server, "SELECT (COUNT(*) AS ?n) FROM <urn:x-unknown:graph> WHERE { ?s ?p ?o }") == 0


def test_from_named_lists_only_those_graphs(live_server, settings):
    ontology, data = settings.graph_iri("ontology"), settings.graph_iri("data")
    query = f"SELECT DISTINCT ?g FROM NAMED <{ontology}> FROM NAMED <{data}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = httpx.get(live_server.sparql, params={"query": query})
    assert {b["g"]["value"] for b in response.json()["results"]["bindings"]} == {ontology, data}
    # with FROM NAMED and no FROM, the default graph is empty (SPARQL 1.1 Query §13.2)
    assert count(live_server, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{data}> WHERE {{ ?s ?p ?o }}") == 0


def test_the_protocol_dataset_replaces_the_query_dataset(live_server, settings):
    """SPARQL 1.1 Protocol §2.1.4: default-graph-uri and named-graph-uri take precedence over FROM
    and FROM NAMED."""
    ontology, data = settings.graph_iri("ontology"), settings.graph_iri("data")
    expected = count(live_server, f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}")
    assert count(live_server, f"SELECT (COUNT(*) AS ?n) FROM <{data}> WHERE {{ ?s ?p ?o }}",
                 **{"default-graph-uri": ontology}) == expected
    query = f"SELECT DISTINCT ?g FROM NAMED <{data}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = httpx.post(live_server.sparql, data={"query": query, "named-graph-uri": ontology})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [ontology]


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["", "graph/ontology", "https://w3id.org/conflict-ld/graph/a b", "urn:x:<>"])
def test_graph_parameters_must_be_absolute_iris(live_server, parameter, value):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    for response in (httpx.get(live_server.sparql, params={"query": query, parameter: value}),
                     httpx.post(live_server.sparql, data={"query": query, parameter: value})):
        assert response.status_code == 400, response.text
        assert parameter in response.text and "not an absolute IRI" in response.text


def test_service_description_by_negotiation(live_server):
    response = httpx.get(live_server.sparql, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    names = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/sparql-service-description#name"))}
    assert names == {f"https://w3id.org/conflict-ld/graph/{n}" for n in ("ontology", "data", "derived", "wikidata", "inferred")}
    schema = "https://schema.org/"
    limits = {str(graph.value(limit, URIRef(schema + "name"))): (graph.value(limit, URIRef(schema + "value")).toPython(),
                                                                str(graph.value(limit, URIRef(schema + "unitCode"))))
              for limit in graph.objects(None, URIRef(schema + "additionalProperty"))}
    # the live server's settings (conftest), in UN/CEFACT units: SEC seconds, C62 a count
    assert limits["query timeout"] == (3, "SEC") and limits["concurrent queries"] == (2, "C62")


def test_browser_gets_the_query_page(live_server):
    response = httpx.get(live_server.sparql, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<form" in response.text


def test_common_prefixes_are_predeclared(live_server):
    query = "SELECT ?q WHERE { grp:mnla owl:sameAs ?q FILTER (STRSTARTS(STR(?q), STR(wd:))) }"
    response = httpx.get(live_server.sparql, params={"query": query})
    assert response.json()["results"]["bindings"][0]["q"]["value"] == "http://www.wikidata.org/entity/Q853699"


# --- content negotiation matrix -------------------------------------------------------------------

@pytest.mark.parametrize("accept, expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
    ("application/json", "application/json"),
    ("text/turtle", None),
])
def test_select_negotiation(live_server, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(live_server.sparql, params={"query": LABELS}, headers=headers)
    assert response.headers["vary"].startswith("Accept")
    if expected is None:
        assert response.status_code == 406
        assert "application/sparql-results+json" in response.text
    else:
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("accept, expected", [
    (None, "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json", "application/json"),
    ("text/turtle;q=0, */*", "application/n-triples"),
    ("application/sparql-results+json", None),
])
def test_construct_negotiation(live_server, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(live_server.sparql, params={"query": CONSTRUCT}, headers=headers)
    if expected is None:
        assert response.status_code == 406 and "text/turtle" in response.text
    else:
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == expected


def test_format_parameter_overrides_accept(live_server):
    response = httpx.get(live_server.sparql, params={"query": LABELS, "format": "csv"},
                         headers={"Accept": "application/sparql-results+json"})
    assert response.headers["content-type"].startswith("text/csv")


# --- errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line", [("SELECT ?x WHERE { ?x ?y }", 1),
                                        ("PREFIX ex: <http://example.org/>\nSELECT ?x\nWHERE {\n  ?x ex:p\n}", 5)])
def test_malformed_query_is_400_with_the_position(live_server, text, line):
    """The position is the line of the query as sent (the predeclared prefixes add none), where the
    object the triple pattern needs is missing: at its closing brace."""
    response = httpx.get(live_server.sparql, params={"query": text})
    assert response.status_code == 400
    assert "does not parse" in response.text
    position = re.search(r"at (\d+):(\d+)", response.text)
    assert position, response.text
    assert int(position[1]) == line
    column = text.splitlines()[line - 1].index("}") + 1
    assert int(position[2]) in (column, column + 1), response.text  # at the brace, or just past it


@pytest.mark.parametrize("text", ["INSERT DATA { <http://a> <http://b> <http://c> }", "DROP ALL",
                                  "LOAD <http://example.org/x.ttl>", "CLEAR DEFAULT"])
def test_updates_in_a_query_are_refused(live_server, text):
    response = httpx.post(live_server.sparql, data={"query": text})
    assert response.status_code == 403 and "read-only" in response.text


def test_update_operation_and_media_type_are_refused(live_server):
    form = httpx.post(live_server.sparql, data={"update": "DROP ALL"})
    direct = httpx.post(live_server.sparql, content="DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert form.status_code == direct.status_code == 403


def test_unknown_body_type_is_415(live_server):
    response = httpx.post(live_server.sparql, content=LABELS, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_two_queries_is_400(live_server):
    response = httpx.get(live_server.sparql + "?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400


def test_overlong_get_is_414(live_server):
    response = httpx.get(live_server.sparql, params={"query": "ASK {} #" + "x" * 20_000})
    assert response.status_code == 414


def test_oversized_body_is_413(live_server):
    response = httpx.post(live_server.sparql, content="ASK {} #" + "x" * 1_100_000,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_cors_is_open_for_reads(live_server):
    response = httpx.get(live_server.sparql, params={"query": LABELS}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = httpx.options(live_server.sparql, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_results_are_never_a_stack_trace(live_server):
    for params in ({"query": "SELECT"}, {"query": "\x00"}, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT -1"}):
        response = httpx.get(live_server.sparql, params=params)
        assert response.status_code < 500
        assert "Traceback" not in response.text


def test_json_results_are_standard(live_server):
    response = httpx.get(live_server.sparql, params={"query": "SELECT ?w ?n WHERE { ?w cao:worksCitedNumber ?n } "
                                                                "ORDER BY ?n LIMIT 1"})
    body = json.loads(response.text)
    assert body["head"]["vars"] == ["w", "n"]
    n = body["results"]["bindings"][0]["n"]
    assert n == {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_the_example_catalogue_for_people_and_for_the_editor(live_server):
    listing = httpx.get(live_server.url + "/queries", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    catalogue = listing.json()
    assert len(catalogue) >= 15
    assert all(e["title"] and e["description"] and e["query"].strip() for e in catalogue)
    page = httpx.get(live_server.url + "/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert catalogue[0]["title"] in page.text.replace("&#x27;", "'")
    first = httpx.get(live_server.sparql, params={"query": catalogue[0]["query"]})
    assert first.status_code == 200 and first.json()["results"]["bindings"]
