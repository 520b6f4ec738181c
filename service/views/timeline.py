"""Timelines: events and spans (memberships, alliances, leaderships…) drawn at the precision the
data gives them, with vis-timeline (vendored, `static/vis-timeline/`), and the same items as a plain
list for readers without JavaScript.

A day is drawn as a point; a month or a year as the whole month or year (never as its first day);
a span from the start of its first date to the end of its last. A span with no end is drawn over
its start alone, open at its right. A date given only relative to another event is not drawn (its
words say "after …") but stays in the list.
"""

from __future__ import annotations

import json
from calendar import monthrange
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from html import escape

from rdflib import Graph, URIRef

from .words import Words


@dataclass
class Item:
    id: str  # this host's URL of the event or claim
    label: str
    kind: str
    when: str  # the time in words, as the profile gives it (HTML)
    start: str | None = None  # ISO dates for the drawing: first day, and the day after the last
    end: str | None = None
    point: bool = False
    open: bool = False  # a span whose end is not given
    year_from: int | None = None  # None: undated
    year_to: int | None = None  # None: undated, or open
    actors: list[str] = field(default_factory=list)  # this host's URLs of the actors


def first_day(value: str) -> date | None:
    parts = value.split("-")
    try:
        year = int(parts[0])
        return date(year, int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def day_after(value: str) -> date | None:
    """The first day after the period a date names: its day, month or year."""
    start = first_day(value)
    if start is None:
        return None
    precision = len(value.split("-"))
    if precision >= 3:
        return start + timedelta(days=1)
    if precision == 2:
        return start + timedelta(days=monthrange(start.year, start.month)[1])
    return date(start.year + 1, 1, 1)


def drawn(item: Item, when: str | None, start: str | None, end: str | None) -> Item:
    """The item with its place on the time axis, from its lexical dates (`when` a point in time)."""
    begin = when or start or end
    if begin is None or first_day(begin) is None:
        return item
    last = when or end
    item.start = first_day(begin).isoformat()
    item.point = bool(when) and len(when.split("-")) >= 3
    item.open = when is None and end is None
    closing = day_after(last or begin)
    item.end = None if item.point else closing.isoformat()
    # a span with no end holds from its start on, for the filters (drawn over its start alone)
    item.year_from, item.year_to = int(begin[:4]), None if item.open else int((last or begin)[:4])
    return item


def items_of(graph: Graph, words: Words, nodes, kind_of, actors_of) -> list[Item]:
    """One item for each node of `graph` (events or claims), sorted in time."""
    cao = words.cao
    items = []
    for node in sorted(nodes, key=lambda n: (words.date_of(n) is None, words.date_of(n) or (0, 0, 0), words.label(n))):
        value = {p: graph.value(node, cao[p]) for p in ("date", "start", "end")}
        item = Item(words.href(node), words.label(node), kind_of(node), words.when(node),
                    actors=sorted({words.href(a) for a in actors_of(node) if isinstance(a, URIRef)}))
        items.append(drawn(item, *(str(value[p]) if value[p] is not None else None for p in ("date", "start", "end"))))
    return items


def _script_json(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def timeline_head(root: str) -> str:
    return f'<link rel="stylesheet" href="{escape(root)}static/vis-timeline/vis-timeline-graph2d.min.css">'


TIMELINE_SCRIPTS = ("static/vis-timeline/vis-timeline-graph2d.min.js", "static/timeline.js")


def timeline_figure(items: list[Item], caption: str, ident: str = "timeline", listed: bool = True) -> str:
    """The drawing (filled in by `static/timeline.js`) and the list it draws (unless the page lists
    the items already: `listed` False)."""
    drawable = [asdict(i) for i in items if i.start]
    rows = "".join(
        f'<li data-url="{escape(i.id)}" data-kind="{escape(i.kind)}" data-actors="{escape(" ".join(i.actors))}"'
        f'{f" data-from={i.year_from}" if i.year_from is not None else ""}'
        f'{f" data-to={i.year_to}" if i.year_to is not None else ""}>'
        f'<time>{i.when}</time> — <a href="{escape(i.id)}">{escape(i.label)}</a> <span class="kind">{escape(i.kind)}</span></li>'
        for i in items)
    return (f'<figure class="timeline" id="{escape(ident)}"><div class="timeline-drawing" role="region" '
            f'aria-label="{escape(caption)}" hidden></div>'
            f'<script type="application/json" class="timeline-items">{_script_json(drawable)}</script>'
            f"<figcaption>{escape(caption)}: {len(drawable)} dated of {len(items)}. A year or a month the profile gives "
            f"alone is drawn as the whole year or month.</figcaption></figure>"
            + (f'<ol class="timeline-list" data-for="{escape(ident)}">{rows}</ol>' if listed else ""))
