"""Entity IRIs dereference on the running service, for machines and for people; Wikidata IDs lead back."""

import json

import httpx
import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

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


HYDRA = "http://www.w3.org/ns/hydra/core#"
LINKING = """SELECT DISTINCT ?in WHERE {
  { ?in ?p <%s> } UNION { ?in ?q ?b . FILTER (isBlank(?b)) ?b ?r <%s> }
  FILTER (isIRI(?in) && ?in != <%s>) }"""


def _linking(live_server, iri: str) -> set[str]:
    rows = httpx.get(live_server.sparql, params={"query": LINKING % (iri, iri, iri)}).json()["results"]["bindings"]
    return {row["in"]["value"] for row in rows}


@pytest.mark.parametrize("path", ["id/organisation/mnla", "id/concept/certainty/stated", "id/work/cma-profile"])
def test_large_descriptions_are_paged_and_the_pages_add_up(live_server, path):
    iri = BASE + path
    expected = _linking(live_server, iri)
    assert len(expected) > 100
    seen, url, pages = set(), f"{live_server.url}/{path}", 0
    while url:
        response = httpx.get(url, headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format="turtle")
        assert (URIRef(iri), RDF.type, None) in graph  # every page describes the entity itself
        view = URIRef(url)
        assert graph.value(view, URIRef(HYDRA + "totalItems")).toPython() == len(expected)
        direct = set(graph.subjects(None, URIRef(iri))) - set(graph.subjects(RDF.type, URIRef(HYDRA + "PartialCollectionView")))
        linking = {str(s) for s in direct if isinstance(s, URIRef)}
        linking |= {str(s) for s, _, b in graph if isinstance(b, BNode) and b in direct and s != URIRef(iri)}
        assert 0 < len(linking) <= 100 and not linking & seen
        assert not seen or min(linking) > max(seen)  # in IRI order across pages
        seen |= linking
        next_in_data = graph.value(view, URIRef(HYDRA + "next"))
        next_in_header = response.links.get("next", {}).get("url")
        assert (str(next_in_data) if next_in_data else None) == next_in_header
        assert ("prev" in response.links) == (pages > 0)
        url, pages = next_in_header, pages + 1
    assert seen == expected and pages == -(-len(expected) // 100)


def test_small_descriptions_fit_one_page_and_say_nothing_of_paging(live_server):
    response = httpx.get(f"{live_server.url}/id/person/bilal-ag-cherif", headers={"Accept": "text/turtle"})
    assert "next" not in response.links and "PartialCollectionView" not in response.text
    assert len(_linking(live_server, BASE + "id/person/bilal-ag-cherif")) <= 100


def test_page_numbers_are_checked(live_server):
    mnla = f"{live_server.url}/id/organisation/mnla"
    for bad in ("0", "-1", "two", "1.5", ""):
        response = httpx.get(mnla, params={"page": bad})
        assert response.status_code == 400 and "page" in response.text
    beyond = httpx.get(mnla, params={"page": 99})
    assert beyond.status_code == 404 and "no page 99" in beyond.text
    assert httpx.get(f"{live_server.url}/id/place/kidal", params={"page": 2}).status_code == 404


@pytest.mark.parametrize("page", ["\u00b2", "\u0662", "1\n", " 2", "+2", "1_0", "9" * 5000, "1e3", "1000000000"])
def test_page_numbers_are_ascii_digits_within_bounds(live_server, page):
    """`str.isdigit()` takes `²`, `int()` takes Arabic-Indic digits and refuses 5000 of them: each was a 500."""
    response = httpx.get(f"{live_server.url}/id/organisation/mnla", params={"page": page})
    assert response.status_code == 400, response.text
    assert response.text.startswith("Bad Request: 'page' must be a whole number") and response.text.count("\n") == 1


def test_page_is_given_once(live_server):
    response = httpx.get(f"{live_server.url}/id/organisation/mnla?page=1&page=2")
    assert response.status_code == 400 and "once" in response.text


def test_a_weak_validator_revalidates_an_entity_page(live_server):
    """If-None-Match compares weakly (RFC 9110 §13.1.2), so `W/"…"` of the current tag is a 304."""
    url, accept = f"{live_server.url}/id/place/kidal", {"Accept": "text/turtle"}
    etag = httpx.get(url, headers=accept).headers["etag"]
    for held in (f"W/{etag}", f'"other", W/{etag}', "*"):
        assert httpx.get(url, headers={**accept, "If-None-Match": held}).status_code == 304, held
    assert httpx.get(url, headers={**accept, "If-None-Match": 'W/"other"'}).status_code == 200


def test_pages_of_a_description_in_every_format_and_as_html(live_server):
    second = httpx.get(f"{live_server.url}/id/organisation/mnla.nt", params={"page": 2})
    assert second.headers["content-location"].endswith("/id/organisation/mnla.nt?page=2")
    assert f'<{live_server.url}/id/organisation/mnla.ttl?page=2>; rel="alternate"' in second.headers["link"]
    html = httpx.get(f"{live_server.url}/id/organisation/mnla", params={"page": 2}, headers={"Accept": "text/html"}).text
    assert "Claims and links 101–" in html and 'rel="prev"' in html and 'rel="next"' not in html  # two pages
    assert f'href="{live_server.url}/id/organisation/mnla.ttl?page=2"' in html


def test_json_ld_documents_are_nested_compacted_and_carry_the_same_triples(live_server):
    mnla = f"{live_server.url}/id/organisation/mnla"
    document = httpx.get(mnla, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"]["grp"] == BASE + "id/organisation/"
    nodes = {node["@id"]: node for node in document["@graph"]}
    assert "cao:ArmedGroup" in nodes["grp:mnla"]["@type"]
    sources = [node["prov:qualifiedDerivation"] for node in nodes.values() if "prov:qualifiedDerivation" in node]
    assert any(isinstance(source, dict) and "cao:page" in source for source in sources)  # nested, not a reference
    expanded = Graph().parse(data=json.dumps(jsonld.expand(document)), format="json-ld")
    # both by negotiation: the same document (a suffixed one names its Hydra view after itself)
    triples = httpx.get(mnla, headers={"Accept": "application/n-triples"}).text
    assert isomorphic(expanded, Graph().parse(data=triples, format="nt"))


def test_the_page_for_people(live_server):
    response = httpx.get(f"{live_server.url}/id/organisation/hcua", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>High Council for the Unity of Azawad</h1>" in page
    assert "Haut Conseil pour l&#x27;unité de l&#x27;Azawad" in page or "Haut Conseil pour l'unité de l'Azawad" in page
    assert "Bencherif and Campana (2017)" in page and "p. 125, 129" in page
    assert "https://www.wikidata.org/" in page or "http://www.wikidata.org/entity/Q15141050" in page
    assert 'rel="alternate" type="text/turtle"' in page
    # the JSON-LD in the page (JSON-LD 1.1 §7.3: a script element) holds the entity's own statements,
    # exactly those its Turtle description makes about it
    embedded = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    in_page = Graph().parse(data=embedded.replace("<\\/", "</"), format="json-ld")
    turtle = httpx.get(f"{live_server.url}/id/organisation/hcua", headers={"Accept": "text/turtle"}).text
    hcua = URIRef(BASE + "id/organisation/hcua")
    assert set(in_page) == set(Graph().parse(data=turtle, format="turtle").triples((hcua, None, None)))
    assert (hcua, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q15141050")) in in_page


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


@pytest.mark.parametrize("qid", ["Q1%0A", "Q1%0D%0A", "Q%C2%B2", "Q1%20", "Q" + "9" * 13, "Q0", "q1"])
def test_malformed_wikidata_ids_are_400(live_server, qid):
    """`^Q[1-9][0-9]*$` matched `Q1` followed by a line break, which then failed in the engine (500)."""
    response = httpx.get(f"{live_server.url}/wikidata/{qid}")
    assert response.status_code == 400 and "not a Wikidata item ID" in response.text


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


def test_every_iri_dereferences_to_a_document_about_it(live_server):
    """Every IRI with statements under id/ is described by the document a client fetches for it, the
    fragment stripped: an entity by its own, and the hash IRIs its document holds (an event's `#time`,
    an interval's `#start`, the Wikidata view's statements and references) there too, in Turtle and
    in JSON-LD. Each entity also has a page. Half of these IRIs, the hash ones, once led nowhere."""
    query = f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/")) }}"""
    subjects = [b["s"]["value"] for b in httpx.get(live_server.sparql, params={"query": query}).json()["results"]["bindings"]]
    documents: dict[str, set[str]] = {}
    for iri in subjects:
        documents.setdefault(iri.split("#", 1)[0], set()).add(iri)
    assert len(documents) > 1300 and len(subjects) - len(documents) > 900  # the entities, and the hash IRIs
    failures = []
    with httpx.Client(timeout=30) as client:
        for document, described in sorted(documents.items()):
            local = live_server.url + "/" + document.removeprefix(BASE)
            for media_type, syntax in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
                answer = client.get(local, headers={"Accept": media_type})
                found = {t.subject.value for t in ox.parse(answer.content, format=syntax)} if answer.status_code == 200 else set()
                failures += [(iri, media_type) for iri in described - found]
            if document in described:
                page = client.get(local, headers={"Accept": "text/html"})
                if page.status_code != 200 or "<h1>" not in page.text:
                    failures.append((document, "text/html"))
    assert failures == []


def test_every_term_of_the_ontology_dereferences_to_the_ontology_document(live_server):
    """The ontology's IRI and its terms' (`…/ontology#Alliance`): the document a client fetches for
    them, the fragment stripped, describes each, in Turtle and JSON-LD."""
    query = f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{BASE}ontology")) }}"""
    terms = {b["s"]["value"] for b in httpx.get(live_server.sparql, params={"query": query}).json()["results"]["bindings"]}
    assert len(terms) > 100 and {t.split("#", 1)[0] for t in terms} == {BASE + "ontology"}
    for media_type, syntax in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
        answer = httpx.get(live_server.url + "/ontology", headers={"Accept": media_type})
        assert terms <= {t.subject.value for t in ox.parse(answer.content, format=syntax)}, media_type


@pytest.mark.parametrize("suffix, syntax", [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                            ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML)])
def test_a_suffixed_description_names_its_pages_as_it_was_asked_for(live_server, suffix, syntax):
    """A client following a Hydra view checks that the view is the document it fetched: the pages of
    `mnla.jsonld` are `mnla.jsonld?page=N`, in the data and in the Link headers (Comunica used to read
    page 1 and stop)."""
    view_type, next_page = ox.NamedNode(HYDRA + "PartialCollectionView"), ox.NamedNode(HYDRA + "next")
    url, pages = f"{live_server.url}/id/organisation/mnla.{suffix}", 0
    while url:
        response = httpx.get(url)
        triples = list(ox.parse(response.content, format=syntax))
        views = {t.subject.value for t in triples if t.predicate.value == str(RDF.type) and t.object == view_type}
        assert views == {url}
        following = [t.object.value for t in triples if t.subject.value == url and t.predicate == next_page]
        assert following == ([response.links["next"]["url"]] if "next" in response.links else [])
        url, pages = (following or [None])[0], pages + 1
        assert url is None or url == f"{live_server.url}/id/organisation/mnla.{suffix}?page={pages + 1}"
    assert pages > 1
