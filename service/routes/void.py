"""The dataset description at `/.well-known/void` (RFC 8615; VoID §6), by content negotiation."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..dataset_description import describe
from ..documents import served
from ..negotiation import NotAcceptable, choose
from ..views.responses import RDFLIB_FORMATS, not_acceptable, serialized

router = APIRouter()


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
async def void(request: Request) -> Response:
    state = request.app.state
    try:
        media_type = choose(request.headers.get("accept"), tuple(RDFLIB_FORMATS), request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)

    async def render() -> Response:
        graph = describe(state.settings, state.statistics, state.dumps_path, state.dump_files.values(),
                         str(request.base_url))
        return serialized(graph, media_type)

    return await served(request, ("void", media_type), render)
