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
from ..views.responses import RDFLIB_FORMATS, alternates, document_type, negotiated

router = APIRouter()
SUFFIXES = {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES}
OFFERS = ("text/html", *BIBLIOGRAPHY_TYPES.values(), *RDFLIB_FORMATS)
NAMES = {"bib": "BibTeX", "ris": "RIS", "csl.json": "CSL-JSON", "ttl": "Turtle", "jsonld": "JSON-LD",
         "nt": "N-Triples", "rdf": "RDF/XML"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _names(record: Record) -> str:
    names = [a.inverted for a in record.authors]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def reference(record: Record) -> str:
    """One reference as HTML, in an author–date style: who, when, what, where, which pages, at what address."""
    quoted = record.kind.bibtex != "book"
    title = f"‘{escape(record.title)}’" if quoted else f"<i>{escape(record.title)}</i>"
    parts = [f"{escape(_names(record))} ({record.year or 'n.d.'}) {title}" if record.authors
             else f"{title} ({record.year or 'n.d.'})"]
    if record.container:
        parts.append(("in " if record.kind.bibtex == "incollection" else "") + f"<i>{escape(record.container)}</i>")
    if record.volume:
        parts.append(escape(record.volume) + (f"({escape(record.issue)})" if record.issue else ""))
    if record.pages:
        parts.append("pp. " + escape(record.pages.replace("-", "–")))
    if len(record.date_parts) == 3:
        parts.append(f"{record.date_parts[2]} {MONTHS[record.date_parts[1] - 1]}")
    text = ", ".join(parts) + "."
    if record.publisher and record.publisher not in (record.container, *(a.name for a in record.authors)):
        text += f" {escape(record.publisher)}."
    if record.url:
        text += f' Available at: <a href="{escape(record.url)}">{escape(record.url)}</a>.'
    return text


def _page(request: Request, works: list[Record]) -> str:
    root, base = str(request.base_url), request.app.state.settings.base

    def entry(record: Record) -> str:
        page = root + record.iri[len(base):] if record.iri.startswith(base) else record.iri
        files = " · ".join(f'<a href="{escape(page)}.{s}">{NAMES[s]}</a>' for s in BIBLIOGRAPHY_TYPES)
        return (f'<li id="{escape(record.key)}"{f" value={record.number}" if record.number else ""}>{reference(record)}'
                f'<br><span class="links"><a href="{escape(page)}">what cites it, and where</a> · {files}</span></li>')

    profile = [r for r in works if r.number is None]
    cited = [r for r in works if r.number is not None]
    downloads = " · ".join(f'<a href="{escape(root)}sources.{s}">{name}</a>' for s, name in NAMES.items())
    head = "".join(f'<link rel="alternate" type="{t}" href="{escape(root)}sources.{s}">' for s, t in SUFFIXES.items() if s != "html")
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sources — conflict-ld</title><link rel="icon" href="data:,">
{head}
<style>body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.45; }}
li {{ margin: .5rem 0; }} .links {{ font-size: .9em; color: #555; }}</style>
</head>
<body>
<nav><a href="{escape(root)}">conflict-ld</a> · <a href="{escape(root)}sparql">SPARQL</a> · <a href="{escape(root)}works">works</a></nav>
<h1>Sources</h1>
<p>The research profile this dataset models and the {len(cited)} works it cites. Each work's page lists the
claims, events and notes that cite it, with the pages given for it.</p>
<p>All of them as a file: {downloads}.</p>
<h2>The profile</h2>
<ul>{"".join(entry(r) for r in profile)}</ul>
<h2>Works cited</h2>
<ol>{"".join(entry(r) for r in cited)}</ol>
</body>
</html>
"""


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
