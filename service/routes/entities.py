"""Dereferenceable entity IRIs: `/id/...` on whatever host the service runs.

The IRI itself answers (content negotiation at the same IRI, `Vary: Accept`): HTML for people,
Turtle, JSON-LD, N-Triples or RDF/XML for machines. A suffix (`.ttl`, `.jsonld`, `.nt`, `.rdf`,
`.html`) or `format=` names a format outright; JSON-LD comes nested and compacted with the
dataset's context. The works cited and the profile also answer as BibTeX, RIS and CSL-JSON
(`.bib`, `.ris`, `.csl.json`); asked for those, other entities answer 406 with what they offer.
The description holds the entity's statements and the resources linking to it (claims in full,
with their sources), a page of `LINKS_PER_PAGE` linking resources at a time: `?page=N`, announced
by `Link` headers (first/prev/next/last) and, in the data, as a Hydra partial collection view.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path
from string import Template

from fastapi import APIRouter, Request, Response
from rdflib import Graph, URIRef

from ..bibliography import Record, cited_work, write
from ..dataset_description import citation
from ..releases import release_iri
from ..documents import served
from ..json_ld import context
from ..negotiation import BIBLIOGRAPHY_TYPES, SUFFIX_TYPES, NotAcceptable, choose, split_suffix, suffix_of
from ..oxigraph_rdflib import ntriples_graph
from ..parameters import BadParameter, whole_number
from ..results import TSV
from ..store import Query, Store, iri_term
from ..views.citation_map import PROFILE, CitationMap
from ..views.entity import LinkPages, entity_page
from ..views.reference import reference
from ..views.releases import unknown_release
from ..views.responses import alternates, error, negotiated, not_acceptable
from .entity_versions import HISTORY, gone, history, store_of, version_links, version_of

router = APIRouter()
QUERIES = Path(__file__).resolve().parent.parent / "queries"
DESCRIBE = Template((QUERIES / "describe.rq").read_text(encoding="utf-8"))
LINKS = Template((QUERIES / "links.rq").read_text(encoding="utf-8"))
CITATION_MAP = Template((QUERIES / "citation-map.rq").read_text(encoding="utf-8"))
PROFILE_QUERY = Template((QUERIES / "profile.rq").read_text(encoding="utf-8"))
NAMES = Template((QUERIES / "names.rq").read_text(encoding="utf-8"))
LINKS_PER_PAGE = 100
# The kinds whose pages open with a summary and a chronology. A concept's claims (every claim
# "stated", say) or a work's are not its story: their pages list them as they are linked.
PROFILED = ("organisation", "person", "place", "event", "claim")
OFFERS = tuple(SUFFIX_TYPES.values())
RDF_SUFFIXES = {s: t for s, t in SUFFIX_TYPES.items() if s != "html"}


def owned_resources(store: Store, base: str) -> dict[str, tuple[str, ...]]:
    """Each document's hash IRIs (`<…/event/x#time>`, `<…#wikidata-P31-…>`) that have statements,
    as IRIs in the engine's syntax, by the document's IRI: the document describes them, since a
    client looking one up asks for the IRI without its fragment. Found once, at the start."""
    owned: dict[str, list[str]] = {}
    query = (f'SELECT DISTINCT ?owned WHERE {{ ?owned ?p ?o FILTER (isIRI(?owned) && CONTAINS(STR(?owned), "#") '
             f'&& STRSTARTS(STR(?owned), "{base}id/")) }}')
    for row in store.select(query, {}):
        iri = row["owned"]["value"]
        owned.setdefault(iri.split("#", 1)[0], []).append(iri_term(iri))
    return {document: tuple(sorted(iris)) for document, iris in owned.items()}


def _page_number(request: Request) -> int:
    pages = request.query_params.getlist("page")
    if len(pages) > 1:
        raise BadParameter("give 'page' once.")
    return whole_number(pages[0], "page", least=1) if pages else 1


async def _linking(state, term: str, version: str | None) -> list[bytes]:
    """The resources linking to the entity, in order, as IRIs in the engine's syntax (`<…>`). Those
    of an entity with more than a page of them are kept (the data never changes while the service
    runs), as the answer's bytes, the most compact form: each of its other pages needs them again,
    and finding a hub's links is most of a page's cost."""
    body = state.link_lists.get((version, term))
    if body is None:
        query = Query(LINKS.substitute(this=term), TSV, state.prefixes, max_rows=sys.maxsize, sorted_rows=True,
                      store=store_of(state, version))
        body = (await state.pool.answer(query)).body
    rows = body.split(b"\n")[1:-1]  # after the header, before the final line break
    if len(rows) > LINKS_PER_PAGE:
        state.link_lists.keep((version, term), body, len(body))  # a no-op when it is kept already
    return rows


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"])
async def entity(request: Request, path: str) -> Response:
    state = request.app.state
    if path.endswith(HISTORY):
        return await _history(request, path.removesuffix(HISTORY))
    path, suffix = split_suffix(path, {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES})
    formats = [suffix] if suffix else request.query_params.getlist("format")
    iri = state.settings.base + "id/" + path
    try:
        term = iri_term(iri)  # the engine's parser refuses characters an IRI cannot hold
    except ValueError:
        return error(400, f"Bad Request: {path!r} is not a valid IRI path.")
    version = version_of(request)
    if version is not None and version not in state.releases:
        return unknown_release(state.releases, version)
    record = await cited_work(state, iri, version)
    try:
        media_type = choose(request.headers.get("accept"), OFFERS + (tuple(BIBLIOGRAPHY_TYPES.values()) if record else ()),
                            formats)
    except NotAcceptable as problem:
        return not_acceptable(problem)
    if media_type in BIBLIOGRAPHY_TYPES.values():
        document = str(request.url_for("entity", path=path))
        query = f"?version={version}" if version else ""
        links = alternates(document, {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES}, query)
        return negotiated(write(media_type, [record]), media_type,
                          {"Link": ", ".join(links), "Content-Location": f"{document}.{suffix_of(media_type)}{query}"})
    number = _page_number(request)
    return await served(request, ("entity", path, suffix, number, media_type, version),
                        lambda: _describe(request, path, suffix, iri, term, number, media_type, record, version))


async def _history(request: Request, path: str) -> Response:
    state = request.app.state
    iri = state.settings.base + "id/" + path
    try:
        iri_term(iri)
        media_type = choose(request.headers.get("accept"), ("text/html", "application/json"),
                            request.query_params.getlist("format"))
    except ValueError:
        return error(400, f"Bad Request: {path!r} is not a valid IRI path.")
    except NotAcceptable as problem:
        return not_acceptable(problem)
    return await history(request, iri, media_type)


async def _describe(request: Request, path: str, suffix: str | None, iri: str, term: str, number: int,
                    media_type: str, record: Record | None, version: str | None) -> Response:
    """One page of the entity's description in `media_type`, or the error that stands for it. Its
    pages are named as it was asked for (`mnla.jsonld?page=2` after `mnla.jsonld`): a client
    following the Hydra view's links checks that the view is the document it fetched."""
    state = request.app.state
    document = str(request.url_for("entity", path=path))
    if version is None and iri in state.replaced:
        return await gone(request, iri, document, media_type)
    store = store_of(state, version)
    linking = await _linking(state, term, version)
    pages = LinkPages(document, number, len(linking), LINKS_PER_PAGE, f".{suffix}" if suffix else "", version)
    if number > pages.last:
        return error(404, f"Not Found: the description of <{iri}> has {pages.last} page(s); there is no page {number}.")
    engine_type = "application/n-triples" if media_type == "text/html" else media_type
    shown = linking[(number - 1) * LINKS_PER_PAGE:number * LINKS_PER_PAGE]
    owned = (state.release_owned[version] if version else state.owned).get(iri, ())
    text = DESCRIBE.substitute(this=term, linking=b" ".join(shown).decode("utf-8"), owned=" ".join(owned))
    answer = await state.pool.answer(Query(text, engine_type, state.prefixes, bindings=pages.bindings(),
                                           json_ld_context=context(state.settings.base), store=store))
    if not answer.body.strip() or answer.body.strip() in (b"[]", b"{}"):
        return await _absent(request, iri, document, media_type, version)
    query = pages.query(number)
    links = alternates(document, RDF_SUFFIXES, query)
    links += alternates(document, BIBLIOGRAPHY_TYPES, f"?version={version}" if version else "") if record else []
    links += [f'<{url}>; rel="{rel}"' for rel, url in pages.neighbours().items()]
    links += version_links(state, document, version)
    headers = {"Link": ", ".join(links), "Content-Location": f"{document}.{suffix_of(media_type)}{query}"}
    if media_type != "text/html":
        return negotiated(answer.body, media_type, headers)
    graph = ntriples_graph(answer.body, state.prefixes)
    if (URIRef(iri), None, None) not in graph and not owned:
        return await _absent(request, iri, document, media_type, version)
    citation_map = await _citation_map(state, str(request.base_url), store) if iri == state.settings.base + PROFILE and number == 1 else ""
    profile = await _profile(state, term, store) if number == 1 and path.split("/", 1)[0] in PROFILED else None
    notice = (f'This is the description as of release <a href="{request.base_url}release/{version}">{version}</a> of '
              f'{state.releases[version].record.date}; <a href="{escape(document)}">the current description</a>.'
              if version else "")
    page = entity_page(graph, URIRef(iri), state.settings.base, str(request.base_url), pages, exports=record is not None,
                       citation_map=citation_map, profile=profile, reference=reference(record) if record else "",
                       notice=notice, citation=citation(version, state.releases[version].record.date,
                                                        release_iri(state.settings.base, version)) if version else None)
    return negotiated(page.encode("utf-8"), media_type, headers)


