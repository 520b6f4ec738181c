"""`/network`: the relations between organisations over time, as a page (a picture with a year
slider, and the relations as a table) or as JSON (`format=json` or Accept). `year=YYYY` keeps the
relations holding in that year, `focus=organisation/mnla` those of one organisation; see
service/network.py for the kinds of edge and the year rule."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request, Response

from ..documents import served
from ..negotiation import NotAcceptable, choose
from ..network import read
from ..oxigraph_rdflib import ntriples_graph
from ..parameters import single, whole_number
from ..store import Query
from ..views.network import network_page
from ..views.responses import error, negotiated, not_acceptable

router = APIRouter()
NETWORK = (Path(__file__).resolve().parent.parent / "queries" / "network.rq").read_text(encoding="utf-8")
OFFERS = ("text/html", "application/json")


@router.api_route("/network", methods=["GET", "HEAD"])
async def network(request: Request) -> Response:
    try:
        media_type = choose(request.headers.get("accept"), OFFERS, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    year = single(request.query_params.getlist("year"), "year")
    focus = single(request.query_params.getlist("focus"), "focus")
    return await served(request, ("network", media_type, year, focus), lambda: _render(request, media_type, year, focus))


async def _render(request: Request, media_type: str, year_text: str | None, focus_path: str | None) -> Response:
    state = request.app.state
    root = str(request.base_url)
    answer = await state.pool.answer(Query(NETWORK, "application/n-triples", state.prefixes))
    graph = ntriples_graph(answer.body)
    network = read(graph, state.settings.base, root)
    first, last = network.years
    year = whole_number(year_text, "year", least=first, most=last) if year_text is not None else None
    focus = state.settings.base + "id/" + focus_path if focus_path is not None else None
    if focus is not None and focus not in network.organisations:
        return error(404, f"Not Found: {focus_path!r} is not an organisation of the dataset; give its path under "
                          f"id/, as in focus=organisation/mnla.")
    if media_type == "application/json":
        body = json.dumps(network.json(network.only(year, focus), focus), ensure_ascii=False)
        return negotiated(body.encode("utf-8"), media_type)
    page = network_page(root, network, year, focus, focus_path)
    return negotiated(page.encode("utf-8"), media_type)
