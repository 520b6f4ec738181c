"""The W3C SPARQL 1.1 Protocol query tests (the protocol suite's manifest, as its validator sends
them), run against the running service: 13 positive tests and 7 negative ones, each named as the
suite names it.

The suite's dataset tests load three graphs, `data1.rdf`, `data2.rdf` and `data3.rdf`, each
describing itself (`<dataN.rdf> a ?type`), and ask for them through `default-graph-uri` and
`named-graph-uri`. This service is read-only, so they are mapped onto its own named graphs, each
with a resource found only there:

| suite          | here                | the resource the ASK looks for                |
|----------------|---------------------|-----------------------------------------------|
| `data1.rdf`    | `…/graph/ontology`  | `<…/ontology> a owl:Ontology`                  |
| `data2.rdf`    | `…/graph/data`      | `grp:mnla a cao:ArmedGroup`                    |
| `data3.rdf`    | `…/graph/wikidata`  | `?value a wikibase:TimeValue`                  |
| `data0.rdf`    | kept as it is       | a graph this service does not hold: empty     |

The queries keep their shape (which graph is default, which named, FROM against the protocol's
dataset). Beyond the suite, each dataset test also asks with a graph left out and expects `false`:
a dataset that was not narrowed would answer `true` both times.
"""

import json
from xml.etree import ElementTree

import httpx
import pytest
from rdflib import Graph

BASE = "https://w3id.org/conflict-ld/"
DATA0 = "http://kasei.us/2009/09/sparql/data/data0.rdf"
GRAPHS = {"data1": BASE + "graph/ontology", "data2": BASE + "graph/data", "data3": BASE + "graph/wikidata"}
LOOKS_FOR = {
    "data1": f"<{BASE}ontology> a <http://www.w3.org/2002/07/owl#Ontology>",
    "data2": f"<{BASE}id/organisation/mnla> a <{BASE}ontology#ArmedGroup>",
    "data3": "?value a <http://wikiba.se/ontology#TimeValue>",
}
RESULTS = ("application/sparql-results+xml", "application/sparql-results+json")
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def boolean(response: httpx.Response) -> bool:
    """An ASK's answer from SPARQL results in XML or JSON, which the suite accepts."""
    assert 200 <= response.status_code < 400, response.text
    kind = media_type(response)
    assert kind in RESULTS, kind
    if kind == RESULTS[1]:
        return json.loads(response.text)["boolean"]
    found = ElementTree.fromstring(response.content).find(f"{{{SPARQL_RESULTS}}}boolean")
    return {"true": True, "false": False}[found.text]


def ask(server, query: str, method: str = "POST", **dataset: list[str]) -> bool:
    """An ASK by GET or by form POST, with the protocol's dataset (`default_graph_uri=[…]`, …)."""
    parameters = {"query": query, **{name.replace("_", "-"): graphs for name, graphs in dataset.items()}}
    if method == "GET":
        return boolean(httpx.get(server.sparql, params=parameters))
    return boolean(httpx.post(server.sparql, data=parameters))


# --- positive tests ----------------------------------------------------------------------------------

def test_query_get(live_server):
    response = httpx.get(live_server.sparql, params={"query": "ASK {}", "default-graph-uri": DATA0})
    assert boolean(response) is True


def test_query_post_form(live_server):
    response = httpx.post(live_server.sparql, data={"query": "ASK {}", "default-graph-uri": DATA0})
    assert boolean(response) is True


def test_query_post_direct(live_server):
    response = httpx.post(live_server.sparql, params={"default-graph-uri": DATA0}, content=b"ASK {}",
                          headers={"Content-Type": "application/sparql-query"})
    assert boolean(response) is True


def both(first: str, second: str) -> str:
    return f"ASK {{ {LOOKS_FOR[first]} . {LOOKS_FOR[second]} }}"


def test_query_dataset_default_graphs_get(live_server):
    graphs = [GRAPHS["data1"], GRAPHS["data2"]]
    assert ask(live_server, both("data1", "data2"), "GET", default_graph_uri=graphs) is True
    assert ask(live_server, both("data1", "data2"), "GET", default_graph_uri=graphs[:1]) is False


def test_query_dataset_default_graphs_post(live_server):
    graphs = [GRAPHS["data1"], GRAPHS["data2"]]
    assert ask(live_server, both("data1", "data2"), default_graph_uri=graphs) is True
    assert ask(live_server, both("data1", "data2"), default_graph_uri=graphs[1:]) is False


def in_named_graphs(first: str, second: str) -> str:
    return f"ASK {{ GRAPH ?g1 {{ {LOOKS_FOR[first]} }} GRAPH ?g2 {{ {LOOKS_FOR[second]} }} }}"


def test_query_dataset_named_graphs_post(live_server):
    graphs = [GRAPHS["data1"], GRAPHS["data2"]]
    assert ask(live_server, in_named_graphs("data1", "data2"), named_graph_uri=graphs) is True
    assert ask(live_server, in_named_graphs("data1", "data2"), named_graph_uri=graphs[:1]) is False


