"""Errors for people and for machines: a browser gets the error as a page of the site, with its
status and headers kept; curl, libraries and anything not preferring HTML keep one plain line."""

import httpx
import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("method, path, status, words", [
    ("GET", "/id/organisation/no-such-group", 404, "no entity"),
    ("GET", "/nothing-here", 404, "no page 'nothing-here'"),
    ("GET", "/search?q=mnla&limit=0", 400, "'limit' must be a whole number"),
    ("GET", "/sparql?query=SELEKT", 400, "the query does not parse"),
])
def test_a_browser_gets_the_error_as_a_page(live_server, method, path, status, words):
    page = httpx.request(method, live_server.url + path, headers={"Accept": BROWSER})
    plain = httpx.request(method, live_server.url + path, headers={"Accept": "*/*"})
    assert page.status_code == plain.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.text.count("\n") == 1 and words in plain.text
    assert '<main id="main">' in page.text and f"<h1>{status} " in page.text
    assert words.replace("'", "&#x27;") in page.text
    assert 'role="search"' in page.text and f'href="{live_server.url}/"' in page.text
    assert page.headers["vary"] == plain.headers["vary"] and "Accept" in page.headers["vary"]


def test_a_page_keeps_the_headers_of_the_error(live_server):
    page = httpx.delete(live_server.url + "/", headers={"Accept": BROWSER})
    assert page.status_code == 405 and page.headers["allow"] == httpx.delete(live_server.url + "/").headers["allow"]
    assert page.headers["content-type"].startswith("text/html")
    head = httpx.head(live_server.url + "/nothing-here", headers={"Accept": BROWSER})
    got = httpx.get(live_server.url + "/nothing-here", headers={"Accept": BROWSER})
    assert head.status_code == 404 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))


def test_a_browser_asking_for_what_is_not_offered_reads_what_is(live_server):
    page = httpx.get(live_server.url + "/id/organisation/mnla.bib", headers={"Accept": BROWSER})
    assert page.status_code == 406 and page.headers["content-type"].startswith("text/html")
    assert "<h1>406 Not Acceptable</h1>" in page.text and "text/turtle" in page.text
    refused = httpx.get(live_server.url + "/queries", headers={"Accept": "image/png, text/html;q=0"})
    assert refused.status_code == 406 and refused.headers["content-type"].startswith("text/plain")


def test_successful_answers_are_left_alone(live_server):
    for path in ("/", "/id/organisation/mnla", "/sparql?query=ASK%7B%7D"):
        assert httpx.get(live_server.url + path, headers={"Accept": BROWSER}).status_code == 200
