"""Entities over time: an entity's description as of a release (`?version=`), the links between its
versions, its history, and what an IRI the data no longer describes answers (410 Gone).

Versions are the releases (see `releases`). The links follow RFC 5829: `predecessor-version` and
`successor-version` name the neighbouring releases' descriptions, `latest-version` the current one,
`version-history` the history page. An IRI removed from the data answers 410 with its last release
linked; where the data says what replaced it (`<old> dcterms:isReplacedBy <new>`, and nothing else
about it), the answer says so too.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import Request, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from ..parameters import BadParameter
from ..results import JSON
from ..store import Query, iri_term
from ..json_ld import Compactor, context
from ..views.responses import RDFLIB_FORMATS, error, negotiated
from ..views.shell import html_page
from .indexes import local_url
from .releases import changes_between

HISTORY = "/history"  # an entity's document followed by this is its history page
# the data's own tombstones: IRIs whose one statement says what replaced them
REPLACED = (f"SELECT ?old ?new WHERE {{ ?old <{DCTERMS.isReplacedBy}> ?new "
            f"FILTER NOT EXISTS {{ ?old ?p ?o FILTER (?p != <{DCTERMS.isReplacedBy}>) }} }}")


def version_of(request: Request) -> str | None:
    """The release asked for with `version=`, or None for the data served now."""
    versions = request.query_params.getlist("version")
    if len(versions) > 1:
        raise BadParameter("give 'version' once.")
    return versions[0] if versions else None


def store_of(state, version: str | None) -> str | None:
    return str(state.releases[version].store) if version else None


def version_links(state, document: str, version: str | None) -> list[str]:
    """`Link` header values to the entity's other versions and its history."""
    versions = list(state.releases)
    links = [f'<{document}{HISTORY}>; rel="version-history"']
    if version is None:
        newest = state.current_release
        before = versions[:versions.index(newest)] if newest else versions
        if before:
            links.append(f'<{document}?version={before[-1]}>; rel="predecessor-version"')
        return links
    at = versions.index(version)
    if at > 0:
        links.append(f'<{document}?version={versions[at - 1]}>; rel="predecessor-version"')
    if at + 1 < len(versions):
        links.append(f'<{document}?version={versions[at + 1]}>; rel="successor-version"')
    return links + [f'<{document}>; rel="latest-version"']


async def _described_in(state, iri: str) -> list[str]:
    """The releases that describe `iri` (as a subject, more than by a tombstone), oldest first."""
    held = []
    asked = f"ASK {{ {iri_term(iri)} ?p ?o FILTER (?p != <{DCTERMS.isReplacedBy}>) }}"
    for version in state.releases:
        answer = await state.pool.answer(Query(asked, JSON, store=store_of(state, version)))
        if json.loads(answer.body)["boolean"]:
            held.append(version)
    return held


async def gone(request: Request, iri: str, document: str, media_type: str) -> Response | None:
    """The 410 for an IRI the data served now does not describe but a release did, or that the data
    says was replaced; None when neither holds (a plain 404, then)."""
    state = request.app.state
    replaced_by = state.replaced.get(iri, ())
    held = await _described_in(state, iri)
    if not held and not replaced_by:
        return None
    last = f"{document}?version={held[-1]}" if held else None
    links = [f'<{document}{HISTORY}>; rel="version-history"']
    links += [f'<{last}>; rel="predecessor-version"'] if last else []
    links += [f'<{new}>; rel="{DCTERMS.isReplacedBy}"' for new in replaced_by]
    headers = {"Link": ", ".join(links)}
    if media_type == "text/html":
        said = [f"<p>The data no longer describes <code>{escape(iri)}</code>.</p>"]
        if last:
            said.append(f'<p>Its last description is in <a href="{escape(last)}">release {held[-1]}</a> '
                        f'(<a href="{escape(document + HISTORY)}">its history</a>).</p>')
        for new in replaced_by:
            said.append(f'<p>It was replaced by <a href="{escape(local_url(request, new))}">{escape(new)}</a>.</p>')
        page = html_page(str(request.base_url), "Gone", "<h1>Gone</h1>\n" + "\n".join(said))
        return _gone(negotiated(page.encode("utf-8"), media_type, headers))
    graph = Graph()
    graph.bind("dcterms", DCTERMS)
    for new in replaced_by:
        graph.add((URIRef(iri), DCTERMS.isReplacedBy, URIRef(new)))
    if last:
        graph.add((URIRef(iri), RDFS.seeAlso, URIRef(last)))
        graph.add((URIRef(iri), RDFS.comment, Literal(f"No longer described; last described in release {held[-1]}.", lang="en")))
    return _gone(negotiated(graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8"), media_type, headers))


def _gone(response: Response) -> Response:
    response.status_code = 410
    return response


async def history(request: Request, iri: str, media_type: str) -> Response:
    """The releases in which the entity changed, with the change: first described, the properties
    whose statements changed, or removed. HTML or JSON."""
    state = request.app.state
    held = set(await _described_in(state, iri))
    document = local_url(request, iri)
    steps = []
    versions = list(state.releases)
    for at, version in enumerate(versions):
        if at == 0:
            if version in held:
                steps.append({"release": version, "change": "described"})
            continue
        _, summary = await changes_between(state, versions[at - 1], version)
        entity = iri.partition("#")[0]
        if entity in summary.entities_added:
            steps.append({"release": version, "change": "described"})
        elif entity in summary.entities_removed:
            steps.append({"release": version, "change": "removed"})
        elif entity in summary.entities_changed:
            steps.append({"release": version, "change": "changed", "properties": list(summary.entities_changed[entity])})
    if not steps and iri not in state.replaced:
        return error(404, f"Not Found: no release describes <{iri}>.")
    if media_type == "application/json":
        body = {"entity": iri, "releases": [{**step, "description": f"{document}?version={step['release']}"}
                                            for step in steps]}
        return negotiated(json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8"), media_type)
    short = Compactor(context(state.settings.base)).iri
    title = state.search.labels.get(iri) or short(iri)  # the name the data gives it now, if any
    rows = "\n".join(
        f'<tr><td class="term"><a href="{escape(document)}?version={step["release"]}">{step["release"]}</a></td>'
        f'<td class="term">{state.releases[step["release"]].record.date}</td><td>{step["change"]}'
        + (": " + ", ".join(escape(short(p)) for p in step.get("properties", ())) if step.get("properties") else "")
        + "</td></tr>" for step in reversed(steps))
    main = f"""<h1>History of <a href="{escape(document)}">{escape(title)}</a></h1>
<p>The releases in which its description changed, newest first (<a href="{str(request.base_url)}releases">all releases</a>).</p>
<div class="scroll"><table><thead><tr><th>release</th><th>date</th><th>change</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
"""
    page = html_page(str(request.base_url), f"History of {title}", main)
    return negotiated(page.encode("utf-8"), media_type)
