"""`/fragments`: Triple Pattern Fragments over the default graph, quad patterns with `graph` (see
fragments.py); `/.well-known/genid/…`, the skolem IRIs of blank nodes, lead to their fragment."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ..documents import served
from ..fragments import GENID, OFFERS, Fragment, read_request
from ..negotiation import NotAcceptable, choose
from ..store import Matches
from ..views.fragments import fragment_page
from ..views.responses import error, negotiated, not_acceptable

router = APIRouter()


@router.api_route("/fragments", methods=["GET", "HEAD"])
async def fragments(request: Request) -> Response:
    state = request.app.state
    try:
        media_type = choose(request.headers.get("accept"), OFFERS, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    wanted = read_request(request.query_params, state.settings.base)  # BadParameter: a 400

    async def render() -> Response:
        pattern = wanted.pattern()
        matches = await state.pool.answer(pattern) if pattern is not None else Matches(0, [])
        interface = str(request.base_url) + "fragments"
        fragment = Fragment(wanted, matches, str(request.url), interface, state.settings.base)
        if wanted.page > fragment.last:
            return error(404, f"Not Found: this fragment has {fragment.last} page(s); there is no page {wanted.page}.")
        rels = {"previous": "prev"}  # RFC 8288's name
        links = [f'<{url}>; rel="{rels.get(rel, rel)}"' for rel, url in fragment.neighbours().items()]
        headers = {"Link": ", ".join(links)} if links else {}
        if media_type == "text/html":
            return negotiated(fragment_page(fragment, str(request.base_url)).encode("utf-8"), media_type, headers)
        return negotiated(fragment.serialise(media_type), media_type, headers)

    return await served(request, ("fragment", request.url.query, media_type), render)


@router.api_route("/.well-known/genid/{name}", methods=["GET", "HEAD"])
async def blank_node(request: Request, name: str) -> Response:
    """A blank node's skolem IRI leads to the fragment of the triples it is the subject of."""
    iri = request.app.state.settings.base + GENID + name
    return RedirectResponse(f"{request.base_url}fragments?subject={quote(iri, safe='')}", status_code=303)
