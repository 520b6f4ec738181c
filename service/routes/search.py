"""`/search?q=`: the names that fit what was typed, best first, as a page or (by Accept) as JSON,
which the search box of every page asks for its suggestions."""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request, Response

from ..negotiation import NotAcceptable, choose
from ..parameters import single, whole_number
from ..search import LIMIT, MOST
from ..views.responses import negotiated, not_acceptable
from .indexes import local_url
from ..views.shell import html_page

router = APIRouter()
OFFERS = ("text/html", "application/json")


@router.api_route("/search", methods=["GET", "HEAD"])
async def search(request: Request) -> Response:
    try:
        media_type = choose(request.headers.get("accept"), OFFERS, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    text = single(request.query_params.getlist("q"), "q") or ""
    limit_text = single(request.query_params.getlist("limit"), "limit")
    limit = LIMIT if limit_text is None else whole_number(limit_text, "limit", least=1, most=MOST)
    state = request.app.state
    root = str(request.base_url)
    hits = state.search.search(text, limit)

    if media_type == "application/json":
        body = {"query": text, "results": [{"iri": h.iri, "url": local_url(request, h.iri), "label": h.label, "kind": h.kind,
                                            "name": h.matched} for h in hits]}
        return negotiated(json.dumps(body, ensure_ascii=False).encode("utf-8"), media_type)
    items = "".join(
        f'<li><a href="{escape(local_url(request, h.iri))}">{escape(h.label)}</a> <span class="kind">{escape(h.kind)}</span>'
        + (f' <span class="meta">— as “{escape(h.matched)}”</span>' if h.matched != h.label else "") + "</li>"
        for h in hits)
    if not text.strip():
        found = "<p>Type a name above: an acronym, an English or French name, with or without accents.</p>"
    elif not hits:
        found = f"<p>No name fits “{escape(text)}”.</p>"
    else:
        more = f" (the first {limit})" if len(hits) == limit else ""
        found = f"<p>{len(hits)} names fit “{escape(text)}”{more}, best first.</p><ol class='hits'>{items}</ol>"
    title = f"Search: {text}" if text.strip() else "Search"
    return negotiated(html_page(root, title, f"<h1>{escape(title)}</h1>{found}", searched=text).encode("utf-8"), media_type)
