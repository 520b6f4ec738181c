"""The dataset description at `/.well-known/void` (RFC 8615; VoID §6), by content negotiation."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..dataset_description import describe
from ..negotiation import NotAcceptable, choose
from ..views.responses import negotiated, not_acceptable

router = APIRouter()
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}


@router.get("/.well-known/void")
async def void(request: Request) -> Response:
    state = request.app.state
    try:
        media_type = choose(request.headers.get("accept"), tuple(FORMATS), request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    graph = describe(state.settings, state.statistics, state.dumps_path, str(request.base_url))
    return negotiated(graph.serialize(format=FORMATS[media_type], encoding="utf-8"), media_type)
