"""Index pages: every organisation, person, place, work and concept (the events: routes/events.py)."""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request, Response

from ..bibliography import cited_works
from ..documents import served
from ..namespaces import local_words
from ..negotiation import NotAcceptable, choose
from ..store import Query
from ..views.reference import reference
from ..views.responses import error, negotiated, not_acceptable
from ..views.shell import html_page

router = APIRouter()

LISTED = """SELECT ?item ?label ?french ?kind ?type ?root WHERE {
  ?item a ?type . ?type rdfs:subClassOf* ?root .
  FILTER (STRSTARTS(STR(?item), STR(%(namespace)s)))
  OPTIONAL { ?item rdfs:label|skos:prefLabel ?label . FILTER (LANG(?label) = "en") }
  OPTIONAL { ?item rdfs:label|skos:prefLabel ?french . FILTER (LANG(?french) = "fr") }
  OPTIONAL { ?type rdfs:label ?kind . FILTER (LANG(?kind) = "en") }
} ORDER BY LCASE(STR(?label)) ?item"""

# path: (title, root class, IRI namespace under id/)
INDEXES = {
    "organisations": ("Organisations", "org:Organization", "grp:"),
    "people": ("People", "foaf:Person", "per:"),
    "places": ("Places", "schema:Place", "plc:"),
    "works": ("Works cited", "bibo:Document", "wrk:"),
    "concepts": ("Concepts", "skos:Concept", "STR(id:)"),
}


async def listed_rows(request: Request, text: str, root: str | None = None) -> list[dict]:
    state = request.app.state
    bindings = {"root": state.prefixes[root.split(":")[0]] + root.split(":")[1]} if root else {}
    query = Query(text, "application/sparql-results+json", {**state.prefixes, "id": state.settings.base + "id/"},
                  bindings=bindings)
    return json.loads((await state.pool.answer(query)).body)["results"]["bindings"]


def merged(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """One entry per item: the first value of each field, the kinds joined."""
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(row["item"]["value"], {"item": row["item"]["value"], "kinds": set()})
        for field in fields:
            if field in row and field not in entry:
                entry[field] = row[field]["value"]
        if "kind" in row or "type" in row:  # a class without an English label is named by its local name
            entry["kinds"].add(row["kind"]["value"] if "kind" in row else local_words(row["type"]["value"]))
    return list(merged.values())


def _page(request: Request, title: str, body: str) -> Response:
    current = request.url.path.rsplit("/", 1)[-1]
    html = html_page(str(request.base_url), title, f"<h1>{escape(title)}</h1>\n{body}", current=current)
    return negotiated(html.encode("utf-8"), "text/html")


def local_url(request: Request, iri: str) -> str:
    base = request.app.state.settings.base
    return str(request.base_url) + iri[len(base):] if iri.startswith(base) else iri


def negotiate(request: Request):
    return choose(request.headers.get("accept"), ("text/html", "application/json"), request.query_params.getlist("format"))


async def _listing(request: Request, query: str, fields: tuple[str, ...], root: str | None,
                   title: str, render) -> Response:
    """One list, as JSON for scripts or as a page whose items `render` writes."""
    try:
        media_type = negotiate(request)
    except NotAcceptable as problem:
        return not_acceptable(problem)

    async def listing() -> Response:
        entries = merged(await listed_rows(request, query, root), fields)
        if media_type == "application/json":
            return negotiated(json.dumps([{**e, "kinds": sorted(e["kinds"])} for e in entries]).encode(), media_type)
        return _page(request, title, render(entries))

    return await served(request, ("index", request.url.path, media_type), listing)


@router.api_route("/{index}", methods=["GET", "HEAD"])
async def index(request: Request, index: str) -> Response:
    if index not in INDEXES:
        return error(404, f"Not Found: no page {index!r}.")
    title, root, namespace = INDEXES[index]

    records = await cited_works(request.app.state) if index == "works" else {}

    def render(entries):
        def entry(e):
            link = f'<a href="{escape(local_url(request, e["item"]))}">{escape(e.get("label", e["item"]))}</a>'
            kinds = f' <span class="kind">{escape(", ".join(sorted(e["kinds"])))}</span>' if e["kinds"] else ""
            record = records.get(e["item"])
            if record is not None:  # a work: its reference, title and all
                return f"<li>{link}{kinds}<br>{reference(record)}</li>"
            french = e.get("french")
            other = f' <span class="lang" lang="fr">{escape(french)}</span>' if french and french != e.get("label") else ""
            return f"<li>{link}{other}{kinds}</li>"

        return f"<p>{len(entries)} entries.</p><ul class='index'>{''.join(entry(e) for e in entries)}</ul>"

    query = LISTED % {"namespace": namespace if namespace.startswith("STR") else f"STR({namespace})"}
    return await _listing(request, query, ("label", "french"), root, title, render)