async def _absent(request: Request, iri: str, document: str, media_type: str, version: str | None) -> Response:
    """No description of `iri`: in a release, a 404; now, a 410 if a release described it, else a 404."""
    if version is not None:
        return error(404, f"Not Found: no entity <{iri}> in release {version}.")
    return await gone(request, iri, document, media_type) or error(404, f"Not Found: no entity <{iri}> in this dataset.")


async def _citation_map(state, root: str, store: str | None) -> str:
    """The profile's citation map (its parts, their citations and the claims taken from each)."""
    base = state.settings.base
    text = CITATION_MAP.substitute(profile=iri_term(base + PROFILE))
    answer = await state.pool.answer(Query(text, "application/n-triples", state.prefixes, store=store))
    graph = ntriples_graph(answer.body)
    return CitationMap(graph, base, root).html()


async def _profile(state, term: str, store: str | None) -> Graph:
    """What the summary and chronology of an entity's page are made from: every claim about it,
    then the names, dates and coordinates of everything these mention."""
    answer = await state.pool.answer(Query(PROFILE_QUERY.substitute(this=term), "application/n-triples", state.prefixes,
                                           max_rows=sys.maxsize, store=store))
    graph = ntriples_graph(answer.body)
    named = sorted({iri_term(str(t)) for triple in graph for t in triple if isinstance(t, URIRef)})
    names = await state.pool.answer(Query(NAMES.substitute(named=" ".join(named)), "application/n-triples",
                                          state.prefixes, max_rows=sys.maxsize, store=store))
    return ntriples_graph(names.body, graph=graph)
