"""The timeline of events (`/events`) and of an organisation or a person (on its page): what is drawn,
at which precision, and the filters. Expected counts come from SPARQL sent to the endpoint."""

import httpx
import pytest

EVENT_TYPES = "?e a ?type . ?type rdfs:subClassOf* cao:Event ."
ROLES = "cao:agent|cao:target|cao:participant|cao:supportingActor|cao:victim|cao:party"


def count(server, where: str) -> int:
    query = f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ {where} }}"
    response = httpx.get(server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def listed(server, **filters) -> list[str]:
    """The events the page lists (what a reader without JavaScript sees), with the filters sent as a form."""
    response = httpx.get(server.url + "/events", params=filters, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    page = response.text
    block = page[page.index('<ol class="timeline-list"'):]
    return [row.split('"', 1)[0] for row in block.split('<li data-url="')[1:]]


def test_the_list_has_every_event_and_the_filters_narrow_it(live_server):
    assert len(listed(live_server)) == count(live_server, EVENT_TYPES)
    mnla = listed(live_server, actor="organisation/mnla")
    assert len(mnla) == count(live_server, f"{EVENT_TYPES} ?e {ROLES} grp:mnla")
    assert f"{live_server.url}/id/event/2012-01-18-aguelhok-attack" in mnla
    in_2012 = listed(live_server, actor="organisation/mnla", **{"from": "2012", "to": "2012"})
    assert 0 < len(in_2012) < len(mnla)
    assert len(in_2012) == count(live_server, f"""{EVENT_TYPES} ?e {ROLES} grp:mnla .
        {{ ?e cao:date ?d FILTER (YEAR(?d) = 2012) }}
        UNION {{ ?e cao:start ?s OPTIONAL {{ ?e cao:end ?f }} FILTER (YEAR(?s) <= 2012 && (!BOUND(?f) || YEAR(?f) >= 2012)) }}
        UNION {{ ?e cao:end ?f FILTER NOT EXISTS {{ ?e cao:start ?s2 }} FILTER (YEAR(?f) = 2012) }}""")
    attacks = listed(live_server, kind="attack")  # a kind as the list names it: the most specific
    assert len(attacks) == count(live_server, "?e a cao:Attack FILTER NOT EXISTS { ?e a ?narrower . "
                                              "?narrower rdfs:subClassOf+ cao:Attack FILTER (?narrower != cao:Attack) }")


@pytest.mark.parametrize("params, message", [
    ({"from": "twenty"}, "'from' must be a whole number"), ({"to": "-3"}, "'to' must be a whole number"),
    ({"actor": ["organisation/mnla", "organisation/hcua"]}, "give 'actor' once."),
])
def test_bad_filters_are_refused(live_server, params, message):
    response = httpx.get(live_server.url + "/events", params=params)
    assert response.status_code == 400 and message in response.text


@pytest.mark.browser
def test_the_timeline_draws_every_dated_event_and_filters_by_actor(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/events")
    page.wait_for_function("window.conflictTimelines && window.conflictTimelines.timeline")
    dated = count(live_server, f"{EVENT_TYPES} ?e cao:date|cao:start|cao:end ?when")
    assert page.evaluate("window.conflictTimelines.timeline.items.length") == dated
    assert page.locator(".timeline-drawing .vis-item").count() > 0
    page.select_option("#filter-actor", "organisation/mnla")
    mnla = count(live_server, f"{EVENT_TYPES} ?e {ROLES} grp:mnla ; cao:date|cao:start|cao:end ?when")
    assert page.evaluate("window.conflictTimelines.timeline.items.length") == mnla
    actors = page.evaluate("window.conflictTimelines.timeline.items.get().map(i => i.actors)")
    assert all(f"{live_server.url}/id/organisation/mnla" in a for a in actors)
    hidden = page.locator("ol.timeline-list li[hidden]").count()
    assert page.locator("ol.timeline-list li").count() - hidden == count(live_server, f"{EVENT_TYPES} ?e {ROLES} grp:mnla")
    watch.check()


@pytest.mark.browser
def test_dates_are_drawn_at_their_precision(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/events")
    page.wait_for_function("window.conflictTimelines && window.conflictTimelines.timeline")

    def item(path):
        return page.evaluate("url => window.conflictTimelines.timeline.items.get(url)", f"{live_server.url}/id/event/{path}")

    day = item("2012-01-18-aguelhok-attack")  # cao:date "2012-01-18"
    assert day["type"] == "point" and day["start"] == "2012-01-18"
    year = item("2012-northern-cities-takeover")  # cao:date "2012" (early): the whole year, not 1 January
    assert (year["type"], year["start"], year["end"]) == ("range", "2012-01-01", "2013-01-01")
    month = item("2011-10-mnla-kidal-meeting")  # cao:date "2011-10": the whole month
    assert (month["type"], month["start"], month["end"]) == ("range", "2011-10-01", "2011-11-01")
    watch.check()


@pytest.mark.browser
def test_an_organisation_page_draws_its_dated_claims(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/id/organisation/hcua")
    page.wait_for_function("window.conflictTimelines && window.conflictTimelines.timeline")
    dated = count(live_server, """{ ?e ?p grp:hcua } UNION { ?e ?p ?b . FILTER (isBlank(?b)) ?b ?q grp:hcua }
        ?e cao:certainty ?c ; cao:date|cao:start|cao:end ?when . FILTER (?e != grp:hcua)""")
    assert page.evaluate("window.conflictTimelines.timeline.items.length") == dated > 5
    watch.check()


@pytest.mark.browser
def test_the_events_page_fits_a_phone(browse, live_server):
    page, watch = browse(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/events")
    page.wait_for_function("window.conflictTimelines && window.conflictTimelines.timeline")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    watch.check()
