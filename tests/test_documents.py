"""Rendered documents are kept and revalidated: ETags, 304s, one entry per media type, a bounded size."""

import httpx
import pytest
from fastapi import Response

from service.documents import DocumentCache, Kept


def test_the_cache_keeps_the_most_recent_documents_within_its_size():
    cache = DocumentCache(max_bytes=10)
    for key in "abc":
        cache.keep(key, Response(b"1234"))
    assert cache.get("a") is None and cache.get("b") is not None and cache.get("c") is not None
    assert cache.size == 8
    assert cache.keep("big", Response(b"x" * 11)).body == b"x" * 11 and cache.get("big") is None


def test_what_is_used_again_is_kept_longest():
    kept = Kept(max_bytes=10)
    kept.keep("a", ["a"], 4)
    kept.keep("b", ["b"], 4)
    assert kept.get("a") == ["a"]  # now the most recently used
    kept.keep("c", ["c"], 4)
    assert kept.get("b") is None and kept.get("a") == ["a"] and kept.get("c") == ["c"] and kept.size == 8
    kept.keep("huge", ["h"], 11)
    assert kept.get("huge") is None and kept.size == 8


@pytest.mark.slow
@pytest.mark.parametrize("path, accept", [("/id/organisation/mnla", "text/turtle"), ("/id/organisation/mnla", "text/html"),
                                          ("/.well-known/void", "text/turtle"), ("/organisations", "application/json")])
def test_documents_carry_an_etag_and_answer_304(live_server, path, accept):
    first = httpx.get(live_server.url + path, headers={"Accept": accept})
    again = httpx.get(live_server.url + path, headers={"Accept": accept})
    assert first.status_code == again.status_code == 200
    assert first.headers["etag"] == again.headers["etag"] and first.content == again.content
    conditional = httpx.get(live_server.url + path, headers={"Accept": accept, "If-None-Match": first.headers["etag"]})
    assert conditional.status_code == 304 and conditional.content == b""
    assert conditional.headers["etag"] == first.headers["etag"] and "Accept" in conditional.headers["vary"]
    stale = httpx.get(live_server.url + path, headers={"Accept": accept, "If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


@pytest.mark.slow
def test_each_media_type_and_page_is_its_own_document(live_server):
    url = live_server.url + "/id/organisation/mnla"
    tags = {httpx.get(url, headers={"Accept": a}).headers["etag"] for a in ("text/turtle", "application/n-triples", "text/html")}
    tags.add(httpx.get(url, params={"page": 2}, headers={"Accept": "text/turtle"}).headers["etag"])
    assert len(tags) == 4
    assert httpx.get(live_server.url + "/id/organisation/nobody").status_code == 404  # errors are not kept
    assert "etag" not in httpx.get(live_server.url + "/id/organisation/nobody").headers
