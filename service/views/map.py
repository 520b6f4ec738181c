"""A map figure any page can embed: places as circle markers over country outlines, drawn in the
browser by `static/map.js` with Leaflet and the vendored Natural Earth outlines (no tile server
is reachable). The figure also lists its places with their coordinates, so it says the same
without JavaScript.

A page embeds `map_figure(...)` in its content and passes `MAP_SCRIPTS` to `html_page`; any number
of figures may share a page.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape

# paths under the root of the scripts a page with maps runs, in this order
MAP_SCRIPTS = ("static/leaflet/leaflet.js", "static/topojson-client/topojson-client.min.js", "static/map.js")

# JSON inside <script> ends at "</script>" and may hold "<!--": with these escaped it cannot.
_SAFE_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class Marker:
    """A place on the map; `note` is an HTML fragment shown in its popup."""

    url: str
    label: str
    lat: float
    long: float
    note: str = ""


def degrees(lat: float, long: float) -> str:
    """`18.4411° N, 1.4078° E`: signs as hemispheres, as readers expect them."""
    def number(value: float) -> str:
        return f"{abs(value):.6f}".rstrip("0").rstrip(".")

    return f"{number(lat)}° {'S' if lat < 0 else 'N'}, {number(long)}° {'W' if long < 0 else 'E'}"


def map_figure(root: str, markers: list[Marker], caption: str) -> str:
    """The figure: the caption, the map's canvas (shown once a script draws it), the markers as
    JSON for that script, and the markers as a list of links with their coordinates."""
    data = json.dumps([asdict(marker) for marker in markers], ensure_ascii=False).translate(_SAFE_IN_HTML)
    items = "".join(
        f'<li><a href="{escape(m.url)}">{escape(m.label)}</a> '
        f'<span class="coordinates">{escape(degrees(m.lat, m.long))}</span></li>' for m in markers)
    count = f"{len(markers)} place{'' if len(markers) == 1 else 's'}"
    return f"""<figure class="map" data-root="{escape(root)}">
<figcaption>{escape(caption)}</figcaption>
<link rel="stylesheet" href="{escape(root)}static/leaflet/leaflet.css">
<div class="map-canvas" role="region" aria-label="{escape(f'Map: {caption}')}" hidden></div>
<script type="application/json" class="map-markers">{data}</script>
<details class="map-list" open><summary>The {count} on the map, with their coordinates</summary>
<ul>{items}</ul></details>
</figure>"""
