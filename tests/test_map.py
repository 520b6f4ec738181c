"""The map of places: its coordinates are the data's and the reference list's, and in Chromium it
draws one marker per place with coordinates over the country outlines, reaching no other host."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import httpx
import pytest

from service.views.map import MAP_SCRIPTS, Marker, map_figure

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "place-coordinates.tsv"
TILE = re.compile(r"/\d+/\d+/\d+(@2x)?\.(png|jpe?g|webp|pbf)|tile", re.IGNORECASE)
ATLAS = "/static/world-atlas/countries-50m.json"
QID = "http://www.wikidata.org/entity/"

# The endpoint declares the project's prefixes (wgs:, owl:, schema:, cao:, …).
POINTS = """SELECT ?p ?lat ?long ?item WHERE { ?p wgs:lat ?lat ; wgs:long ?long . OPTIONAL { ?p owl:sameAs ?item } }"""

LINKED = """SELECT DISTINCT ?p ?item WHERE { ?p a/rdfs:subClassOf* schema:Place ; owl:sameAs ?item }"""

EVENTS = """SELECT ?p (COUNT(DISTINCT ?event) AS ?n) WHERE { ?event cao:place ?p ; a/rdfs:subClassOf* cao:Event } GROUP BY ?p"""

# The map's state, read from the Leaflet objects map.js exposes.
DRAWN = """() => window.conflictMaps.map(map => {
  const circles = [], countries = [];
  map.eachLayer(layer => {
    if (layer instanceof L.CircleMarker) { circles.push(layer.getLatLng()); }
    if (layer.feature && layer.feature.properties) { countries.push(layer); }
  });
  const mali = countries.find(layer => layer.feature.properties.name === "Mali");
  const shown = map.getBounds();
  return {
    circles: circles.map(p => [p.lat, p.lng]),
    countries: countries.length,
    mali: mali ? {drawn: mali.getElement().isConnected && mali.getElement().getAttribute("d").length > 100,
                  holdsKidal: mali.getBounds().contains([18.4411, 1.4078])} : null,
    allShown: circles.every(p => shown.contains(p)),
    zoom: map.getZoom(),
    center: [map.getCenter().lat, map.getCenter().lng],
  };
})"""


def places_json(live_server) -> list[dict]:
    response = httpx.get(live_server.url + "/places", headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def select(live_server, query: str) -> list[dict]:
    response = httpx.post(live_server.sparql, data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def mapped(places: list[dict]) -> dict[str, tuple[float, float]]:
    return {p["item"]: (p["lat"], p["long"]) for p in places if "lat" in p}


def test_the_json_gives_the_coordinates_of_the_data_and_of_the_reference_list(live_server):
    places = places_json(live_server)
    assert {"item", "label", "french", "kinds", "events"} <= set(places[0])
    for place in places:  # both coordinates or neither, and as numbers
        assert ("lat" in place) == ("long" in place), place
        assert all(isinstance(place[k], float) for k in ("lat", "long") if k in place), place
    points = select(live_server, POINTS)
    assert mapped(places) == {row["p"]["value"]: (float(row["lat"]["value"]), float(row["long"]["value"]))
                              for row in points}
    assert mapped(places)

    with open(REFERENCE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert list(rows[0]) == ["label", "wikidata", "lat", "lon", "what", "source"]
    reference = {row["wikidata"]: (float(row["lat"]), float(row["lon"])) for row in rows}
    by_qid = {row["item"]["value"].removeprefix(QID): (float(row["lat"]["value"]), float(row["long"]["value"]))
              for row in points}
    assert by_qid == {qid: point for qid, point in reference.items() if qid in by_qid}
    # Of the rows for places the data links, only the countries' centroids are left off: a country
    # is an outline on the map, not a point.
    linked = {row["item"]["value"].removeprefix(QID) for row in select(live_server, LINKED)}
    assert {row["wikidata"] for row in rows if row["wikidata"] in linked and row["wikidata"] not in by_qid} == \
        {row["wikidata"] for row in rows if row["wikidata"] in linked and row["what"] == "country centroid"}

    counted = {row["p"]["value"]: int(row["n"]["value"]) for row in select(live_server, EVENTS)}
    assert {p["item"]: p["events"] for p in places if p["events"]} == counted
    assert counted[next(p["item"] for p in places if p["item"].endswith("/id/place/kidal"))] > 10


def test_the_page_is_negotiated_and_kept(live_server):
    with httpx.Client(timeout=30) as client:
        page = client.get(live_server.url + "/places", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert client.get(live_server.url + "/places", params={"format": "json"}).json() == places_json(live_server)
        assert client.get(live_server.url + "/places", headers={"Accept": "text/turtle"}).status_code == 406
        head = client.head(live_server.url + "/places", headers={"Accept": "text/html"})
        assert head.status_code == 200 and head.content == b""
        again = client.get(live_server.url + "/places", headers={"Accept": "text/html",
                                                                 "If-None-Match": page.headers["etag"]})
        assert again.status_code == 304


def test_the_markers_data_cannot_end_their_script():
    html = map_figure("", [Marker("id/place/x", "</script><b>A & B</b>", 1.5, -2.25, note="<p>a &amp; b</p>")], "C")
    assert html.count("</script>") == 1 and "<!--" not in html
    embedded = re.search(r'<script type="application/json" class="map-markers">(.*?)</script>', html, re.S)[1]
    assert json.loads(embedded) == [{"url": "id/place/x", "label": "</script><b>A & B</b>", "lat": 1.5,
                                     "long": -2.25, "note": "<p>a &amp; b</p>"}]
    assert "1.5° N, 2.25° W" in html


def watched(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


@pytest.mark.browser
def test_the_map_draws_one_marker_per_place_over_the_countries(browse, live_server):
    places = mapped(places_json(live_server))
    page, watch = browse()
    requests = watched(page)
    assert page.goto(live_server.url + "/places").status == 200
    page.wait_for_selector("figure.map[data-countries]", state="attached")
    [drawn] = page.evaluate(DRAWN)
    assert sorted(map(tuple, drawn["circles"])) == sorted(places.values())
    assert page.locator("figure.map path.map-marker").count() == len(places)
    assert page.get_attribute("figure.map", "data-markers") == str(len(places))
    assert drawn["countries"] > 200 and drawn["mali"] == {"drawn": True, "holdsKidal": True}
    assert drawn["allShown"]
    assert page.locator(".leaflet-tile, .leaflet-tile-pane img").count() == 0
    assert [url for url in requests if TILE.search(url)] == []
    assert all(url.startswith(live_server.url + "/") for url in requests), requests
    assert requests.count(live_server.url + ATLAS) == 1
    assert not page.is_visible("details.map-list ul")  # folded once the map shows the places
    watch.check()


@pytest.mark.browser
def test_a_marker_opens_its_popup_with_the_place_and_its_events(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/places")
    page.wait_for_selector("figure.map[data-countries]", state="attached")
    page.click("path.map-marker[aria-label='Kidal']")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    href = popup.locator("strong a").get_attribute("href")
    assert page.evaluate("href => new URL(href, document.baseURI).pathname", href) == "/id/place/kidal"
    assert popup.locator(".map-note li a[href*='/id/event/']").count() > 10
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    page.focus("path.map-marker[aria-label='Gao']")  # by keyboard too
    page.keyboard.press("Enter")
    assert popup.locator("strong a").inner_text() == "Gao"
    popup.locator("strong a").click()
    page.wait_for_url("**/id/place/gao")
    watch.check()


@pytest.mark.browser
def test_without_javascript_the_places_are_listed_with_their_coordinates(browse, live_server):
    places = [p for p in places_json(live_server) if "lat" in p]
    page, watch = browse(java_script_enabled=False)
    page.goto(live_server.url + "/places")
    assert not page.is_visible("figure.map .map-canvas")
    items = page.locator("details.map-list li")
    assert items.count() == len(places)
    assert page.is_visible("details.map-list li >> text=Kidal")
    assert "Kidal 18.4411° N, 1.4078° E" in page.inner_text("details.map-list")
    assert "Bamako 12.65° N, 8° W" in page.inner_text("details.map-list")
    unmapped = page.locator("ul.index li:has(.unmapped)")
    assert unmapped.count() == len(places_json(live_server)) - len(places)
    assert any(text.startswith("Mali ") and text.endswith("no coordinates in the data")
               for text in unmapped.all_inner_texts())
    watch.check()


@pytest.mark.browser
def test_the_page_fits_a_phone(browse, live_server):
    page, watch = browse(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/places")
    page.wait_for_selector("figure.map[data-countries]", state="attached")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.querySelector('.map-canvas').getBoundingClientRect().width") <= 390
    watch.check()


@pytest.mark.browser
def test_two_figures_on_one_page_draw_apart(browse, live_server):
    root = live_server.url + "/"
    first = map_figure(root, [Marker(root + "id/place/kidal", "Kidal", 18.4411, 1.4078),
                              Marker(root + "id/place/gao", "Gao", 16.2666, -0.05, note="<p>a note</p>")], "Two towns")
    second = map_figure(root, [Marker(root + "id/place/bamako", "Bamako", 12.65, -8.0)], "One town")
    scripts = "".join(f'<script src="{root}{path}"></script>' for path in MAP_SCRIPTS)
    style = f'<link rel="stylesheet" href="{root}static/site.css">'  # every page's, via the shell
    page, watch = browse()
    requests = watched(page)
    page.set_content(f"<!DOCTYPE html><html lang=en><head>{style}</head><body>{first}{second}{scripts}</body></html>")
    page.wait_for_selector("figure.map:nth-of-type(2)[data-countries]", state="attached")
    page.wait_for_selector("figure.map:nth-of-type(1)[data-countries]", state="attached")
    two, one = page.evaluate(DRAWN)
    assert sorted(two["circles"]) == [[16.2666, -0.05], [18.4411, 1.4078]] and two["allShown"]
    assert one["circles"] == [[12.65, -8.0]] and one["zoom"] == 6
    assert one["center"] == pytest.approx([12.65, -8.0], abs=0.01)
    assert two["mali"]["drawn"] and one["mali"]["drawn"]
    assert [page.get_attribute(f"figure.map:nth-of-type({n})", "data-markers") for n in (1, 2)] == ["2", "1"]
    assert page.locator("figure.map:nth-of-type(1) path.map-marker").count() == 2
    assert page.locator("figure.map:nth-of-type(2) path.map-marker").count() == 1
    assert requests.count(root.rstrip("/") + ATLAS) == 1  # one fetch for both
    page.click("figure.map:nth-of-type(1) path.map-marker[aria-label='Gao']")
    assert page.inner_text("figure.map:nth-of-type(1) .leaflet-popup-content .map-note") == "a note"
    assert page.locator("figure.map:nth-of-type(2) .leaflet-popup").count() == 0
    watch.check()
