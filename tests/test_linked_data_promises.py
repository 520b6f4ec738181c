"""What the README's "Linked Data" section promises that no other module pins: every way of asking
for a format, the paging links, the page a person reads, JSON-LD nesting, the index pages' whole
lists, what VoID says of the dataset and its dumps, sentences without their text, and IRIs that resolve whatever
the host."""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from service.dataset_description import TITLE
from service.releases import History

from .conftest import ROOT

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/conflict-ld/"
VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + ".well-known/void#dataset")
FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
           "rdf": "application/rdf+xml", "html": "text/html"}


def rows(server, query: str) -> list[dict]:
    response = httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


@pytest.mark.parametrize("name", FORMATS)
def test_an_entity_answers_each_format_by_suffix_and_by_format(live_server, name):
    """Whatever the Accept header says, a suffix or `format=` names the format."""
    for response in (httpx.get(f"{live_server.url}/id/place/kidal.{name}", headers={"Accept": "application/rdf+xml"}),
                     httpx.get(f"{live_server.url}/id/place/kidal", params={"format": name},
                               headers={"Accept": "text/turtle" if name != "ttl" else "text/html"})):
        assert response.status_code == 200, response.url
        assert response.headers["content-type"].split(";")[0] == FORMATS[name]
        assert "Kidal" in response.text


def test_a_paged_description_links_first_prev_next_and_last(live_server):
    url = f"{live_server.url}/id/organisation/mnla"
    first_page = httpx.get(url, headers={"Accept": "text/turtle"})
    total = Graph().parse(data=first_page.text, format="turtle").value(
        URIRef(url), URIRef("http://www.w3.org/ns/hydra/core#totalItems")).toPython()
    last = -(-total // 100)
    assert last >= 2 and "prev" not in first_page.links
    assert (first_page.links["first"]["url"], first_page.links["next"]["url"], first_page.links["last"]["url"]) == \
           (url, f"{url}?page=2", f"{url}?page={last}")
    last_page = httpx.get(url, params={"page": last}, headers={"Accept": "text/turtle"})
    assert (last_page.links["first"]["url"], last_page.links["last"]["url"]) == (url, f"{url}?page={last}")
    assert last_page.links["prev"]["url"] == (f"{url}?page={last - 1}" if last > 2 else url)
    assert "next" not in last_page.links
    assert httpx.get(url, params={"page": last + 1}).status_code == 404


# --- the page for people ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hcua_page(live_server) -> str:
    response = httpx.get(f"{live_server.url}/id/organisation/hcua", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


def section(page: str, title: str) -> str:
    start = re.search(f"<h2[^>]*>{title}</h2>", page).start()
    following = page.find("<h2", start + 1)
    return page[start:following if following > 0 else len(page)]


def test_the_page_shows_the_types_and_every_statement(live_server, hcua_page):
    """Every statement of the entity's own is a row of its table (its labels, types and Wikidata
    item are in the page's head)."""
    hcua = URIRef(BASE + "id/organisation/hcua")
    graph = Graph().parse(data=httpx.get(f"{live_server.url}/id/organisation/hcua.ttl").text, format="turtle")
    shown_above = {RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   URIRef("http://www.w3.org/2002/07/owl#sameAs")}
    own = sorted(str(p).replace(BASE, live_server.url + "/") for p, _ in graph.predicate_objects(hcua)
                 if p not in shown_above)
    table = section(hcua_page, "Statements")
    assert sorted(re.findall(r'<tr><th><a href="([^"]+)">', table)) == own
    assert "armed group" in hcua_page.split("<h2")[0]  # cao:ArmedGroup, by its label
    assert "Q15141050" in hcua_page.split("<h2")[0]


def test_the_page_gives_each_claim_its_date_certainty_and_source(hcua_page):
    claims = re.findall(r"<li>(.*?)</dl></li>", section(hcua_page, "Claims"), re.DOTALL)
    assert len(claims) > 3
    for claim in claims:
        assert "<dt>certainty</dt>" in claim and "<dt>sources</dt>" in claim, claim[:300]
    founding = next(claim for claim in claims if "/id/event/2013-05-hcua-founding" in claim)
    assert "<dt>when</dt><dd>May 2013" in founding and "/id/concept/certainty/stated" in founding
    assert "Bencherif and Campana (2017)" in founding and "p. 125, 129" in founding


def test_the_page_lists_the_resources_linking_to_it(live_server, hcua_page):
    """Every resource with a statement about the entity is on its page: a claim under "Claims",
    anything else under "Linked from"."""
    linking = {row["s"]["value"].replace(BASE, live_server.url + "/") for row in rows(
        live_server, "SELECT DISTINCT ?s WHERE { ?s ?p grp:hcua FILTER (isIRI(?s)) }")}
    linked_from = set(re.findall(r'<tr><td><a href="([^"]+)">', section(hcua_page, "Linked from")))
    claims = set(re.findall(r'<li><a href="([^"]+)">', section(hcua_page, "Claims")))
    assert f"{live_server.url}/id/person/alghabass-ag-intalla" in linked_from
    assert linked_from | claims == linking and not linked_from & claims


# --- JSON-LD ------------------------------------------------------------------------------------------------


def claim_node(live_server, path: str) -> dict:
    document = httpx.get(f"{live_server.url}/{path}", headers={"Accept": "application/ld+json"}).json()
    assert document["@context"]["clm"] == BASE + "id/claim/"  # the context is carried inline
    return next(node for node in document["@graph"] if node["@id"] == "clm:" + path.rsplit("/", 1)[1])


def test_json_ld_nests_a_claims_figures_and_sources(live_server):
    claim = claim_node(live_server, "id/claim/mnla-strength-2012")
    assert claim["rdf:object"]["schema:minValue"]["@value"] == "9000"  # the figure, inside the claim
    assert claim["prov:qualifiedDerivation"]["prov:entity"] == {"@id": "wrk:france24-2012a"}


def test_json_ld_names_a_claims_time_interval_as_a_resource_of_its_own(live_server):
    claim = claim_node(live_server, "id/claim/mnla-strength-2012")
    assert claim["time:hasTime"] == {"@id": "clm:mnla-strength-2012#time"}


# --- the index pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, root, namespace", [
    ("organisations", "org:Organization", "grp:"), ("people", "foaf:Person", "per:"), ("places", "schema:Place", "plc:"),
    ("works", "bibo:Document", "wrk:"), ("concepts", "skos:Concept", "<https://w3id.org/conflict-ld/id/concept/>"),
    ("events", "cao:Event", "evt:"),
])
def test_an_index_lists_every_entity_of_its_kind(live_server, path, root, namespace):
    expected = {row["e"]["value"] for row in rows(live_server, f"""SELECT DISTINCT ?e WHERE {{
        ?e a/rdfs:subClassOf* {root} FILTER (STRSTARTS(STR(?e), STR({namespace}))) }}""")}
    listed = [entry["item"] for entry in httpx.get(f"{live_server.url}/{path}",
                                                   headers={"Accept": "application/json"}).json()]
    assert len(expected) > 10 and set(listed) == expected and len(listed) == len(expected)  # each once


