"""The network page and the compact network figure organisation pages embed.

The picture is drawn in the browser by `static/network.js` with Cytoscape, from the JSON the
`/network` route answers; it takes each kind's colour, line and arrow from the legend, so the
legend and the picture cannot disagree. Colour is never the only cue: every kind has its own
pair of line style and arrowhead. The page also lists the relations in a table that `?year=`,
chosen with a plain form, filters, so it says the same without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from ..network import KINDS, Edge, Network
from .shell import html_page

# paths under the root of the scripts a page with a network figure runs, in this order
NETWORK_SCRIPTS = ("static/cytoscape/cytoscape.min.js", "static/network.js")


@dataclass(frozen=True)
class Style:
    colour: str  # at least 3:1 against white, as WCAG asks of graphics
    line: str  # solid, dashed, dotted or dash-dot
    arrow: str  # a Cytoscape arrow shape at the target, "none" for a relation without direction
    joins: str  # what the edge joins, in words


STYLES = {
    "alliance": Style("#1b7a2f", "solid", "none", "allies"),
    "hostility": Style("#c62828", "dashed", "none", "enemies"),
    "rivalry": Style("#b35900", "dotted", "none", "rivals"),
    "support": Style("#1f5fbf", "solid", "triangle", "from supporter to supported"),
    "membership": Style("#6a3d9a", "solid", "diamond", "from member to the organisation it belongs to"),
    "split": Style("#a3186f", "dashed", "vee", "from an organisation to the one that split from it"),
    "merger": Style("#00796b", "dash-dot", "vee", "from each organisation merged to the result"),
    "succession": Style("#4d4d4d", "dotted", "triangle", "from an organisation to its successor"),
}

YEAR_RULE = ("A relation is shown in a year when its time covers that year, at the precision the profile gives: "
             "from the year it starts (or the year of its date) to the year it ends (or the year of its date). "
             "With no start it holds since before the data begins; with no end, still when the profile was written; "
             "with only a date, in that year alone. One dated only after an event starts in the year that event is "
             "over. Hedges such as “by” or “at least since” do not move the years.")


def _sample(kind: str) -> str:
    """The kind's line and arrowhead, drawn as the picture draws them."""
    style = STYLES[kind]
    dashes = {"dashed": ' stroke-dasharray="6 4"', "dash-dot": ' stroke-dasharray="10 3 2 3"',
              "dotted": ' stroke-dasharray="0.1 4.5" stroke-linecap="round"'}
    line = f'<line x1="2" y1="7" x2="34" y2="7"{dashes.get(style.line, "")}/>'
    heads = {"triangle": "34,2 44,7 34,12", "vee": "33,2 44,7 33,12 36,7", "diamond": "33,7 38.5,2 44,7 38.5,12"}
    head = f'<polygon points="{heads[style.arrow]}" fill="{style.colour}"/>' if style.arrow in heads else ""
    return (f'<svg class="network-sample" width="46" height="14" viewBox="0 0 46 14" aria-hidden="true" focusable="false">'
            f'<g stroke="{style.colour}" stroke-width="2.5">{line}</g>{head}</svg>')


def legend(counts: dict[str, int] | None = None, hidden: bool = False) -> str:
    """Each kind with its colour, line and arrowhead (read by the script, which shows a `hidden`
    legend with its picture), and how many edges it has."""
    def item(kind: str) -> str:
        style = STYLES[kind]
        count = f' <span class="meta">({counts.get(kind, 0)})</span>' if counts is not None else ""
        return (f'<li data-kind="{kind}" data-colour="{style.colour}" data-line="{style.line}" '
                f'data-arrow="{style.arrow}">{_sample(kind)} <strong>{kind}</strong>{count} '
                f'<span class="kind">{escape(style.joins)}</span></li>')

    named = "Kinds of relation, with how many there are over all years" if counts is not None else "Kinds of relation"
    return (f'<ul class="network-legend" aria-label="{named}"{" hidden" if hidden else ""}>'
            f'{"".join(item(k) for k in KINDS)}</ul>')


def _canvas(label: str) -> str:
    return (f'<div class="network-view"><div class="network-canvas" role="img" aria-label="{escape(label)}" hidden></div>'
            '<div class="network-claim" aria-live="polite" hidden><p>Choose a line in the picture to see its claim '
            'and sources, or an organisation to see its name.</p></div></div>')


def network_figure(root: str, focus: str) -> str:
    """A compact figure of one organisation's direct relations over all years, for its page;
    `focus` is its path under `id/` (`organisation/mnla`). Without JavaScript it is a link to
    those relations as a table."""
    listing = f"{root}network?{urlencode({'focus': focus})}"
    data = f"{root}network?{urlencode({'focus': focus, 'format': 'json'})}"
    scripts = "".join(f'<script src="{escape(root + path)}" defer></script>' for path in NETWORK_SCRIPTS)
    return (f'<figure class="network-figure compact" data-network="{escape(data)}" '
            f'data-focus-url="{escape(root + "id/" + focus)}">'
            f'{_canvas("Relations of this organisation with others; the linked table lists them")}'
            f'{legend(hidden=True)}'
            f'<figcaption>Its relations with other organisations in the profile, over all years: '
            f'<a href="{escape(listing)}">the same relations as a table, year by year</a>.</figcaption>'
            f'</figure>{scripts}')


