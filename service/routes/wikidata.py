"""From a Wikidata ID to our entity: `/wikidata/Q853699` redirects to the entity linked to it."""

from __future__ import annotations

import json
import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ..store import Query
from ..views.responses import error

router = APIRouter()
QID = re.compile(r"Q[1-9][0-9]{0,11}")  # matched whole: ASCII digits, no line end
FIND = "SELECT ?entity ?item WHERE { ?entity owl:sameAs|skos:exactMatch ?item } ORDER BY ?entity LIMIT 1"


@router.api_route("/wikidata/{qid}", methods=["GET", "HEAD"])
async def from_wikidata(request: Request, qid: str) -> Response:
    state = request.app.state
    if not QID.fullmatch(qid):
        return error(400, f"Bad Request: {qid!r} is not a Wikidata item ID (Q followed by up to 12 digits).")
    query = Query(FIND, "application/sparql-results+json", state.prefixes,
                  bindings={"item": f"http://www.wikidata.org/entity/{qid}"})
    rows = json.loads((await state.pool.answer(query)).body)["results"]["bindings"]
    if not rows:
        return error(404, f"Not Found: no entity in this dataset is linked to Wikidata item {qid}.")
    entity = rows[0]["entity"]["value"]
    local = str(request.base_url) + entity[len(state.settings.base):]
    return RedirectResponse(local, status_code=303, headers={"Vary": "Accept"})