# --- VoID ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(live_server) -> Graph:
    return Graph().parse(data=httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"}).text,
                         format="turtle")


def test_the_dataset_is_described_as_the_readme_lists(live_server, void):
    """Title, description, licence, source, version, SPARQL endpoint, example resources, URI space
    and vocabularies, each with the value it must have."""
    def values(predicate) -> set:
        return set(void.objects(DATASET, predicate))

    assert {(DATASET, RDF.type, VOID.Dataset), (DATASET, RDF.type, DCAT.Dataset)} <= set(void)
    assert Literal(TITLE, lang="en") in values(DCTERMS.title)
    assert all(isinstance(text, Literal) and len(text) > 50 for text in values(DCTERMS.description))
    assert values(DCTERMS.license) == {URIRef("https://creativecommons.org/licenses/by/4.0/")}
    assert values(DCTERMS.source) == {URIRef(BASE + "id/work/cma-profile")}
    assert values(URIRef("http://www.w3.org/ns/dcat#version")) == {Literal(History(ROOT / "releases").latest.version)}
    assert values(VOID.sparqlEndpoint) == {URIRef(live_server.sparql)}
    assert values(VOID.uriSpace) == {Literal(BASE + "id/")}
    examples = values(VOID.exampleResource)
    assert len(examples) >= 3 and all(str(example).startswith(BASE + "id/") for example in examples)
    vocabularies = values(VOID.vocabulary)
    assert URIRef(BASE + "ontology#") in vocabularies and len(vocabularies) > 10
    unused = rows(live_server, "SELECT ?v WHERE { VALUES ?v { %s } FILTER NOT EXISTS { ?s ?p ?o FILTER ("
                               "STRSTARTS(STR(?p), STR(?v)) || (isIRI(?o) && STRSTARTS(STR(?o), STR(?v)))) } }"
                  % " ".join(f"<{vocabulary}>" for vocabulary in vocabularies))
    assert unused == []  # each names terms the data uses


def test_every_dump_is_listed_with_its_media_type(live_server, void):
    listing = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    media = "https://www.iana.org/assignments/media-types/"
    for entry in listing["files"]:
        url = URIRef(f"{live_server.url}/dumps/{entry['url']}")
        assert void.value(url, DCAT.mediaType) == URIRef(media + entry["mediaType"])
        assert (void.value(url, DCAT.compressFormat) == URIRef(media + "application/gzip")) == entry["name"].endswith(".gz")


# --- the citation structure; IRIs on any host ---------------------------------------------------------------


def test_the_profiles_parts_carry_no_text(live_server):
    """Sections, paragraphs, captions and sentences hold no literal but a label of our own, their
    position and, for a section, its heading: never the profile's sentences."""
    found = {(row["kind"]["value"].rsplit("/", 1)[1], row["p"]["value"]) for row in rows(live_server, """
        SELECT DISTINCT ?kind ?p WHERE { ?part a ?kind ; ?p ?value FILTER (isLiteral(?value))
          VALUES ?kind { doco:Section doco:Paragraph doco:Sentence deo:Caption } }""")}
    label, position = "http://www.w3.org/2000/01/rdf-schema#label", "https://schema.org/position"
    assert found == {*((kind, p) for kind in ("Section", "Paragraph", "Sentence", "Caption") for p in (label, position)),
                     ("Section", "http://purl.org/dc/terms/title")}


def test_an_iri_resolves_whatever_the_host_asked(live_server):
    for host in ("w3id.org", "data.example.org:8443"):
        response = httpx.get(f"{live_server.url}/id/organisation/mnla.ttl", headers={"Host": host})
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        assert (URIRef(BASE + "id/organisation/mnla"), RDF.type, None) in graph
