"""Index pages: every organisation, person, place, work and concept, and the events as a timeline."""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request, Response

from ..documents import served
from ..negotiation import NotAcceptable, choose
from ..store import Query
from ..views.responses import error, negotiated, not_acceptable

router = APIRouter()

LISTED = """SELECT ?item ?label ?french ?kind ?root WHERE {
  ?item a ?type . ?type rdfs:subClassOf* ?root .
  FILTER (STRSTARTS(STR(?item), STR(%(namespace)s)))
  OPTIONAL { ?item rdfs:label|skos:prefLabel ?label . FILTER (LANG(?label) = "en") }
  OPTIONAL { ?item rdfs:label|skos:prefLabel ?french . FILTER (LANG(?french) = "fr") }
  OPTIONAL { ?type rdfs:label ?kind . FILTER (LANG(?kind) = "en") }
} ORDER BY LCASE(STR(?label)) ?item"""

TIMELINE = """SELECT ?item ?label ?when ?place ?kind WHERE {
  ?item a ?type . ?type rdfs:subClassOf* cao:Event .
  OPTIONAL { ?item rdfs:label ?label . FILTER (LANG(?label) = "en") }
  OPTIONAL { ?item cao:date|cao:start ?when }
  OPTIONAL { ?item cao:place/rdfs:label ?place . FILTER (LANG(?place) = "en") }
  OPTIONAL { ?type rdfs:label ?kind . FILTER (LANG(?kind) = "en") }
} ORDER BY (!BOUND(?when)) STR(?when) ?label"""

# path: (title, root class, IRI namespace under id/)
INDEXES = {
    "organisations": ("Organisations", "org:Organization", "grp:"),
    "people": ("People", "foaf:Person", "per:"),
    "places": ("Places", "schema:Place", "plc:"),
    "works": ("Works cited", "bibo:Document", "wrk:"),
    "concepts": ("Concepts", "skos:Concept", "STR(id:)"),
}


async def _rows(request: Request, text: str, root: str | None = None) -> list[dict]:
    state = request.app.state
    bindings = {"root": state.prefixes[root.split(":")[0]] + root.split(":")[1]} if root else {}
    query = Query(text, "application/sparql-results+json", {**state.prefixes, "id": state.settings.base + "id/"},
                  bindings=bindings)
    return json.loads((await state.pool.answer(query)).body)["results"]["bindings"]


def _merge(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """One entry per item: the first value of each field, the kinds joined."""
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(row["item"]["value"], {"item": row["item"]["value"], "kinds": set()})
        for field in fields:
            if field in row and field not in entry:
                entry[field] = row[field]["value"]
        if "kind" in row:
            entry["kinds"].add(row["kind"]["value"])
    return list(merged.values())


def _page(request: Request, title: str, body: str) -> Response:
    root = str(request.base_url)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — conflict-ld</title><link rel="icon" href="data:,">
<style>body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.4; }}
.kind, .fr {{ color: #666; font-size: .9em; }} li {{ margin: .2rem 0; }}</style></head>
<body><nav><a href="{escape(root)}">conflict-ld</a> · <a href="{escape(root)}sparql">SPARQL</a></nav>
<h1>{escape(title)}</h1>
{body}
</body></html>
"""
    return negotiated(html.encode("utf-8"), "text/html")


def _local(request: Request, iri: str) -> str:
    base = request.app.state.settings.base
    return str(request.base_url) + iri[len(base):] if iri.startswith(base) else iri


def _negotiate(request: Request):
    return choose(request.headers.get("accept"), ("text/html", "application/json"), request.query_params.getlist("format"))


async def _listing(request: Request, query: str, fields: tuple[str, ...], root: str | None,
                   title: str, render) -> Response:
    """One list, as JSON for scripts or as a page whose items `render` writes."""
    try:
        media_type = _negotiate(request)
    except NotAcceptable as problem:
        return not_acceptable(problem)

    async def listing() -> Response:
        entries = _merge(await _rows(request, query, root), fields)
        if media_type == "application/json":
            return negotiated(json.dumps([{**e, "kinds": sorted(e["kinds"])} for e in entries]).encode(), media_type)
        return _page(request, title, render(entries))

    return await served(request, ("index", request.url.path, media_type), listing)


@router.api_route("/events", methods=["GET", "HEAD"])
async def timeline(request: Request) -> Response:
    def render(entries):
        items = "".join(
            f'<li><time>{escape(e.get("when", "undated"))}</time> — <a href="{escape(_local(request, e["item"]))}">'
            f'{escape(e.get("label", e["item"]))}</a>{" · " + escape(e["place"]) if "place" in e else ""} '
            f'<span class="kind">({escape(", ".join(sorted(e["kinds"] - {"event", "claim"})) or "event")})</span></li>'
            for e in entries)
        return f"<p>{len(entries)} events, by date.</p><ol>{items}</ol>"

    return await _listing(request, TIMELINE, ("label", "when", "place"), None, "Timeline of events", render)


@router.api_route("/{index}", methods=["GET", "HEAD"])
async def index(request: Request, index: str) -> Response:
    if index not in INDEXES:
        return error(404, f"Not Found: no page {index!r}.")
    title, root, namespace = INDEXES[index]

    def render(entries):
        items = "".join(
            f'<li><a href="{escape(_local(request, e["item"]))}">{escape(e.get("label", e["item"]))}</a>'
            f'{" <span class=fr lang=fr>" + escape(e["french"]) + "</span>" if e.get("french") and e.get("french") != e.get("label") else ""}'
            f' <span class="kind">({escape(", ".join(sorted(e["kinds"])))})</span></li>'
            for e in entries)
        return f"<p>{len(entries)} entries.</p><ul>{items}</ul>"

    query = LISTED % {"namespace": namespace if namespace.startswith("STR") else f"STR({namespace})"}
    return await _listing(request, query, ("label", "french"), root, title, render)
