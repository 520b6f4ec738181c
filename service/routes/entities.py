"""Dereferenceable entity IRIs: `/id/...` on whatever host the service runs.

The IRI itself answers (content negotiation at the same IRI, `Vary: Accept`): HTML for people,
Turtle, JSON-LD, N-Triples or RDF/XML for machines. A suffix (`.ttl`, `.jsonld`, `.nt`, `.rdf`,
`.html`) or `format=` names a format outright. The description holds the entity's statements,
the statements pointing at it, and the claims about it with their sources.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from rdflib import Graph, URIRef

from ..negotiation import SUFFIX_TYPES, NotAcceptable, choose, suffix_of
from ..store import Query
from ..views.entity import entity_page
from ..views.responses import error, negotiated, not_acceptable

router = APIRouter()
DESCRIBE = (Path(__file__).resolve().parent.parent / "queries" / "describe.rq").read_text(encoding="utf-8")
OFFERS = tuple(SUFFIX_TYPES.values())


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"])
async def entity(request: Request, path: str) -> Response:
    state = request.app.state
    stem, _, suffix = path.rpartition(".")
    formats = request.query_params.getlist("format")
    if stem and suffix in SUFFIX_TYPES and "/" not in suffix:
        path, formats = stem, [suffix]
    try:
        media_type = choose(request.headers.get("accept"), OFFERS, formats)
    except NotAcceptable as problem:
        return not_acceptable(problem)
    iri = state.settings.base + "id/" + path
    try:
        URIRef(iri)  # rdflib refuses characters an IRI cannot hold
    except ValueError:
        return error(400, f"Bad Request: {path!r} is not a valid IRI path.")
    engine_type = "application/n-triples" if media_type == "text/html" else media_type
    answer = await state.pool.answer(Query(DESCRIBE, engine_type, state.prefixes, bindings={"this": iri}))
    if not answer.body.strip() or answer.body.strip() in (b"[]", b"{}"):
        return error(404, f"Not Found: no entity <{iri}> in this dataset.")
    document = str(request.url_for("entity", path=path))
    links = ", ".join(f'<{document}.{s}>; rel="alternate"; type="{t}"' for s, t in SUFFIX_TYPES.items() if s != "html")
    headers = {"Link": links, "Content-Location": f"{document}.{suffix_of(media_type)}"}
    if media_type != "text/html":
        return negotiated(answer.body, media_type, headers)
    graph = Graph()
    for prefix, namespace in state.prefixes.items():
        graph.bind(prefix, namespace)
    graph.parse(data=answer.body.decode("utf-8"), format="nt")
    if (URIRef(iri), None, None) not in graph:
        return error(404, f"Not Found: no entity <{iri}> in this dataset.")
    page = entity_page(graph, URIRef(iri), state.settings.base, str(request.base_url), document)
    return negotiated(page.encode("utf-8"), media_type, headers)

