"""`/sources`: the profile and the 26 works it cites, as references for people and as files for
reference managers.

By `Accept`, `format=` or suffix: an HTML list of formatted references (each linked to the work's
page, which lists what cites it), BibTeX (`.bib`), RIS (`.ris`), CSL-JSON (`.csl.json`), or the
works' own RDF (`.ttl`, `.jsonld`, `.nt`, `.rdf`), with their authors, containers and publishers.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request, Response

from ..bibliography import WORKS, WRITERS, Record, cited_works, write
from ..json_ld import context
from ..negotiation import BIBLIOGRAPHY_TYPES, SUFFIX_TYPES, suffix_of
from ..store import Query
from ..views.reference import reference
from ..views.shell import html_page
from ..views.responses import RDFLIB_FORMATS, alternates, document_type, format_links, negotiated

router = APIRouter()
SUFFIXES = {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES}
OFFERS = ("text/html", *BIBLIOGRAPHY_TYPES.values(), *RDFLIB_FORMATS)
def _page(request: Request, works: list[Record]) -> str:
    root, base = str(request.base_url), request.app.state.settings.base

    def entry(record: Record) -> str:
        page = root + record.iri[len(base):] if record.iri.startswith(base) else record.iri
        files = format_links(lambda suffix: f"{page}.{suffix}", tuple(BIBLIOGRAPHY_TYPES.values()))
        return (f'<li id="{escape(record.key)}"{f" value={record.number}" if record.number else ""}>{reference(record)}'
                f'<br><span class="links"><a href="{escape(page)}">what cites it, and where</a> · {files}</span></li>')

    profile = [r for r in works if r.number is None]
    cited = [r for r in works if r.number is not None]
    downloads = format_links(lambda suffix: f"{root}sources.{suffix}", (*BIBLIOGRAPHY_TYPES.values(), *RDFLIB_FORMATS))
    head = "".join(f'<link rel="alternate" type="{t}" href="{escape(root)}sources.{s}">' for s, t in SUFFIXES.items() if s != "html")
    main = f"""<h1>Sources</h1>
<p>The research profile this dataset models and the {len(cited)} works it cites. Each work's page lists the
claims, events and notes that cite it, with the pages given for it.</p>
<p>All of them as a file: {downloads}.</p>
<h2>The profile</h2>
<ul class="references">{"".join(entry(r) for r in profile)}</ul>
<h2>Works cited</h2>
<ol class="references">{"".join(entry(r) for r in cited)}</ol>
"""
    return html_page(root, "Sources", main, head=head, current="sources")


@router.api_route("/sources", methods=["GET", "HEAD"])
@router.api_route("/sources.{suffix}", methods=["GET", "HEAD"])
async def sources(request: Request, suffix: str | None = None) -> Response:
    state = request.app.state
    media_type = document_type(request, "/sources", suffix, SUFFIXES, OFFERS)
    if isinstance(media_type, Response):
        return media_type
    document = f"{request.base_url}sources"
    headers = {"Link": ", ".join(alternates(document, SUFFIXES)),
               "Content-Location": f"{document}.{suffix_of(media_type)}"}
    works = list((await cited_works(state)).values())
    if media_type in WRITERS:
        return negotiated(write(media_type, works), media_type, headers)
    if media_type == "text/html":
        return negotiated(_page(request, works).encode("utf-8"), media_type, headers)
    answer = await state.pool.answer(Query(WORKS, media_type, state.prefixes, json_ld_context=context(state.settings.base)))
    return negotiated(answer.body, media_type, headers)
