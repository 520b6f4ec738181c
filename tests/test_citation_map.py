"""People can check a claim: its pinpoint on the entity page leads to the profile's citation map,
which lays out every sentence with its citation and the claims taken from it."""

import re
from html import unescape

import httpx
import pytest
from rdflib import Graph, URIRef

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/conflict-ld/"
CITO = "http://purl.org/spar/cito/"


@pytest.fixture(scope="module")
def profile_page(live_server) -> str:
    response = httpx.get(f"{live_server.url}/id/work/cma-profile", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


def map_entry(page: str, anchor: str) -> str:
    """The citation map's list item for one sentence (up to the next sentence)."""
    start = page.index(f'<li id="{anchor}">')
    following = page.find('<li id="s-', start + 1)
    return page[start:following if following > 0 else len(page)]


def test_every_pinpoint_on_an_entity_page_lands_on_the_citation_map(live_server, profile_page):
    page = httpx.get(f"{live_server.url}/id/organisation/mnla", headers={"Accept": "text/html"}).text
    pinpoints = re.findall(r'<dt>stated in</dt><dd>(.*?)</dd>', page)
    assert pinpoints, "no claim on the MNLA's page shows where the profile states it"
    anchors = set()
    for cell in pinpoints:
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', cell):
            assert href.startswith(f"{live_server.url}/id/work/cma-profile#s-")
            assert unescape(text).startswith("Profile, ")
            anchors.add(href.split("#", 1)[1])
    for anchor in anchors:
        assert f'<li id="{anchor}">' in profile_page, anchor


def test_the_map_gives_each_sentence_its_citation_and_claims(profile_page):
    assert 'id="citation-map"' in profile_page
    statement = map_entry(profile_page, "s-8.8.5")  # the profile cites Baché (2023) for it
    assert "cites" in statement and "Baché (2023)" in statement
    assert "Ag Acharatoumane: the conflict only benefits the jihadists" in statement
    covered = map_entry(profile_page, "s-12.4.1")  # uncited, covered by the four works ending 12.4.5
    assert 'href="#s-12.4.5"' in covered
    assert all(work in covered for work in ("Lecocq and Klute (2013)", "Laplace (2023)", "Monteau (2023)", "p. 665-666"))
    own = map_entry(profile_page, "s-6.2.5")  # after the last citation of its paragraph
    assert "the profile&#x27;s own" in own or "the profile's own" in own
    assert 'id="note-7"' in profile_page and map_entry(profile_page, "s-n7.1").count("Bencherif") == 1


def test_a_works_page_lists_the_sentences_that_cite_it(live_server):
    page = httpx.get(f"{live_server.url}/id/work/bache-2023", headers={"Accept": "text/html"}).text
    section = page[page.index('id="cited-in"'):page.index('id="cited-for"')]
    assert re.findall(r'href="[^"]*#(s-[^"]+)"', section) == ["s-8.8.5"]


def test_a_sentence_dereferences_for_machines_with_its_citation(live_server):
    response = httpx.get(f"{live_server.url}/id/work/cma-profile/s/8.8.5", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sentence = URIRef(BASE + "id/work/cma-profile/s/8.8.5")
    cited = {graph.value(c, URIRef(CITO + "hasCitedEntity")) for c in graph.objects(sentence, URIRef(BASE + "ontology#citation"))}
    assert cited == {URIRef(BASE + "id/work/bache-2023")}
    claims = set(graph.subjects(URIRef(BASE + "ontology#statedIn"), sentence))
    assert URIRef(BASE + "id/event/2023-09-ag-acharatoumane-statement") in claims
