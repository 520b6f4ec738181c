"""The query page in headless Chromium: YASGUI from our own static files, a query run, rows shown, nothing remote."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ORGANISATIONS = """SELECT ?organisation ?label WHERE {
  ?organisation a/rdfs:subClassOf* org:Organization ; rdfs:label ?label .
  FILTER (lang(?label) = "en")
} ORDER BY ?label LIMIT 5"""
def open_editor(page, server):
    response = page.goto(server.sparql)
    assert response.status == 200 and response.headers["content-type"].startswith("text/html")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.wait_for_function("() => window.yasgui && window.yasgui.getTab() && window.yasgui.getTab().getYasqe()")


def run_and_wait(page, server, trigger=".yasqe .yasqe_queryButton"):
    """Click `trigger` (YASQE's run button by default); the answer must come from our endpoint by POST."""
    with page.expect_response(lambda r: r.url == server.sparql and r.request.method == "POST") as answer:
        page.click(trigger) if isinstance(trigger, str) else trigger.click()
    assert answer.value.status == 200, answer.value.text()
    return answer.value


def test_editor_runs_a_query_and_shows_rows(browse, live_server):
    page, watch = browse()
    open_editor(page, live_server)
    # syntax highlighting: CodeMirror has tokenised the default query
    assert page.locator(".yasqe .CodeMirror .cm-keyword").count() > 0
    # the script came from static/yasgui/ (foreign requests are refused and reported by Watch)
    assert page.evaluate("() => typeof window.Yasgui") == "function"
    endpoint = page.evaluate("() => window.yasgui.getTab().getEndpoint()")
    assert endpoint == live_server.sparql

    page.evaluate("query => window.yasgui.getTab().getYasqe().setValue(query)", ORGANISATIONS)
    # the predeclared prefixes (rdfs:, org:) are not flagged as undefined
    assert page.locator(".yasqe .parseErrorIcon").count() == 0
    answer = run_and_wait(page, live_server)
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert "query=" in (answer.request.post_data or "")
    page.wait_for_selector(".yasr table.dataTable tbody tr td")
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == 5
    headers = page.locator(".yasr table.dataTable thead th").all_inner_texts()
    assert any("label" in h for h in headers), headers
    labels = json.loads(answer.text())["results"]["bindings"]
    assert labels and labels[0]["label"]["value"] in rows.first.inner_text()

    # YASR's download of the table: CSV
    with page.expect_download() as download:
        page.click(".yasr .yasr_downloadIcon")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    csv_text = Path(path).read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].replace('"', "").startswith("organisation,label")
    assert len([line for line in csv_text.splitlines() if line.strip()]) == 6

    watch.check()


def test_no_javascript_gets_the_plain_form(browse, live_server):
    page, watch = browse(java_script_enabled=False)
    page.goto(live_server.sparql)
    assert page.locator("form textarea#query").is_visible()
    assert "SELECT" in page.locator("textarea#query").input_value()
    assert page.locator(".yasgui").count() == 0
    watch.check()


def fetch_catalogue(server) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + "/queries", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as problem:
        return problem.code, problem.read()


def catalogue(server) -> list[dict]:
    status, body = fetch_catalogue(server)
    assert status == 200, body
    return json.loads(body)


def test_catalogue_question_loads_and_runs(browse, live_server):
    questions = catalogue(live_server)
    assert questions, "the catalogue is empty"
    page, watch = browse()
    open_editor(page, live_server)
    page.wait_for_selector("#catalogue li button")
    assert page.locator("#catalogue li button").count() == len(questions)
    first = page.locator("#catalogue li button").first
    assert first.inner_text() == questions[0]["title"]
    answer = run_and_wait(page, live_server, first)
    assert page.evaluate("() => window.yasgui.getTab().getYasqe().getValue()") == questions[0]["query"]
    assert page.locator(".yasqe .parseErrorIcon").count() == 0
    page.wait_for_selector(".yasr .yasr_results > *")
    assert "query=" in (answer.request.post_data or "")
    watch.check()
