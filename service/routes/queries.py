"""The catalogue of example research questions, for people (HTML) and for the query editor (JSON)."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from ..catalogue import examples
from ..negotiation import NotAcceptable, choose
from ..views.responses import negotiated, not_acceptable
from ..views.shell import html_page

router = APIRouter()
OFFERS = ("text/html", "application/json")


@router.api_route("/queries", methods=["GET", "HEAD"])
async def queries(request: Request) -> Response:
    try:
        media_type = choose(request.headers.get("accept"), OFFERS, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    catalogue = examples(request.app.state.settings.queries_dir)
    if media_type == "application/json":
        return negotiated(json.dumps([e.as_json() for e in catalogue], ensure_ascii=False).encode(), media_type)
    return negotiated(_page(catalogue).encode("utf-8"), media_type)


def _page(catalogue) -> str:
    items = "\n".join(
        f"""<section id="{escape(e.id)}">
<h2>{escape(e.title)}</h2>
<p>{escape(e.description)}</p>
<pre tabindex="0"><code>{escape(e.query)}</code></pre>
<p><a href="sparql?edit={quote(e.query)}">Open in the editor</a> ·
<a href="sparql?query={quote(e.query)}&amp;format=csv">CSV</a> ·
<a href="sparql?query={quote(e.query)}&amp;format=json">JSON</a></p>
</section>""" for e in catalogue)
    main = f"""<h1>Example research questions</h1>
<p>Each question is a SPARQL query you can run as it stands on <a href="sparql">the endpoint</a>
(the prefixes it uses are predeclared) or open in the query editor there.</p>
{items}
"""
    return html_page("", "Example research questions", main, current="queries")
