"""The SPARQL 1.1 Protocol endpoint: query via GET, POST form and POST body; read-only."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response

from .. import results
from ..http_limits import parameter_count
from ..documents import served
from ..logs import event, logger
from ..negotiation import NotAcceptable, choose
from ..query_text import QueryText, analyse
from ..releases import release_iri
from ..result_cache import cache_key, cacheable, remember
from ..service_description import describe
from ..store import Query, QuerySyntaxError, iri_term
from ..views.editor import editor_page
from ..views.responses import error, negotiated, not_acceptable, serialized

router = APIRouter()
_LOG = logger("sparql")

# What a CONSTRUCT or DESCRIBE answers in, by preference; a SELECT or ASK, results.MEDIA_TYPES
GRAPH_OFFERS = ("text/turtle", "application/n-triples", "application/n-quads", "application/ld+json",
                "application/rdf+xml", "application/trig", "application/json")
DESCRIPTION_OFFERS = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples",
                      "text/html")
# A text this long takes milliseconds to seconds to analyse (up to the body limit, 1 MiB by default):
# it is read in a thread, so the event loop goes on serving other requests meanwhile
LONG_TEXT = 64 * 1024
READ_ONLY = "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP…) is not accepted."


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"])
async def sparql(request: Request) -> Response:
    """One route for all three methods, so that a 405 names them all in `Allow`."""
    return await (sparql_post if request.method == "POST" else sparql_get)(request)


async def sparql_get(request: Request) -> Response:
    params = request.query_params  # its length and count are bounded by RequestLimits (http_limits.py)
    if "update" in params:
        return error(403, READ_ONLY)
    queries = params.getlist("query")
    if not queries:
        return service_description(request)
    if len(queries) > 1:
        return error(400, "Bad Request: give exactly one 'query' parameter.")
    return await run_query(request, queries[0], params.getlist("default-graph-uri"),
                           params.getlist("named-graph-uri"), params.getlist("format"))


async def sparql_post(request: Request) -> Response:
    limits = request.app.state.limits
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limits.max_body:
        return error(413, f"Content Too Large: request bodies are limited to {limits.max_body} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limits.max_body:
            return error(413, f"Content Too Large: request bodies are limited to {limits.max_body} bytes.")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return error(400, "Bad Request: the request body is not UTF-8.")
    if media_type == "application/x-www-form-urlencoded":
        if parameter_count(body) > limits.max_parameters:
            return error(400, f"Bad Request: more than {limits.max_parameters} form fields.")
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            return error(403, READ_ONLY)
        queries = form.get("query", [])
        if len(queries) != 1:
            return error(400, "Bad Request: a form POST needs exactly one 'query' field.")
        return await run_query(request, queries[0], form.get("default-graph-uri", []),
                               form.get("named-graph-uri", []), form.get("format", params.getlist("format")))
    if media_type == "application/sparql-query":
        return await run_query(request, text, params.getlist("default-graph-uri"),
                               params.getlist("named-graph-uri"), params.getlist("format"))
    if media_type == "application/sparql-update":
        return error(403, READ_ONLY)
    return error(415, "Unsupported Media Type: POST the query as application/sparql-query or as an "
                      "application/x-www-form-urlencoded form with a 'query' field.")


async def run_query(request: Request, text: str, default_graphs: list[str], named_graphs: list[str],
                    requested_format: list[str]) -> Response:
    state = request.app.state
    shape = analyse(text) if len(text) < LONG_TEXT else await asyncio.to_thread(analyse, text)
    if shape.update:
        event(_LOG, "refused", reason="update", keyword=shape.update)
        return error(403, READ_ONLY)
    refused = [s for s in shape.services if s not in state.limits.service_allow]
    if refused:
        event(_LOG, "refused", logging.WARNING, reason="service", endpoint=refused[0])
        allowed = ", ".join(state.limits.service_allow) or "none"
        return error(403, f"Forbidden: federated query (SERVICE {refused[0]}) is not allowed here. "
                          f"Allowed SERVICE endpoints: {allowed}.")
    if shape.unreadable:  # what the engine would make of it cannot be known in advance: never run it
        event(_LOG, "refused", reason="unreadable", detail=shape.unreadable)
        return error(400, f"Bad Request: the query cannot be read safely: {shape.unreadable}")
    for parameter, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for graph in graphs:
            try:
                iri_term(graph)
            except ValueError as problem:
                return error(400, f"Bad Request: {parameter} {graph!r} is not an absolute IRI: {problem}.")
    store = None
    releases = {release_iri(state.settings.base, version): published for version, published in state.releases.items()}
    if any(graph in releases for graph in default_graphs + named_graphs):
        if len(default_graphs) != 1 or default_graphs[0] not in releases or named_graphs:
            return error(400, "Bad Request: a release is queried alone: give its IRI as the only default-graph-uri, "
                              "and no named-graph-uri (its own named graphs are those of the data).")
        store, default_graphs = str(releases[default_graphs[0]].store), []
    offers = GRAPH_OFFERS if shape.returns_graph else results.MEDIA_TYPES
    try:
        media_type = choose(request.headers.get("accept"), offers, requested_format)
    except NotAcceptable as problem:
        return not_acceptable(problem)
    # relative IRIs resolve against the endpoint's own URL, as against any document's (RFC 3986 §5.1.3)
    query = Query(text, media_type, state.prefixes, tuple(default_graphs), tuple(named_graphs), state.limits.max_rows,
                  state.limits.max_result_bytes, own_dataset=shape.has_dataset, base=str(request.url_for("sparql")),
                  store=store)
    if not cacheable(request.method, text):
        return await answered(state, query, shape)
    key = cache_key(query)
    response = await served(request, key, lambda: answered(state, query, shape), state.results)
    if response.status_code in (200, 304):
        remember(request, key)
    return response


async def answered(state, query: Query, shape: QueryText) -> Response:
    """The query run by a worker, or why it could not be."""
    try:
        answer = await state.pool.answer(query)
    except QuerySyntaxError as problem:
        return error(400, f"Bad Request: the query does not parse: {problem}")
    except (results.TooManyRows, results.TooLarge) as problem:
        return error(400, f"Bad Request: {problem} (the limit); add LIMIT or narrow the query.")
    except RuntimeError as problem:
        return error(502 if shape.services else 500, f"The query failed: {problem}")
    return negotiated(answer.body, answer.media_type)


def service_description(request: Request) -> Response:
    state = request.app.state
    try:
        media_type = choose(request.headers.get("accept"), DESCRIPTION_OFFERS, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    if media_type == "text/html":  # `edit`: a query to open in the editor, as the examples' links give one
        edited = request.query_params.getlist("edit")
        page = editor_page(edited[0]) if len(edited) == 1 and edited[0].strip() else editor_page()
        return negotiated(page.encode("utf-8"), "text/html")
    endpoint = str(request.url.replace(query="", fragment=""))
    graph = describe(endpoint, state.settings, state.limits, state.graph_names, state.triples,
                     results.MEDIA_TYPES + GRAPH_OFFERS)
    return serialized(graph, media_type)
