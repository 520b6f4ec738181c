"""The places: a map of those with coordinates, with the events at each, and the list of them all.

It answers `/places` in place of the generic index, whose JSON fields it keeps, adding coordinates
and a count of events.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request, Response

from ..documents import served
from ..negotiation import NotAcceptable
from ..views.map import MAP_SCRIPTS, Marker, degrees, map_figure
from ..views.responses import negotiated, not_acceptable
from ..views.shell import html_page
from .indexes import INDEXES, LISTED, listed_rows, local_url, merged, negotiate

router = APIRouter()

COORDINATES = """SELECT ?item ?lat ?long WHERE {
  ?item wgs:lat ?lat ; wgs:long ?long . FILTER (STRSTARTS(STR(?item), STR(plc:)))
}"""

# Claims that are not events carry cao:place too; only events count here.
EVENTS = """SELECT DISTINCT ?place ?event ?label ?when WHERE {
  ?event cao:place ?place . FILTER EXISTS { ?event a/rdfs:subClassOf* cao:Event }
  OPTIONAL { ?event rdfs:label ?label . FILTER (LANG(?label) = "en") }
  OPTIONAL { ?event cao:date|cao:start ?when }
} ORDER BY (!BOUND(?when)) STR(?when) ?label"""

UNMAPPED = "no coordinates in the data"


async def _places(request: Request) -> tuple[list[dict], dict[str, list[dict]]]:
    """Every place (as the index lists them) with its coordinates, and the events at each place."""
    _, root, namespace = INDEXES["places"]
    entries = merged(await listed_rows(request, LISTED % {"namespace": f"STR({namespace})"}, root), ("label", "french"))
    points = {row["item"]["value"]: (float(row["lat"]["value"]), float(row["long"]["value"]))
              for row in await listed_rows(request, COORDINATES)}
    events: dict[str, dict[str, dict]] = {}
    for row in await listed_rows(request, EVENTS):  # an event with both a date and a start comes twice: keep the first
        events.setdefault(row["place"]["value"], {}).setdefault(
            row["event"]["value"], {field: row[field]["value"] for field in ("event", "label", "when") if field in row})
    for entry in entries:
        if entry["item"] in points:
            entry["lat"], entry["long"] = points[entry["item"]]
    return entries, {place: list(found.values()) for place, found in events.items()}


def _note(request: Request, events: list[dict]) -> str:
    if not events:
        return "<p>No event in the data took place here.</p>"
    items = "".join(
        f'<li><a href="{escape(local_url(request, e["event"]))}">{escape(e.get("label", e["event"]))}</a>'
        f'{" <time>" + escape(e["when"]) + "</time>" if "when" in e else ""}</li>' for e in events)
    return f"<p>{len(events)} event{'' if len(events) == 1 else 's'} here:</p><ul>{items}</ul>"


def _html(request: Request, entries: list[dict], events: dict[str, list[dict]]) -> str:
    root = str(request.base_url)
    mapped = [e for e in entries if "lat" in e]
    markers = [Marker(local_url(request, e["item"]), e.get("label", e["item"]), e["lat"], e["long"],
                      _note(request, events.get(e["item"], []))) for e in mapped]
    figure = map_figure(root, markers, f"The {len(mapped)} places with coordinates, with the events at each. "
                                       "Country outlines: Natural Earth, 1:50m.")

    def entry(e):
        link = f'<a href="{escape(local_url(request, e["item"]))}">{escape(e.get("label", e["item"]))}</a>'
        french = e.get("french")
        other = f' <span class="lang" lang="fr">{escape(french)}</span>' if french and french != e.get("label") else ""
        kinds = f' <span class="kind">{escape(", ".join(sorted(e["kinds"])))}</span>' if e["kinds"] else ""
        where = (f' <span class="coordinates">{escape(degrees(e["lat"], e["long"]))}</span>' if "lat" in e
                 else f' <span class="unmapped">{UNMAPPED}</span>')
        return f"<li>{link}{other}{kinds}{where}</li>"

    main = (f"<h1>Places</h1>\n<p>{len(entries)} places. The {len(mapped)} with coordinates (taken from the "
            f"project's verified reference list) are on the map; the other {len(entries) - len(mapped)} have "
            f"none and are only listed, marked “{UNMAPPED}”.</p>\n{figure}\n"
            f"<h2>Every place</h2>\n<ul class='index'>{''.join(entry(e) for e in entries)}</ul>")
    return html_page(root, "Places", main, scripts=MAP_SCRIPTS, current="places")


@router.api_route("/places", methods=["GET", "HEAD"])
async def places(request: Request) -> Response:
    try:
        media_type = negotiate(request)
    except NotAcceptable as problem:
        return not_acceptable(problem)

    async def render() -> Response:
        entries, events = await _places(request)
        if media_type == "application/json":
            listed = [{**e, "kinds": sorted(e["kinds"]), "events": len(events.get(e["item"], []))} for e in entries]
            return negotiated(json.dumps(listed).encode(), media_type)
        return negotiated(_html(request, entries, events).encode("utf-8"), media_type)

    return await served(request, ("places", media_type), render)
