"""The VoID + DCAT description at /.well-known/void: complete, exact, and agreeing with what is served."""

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

pytestmark = pytest.mark.slow

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef("https://w3id.org/conflict-ld/.well-known/void#dataset")


@pytest.fixture(scope="module")
def void(live_server):
    response = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def count(live_server, query: str) -> int:
    response = httpx.get(live_server.sparql, params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_the_dataset_is_described(void, live_server):
    assert (DATASET, RDF.type, VOID.Dataset) in void and (DATASET, RDF.type, DCAT.Dataset) in void
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator, DCTERMS.source,
                      DCTERMS.modified, DCAT.version, VOID.uriSpace, VOID.exampleResource, VOID.vocabulary):
        assert void.value(DATASET, predicate) is not None, predicate
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(live_server.sparql)


def test_statistics_are_exact(void, live_server):
    triples = count(live_server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert void.value(DATASET, VOID.triples) == Literal(triples)
    for partition in void.objects(DATASET, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        if str(cls).endswith("#Membership"):
            expected = count(live_server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
            assert void.value(partition, VOID.entities) == Literal(expected)
    labels = [p for p in void.objects(DATASET, VOID.propertyPartition)
              if void.value(p, VOID.property) == URIRef("http://www.w3.org/2000/01/rdf-schema#label")]
    assert len(labels) == 1
    expected = count(live_server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { ?s rdfs:label ?o } }")
    assert void.value(labels[0], VOID.triples) == Literal(expected)


def test_every_dump_is_listed_with_size_and_checksum(void, live_server):
    listing = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(listing["files"]) == 8
    for entry in listing["files"]:
        url = URIRef(f"{live_server.url}/dumps/{entry['url']}")
        assert url in distributions and (DATASET, VOID.dataDump, url) in void
        assert int(void.value(url, DCAT.byteSize)) == entry["size"]
        checksum = void.value(url, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == entry["sha256"]
        assert httpx.head(str(url)).status_code == 200


def test_example_resources_dereference(void, live_server):
    for example in void.objects(DATASET, VOID.exampleResource):
        local = live_server.url + "/" + str(example).removeprefix("https://w3id.org/conflict-ld/")
        assert httpx.get(local, headers={"Accept": "text/turtle"}).status_code == 200


@pytest.mark.parametrize("media_type, rdflib_format", [("application/ld+json", "json-ld"),
                                                        ("application/n-triples", "nt"),
                                                        ("application/rdf+xml", "xml")])
def test_other_syntaxes(live_server, media_type, rdflib_format):
    response = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": media_type})
    assert (DATASET, RDF.type, VOID.Dataset) in Graph().parse(data=response.text, format=rdflib_format)


def test_a_weak_validator_revalidates_the_description(live_server):
    """If-None-Match compares weakly (RFC 9110 §13.1.2): `W/"…"` of the current tag is a 304, as is `*`."""
    url, accept = live_server.url + "/.well-known/void", {"Accept": "text/turtle"}
    etag = httpx.get(url, headers=accept).headers["etag"]
    for held in (f"W/{etag}", f'"x", W/{etag}', "*"):
        assert httpx.get(url, headers={**accept, "If-None-Match": held}).status_code == 304, held
    head = httpx.head(url, headers=accept)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
