"""Entity pages in headless Chromium: they load, link to each other, and raise no errors."""

import pytest

pytestmark = pytest.mark.browser


def test_entity_pages_load_and_navigate_by_links(browse, live_server):
    page, watch = browse(viewport={"width": 390, "height": 844})  # a phone
    response = page.goto(live_server.url + "/id/organisation/hcua")
    assert response.status == 200
    assert page.inner_text("h1") == "High Council for the Unity of Azawad"
    assert page.locator("ol.claims > li").count() > 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    page.click("text=Bencherif and Campana (2017)")
    page.wait_for_url("**/id/work/bencherif-campana-2017")
    assert "Alliances of convenience" in page.inner_text("body")
    page.go_back()
    page.click("text=Coordination of Azawad Movements >> nth=0")
    page.wait_for_url("**/id/organisation/cma")
    assert page.inner_text("h1") == "Coordination of Azawad Movements"
    watch.check()


def test_long_pages_of_claims_are_followed_page_by_page(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/id/organisation/cma")
    first = page.locator("ol.claims > li").count()
    assert 0 < first <= 100
    assert not page.is_visible("nav.pages")  # the raw statements are folded away on the first page
    page.click("#all-statements > summary")
    page.click("nav.pages >> nth=0 >> a[rel=next]")
    page.wait_for_url("**/id/organisation/cma?page=2")
    assert "Claims and links 101–" in page.inner_text("nav.pages >> nth=0")
    page.click("nav.pages >> nth=0 >> a[rel=first]")
    page.wait_for_url("**/id/organisation/cma")
    assert page.locator("ol.claims > li").count() == first
    assert page.locator("ol.chronology ol > li").count() > first  # every claim about it, whatever the page
    watch.check()


def test_pages_work_without_javascript(browse, live_server):
    page, watch = browse(java_script_enabled=False)
    page.goto(live_server.url + "/id/event/2012-01-18-aguelhok-attack")
    text = page.inner_text("body")
    assert "2012-01-18" in text and "Aguelhok" in text
    watch.check()


def test_the_home_page_links_every_door(browse, live_server):
    page, watch = browse()
    page.goto(live_server.url + "/")
    for text, path in (("SPARQL endpoint", "/sparql"), ("Dumps", "/dumps/"), ("Dataset description", "/.well-known/void")):
        href = page.get_attribute(f"a:has-text('{text}')", "href")
        assert page.evaluate("href => new URL(href, document.baseURI).pathname", href) == path
    page.click("text=Timeline of events")
    page.wait_for_url("**/events")
    assert page.locator("ol > li").count() > 150
    page.go_back()
    page.click("text=Bilal Ag Chérif")
    page.wait_for_url("**/id/person/bilal-ag-cherif")
    assert page.inner_text("h1") == "Bilal Ag Chérif"
    watch.check()
