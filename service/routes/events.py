"""`/events`: every event on a timeline, with filters by actor, kind and years, and below it the
plain list (which the same filters, sent as a form, narrow for readers without JavaScript); JSON
by Accept, one entry per event in date order."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request, Response
from rdflib import Graph
from rdflib.namespace import RDF

from ..documents import served
from ..negotiation import NotAcceptable, choose
from ..oxigraph_rdflib import ntriples_graph
from ..parameters import single, whole_number
from ..store import Query
from ..views.responses import negotiated, not_acceptable
from ..views.shell import html_page
from ..views.timeline import TIMELINE_SCRIPTS, Item, items_of, timeline_figure, timeline_head
from ..views.words import Words

router = APIRouter()
EVENTS = (Path(__file__).resolve().parent.parent / "queries" / "events.rq").read_text(encoding="utf-8")
ROLES = ("agent", "target", "participant", "supportingActor", "victim", "party")
FILTERS = ("actor", "kind", "from", "to")


@router.api_route("/events", methods=["GET", "HEAD"])
async def events(request: Request) -> Response:
    try:
        media_type = choose(request.headers.get("accept"), ("text/html", "application/json"),
                            request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    chosen = {name: single(request.query_params.getlist(name), name) for name in FILTERS}
    years = {name: whole_number(chosen[name], name, most=9999) for name in ("from", "to") if chosen[name]}
    key = ("events", media_type, tuple(sorted((k, v) for k, v in chosen.items() if v)))
    return await served(request, key, lambda: _render(request, media_type, chosen, years))


async def _render(request: Request, media_type: str, chosen: dict, years: dict) -> Response:
    state = request.app.state
    root, base = str(request.base_url), state.settings.base
    answer = await state.pool.answer(Query(EVENTS, "application/n-triples", state.prefixes))
    graph = ntriples_graph(answer.body)
    words = Words(graph, base, root)
    search = state.search
    events = set(graph.subjects(RDF.type, None))  # the qualifiers in the graph have labels only

    def actors_of(node):
        return [a for role in ROLES for a in graph.objects(node, words.cao[role])]

    items = items_of(graph, words, events, lambda n: search.kinds.get(str(n), "event"), actors_of)
    if media_type == "application/json":
        return negotiated(json.dumps(_entries(graph, words, events, search), ensure_ascii=False).encode("utf-8"), media_type)
    shown = [i for i in items if _fits(i, chosen, years, root)]
    body = _filters(items, chosen, search, root) + timeline_figure(shown, "Events")
    title = "Timeline of events"
    main = (f"<h1>{title}</h1><p>{len(shown)} of {len(items)} events, by date: the dated ones on the timeline "
            f"(drag to move through time, pinch or scroll with Ctrl to zoom), all of them in the list below it.</p>{body}")
    page = html_page(root, title, main, head=timeline_head(root), scripts=TIMELINE_SCRIPTS, current="events", wide=True)
    return negotiated(page.encode("utf-8"), media_type)


def _entries(graph: Graph, words: Words, events, search) -> list[dict]:
    """The JSON form: one entry per event, dated ones in date order, then the undated ones."""
    cao, entries = words.cao, []
    for event in events:
        when = graph.value(event, cao.date) or graph.value(event, cao.start)
        places = sorted(search.labels.get(str(p), str(p)) for p in graph.objects(event, cao.place))
        entry = {"item": str(event), "label": words.label(event), "kinds": search.kinds.get(str(event), "event").split(", ")}
        if when is not None:
            entry["when"] = str(when)
        if places:
            entry["place"] = places[0]
        entries.append(entry)
    return sorted(entries, key=lambda e: ("when" not in e, e.get("when", ""), e["label"]))


def _fits(item: Item, chosen: dict, years: dict, root: str) -> bool:
    if chosen["actor"] and root + "id/" + chosen["actor"] not in item.actors:
        return False
    if chosen["kind"] and chosen["kind"] not in item.kind.split(", "):
        return False
    if not years:
        return True
    if item.year_from is None:
        return False
    ends_before = item.year_to is not None and item.year_to < years.get("from", item.year_to)
    return not ends_before and item.year_from <= years.get("to", item.year_from)


def _filters(items: list[Item], chosen: dict, search, root: str) -> str:
    """The filter form: it narrows the list when sent, and the timeline and list at once with JavaScript."""
    counts: dict[str, int] = {}
    for item in items:
        for actor in item.actors:
            counts[actor] = counts.get(actor, 0) + 1
    base = search.base
    actors = sorted((u for u in counts if u[len(root) + 3:].startswith(("organisation/", "person/"))),
                    key=lambda u: search.labels.get(base + u[len(root):], u).casefold())
    actor_options = "".join(
        f'<option value="{escape(u[len(root) + 3:])}"{" selected" if chosen["actor"] == u[len(root) + 3:] else ""}>'
        f'{escape(search.labels.get(base + u[len(root):], u))} ({counts[u]})</option>' for u in actors)
    kinds = sorted({k for item in items for k in item.kind.split(", ")})
    kind_options = "".join(f'<option value="{escape(k)}"{" selected" if chosen["kind"] == k else ""}>{escape(k)}</option>'
                           for k in kinds)
    first = min((i.year_from for i in items if i.year_from), default=0)
    last = max((i.year_to for i in items if i.year_to), default=0)
    return f"""<form class="filters" method="get" action="{escape(root)}events" data-timeline="timeline">
<p><label for="filter-actor">Actor</label> <select id="filter-actor" name="actor"><option value="">any</option>{actor_options}</select>
<label for="filter-kind">Kind</label> <select id="filter-kind" name="kind"><option value="">any</option>{kind_options}</select>
<label for="filter-from">From</label> <input id="filter-from" name="from" type="number" min="{first}" max="{last}" value="{escape(chosen["from"] or "")}" placeholder="{first}">
<label for="filter-to">to</label> <input id="filter-to" name="to" type="number" min="{first}" max="{last}" value="{escape(chosen["to"] or "")}" placeholder="{last}">
<button type="submit">Show</button></p>
</form>"""
