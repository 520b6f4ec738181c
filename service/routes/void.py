"""The dataset description at `/.well-known/void` (RFC 8615; VoID §6), by content negotiation; a page
for browsers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..dataset_description import describe
from ..documents import served
from ..negotiation import NotAcceptable, choose
from ..views.dataset_page import dataset_page
from ..views.responses import RDFLIB_FORMATS, negotiated, not_acceptable, serialized

router = APIRouter()


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
async def void(request: Request) -> Response:
    state = request.app.state
    try:
        media_type = choose(request.headers.get("accept"), (*RDFLIB_FORMATS, "text/html"),
                            request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)

    async def render() -> Response:
        graph = describe(state.settings, state.statistics, state.dumps_path, state.dump_files.values(),
                         str(request.base_url), state.releases, state.current_release)
        if media_type == "text/html":  # for people: the same description, read
            page = dataset_page(graph, state.settings.base, str(request.base_url), state.search.labels)
            return negotiated(page.encode("utf-8"), media_type)
        return serialized(graph, media_type)

    return await served(request, ("void", media_type), render)
