"""The relationship network at /network: its JSON against what SPARQL finds in the data, the
picture in Chromium (year by year, and the claim a tapped line opens), the table without
JavaScript, the page on a phone, its refusals, and the compact figure of one organisation."""

from __future__ import annotations

from html import unescape

import httpx
import pytest

from service.views.network import network_figure

KINDS = {"alliance", "hostility", "rivalry", "support", "membership", "split", "merger", "succession"}

# The relations of the data in a year, found from the modelling rules (docs/modelling.md) and the
# year rule alone. The one date offset in the data (two days in April) moves no year, so offsets
# are left out here.
RELATIONS = """
PREFIX cao: <%(base)sontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?claim ?kind ?a ?b WHERE {
  {
    VALUES (?class ?kind) { (cao:Alliance "alliance") (cao:Hostility "hostility") (cao:Rivalry "rivalry") }
    ?claim a ?class ; cao:party ?a , ?b .
    FILTER (STR(?a) < STR(?b))
  } UNION {
    ?claim a cao:Support ; cao:supporter ?a ; cao:supported ?b .
    BIND ("support" AS ?kind)
  } UNION {
    ?claim a cao:Membership ; org:member ?a ; org:organization ?b .
    BIND ("membership" AS ?kind)
  } UNION {
    ?claim a cao:Membership ; cao:replaces/org:member ?a ; org:member ?b .
    BIND ("succession" AS ?kind)
  } UNION {
    ?claim a ?change ; org:originalOrganization ?a ; org:resultingOrganization ?b .
    VALUES ?change { cao:Founding cao:Merger cao:Split cao:Dissolution }
    BIND (IF(EXISTS { ?claim a cao:Split }, "split", IF(EXISTS { ?claim a cao:Merger }, "merger", "succession")) AS ?kind)
  }
  FILTER (?a != ?b && STRSTARTS(STR(?a), "%(base)sid/organisation/") && STRSTARTS(STR(?b), "%(base)sid/organisation/"))
  OPTIONAL { ?claim cao:date ?date }
  OPTIONAL { ?claim cao:start ?start }
  OPTIONAL { ?claim cao:end ?end }
  OPTIONAL {
    # dated only after an event: the nearest event along the chain that has a time of its own
    ?claim cao:dateRelativeTo+ ?event .
    OPTIONAL { ?event cao:end ?eventEnd } OPTIONAL { ?event cao:date ?eventDate } OPTIONAL { ?event cao:start ?eventStart }
    BIND (COALESCE(?eventEnd, ?eventDate, ?eventStart) AS ?over)
    FILTER (BOUND(?over))
    FILTER NOT EXISTS { ?claim cao:dateRelativeTo+ ?nearer . ?nearer cao:dateRelativeTo+ ?event .
                        ?nearer cao:end|cao:date|cao:start ?time }
  }
  BIND (COALESCE(xsd:integer(SUBSTR(STR(COALESCE(?start, ?date)), 1, 4)),
                 xsd:integer(SUBSTR(STR(?over), 1, 4))) AS ?from)
  BIND (xsd:integer(SUBSTR(STR(COALESCE(?end, ?date)), 1, 4)) AS ?until)
  FILTER (%(year)s)
}"""


