"""axe-core (injected into each page in Chromium) finds no critical or serious violation of WCAG on
our pages, at a desktop width and at a phone's; and no page is wider than a phone's screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

PAGES = ["/", "/id/organisation/mnla", "/id/organisation/cma?page=2", "/id/person/bilal-ag-cherif", "/id/place/kidal",
         "/id/event/2012-06-27-gao-capture-by-mojwa", "/id/work/bencherif-campana-2017", "/events", "/network",
         "/places", "/organisations", "/works", "/sources", "/queries", "/search?q=mnla", "/.well-known/void",
         "/ontology", "/sparql", "/dumps/", "/fragments?subject=https%3A%2F%2Fw3id.org%2Fconflict-ld%2Fid%2Forganisation%2Fmnla",
         "/releases", "/release/1.0.0", "/changes/1.0.0/1.1.0", "/id/organisation/mnla/history",
         "/id/organisation/mnla?version=1.0.0", "/no-such-page"]
SEVERE = {"critical", "serious"}


def severe(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"], "runOnly": {
        "type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return [f"{v['impact']} {v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"] if v["impact"] in SEVERE]


@pytest.mark.parametrize("path", PAGES)
def test_no_critical_or_serious_violation(browse, live_server, path):
    """axe at a desktop's width; then, the same page loaded on a phone's, no sideways scrolling."""
    page, watch = browse(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert severe(page) == []
    assert page.locator("main").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # as a phone loads it: drawings size themselves to the screen they start on
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    watch.tolerated.append("404 (Not Found)")  # the error page's own status, reported by the console
    watch.check()


@pytest.mark.parametrize("path", ["/", "/id/organisation/mnla", "/events", "/sparql"])
def test_no_critical_or_serious_violation_on_a_phone(browse, live_server, path):
    """The phone's layout (the header wraps, the facts stack) has its own checks: contrast, targets."""
    page, watch = browse(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert severe(page) == []
    watch.check()


def test_the_query_editor_with_an_answer(browse, live_server):
    """YASGUI's own controls too, once it has drawn an answer (its table and page-size choice)."""
    page, watch = browse(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/sparql")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table")
    assert severe(page) == []
    watch.check()
