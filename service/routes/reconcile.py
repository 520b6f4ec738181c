"""The W3C Reconciliation Service API 0.2 at `/reconcile`, as OpenRefine 3.x speaks it.

`/reconcile` answers the service manifest, batches of reconciliation queries (`queries`) and data
extension (`extend`), by GET or form POST, as JSON or JSONP (`callback`); beside it are the
preview, the three suggest services and the property proposals. Matching itself is
`service.reconciliation`; its name index is built on first use from the served store, through the
query pool, and kept for the life of the app (a change of data means a new store and a restart).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from functools import wraps
from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..http_limits import parameter_count
from ..parameters import whole_number
from ..reconciliation import DEFAULT_TYPES, PROPERTIES, BadRequest, Constraint, Lookup, NameIndex, index_query
from ..views.responses import error, negotiated

router = APIRouter()
BATCH_SIZE = 100  # queries in one batch (announced in the manifest; more is a 413)
MAX_CANDIDATES = 100  # the largest `limit` honoured
LONGEST_NAME = 500  # characters of a `query`: a name, not a document
SUGGESTIONS = 10  # suggestions per page (`cursor` pages on)
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 180
CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")  # matched whole: ASCII, no line end


class Refused(Exception):
    """A request refused with a status other than 400."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


async def name_index(request: Request) -> NameIndex:
    """The app's name index, built once, by the first request that needs it (the others wait for it)."""
    state = request.app.state
    if getattr(state, "reconciliation", None) is None:
        if getattr(state, "reconciliation_building", None) is None:
            state.reconciliation_building = asyncio.Lock()
        async with state.reconciliation_building:
            if getattr(state, "reconciliation", None) is None:
                answer = await state.pool.answer(index_query(state.prefixes, state.settings.base))
                rows = json.loads(answer.body)["results"]["bindings"]
                state.reconciliation = await run_in_threadpool(NameIndex, rows, state.prefixes, state.settings.base)
    return state.reconciliation


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _refusals(endpoint):
    """Every refusal of the endpoint as a one-line plain-text error, never a stack trace."""
    @wraps(endpoint)
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BadRequest as problem:
            return error(400, f"Bad Request: {problem}")
        except Refused as problem:
            return error(problem.status, str(problem))
    return guarded


def _reply(payload, fields: Mapping[str, list[str]]) -> Response:
    """JSON, or JSONP when the client names a `callback`."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = _one(fields, "callback")
    if callback is None:
        return negotiated(body.encode("utf-8"), "application/json")
    if len(callback) > 100 or not CALLBACK.fullmatch(callback):
        raise BadRequest("'callback' must be a JavaScript function name.")
    return negotiated(f"/**/{callback}({body});".encode(), "text/javascript")


def _one(fields: Mapping[str, list[str]], name: str) -> str | None:
    values = fields.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"give {name!r} once.")
    return values[0] if values else None


def _fields(request: Request) -> dict[str, list[str]]:
    """The query parameters by name, in one pass (`getlist` for each name would be quadratic)."""
    fields: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        fields.setdefault(name, []).append(value)
    return fields


def _count(fields: Mapping[str, list[str]], name: str, default: int, least: int) -> int:
    text = _one(fields, name)
    return default if text is None else whole_number(text, name, least)


def _json(text: str, name: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as problem:
        raise BadRequest(f"{name!r} is not valid JSON ({problem or 'nested too deeply'}).") from None


# --- the endpoint ----------------------------------------------------------------------------------------


@router.api_route("/reconcile", methods=["GET", "HEAD", "POST"])  # one route, so that a 405 names all three
@_refusals
async def reconcile(request: Request) -> Response:
    form = await _form(request) if request.method == "POST" else {}
    return await _answer(request, {**_fields(request), **form})


async def _form(request: Request) -> dict[str, list[str]]:
    """The fields of a form POST, read within the app's body limit."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise Refused(415, "Unsupported Media Type: POST 'queries' or 'extend' as an "
                           "application/x-www-form-urlencoded form.")
    limit, body = request.app.state.limits.max_body, bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, f"Content Too Large: request bodies are limited to {limit} bytes.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8.") from None
    most = request.app.state.limits.max_parameters
    if parameter_count(body) > most:
        raise BadRequest(f"more than {most} form fields.")
    return parse_qs(text, keep_blank_values=True)