def relations(server, base: str, year: int | None = None) -> set[tuple[str, str, str, str]]:
    """(claim, kind, source, target) of every relation SPARQL finds holding in `year` (any year: None)."""
    holds = "true" if year is None else f"(!BOUND(?from) || ?from <= {year}) && (!BOUND(?until) || {year} <= ?until)"
    response = httpx.get(server.sparql, params={"query": RELATIONS % {"base": base, "year": holds}},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return {(r["claim"]["value"], r["kind"]["value"], r["a"]["value"], r["b"]["value"]) for r in rows}


def edges_of(answer: dict) -> set[tuple[str, str, str, str]]:
    return {(e["id"], e["kind"], e["source"], e["target"]) for e in answer["edges"]}


def network_json(server, **params) -> dict:
    response = httpx.get(server.url + "/network", params={**params, "format": "json"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("year", [2012, 2023])
def test_the_edges_of_a_year_are_the_relations_sparql_finds(live_server, settings, year):
    answer = network_json(live_server, year=str(year))
    expected = relations(live_server, settings.base, year)
    assert len(expected) > 50
    assert edges_of(answer) == expected
    assert {n["id"] for n in answer["nodes"]} == {end for e in answer["edges"] for end in (e["source"], e["target"])}
    first, last = answer["years"]
    assert first <= 2012 and last >= 2023


def test_every_edge_says_what_it_is_when_and_from_which_sources(live_server, settings):
    answer = network_json(live_server)
    assert edges_of(answer) == relations(live_server, settings.base)
    assert {e["kind"] for e in answer["edges"]} <= KINDS
    nodes = {n["id"]: n for n in answer["nodes"]}
    assert nodes[settings.base + "id/organisation/mnla"]["kind"] == "armed group"
    assert nodes[settings.base + "id/organisation/cma"]["label"] == "Coordination of Azawad Movements"
    for edge in answer["edges"]:
        assert edge["url"].startswith(live_server.url + "/id/")
        assert edge["label"] and edge["when"] and edge["certainty"]
        assert edge["sources"], edge["id"]
    alliance = next(e for e in answer["edges"] if e["id"].endswith("/claim/mnla-ansar-dine-alliance"))
    assert (alliance["from"], alliance["until"], alliance["certainty"]) == (2011, 2012, "stated")
    assert alliance["when"] == "until June 2012, after Founding of Ansar Dine"
    sources = {s["label"]: s for s in alliance["sources"]}
    assert sources["Bencherif, Campana and Stockemer (2023)"]["pages"] == ["659", "661-662", "664"]
    assert sources["Desgrais, Guichaoua and Lebovich (2018)"]["url"] == (
        live_server.url + "/id/work/desgrais-guichaoua-lebovich-2018")


def test_the_focus_keeps_one_organisations_relations(live_server, settings):
    mnla = settings.base + "id/organisation/mnla"
    answer = network_json(live_server, focus="organisation/mnla")
    assert answer["edges"] and all(mnla in (e["source"], e["target"]) for e in answer["edges"])
    assert edges_of(answer) == {r for r in relations(live_server, settings.base) if mnla in r[2:]}
    assert (settings.base + "id/claim/mnla-ansar-dine-alliance", "alliance", settings.base + "id/organisation/ansar-dine",
            mnla) in edges_of(answer)
    in_2023 = network_json(live_server, focus="organisation/mnla", year="2023")
    assert edges_of(in_2023) == {r for r in relations(live_server, settings.base, 2023) if mnla in r[2:]}


@pytest.mark.parametrize("params, status, words", [
    ({"year": "abc"}, 400, "'year' must be a whole number"),
    ({"year": "1900"}, 400, "'year' must be a whole number"),
    ({"year": "１２"}, 400, "'year' must be a whole number"),
    ({"year": ["2012", "2013"]}, 400, "give 'year' once"),
    ({"focus": "organisation/no-such-group"}, 404, "'organisation/no-such-group' is not an organisation of the dataset"),
    ({"focus": "person/iyad-ag-ghali"}, 404, "is not an organisation of the dataset"),
    ({"format": "ttl"}, 406, "Not Acceptable"),
])
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_bad_requests_are_refused_clearly(live_server, params, status, words, accept):
    response = httpx.get(live_server.url + "/network", params=params, headers={"Accept": accept}, timeout=30)
    assert response.status_code == status
    assert words in unescape(response.text)  # a browser gets the same words in an error page
    assert "Traceback" not in response.text


def test_the_page_and_its_head(live_server):
    page = httpx.get(live_server.url + "/network", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Vary" in page.headers
    head = httpx.head(live_server.url + "/network", headers={"Accept": "application/json"}, timeout=30)
    assert head.status_code == 200 and head.content == b""


# --- in Chromium ---------------------------------------------------------------------------------------------

DRAWN = "() => window.conflictNetwork !== undefined && window.conflictNetwork.edges().length > 0"
SHOWN = """() => window.conflictNetwork.edges(':visible').map(e => [e.data('claim'), e.data('kind'), e.data('source'),
                                                                    e.data('target')])"""


def drawn_edges(page) -> set[tuple[str, str, str, str]]:
    return {tuple(edge) for edge in page.evaluate(SHOWN)}


@pytest.mark.browser
def test_the_picture_shows_the_relations_of_the_year_chosen(browse, live_server, settings):
    page, watch = browse()
    page.goto(live_server.url + "/network?year=2012")
    page.wait_for_function(DRAWN)
    assert drawn_edges(page) == relations(live_server, settings.base, 2012)
    assert page.inner_text("output#network-year-shown") == "2012"
    slider = page.locator("input[type=range]#network-year")
    slider.focus()
    for _ in range(2023 - 2012):
        page.keyboard.press("ArrowRight")
    assert page.inner_text("output#network-year-shown") == "2023"
    assert drawn_edges(page) == relations(live_server, settings.base, 2023)
    assert page.url.endswith("/network?year=2023")
    visible_rows = page.locator("table.relations tbody tr:visible").count()
    assert visible_rows == len(relations(live_server, settings.base, 2023))
    page.click("a.network-all")
    assert drawn_edges(page) == relations(live_server, settings.base)
    watch.check()


# A line to click: one with no other line between the same two organisations, whose midpoint is
# clear of every other line and organisation drawn (at least `clear` pixels on screen); one with
# pages cited first.
CLEAR_LINE = """clear => {
  const cy = window.conflictNetwork, box = cy.container().getBoundingClientRect();
  const shown = cy.edges(':visible'), nodes = cy.nodes(':visible');
  function distance(p, a, b) {
    const dx = b.x - a.x, dy = b.y - a.y;
    const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  }
  const candidates = shown.filter(e => e.parallelEdges().length === 1).map(e => {
    const p = e.renderedMidpoint();
    const lines = shown.filter(o => o !== e).map(o => distance(p, o.source().renderedPosition(), o.target().renderedPosition()));
    const points = nodes.map(n => Math.hypot(p.x - n.renderedPosition().x, p.y - n.renderedPosition().y));
    return {edge: e, p: p, room: Math.min(...lines, ...points)};
  }).filter(c => c.room >= clear && c.p.x > 5 && c.p.y > 5 && c.p.x < box.width - 5 && c.p.y < box.height - 5);
  candidates.sort((a, b) => b.room - a.room);
  const c = candidates[0];
  return c && {claim: c.edge.data('claim'), source: c.edge.data('source'), target: c.edge.data('target'),
               x: box.left + c.p.x, y: box.top + c.p.y};
}"""


@pytest.mark.browser
def test_clicking_a_line_opens_its_claim_with_its_sources(browse, live_server):
    page, watch = browse(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/network?year=2012")
    page.wait_for_function(DRAWN)
    page.locator(".network-canvas").scroll_into_view_if_needed()
    line = page.evaluate(CLEAR_LINE, 12)
    assert line, "no line drawn clear of the others"
    page.mouse.click(line["x"], line["y"])
    panel = page.locator(".network-claim")
    answer = network_json(live_server, year="2012")
    edge = next(e for e in answer["edges"]
                if (e["id"], e["source"], e["target"]) == (line["claim"], line["source"], line["target"]))
    assert panel.locator("h3 a").get_attribute("href") == edge["url"]
    assert panel.locator("h3 a").inner_text() == edge["label"]
    links = {a.get_attribute("href") for a in panel.locator("ul.sources a").all()}
    assert links == {s["url"] for s in edge["sources"]}
    text = panel.inner_text()
    assert edge["when"] in text and edge["certainty"] in text
    for source in edge["sources"]:
        if source["pages"]:
            assert f"{source['label']}, p. {', '.join(source['pages'])}" in text
    panel.locator("h3 a").click()
    page.wait_for_url(edge["url"])
    watch.check()


@pytest.mark.browser
def test_without_javascript_the_table_lists_the_relations_and_the_form_chooses_the_year(browse, live_server, settings):
    page, watch = browse(java_script_enabled=False)
    page.goto(live_server.url + "/network")
    assert not page.locator(".network-canvas").is_visible()
    rows = page.locator("table.relations tbody tr:visible")
    assert rows.count() == len(relations(live_server, settings.base))
    page.locator("#network-year").fill("2012")
    page.click("text=Show this year")
    page.wait_for_url("**/network?year=2012")
    listed = set()
    for row in rows.all():
        cells = row.locator("td")
        listed.add((cells.nth(1).locator("a").get_attribute("href"), row.get_attribute("data-kind"),
                    cells.nth(0).locator("a").get_attribute("href"), cells.nth(2).locator("a").get_attribute("href")))
    def page_of(iri: str) -> str:
        return iri.replace(settings.base, live_server.url + "/")

    expected = {(page_of(claim), kind, page_of(a), page_of(b))
                for claim, kind, a, b in relations(live_server, settings.base, 2012)}
    assert listed == expected
    assert "relations in 2012" in page.inner_text(".network-count")
    watch.check()


@pytest.mark.browser
@pytest.mark.parametrize("script", [True, False])
def test_the_page_fits_a_phone(browse, live_server, script):
    page, watch = browse(viewport={"width": 390, "height": 844}, java_script_enabled=script)
    page.goto(live_server.url + "/network?year=2012")
    if script:
        page.wait_for_function(DRAWN)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    watch.check()


def figure_page(page, server) -> None:
    """A page with the compact figure of the MNLA, on the service's origin, as the MNLA's page is."""
    html = (f"<!DOCTYPE html><html lang=en><head><title>MNLA</title></head><body>"
            f"{network_figure(server.url + '/', 'organisation/mnla')}</body></html>")
    page.route(server.url + "/a-page-with-the-figure", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(server.url + "/a-page-with-the-figure")


@pytest.mark.browser
def test_the_compact_figure_draws_one_organisations_relations(browse, live_server, settings):
    page, watch = browse()
    figure_page(page, live_server)
    page.wait_for_function(DRAWN)
    mnla = settings.base + "id/organisation/mnla"
    assert drawn_edges(page) == {r for r in relations(live_server, settings.base) if mnla in r[2:]}
    assert page.evaluate("window.conflictNetwork.nodes('.focus').map(n => n.id())") == [mnla]
    assert page.get_attribute("figcaption a", "href") == live_server.url + "/network?focus=organisation%2Fmnla"
    watch.check()


@pytest.mark.browser
def test_without_javascript_the_compact_figure_is_a_link_to_the_table(browse, live_server):
    page, watch = browse(java_script_enabled=False)
    figure_page(page, live_server)
    assert not page.locator(".network-canvas").is_visible() and not page.locator(".network-legend").is_visible()
    page.click("figcaption a")
    page.wait_for_url("**/network?focus=organisation%2Fmnla")
    assert page.inner_text("h1") == "Relations of National Movement for the Liberation of Azawad"
    assert page.locator("table.relations tbody tr:visible").count() > 10
    watch.check()
