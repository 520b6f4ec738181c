"""The ontology and the shapes, published: `/ontology` (its IRI; terms are `/ontology#Term`) and `/shapes`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from rdflib import URIRef

from ..negotiation import SUFFIX_TYPES
from ..oxigraph_rdflib import ntriples_graph
from ..store import Query
from ..validation import load_shapes
from ..views.ontology import ontology_page
from ..views.responses import RDFLIB_FORMATS, document_type, negotiated, serialized

router = APIRouter()
SUFFIXES = {**SUFFIX_TYPES, "owl": "application/rdf+xml"}
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"


@router.api_route("/ontology", methods=["GET", "HEAD"])
@router.api_route("/ontology.{suffix}", methods=["GET", "HEAD"])
async def ontology(request: Request, suffix: str | None = None) -> Response:
    state = request.app.state
    media_type = document_type(request, "the ontology", suffix, SUFFIXES, ("text/html", *RDFLIB_FORMATS))
    if isinstance(media_type, Response):
        return media_type
    graph_iri = state.settings.graph_iri("ontology")
    query = Query(EVERYTHING, "application/n-triples", state.prefixes, default_graphs=(graph_iri,))
    graph = ntriples_graph((await state.pool.answer(query)).body, state.prefixes)
    if media_type == "text/html":
        base = state.settings.base
        page = ontology_page(graph, URIRef(base + "ontology"), state.settings.ontology_namespace, str(request.base_url))
        return negotiated(page.encode("utf-8"), media_type)
    return serialized(graph, media_type)


@router.api_route("/shapes", methods=["GET", "HEAD"])
async def shapes(request: Request) -> Response:
    state = request.app.state
    media_type = document_type(request, "/shapes", None, {}, tuple(RDFLIB_FORMATS))
    if isinstance(media_type, Response):
        return media_type
    graph = load_shapes(state.settings.shapes_dir, state.settings.base)
    return serialized(graph, media_type)