def _organisation(network: Network, iri: str) -> str:
    node = network.organisations[iri]
    return f'<a href="{escape(node.url)}">{escape(node.label)}</a> <span class="kind">{escape(node.kind)}</span>'


def _sources(edge: Edge) -> str:
    items = "".join(
        f'<li><a href="{escape(s.url)}">{escape(s.label)}</a>{escape(", p. " + ", ".join(s.pages)) if s.pages else ""}</li>'
        for s in edge.sources)
    return f'<ul class="sources">{items}</ul>' if items else "none"


def _row(network: Network, edge: Edge, year: int | None) -> str:
    years = "".join(f' data-{name}="{value}"' for name, value in (("from", edge.start), ("until", edge.until))
                    if value is not None)
    certainty = f'<span class="certainty{" hedged" if edge.hedged else ""}">{escape(edge.certainty)}</span>'
    hidden = " hidden" if year is not None and not edge.holds(year) else ""
    return (f'<tr data-kind="{edge.kind}"{years}{hidden}>'
            f'<td data-label="From">{_organisation(network, edge.source)}</td>'
            f'<td data-label="Relation"><span class="network-kind" style="border-color: {STYLES[edge.kind].colour}">'
            f'{edge.kind}</span> <a href="{escape(edge.url)}">{escape(edge.label)}</a></td>'
            f'<td data-label="To">{_organisation(network, edge.target)}</td>'
            f'<td data-label="When">{edge.when}</td>'
            f'<td data-label="Certainty">{certainty}</td>'
            f'<td data-label="Sources">{_sources(edge)}</td></tr>')


def network_page(root: str, network: Network, year: int | None, focus: str | None, focus_path: str | None) -> str:
    """The whole page: the picture with its year slider, and the relations as a table, those of
    `year` shown (all without one; the others stay in it, hidden, for the slider to show), of one
    organisation's when `focus` (its IRI; `focus_path` as the request gave it) is given."""
    shown = network.only(year, focus)
    among = network.only(None, focus)
    first, last = network.years
    named = network.organisations[focus].label if focus else None
    title = f"Relations of {named}" if named else "Network of relations"
    kept = {"focus": focus_path} if focus_path else {}
    data = f"{root}network?{urlencode({**kept, 'format': 'json'})}"
    everything = f"{root}network{'?' + urlencode(kept) if kept else ''}"
    hidden = f'<input type="hidden" name="focus" value="{escape(focus_path)}">' if focus_path else ""
    counts = {kind: sum(1 for e in among if e.kind == kind) for kind in KINDS}
    when = f"in {year}" if year is not None else "over all years"
    of = f" (of {len(among)})" if year is not None else ""
    scope = (f' <a href="{escape(root)}network">The whole network</a>.' if focus else "")
    rows = "".join(_row(network, e, year) for e in among)
    focused = f' data-focus-url="{escape(network.organisations[focus].url)}"' if focus else ""
    main = f"""<h1>{escape(title)}</h1>
<p class="lead">Alliances, hostilities, rivalries, support, membership, splits, mergers and successions between the
organisations of the profile, as its claims give them, from {first} to {last}.{scope}</p>
<div class="network-figure" data-network="{escape(data)}" data-year="{year if year is not None else ''}"{focused}>
<form class="network-year" method="get" action="{escape(root)}network">{hidden}
<label for="network-year">Year</label>
<input type="range" id="network-year" name="year" min="{first}" max="{last}" step="1"
 value="{year if year is not None else last}">
<output for="network-year" id="network-year-shown">{year if year is not None else 'all years'}</output>
<button type="submit">Show this year</button>
<a class="network-all" href="{escape(everything)}"{' aria-current="true"' if year is None else ''}>All years</a>
</form>
<p class="meta">{escape(YEAR_RULE)}</p>
{legend(counts)}
{_canvas("Network of relations between organisations in the year chosen; the table below lists the same relations")}
<h2 id="relations">The relations</h2>
<p><span class="network-count" data-total="{len(among)}">{len(shown)} relations {when}{of}.</span>
An alliance, hostility or rivalry of more than two parties is one row for each two of them.</p>
<table class="relations">
<thead><tr><th scope="col">From</th><th scope="col">Relation</th><th scope="col">To</th><th scope="col">When</th>
<th scope="col">Certainty</th><th scope="col">Sources</th></tr></thead>
<tbody>{rows}</tbody>
</table>
</div>"""
    return html_page(root, title, main, scripts=NETWORK_SCRIPTS, current="network", wide=True)