def test_query_dataset_named_graphs_get(live_server):
    graphs = [GRAPHS["data1"], GRAPHS["data2"]]
    assert ask(live_server, in_named_graphs("data1", "data2"), "GET", named_graph_uri=graphs) is True
    assert ask(live_server, in_named_graphs("data1", "data2"), "GET", named_graph_uri=graphs[1:]) is False


def test_query_dataset_full(live_server):
    query = f"ASK {{ {LOOKS_FOR['data3']} GRAPH ?g1 {{ {LOOKS_FOR['data1']} }} GRAPH ?g2 {{ {LOOKS_FOR['data2']} }} }}"
    named = [GRAPHS["data1"], GRAPHS["data2"]]
    assert ask(live_server, query, default_graph_uri=[GRAPHS["data3"]], named_graph_uri=named) is True
    assert ask(live_server, query, default_graph_uri=[GRAPHS["data1"]], named_graph_uri=named) is False


def test_query_multiple_dataset(live_server):
    """FROM names data3 as the default graph, the protocol names only data1 and data2: the protocol's
    dataset wins (SPARQL 1.1 Protocol §2.1.4), so the default graph is empty and data3 is not found."""
    query = (f"ASK FROM <{GRAPHS['data3']}> {{ GRAPH ?g1 {{ {LOOKS_FOR['data1']} }} "
             f"GRAPH ?g2 {{ {LOOKS_FOR['data2']} }} }}")
    assert ask(live_server, query, named_graph_uri=[GRAPHS["data1"], GRAPHS["data2"]]) is True
    with_data3 = query.replace("{ GRAPH ?g1", f"{{ {LOOKS_FOR['data3']} GRAPH ?g1")
    assert ask(live_server, with_data3, named_graph_uri=[GRAPHS["data1"], GRAPHS["data2"]]) is False
    assert ask(live_server, with_data3.replace(f"FROM <{GRAPHS['data3']}> ", f"FROM <{GRAPHS['data3']}> FROM NAMED "
                                               f"<{GRAPHS['data1']}> FROM NAMED <{GRAPHS['data2']}> ")) is True


def test_query_content_type_select(live_server):
    response = httpx.post(live_server.sparql, data={"query": "SELECT (1 AS ?value) {}", "default-graph-uri": DATA0})
    assert response.status_code == 200
    kind = media_type(response)
    assert kind in (*RESULTS, "text/csv", "text/tab-separated-values")
    if kind == RESULTS[1]:
        assert response.json()["results"]["bindings"] == [{"value": {
            "type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    else:
        assert ">1<" in response.text or "\n1" in response.text


def test_query_content_type_ask(live_server):
    response = httpx.post(live_server.sparql, data={"query": "ASK {}", "default-graph-uri": DATA0})
    assert boolean(response) is True


RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}


def test_query_content_type_describe(live_server):
    response = httpx.post(live_server.sparql, data={"query": "DESCRIBE <http://example.org/>", "default-graph-uri": DATA0})
    assert response.status_code == 200 and media_type(response) in RDF_TYPES
    assert len(Graph().parse(data=response.text, format=RDF_TYPES[media_type(response)])) == 0


def test_query_content_type_construct(live_server):
    """The relative IRIs `<s>` and `<p>` resolve against the endpoint's URL (the query has no BASE)."""
    response = httpx.post(live_server.sparql, data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}",
                                                    "default-graph-uri": DATA0})
    assert response.status_code == 200 and media_type(response) in RDF_TYPES
    graph = Graph().parse(data=response.text, format=RDF_TYPES[media_type(response)])
    assert [(str(s), str(p), o.toPython()) for s, p, o in graph] == [
        (f"{live_server.url}/s", f"{live_server.url}/p", 1)]


# --- negative tests: the suite asks for any 4xx or 5xx; here, the status the protocol means ------------

def test_bad_query_method(live_server):
    assert httpx.put(live_server.sparql + "?query=ASK%20%7B%7D").status_code == 405


def test_bad_multiple_queries(live_server):
    response = httpx.get(live_server.sparql + "?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400


def test_bad_query_wrong_media_type(live_server):
    response = httpx.post(live_server.sparql, params={"default-graph-uri": DATA0}, content=b"ASK {}",
                          headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(live_server):
    response = httpx.post(live_server.sparql, content=b"query=ASK%20%7B%7D")  # no Content-Type
    assert response.status_code == 415 and "application/x-www-form-urlencoded" in response.text


def test_bad_query_missing_direct_type(live_server):
    response = httpx.post(live_server.sparql, content=b"ASK {}")  # no Content-Type
    assert response.status_code == 415 and "application/sparql-query" in response.text


def test_bad_query_non_utf8(live_server):
    response = httpx.post(live_server.sparql, params={"default-graph-uri": DATA0}, content="ASK {}".encode("utf-16"),
                          headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert response.status_code == 400 and "not UTF-8" in response.text


def test_bad_query_syntax(live_server):
    response = httpx.get(live_server.sparql, params={"query": "ASK {", "default-graph-uri": DATA0})
    assert response.status_code == 400
