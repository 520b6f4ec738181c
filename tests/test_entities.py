"""Entity IRIs dereference on the running service, for machines and for people; Wikidata IDs lead back."""

import json

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/conflict-ld/"
ENTITIES = ["id/organisation/mnla", "id/person/bilal-ag-cherif", "id/place/kidal", "id/event/2012-01-18-aguelhok-attack",
            "id/claim/mnla-strength-2012", "id/work/mcgregor-2017", "id/note/7", "id/concept/certainty/unverified",
            "id/scheme/certainty"]
FORMATS = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
           ("application/rdf+xml", "xml")]


@pytest.mark.parametrize("path", ENTITIES)
@pytest.mark.parametrize("media_type, rdflib_format", FORMATS)
def test_every_kind_of_entity_in_every_format(live_server, path, media_type, rdflib_format):
    response = httpx.get(f"{live_server.url}/{path}", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"].startswith("Accept")
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert (URIRef(BASE + path), None, None) in graph


@pytest.mark.parametrize("suffix, rdflib_format", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")])
def test_suffixes_name_the_format(live_server, suffix, rdflib_format):
    response = httpx.get(f"{live_server.url}/id/place/kidal.{suffix}", headers={"Accept": "text/html"})
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert graph.value(URIRef(BASE + "id/place/kidal"), RDFS.label) is not None


def test_rdflib_dereferences_the_iri_as_it_is(live_server):
    graph = Graph().parse(f"{live_server.url}/id/organisation/hcua")
    assert graph.value(URIRef(BASE + "id/organisation/hcua"), RDFS.label) is not None


def test_the_description_carries_incoming_links_and_claims_with_sources(live_server):
    graph = Graph().parse(data=httpx.get(f"{live_server.url}/id/organisation/hcua.ttl").text, format="turtle")
    hcua = URIRef(BASE + "id/organisation/hcua")
    founding = URIRef(BASE + "id/event/2013-05-hcua-founding")
    assert (founding, None, hcua) in graph  # incoming
    pages = {str(p) for d in graph.objects(founding, URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"))
             for p in graph.objects(d, URIRef(BASE + "ontology#page"))}
    assert pages == {"125", "129"}


def test_the_page_for_people(live_server):
    response = httpx.get(f"{live_server.url}/id/organisation/hcua", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>High Council for the Unity of Azawad</h1>" in page
    assert "Haut Conseil pour l&#x27;unité de l&#x27;Azawad" in page or "Haut Conseil pour l'unité de l'Azawad" in page
    assert "Bencherif and Campana (2017)" in page and "p. 125, 129" in page
    assert "https://www.wikidata.org/" in page or "http://www.wikidata.org/entity/Q15141050" in page
    assert 'rel="alternate" type="text/turtle"' in page
    embedded = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(embedded.replace("<\\/", "</"))


def test_unknown_entity_is_404_and_bad_format_406(live_server):
    assert httpx.get(f"{live_server.url}/id/organisation/nobody").status_code == 404
    assert httpx.get(f"{live_server.url}/id/place/kidal", headers={"Accept": "image/png"}).status_code == 406


def test_wikidata_ids_lead_to_our_entities(live_server):
    response = httpx.get(f"{live_server.url}/wikidata/Q853699")
    assert response.status_code == 303
    assert response.headers["location"] == f"{live_server.url}/id/organisation/mnla"
    concept = httpx.get(f"{live_server.url}/wikidata/Q58843")
    assert concept.headers["location"].endswith("/id/concept/ethnic-group/tuareg")
    missing = httpx.get(f"{live_server.url}/wikidata/Q1")
    assert missing.status_code == 404 and "Q1" in missing.text
    assert httpx.get(f"{live_server.url}/wikidata/P31").status_code == 400


@pytest.mark.parametrize("path, at_least, member", [
    ("organisations", 60, "id/organisation/mnla"), ("people", 20, "id/person/bilal-ag-cherif"),
    ("places", 40, "id/place/kidal"), ("works", 27, "id/work/mcgregor-2017"),
    ("concepts", 100, "id/concept/certainty/unverified"), ("events", 150, "id/event/2012-01-18-aguelhok-attack"),
])
def test_index_pages(live_server, path, at_least, member):
    listing = httpx.get(f"{live_server.url}/{path}", headers={"Accept": "application/json"}).json()
    assert len(listing) >= at_least
    assert BASE + member in {entry["item"] for entry in listing}
    page = httpx.get(f"{live_server.url}/{path}", headers={"Accept": "text/html"}).text
    assert f'href="{live_server.url}/{member}"' in page


def test_the_timeline_is_in_date_order(live_server):
    events = httpx.get(f"{live_server.url}/events", headers={"Accept": "application/json"}).json()
    dated = [e["when"] for e in events if "when" in e]
    assert dated == sorted(dated) and len(dated) > 150
    assert all("when" not in e for e in events[len(dated):])  # undated events come last


def test_every_entity_dereferences_as_turtle_and_as_a_page(live_server):
    query = """SELECT DISTINCT ?e WHERE { ?e a ?t FILTER (STRSTARTS(STR(?e), STR(<https://w3id.org/conflict-ld/id/>))
               && !CONTAINS(STR(?e), "#")) } ORDER BY ?e"""
    entities = [b["e"]["value"] for b in httpx.get(live_server.sparql, params={"query": query}).json()["results"]["bindings"]]
    assert len(entities) > 700
    failures = []
    with httpx.Client(timeout=30) as client:
        for iri in entities:
            local = live_server.url + "/" + iri.removeprefix(BASE)
            turtle = client.get(local, headers={"Accept": "text/turtle"})
            page = client.get(local, headers={"Accept": "text/html"})
            graph = Graph().parse(data=turtle.text, format="turtle") if turtle.status_code == 200 else Graph()
            if (URIRef(iri), None, None) not in graph or page.status_code != 200 or "<h1>" not in page.text:
                failures.append(iri)
    assert failures == []
