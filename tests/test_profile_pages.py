"""Entity pages as people read them: the key facts of each kind, then every claim about the entity
as a chronology by year. Expected values are the profile's, as the Turtle in data/ttl records them
(read here with rdflib, not through the service's engine or queries)."""

import json
import re
from html import unescape
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from .references import BASE

ROOT = Path(__file__).resolve().parent.parent
CAO = BASE + "ontology#"


@pytest.fixture(scope="module")
def claims_data() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data" / "ttl" / "claims").glob("*.ttl")):
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


def claims_about(graph: Graph, entity: str) -> set[str]:
    """The claims whose statements, or whose blank nodes' statements, name the entity."""
    this = URIRef(BASE + "id/" + entity)
    found = set()
    for subject, _, _ in graph.triples((None, None, this)):
        owners = [subject] if not isinstance(subject, BNode) else list(graph.subjects(None, subject))
        found.update(o for o in owners if (o, URIRef(CAO + "certainty"), None) in graph and o != this)
    return {str(c) for c in found}


def page(server, path: str) -> str:
    response = httpx.get(server.url + path, headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def facts(html: str) -> dict[str, str]:
    """The key facts as text, by their name."""
    block = re.search(r'<dl class="facts">(.*?)</dl>', html, re.DOTALL).group(1)
    return {unescape(k): unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br)[^>]+>", "", v)))
            for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.DOTALL)}


