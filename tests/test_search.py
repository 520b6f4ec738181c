"""Site search (`/search`, and the suggestions of every page's search box) against the running
service: names as people type them find the entity the profile means, first."""

import httpx
import pytest

BASE = "https://w3id.org/conflict-ld/id/"
JSON = {"Accept": "application/json"}


def hits(server, text: str, **params) -> list[dict]:
    response = httpx.get(server.url + "/search", params={"q": text, **params}, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["query"] == text.strip()  # as read: surrounding spaces dropped
    return body["results"]


# What people type, and the entity the profile names so (its acronym, a spelling without accents, its
# French name, a name in capitals or with punctuation, a transliteration the data records).
FIRST = [
    ("mnla", "organisation/mnla"), ("MNLA", "organisation/mnla"), ("M.N.L.A.", "organisation/mnla"),
    ("mouvement national", "organisation/mnla"), ("Mouvement national de libération", "organisation/mnla"),
    ("National Movement for the Liberation", "organisation/mnla"),
    ("cherif", "person/bilal-ag-cherif"), ("CHÉRIF", "person/bilal-ag-cherif"), ("bilal ag", "person/bilal-ag-cherif"),
    ("maa-d", "organisation/maa-d"), ("MAAD", "organisation/maa-d"), ("kidal", "place/kidal"),
    ("ag ghaly", "person/iyad-ag-ghali"), ("hcua", "organisation/hcua"), ("cma", "organisation/cma"),
]


@pytest.mark.parametrize("text, entity", FIRST)
def test_what_people_type_finds_the_entity_first(live_server, text, entity):
    found = hits(live_server, text)
    assert found[0]["iri"] == BASE + entity, [h["iri"] for h in found[:3]]
    assert found[0]["url"] == f"{live_server.url}/id/{entity}"


def test_a_hit_says_what_it_is_and_which_name_matched(live_server):
    mnla = hits(live_server, "mnla")[0]
    assert mnla["label"] == "National Movement for the Liberation of Azawad"
    assert mnla["kind"] == "armed group"
    assert mnla["name"] == "MNLA"
    french = hits(live_server, "mouvement national de l")
    assert {"organisation/mnla", "organisation/mna"} <= {h["iri"][len(BASE):] for h in french}
    kidal = hits(live_server, "kidal")
    assert [h["kind"] for h in kidal[:2]] == ["city", "administrative area"]  # the town, then its region


def test_claims_and_events_are_found_after_the_entities(live_server):
    found = hits(live_server, "mnla", limit="40")
    kinds = [h["iri"][len(BASE):].split("/")[0] for h in found]
    assert kinds[0] == "organisation"
    assert "claim" in kinds and "event" in kinds
    assert max(i for i, k in enumerate(kinds) if k == "event") < min(i for i, k in enumerate(kinds) if k == "claim")


def test_limits_and_nothing_found(live_server):
    assert len(hits(live_server, "mnla", limit="3")) == 3
    assert len(hits(live_server, "mnla")) == 20
    assert hits(live_server, "zzzzqx") == []
    assert hits(live_server, "  ") == []
    assert hits(live_server, "—") == []  # punctuation only: no words to look for


@pytest.mark.parametrize("params, message", [
    ({"q": "mnla", "limit": "0"}, "'limit' must be a whole number, 1 or more (at most 100"),
    ({"q": "mnla", "limit": "101"}, "'limit' must be a whole number, 1 or more (at most 100"),
    ({"q": "mnla", "limit": "ten"}, "'limit' must be a whole number"),
    ({"q": ["mnla", "hcua"]}, "give 'q' once."),
])
def test_bad_parameters_are_refused(live_server, params, message):
    response = httpx.get(live_server.url + "/search", params=params, headers=JSON)
    assert response.status_code == 400
    assert message in response.text


def test_the_results_page(live_server):
    response = httpx.get(live_server.url + "/search", params={"q": "cherif"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<main id="main">' in page and 'value="cherif"' in page
    first = page.index('<ol class=\'hits\'>')
    assert page.index(f'href="{live_server.url}/id/person/bilal-ag-cherif"', first) < page.index("</li>", first)
    assert httpx.get(live_server.url + "/search", headers={"Accept": "image/png"}).status_code == 406


def test_a_name_equal_but_for_punctuation_counts_as_the_name():
    """"MAAD" is the name "MAA-D": it ranks above a better-linked name that only begins so."""
    from service.search import SearchIndex

    def name(item, text):
        return {"item": {"value": BASE + item}, "name": {"value": text, "xml:lang": "en"}, "main": {"value": "true"}}

    index = SearchIndex([name("organisation/maa-d", "MAA-D"), name("organisation/maad-x", "MAAD Dissidents")], [],
                        [{"item": {"value": BASE + "organisation/maad-x"}, "links": {"value": "50"}}],
                        BASE[:-len("id/")])
    assert [h.iri for h in index.search("maad")] == [BASE + "organisation/maa-d", BASE + "organisation/maad-x"]
    assert [h.iri for h in index.search("maa-d")] == [BASE + "organisation/maa-d", BASE + "organisation/maad-x"]


@pytest.mark.browser
@pytest.mark.parametrize("typed, entity", [("mnla", "organisation/mnla"), ("cherif", "person/bilal-ag-cherif"),
                                           ("mouvement national", "organisation/mnla")])
def test_the_search_box_suggests_as_one_types_and_opens_the_choice(browse, live_server, typed, entity):
    """From the home page: type, see the right entity first among the suggestions, choose it with the keyboard."""
    page, watch = browse()
    page.goto(live_server.url + "/")
    page.fill("#site-search", typed)
    page.wait_for_selector("#site-search-suggestions li[role=option]")
    first = page.inner_text("#site-search-suggestions li[role=option] >> nth=0")
    assert first.startswith(hits(live_server, typed)[0]["label"])
    assert page.get_attribute("#site-search", "aria-expanded") == "true"
    page.press("#site-search", "ArrowDown")
    assert page.get_attribute("#site-search", "aria-activedescendant") == "site-search-option-0"
    page.press("#site-search", "Enter")
    page.wait_for_url(f"**/id/{entity}")
    watch.check()


@pytest.mark.browser
def test_without_javascript_the_search_box_opens_the_results_page(browse, live_server):
    page, watch = browse(java_script_enabled=False)
    page.goto(live_server.url + "/id/place/kidal")
    page.fill("#site-search", "maa-d")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search?q=maa-d")
    page.click("ol.hits li >> nth=0 >> a")
    page.wait_for_url("**/id/organisation/maa-d")
    watch.check()
