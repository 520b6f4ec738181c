"""Releases for harvesters and people: the index, each release, the changes between two releases
(RDF Patch, JSON or a page) and the Atom feed of releases.

The changes are computed from the two releases' checked N-Quads dumps, in a thread, and the last
few pairs are kept: between consecutive releases they are exactly the patch kept in `releases/`.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..bibliography import write
from ..changes import Summary, summarise
from ..dataset_description import citation, describe_release, new_graph, reference
from ..dumps import quad_lines
from ..json_ld import Compactor, context
from ..negotiation import BIBLIOGRAPHY_TYPES, SUFFIX_TYPES, NotAcceptable, choose, split_suffix
from ..rdf_patch import MEDIA_TYPE as PATCH, SUFFIX, Patch, difference
from ..release_archive import Published
from ..releases import release_iri
from ..views import change_feed
from ..views import releases as pages
from ..views.responses import RDFLIB_FORMATS, document_type, error, negotiated, not_acceptable, serialized
from ..views.shell import html_page
from .indexes import local_url

router = APIRouter()
KEPT_CHANGES = 8  # pairs of releases whose patch and summary are kept
CHANGE_TYPES = {SUFFIX: PATCH, "json": "application/json", "html": "text/html"}
RELEASE_TYPES = {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES, "json": "application/json"}
RELEASE_OFFERS = ("text/html", "application/json", *RDFLIB_FORMATS, *BIBLIOGRAPHY_TYPES.values())
PAGE_TYPES = ("text/html", "application/json")


def _record_json(root: str, published: Published) -> dict:
    record = published.record
    return {"version": record.version, "date": record.date, "notes": record.notes, "previous": record.previous,
            "quads": record.quads, "sha256": record.sha256, "id": record.id, "page": f"{root}release/{record.version}",
            "dumps": f"{root}dumps/{record.version}/",
            "changes": f"{root}changes/{record.previous}/{record.version}" if record.previous else None}


def _listed(request: Request) -> list[Published]:
    return list(request.app.state.releases.values())


@router.api_route("/releases", methods=["GET", "HEAD"])
async def release_index(request: Request) -> Response:
    state, root = request.app.state, str(request.base_url)
    if state.release_problem:
        return _unavailable(state.release_problem)
    try:
        media_type = choose(request.headers.get("accept"), PAGE_TYPES, request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    listed = _listed(request)
    if media_type == "application/json":
        newest = listed[-1].record.version if listed else None
        body = {"current": {"release": state.current_release, "unreleased": state.current_release is None,
                            "newest": newest, "says": pages.state_of_the_data(state.current_release, newest)},
                "releases": [_record_json(root, published) for published in reversed(listed)]}
        return negotiated(json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"), media_type)
    main = pages.index(root, listed, state.current_release)
    page = html_page(root, "Releases", main, head=f'<link rel="alternate" type="{change_feed.MEDIA_TYPE}" '
                                                    f'href="{root}changes.atom" title="Releases">')
    return negotiated(page.encode("utf-8"), media_type)


@router.api_route("/release/{version}", methods=["GET", "HEAD"])
async def release_page(request: Request, version: str) -> Response:
    """A release: a page, its record as JSON, its DCAT description (the RDF syntaxes) or a reference to
    cite it by (BibTeX, RIS, CSL-JSON)."""
    state, root = request.app.state, str(request.base_url)
    version, suffix = split_suffix(version, RELEASE_TYPES)
    if version not in state.releases:
        return pages.unknown_release(state.releases, version)
    media_type = document_type(request, f"release/{version}", suffix, RELEASE_TYPES, RELEASE_OFFERS)
    if isinstance(media_type, Response):
        return media_type
    published = state.releases[version]
    versions = list(state.releases)
    later = versions[versions.index(version) + 1] if version != versions[-1] else None
    if media_type == "application/json":
        body = {**_record_json(root, published), "next": later}
        return negotiated(json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"), media_type)
    if media_type in BIBLIOGRAPHY_TYPES.values():
        return negotiated(write(media_type, [reference(state.settings, published)]), media_type)
    if media_type != "text/html":
        graph = new_graph(state.settings)
        describe_release(graph, state.settings, root, published)
        return serialized(graph, media_type)
    record = published.record
    page = html_page(root, f"Release {version}", pages.release(root, published, later),
                     citation=citation(version, record.date, release_iri(state.settings.base, version)))
    return negotiated(page.encode("utf-8"), media_type)


def _unavailable(problem: str) -> Response:
    """The releases could not be rebuilt at start-up (the log says why): a fault of the service's
    files, which the operator must mend; the current data is served meanwhile."""
    return error(503, f"Service Unavailable: the releases cannot be served: {problem}")


def _compute(older: Published, newer: Published, base: str) -> tuple[Patch, Summary]:
    old, new = quad_lines(older.dumps), quad_lines(newer.dumps)
    return difference(old, new, newer.record.id, older.record.id), summarise(old, new, base)


async def changes_between(state, older: str, newer: str) -> tuple[Patch, Summary]:
    """The patch and summary from release `older` to `newer`, computed in a thread or kept."""
    kept = state.release_changes
    if (older, newer) not in kept:
        kept[(older, newer)] = await run_in_threadpool(_compute, state.releases[older], state.releases[newer],
                                                       state.settings.base)
        if len(kept) > KEPT_CHANGES:
            kept.pop(next(iter(kept)))
    return kept[(older, newer)]


@router.api_route("/changes/{older}/{newer}", methods=["GET", "HEAD"])
async def changes(request: Request, older: str, newer: str) -> Response:
    state, root = request.app.state, str(request.base_url)
    newer, suffix = split_suffix(newer, CHANGE_TYPES)
    for version in (older, newer):
        if version not in state.releases:
            return pages.unknown_release(request.app.state.releases, version)
    versions = list(state.releases)
    if versions.index(older) >= versions.index(newer):
        return error(404, f"Not Found: the changes go from an older release to a newer one; {older} does not "
                          f"come before {newer}.")
    media_type = document_type(request, f"changes/{older}/{newer}", suffix, CHANGE_TYPES,
                               ("text/html", "application/json", PATCH))
    if isinstance(media_type, Response):
        return media_type
    patch, summary = await changes_between(state, older, newer)
    if media_type == PATCH:
        return negotiated(patch.text().encode("utf-8"), PATCH, {"Content-Type": f"{PATCH}; charset=utf-8"})
    if media_type == "application/json":
        body = {"from": older, "to": newer, "patch": f"{root}changes/{older}/{newer}.{SUFFIX}", **summary.as_json()}
        return negotiated(json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"), media_type)
    main = pages.changes(root, older, newer, summary, Compactor(context(state.settings.base)).iri,
                         lambda iri: local_url(request, iri))
    return negotiated(html_page(root, f"Changes from {older} to {newer}", main).encode("utf-8"), media_type)


@router.api_route("/changes.atom", methods=["GET", "HEAD"])
async def feed(request: Request) -> Response:
    state = request.app.state
    if state.release_problem:
        return _unavailable(state.release_problem)
    body = change_feed.feed(str(request.base_url), f"{state.settings.base}changes", _listed(request))
    return negotiated(body, change_feed.MEDIA_TYPE, {"Content-Type": f"{change_feed.MEDIA_TYPE}; charset=utf-8",
                                                     "Cache-Control": "no-cache"})