def chronology(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(year, [(claim IRI on this host, its time as shown)]) in the page's order."""
    block = html[html.index('<ol class="chronology">'):html.index('<details id="all-statements">')]
    groups = []
    for year, items in re.findall(r'<h3 id="year-[^"]+">([^<]+)</h3><ol>(.*?)</ol></li>', block, re.DOTALL):
        entries = re.findall(r'<li><a href="([^"]+)">.*?<time>(.*?)</time>', items, re.DOTALL)
        groups.append((year, [(href, unescape(re.sub(r"<[^>]+>", "", when))) for href, when in entries]))
    return groups


def test_an_organisation_opens_with_its_key_facts(live_server):
    shown = facts(page(live_server, "/id/organisation/mnla"))
    assert "MNLA" in shown["Also called"].split(", ")
    assert shown["Kind"] == "armed group"
    assert "Coordination of Azawad Movements (from 2014, until February 2023)" in shown["Member of"].split("\n")
    assert shown["Headquarters"] == "Kidal"
    assert "Bilal Ag Chérif — secretary-general" in shown["People and roles"].split("\n")
    assert "Ansar Dine" in shown["Allies"]
    assert "fighters: 9000–10000 (June 2012)" in shown["Size"].split("\n")
    assert "Wikidata" in shown and shown["Wikidata"] == "Q853699"
    assert len(shown["Weapons"].split(", ")) > 5  # one row, not one row a weapon


def test_a_person_opens_with_roles_and_terms(live_server):
    shown = facts(page(live_server, "/id/person/bilal-ag-cherif"))
    assert shown["Roles"].split("\n") == [
        "president — Transitional Council of the State of Azawad (from April 2012, until 2012)",
        "secretary-general — National Movement for the Liberation of Azawad"]
    assert "Bilal Ag Acherif" in shown["Also called"]


def test_an_event_opens_with_when_where_who_and_figures(live_server):
    shown = facts(page(live_server, "/id/event/2012-06-27-gao-capture-by-mojwa"))
    assert shown["When"] == "27 June 2012" and shown["Where"] == "Gao"
    assert shown["By"] == "Movement for Oneness and Jihad in West Africa"
    assert shown["Against"] == "National Movement for the Liberation of Azawad"
    assert shown["Victims"] == "Bilal Ag Chérif"
    assert shown["Figures"] == "dead: at least 20; wounded: at least 40"
    assert shown["Certainty"] == "stated" and shown["Sources"] == "AFP (2012)"


def test_a_place_says_where_it_is(live_server):
    shown = facts(page(live_server, "/id/place/kidal"))
    assert shown["Kind"] == "city" and shown["In"] == "Kidal Region"
    assert shown["Coordinates"] == "18.4411, 1.4078"  # data/reference/place-coordinates.tsv
    assert "National Movement for the Liberation of Azawad" in shown["Headquarters of"]


def test_a_work_opens_with_its_reference(live_server):
    html = page(live_server, "/id/work/bencherif-campana-2017")
    top = html[:html.index("<h2")]
    assert "Alliances of convenience: assessing the dynamics of the Malian insurgency" in top
    assert "<i>Mediterranean Politics</i>" in top


@pytest.mark.parametrize("entity", ["person/bilal-ag-cherif", "organisation/hcua", "person/iyad-ag-ghali",
                                    "place/kidal", "event/2012-06-27-gao-capture-by-mojwa"])
def test_the_chronology_holds_every_claim_about_the_entity_once(live_server, claims_data, entity):
    shown = [href for _, items in chronology(page(live_server, f"/id/{entity}")) for href, _ in items]
    expected = claims_about(claims_data, entity)
    assert len(shown) == len(set(shown))
    assert {h.replace(live_server.url + "/", BASE) for h in shown} == expected
    if entity == "person/bilal-ag-cherif":
        assert len(expected) == 4  # the profile's four statements about him


@pytest.mark.parametrize("entity", ["person/iyad-ag-ghali", "organisation/mnla", "organisation/cma"])
def test_the_chronology_is_in_time_order_by_year(live_server, entity):
    groups = chronology(page(live_server, f"/id/{entity}"))
    years = [year for year, _ in groups]
    dated = [int(y) for y in years if y != "Undated"]
    assert dated == sorted(dated) and len(set(years)) == len(years)
    assert "Undated" not in years[:-1]
    for year, items in groups:
        for _, when in items:
            said = re.findall(r"\b(1[89]\d\d|20\d\d)\b", when)
            if year != "Undated" and "after" not in when:
                assert said and said[0] == year, (year, when)  # "early 2023" sits under 2023
            if year == "Undated":
                assert not said or "after" in when, when
        # within a year: the year alone first, then its months; "early", "mid" and "late" in their place
        months = [month_of(when) for _, when in items if "after" not in when]
        assert months == sorted(months), (year, [when for _, when in items])


MONTH_WORDS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def month_of(when: str) -> int:
    """Where in its year a date as shown falls, as a reader takes it: 0 the year alone, early 2, mid 6, late 10."""
    first = when.split(",")[0]
    for number, name in enumerate(MONTH_WORDS, 1):
        if name in first:
            return number
    for hedge, month in (("early", 2), ("mid", 6), ("late", 10)):
        if re.search(rf"\b{hedge}\b", first):
            return month
    return 0


def test_dates_read_as_the_profile_gives_them(live_server):
    html = page(live_server, "/id/organisation/mnla")
    times = {unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<time>(.*?)</time>", html, re.DOTALL)}
    assert "27 June 2012" in times and "June 2012" in times
    assert not any(re.search(r"\d{4}-\d\d", t) for t in times)  # no ISO dates for people
    assert any(t.startswith(("early ", "mid ", "late ")) for t in times)


def test_labels_never_prefixed_names(live_server):
    for path in ("/id/organisation/mnla", "/id/place/kidal", "/id/event/2012-06-27-gao-capture-by-mojwa"):
        texts = re.findall(r"<a [^>]*>([^<]*)</a>", page(live_server, path))
        assert not [t for t in texts if re.fullmatch(r"[a-z]+\d*:[A-Za-z][\w-]*", t)]


def test_the_embedded_json_ld_is_the_entity_with_the_dataset_context(live_server):
    html = page(live_server, "/id/organisation/mnla")
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))
    assert "@graph" not in embedded and embedded["@id"] == "grp:mnla"
    assert embedded["@context"]["grp"] == BASE + "id/organisation/"
    assert "brick" not in embedded["@context"]
    from_page = Graph().parse(data=json.dumps(embedded), format="json-ld")
    described = Graph().parse(data=httpx.get(live_server.url + "/id/organisation/mnla.nt").text, format="nt")
    mnla = URIRef(BASE + "id/organisation/mnla")
    own = Graph()
    for triple in described.triples((mnla, None, None)):
        own.add(triple)
        if isinstance(triple[2], BNode):  # a figure, with its values
            for inner in described.triples((triple[2], None, None)):
                own.add(inner)
    assert isomorphic(from_page, own)
    assert (mnla, RDF.type, URIRef(CAO + "ArmedGroup")) in from_page


@pytest.mark.browser
@pytest.mark.parametrize("entity, places", [
    ("place/kidal", {"place/kidal"}),  # a place, with those of its parts that have coordinates (none)
    ("organisation/mnla", {"place/kidal"}),  # its headquarters and stronghold
    ("event/2012-06-27-gao-capture-by-mojwa", {"place/gao"}),
])
def test_a_page_maps_its_places_with_coordinates(browse, live_server, entity, places):
    page, watch = browse()
    page.goto(f"{live_server.url}/id/{entity}")
    page.wait_for_selector("figure.map[data-markers]")
    markers = page.evaluate("JSON.parse(document.querySelector('figure.map script.map-markers').textContent)")
    assert {m["url"].removeprefix(live_server.url + "/id/") for m in markers} == places
    assert page.get_attribute("figure.map", "data-markers") == str(len(places))
    watch.check()
