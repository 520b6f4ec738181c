"""The ontology IRI and its terms resolve (documentation for people, RDF for machines); the shapes are published."""

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

pytestmark = pytest.mark.slow

ONTOLOGY = URIRef("https://w3id.org/conflict-ld/ontology")
NAMESPACE = "https://w3id.org/conflict-ld/ontology#"
SH = "http://www.w3.org/ns/shacl#"


@pytest.mark.parametrize("accept, rdflib_format", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                                    ("application/rdf+xml", "xml"), ("application/n-triples", "nt")])
def test_the_ontology_for_machines(live_server, accept, rdflib_format):
    response = httpx.get(live_server.url + "/ontology", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None
    assert (URIRef(NAMESPACE + "Alliance"), RDF.type, OWL.Class) in graph


def test_the_ontology_for_people_has_an_entry_per_term(live_server):
    page = httpx.get(live_server.url + "/ontology", headers={"Accept": "text/html"}).text
    graph = Graph().parse(data=httpx.get(live_server.url + "/ontology.ttl").text, format="turtle")
    terms = {str(t)[len(NAMESPACE):] for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in graph.subjects(RDF.type, kind) if str(t).startswith(NAMESPACE)}
    assert len(terms) > 100
    missing = [t for t in terms if f'<section id="{t}">' not in page]
    assert missing == []
    assert "groupe armé" in page


def test_suffixes_and_unknown_forms(live_server):
    assert httpx.get(live_server.url + "/ontology.rdf").headers["content-type"].startswith("application/rdf+xml")
    assert httpx.get(live_server.url + "/ontology.xyz").status_code == 404


def test_the_shapes_are_published(live_server):
    graph = Graph().parse(data=httpx.get(live_server.url + "/shapes", headers={"Accept": "text/turtle"}).text,
                          format="turtle")
    assert len(set(graph.subjects(RDF.type, URIRef(SH + "NodeShape")))) > 20