async def _answer(request: Request, fields: Mapping[str, list[str]]) -> Response:
    queries, extend = _one(fields, "queries"), _one(fields, "extend")
    if queries is not None and extend is not None:
        raise BadRequest("give either 'queries' or 'extend', not both.")
    if queries is not None:
        index = await name_index(request)
        batch = _batch(_json(queries, "queries"), index)
        results = await run_in_threadpool(lambda: {key: index.reconcile(query) for key, query in batch.items()})
        return _reply({key: {"result": [_candidate(index, c) for c in found]} for key, found in results.items()}, fields)
    if extend is not None:
        return _reply(_extension(_json(extend, "extend"), await name_index(request)), fields)
    if request.method == "POST":
        raise BadRequest("a POST needs a 'queries' or an 'extend' field.")
    return _reply(manifest(request), fields)


def manifest(request: Request) -> dict:
    root, settings = _root(request), request.app.state.settings
    prefixes = request.app.state.prefixes
    service = {"service_url": root + "/reconcile"}
    return {
        "versions": ["0.1", "0.2"],
        "name": "conflict-ld: armed actors of northern Mali (CMA profile)",
        "identifierSpace": settings.base + "id/",
        "schemaSpace": settings.ontology_namespace,
        "documentation": root + "/",
        "serviceVersion": __version__,
        "batchSize": BATCH_SIZE,
        "defaultTypes": [{"id": prefixes[c.split(":")[0]] + c.split(":")[1], "name": name}
                         for c, name in DEFAULT_TYPES.items()],
        "view": {"url": root + "/id/{{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "suggest": {kind: {**service, "service_path": f"/suggest/{kind}"} for kind in ("entity", "type", "property")},
        "extend": {"propose_properties": {**service, "service_path": "/propose_properties"}},
    }


def _batch(payload, index: NameIndex) -> dict[str, Lookup]:
    if not isinstance(payload, dict) or not payload:
        raise BadRequest("'queries' must be a JSON object of queries by key, such as {\"q0\": {\"query\": \"MNLA\"}}.")
    if len(payload) > BATCH_SIZE:
        raise Refused(413, f"Content Too Large: at most {BATCH_SIZE} queries in one batch.")
    return {key: _query(key, query, index) for key, query in payload.items()}


def _query(key: str, query, index: NameIndex) -> Lookup:
    """One query of a batch, checked field by field."""
    if not isinstance(query, dict):
        raise BadRequest(f"query {key!r} must be a JSON object.")
    text = query.get("query")
    if text is not None and (not isinstance(text, str) or not text.strip() or len(text) > LONGEST_NAME):
        raise BadRequest(f"query {key!r}: 'query' must be a non-empty string of at most {LONGEST_NAME} characters.")
    types = query.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise BadRequest(f"query {key!r}: 'type' must be a type id or a list of them.")
    for kind in types:
        index.type_id(kind)
    limit = query.get("limit", 5)
    if (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 1
            or isinstance(limit, float) and not limit.is_integer()):
        raise BadRequest(f"query {key!r}: 'limit' must be a whole number, 1 or more.")
    strict = query.get("type_strict", "any")
    if strict not in ("any", "all", "should"):
        raise BadRequest(f"query {key!r}: 'type_strict' must be \"any\", \"all\" or \"should\".")
    constraints = tuple(index.checked(_constraint(key, p))
                        for p in _listed(query.get("properties", []), f"query {key!r}: 'properties'"))
    if text is None and not constraints:
        raise BadRequest(f"query {key!r} needs a 'query' or 'properties'.")
    return Lookup(text, tuple(types), strict, min(int(limit), MAX_CANDIDATES), constraints)


def _listed(value, what: str) -> list:
    if not isinstance(value, list):
        raise BadRequest(f"{what} must be a list.")
    return value


def _property(pid, where: str) -> str:
    if not isinstance(pid, str) or pid not in PROPERTIES:
        raise BadRequest(f"{where}: unknown property {pid!r}; known: {', '.join(PROPERTIES)}.")
    return pid


def _constraint(key: str, constraint) -> Constraint:
    if not isinstance(constraint, dict) or "v" not in constraint:
        raise BadRequest(f"query {key!r}: each property needs a 'pid' and a 'v'.")
    pid = _property(constraint.get("pid"), f"query {key!r}")
    values = constraint["v"] if isinstance(constraint["v"], list) else [constraint["v"]]
    for value in values:
        plain = isinstance(value, (int, float, bool)) or (isinstance(value, str) and value.strip())
        if not plain and not (isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"].strip()):
            raise BadRequest(f"query {key!r}: the values of {pid!r} must be non-empty strings, numbers, "
                             "booleans or objects with an 'id'.")
    return Constraint(pid, tuple(values))


def _candidate(index: NameIndex, candidate) -> dict:
    entity = candidate.entity
    found = {"id": entity.id, "name": entity.label(), "score": candidate.score, "match": candidate.match,
             "type": [{"id": t.id, "name": t.name} for t in index.candidate_types(entity)]}
    description = index.description(entity)
    return {**found, "description": description} if description else found


# --- data extension --------------------------------------------------------------------------------------


def _extension(payload, index: NameIndex) -> dict:
    if not isinstance(payload, dict) or "ids" not in payload or "properties" not in payload:
        raise BadRequest("'extend' must be a JSON object with 'ids' and 'properties'.")
    ids = _listed(payload["ids"], "'ids'")
    unknown = [i for i in ids if not isinstance(i, str) or index.entity(i) is None]
    if unknown:
        raise BadRequest(f"unknown entity ids: {', '.join(map(repr, unknown[:5]))}{' …' if len(unknown) > 5 else ''}.")
    pids = []
    for item in _listed(payload["properties"], "'properties'"):
        if not isinstance(item, dict):
            raise BadRequest("each of 'properties' must be an object with an 'id'.")
        pids.append(_property(item.get("id"), "'properties'"))
    meta = []
    for pid in pids:
        value_type = PROPERTIES[pid].value_type
        column = {"id": pid, "name": PROPERTIES[pid].name}
        if value_type:
            column["type"] = {"id": index.expand(value_type), "name": DEFAULT_TYPES[value_type]}
        meta.append(column)
    rows = {i: {pid: _values(index, index.entity(i), pid) for pid in pids} for i in ids}
    return {"meta": meta, "rows": rows}


def _values(index: NameIndex, entity, pid: str) -> list[dict]:
    if pid == "type":
        return [{"str": t.name} for t in index.specific_types(entity)]
    if PROPERTIES[pid].value_type:
        return [{"id": v, "name": index.entities[v].label()} for v in entity.values[pid]]
    return [{"str": v} for v in entity.values[pid]]


@router.api_route("/reconcile/propose_properties", methods=["GET", "HEAD"])
@_refusals
async def propose_properties(request: Request) -> Response:
    fields, index = _fields(request), await name_index(request)
    kind = _one(fields, "type")
    limit = _count(fields, "limit", len(PROPERTIES), 1)
    pids = index.proposed_properties(index.type_id(kind) if kind else None)[:limit]
    found = {"type": kind or "", "properties": [_property_entry(pid) for pid in pids]}
    return _reply({**found, "limit": limit} if "limit" in fields else found, fields)


def _property_entry(pid: str) -> dict:
    return {"id": pid, "name": PROPERTIES[pid].name, "description": PROPERTIES[pid].description}


# --- preview and suggest ---------------------------------------------------------------------------------


@router.api_route("/reconcile/preview", methods=["GET", "HEAD"])
@_refusals
async def preview(request: Request) -> Response:
    fields, index = _fields(request), await name_index(request)
    wanted = _one(fields, "id")
    entity = index.entity(wanted) if wanted else None
    if entity is None:
        raise BadRequest(f"unknown entity id {wanted!r}." if wanted else "give the entity's 'id'.")
    english, french = entity.label("en"), entity.label("fr")
    others = sorted({n.text for n in entity.names} - {english, french})
    wikidata = " ".join(f'<a href="https://www.wikidata.org/wiki/{escape(q)}" target="_blank">{escape(q)}</a>'
                        for q in entity.values["wikidata"])
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(english)}</title>
<style>body {{ font-family: system-ui, sans-serif; font-size: 14px; margin: .5rem; line-height: 1.35; }}
p {{ margin: .25rem 0; }} .quiet {{ color: #555; }}</style></head>
<body><p><a href="{escape(_root(request))}/id/{escape(entity.id)}" target="_blank"><strong>{escape(english)}</strong></a>
{f'<span lang="fr" class="quiet">{escape(french)}</span>' if french != english else ""}</p>
<p>{escape(index.description(entity))}</p>
{f'<p class="quiet">Also: {escape(" · ".join(others))}</p>' if others else ""}
{f"<p>Wikidata: {wikidata}</p>" if wikidata else ""}
</body></html>
"""
    return negotiated(html.encode("utf-8"), "text/html")


def _window(fields: Mapping[str, list[str]]) -> slice:
    """The page of suggestions asked for (`cursor`, `limit`), read before any matching is done."""
    start = _count(fields, "cursor", 0, 0)
    return slice(start, start + _count(fields, "limit", SUGGESTIONS, 1))


def _prefix(fields: Mapping[str, list[str]]) -> str:
    prefix = _one(fields, "prefix")
    if prefix is None:
        raise BadRequest("give the 'prefix' to complete.")
    if len(prefix) > LONGEST_NAME:
        raise BadRequest(f"'prefix' must be at most {LONGEST_NAME} characters.")
    return prefix


@router.api_route("/reconcile/suggest/entity", methods=["GET", "HEAD"])
@_refusals
async def suggest_entity(request: Request) -> Response:
    fields, index = _fields(request), await name_index(request)
    prefix, window = _prefix(fields), _window(fields)
    found = (await run_in_threadpool(index.suggest, prefix, fields.get("type", [])))[window]  # reads every name
    return _reply({"result": [
        {"id": e.id, "name": e.label(), "description": index.description(e),
         "notable": [{"id": t.id, "name": t.name} for t in index.candidate_types(e)]} for e in found]}, fields)


@router.api_route("/reconcile/suggest/type", methods=["GET", "HEAD"])
@_refusals
async def suggest_type(request: Request) -> Response:
    fields, index = _fields(request), await name_index(request)
    start, window = _prefix(fields).strip().casefold(), _window(fields)
    defaults = {index.expand(c) for c in DEFAULT_TYPES}
    ranked = sorted((t.id not in defaults, not t.name.casefold().startswith(start), t.name, t.id)
                    for t in index.types.values()
                    if any(word.startswith(start) for word in (*t.name.casefold().split(), t.curie.casefold(),
                                                               t.id.casefold(), t.curie.split(":")[-1].casefold())))
    found = [index.types[i] for *_, i in ranked][window]
    return _reply({"result": [
        {"id": t.id, "name": t.name, "description": t.curie,
         "broader": [{"id": b, "name": index.types[b].name} for b in t.broader]} for t in found]}, fields)


@router.api_route("/reconcile/suggest/property", methods=["GET", "HEAD"])
@_refusals
async def suggest_property(request: Request) -> Response:
    fields = _fields(request)
    start, window = _prefix(fields).strip().casefold(), _window(fields)
    pids = [pid for pid, p in PROPERTIES.items()
            if pid.startswith(start) or any(w.startswith(start) for w in p.name.casefold().split())]
    return _reply({"result": [_property_entry(pid) for pid in pids[window]]}, fields)
