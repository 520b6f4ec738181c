"""The relationship network: the organisations of the profile as nodes, its claims between them as
typed edges, read from the graph `queries/network.rq` builds. Every edge names its claim; only
ends that are organisations (IRIs under `id/organisation/`) count, so the people in a claim are left
out.

Kinds of edge, and what gives them:

- alliance, hostility, rivalry: a `cao:Alliance`, `cao:Hostility` or `cao:Rivalry`, one edge between
  every two of its `cao:party` (so an alliance of three parties gives three edges). The data does
  not say which parties of a claim stand together, so every pair is joined; the claim's label says
  who stands against whom.
- support: a `cao:Support`, from each `cao:supporter` to each `cao:supported`.
- membership: a `cao:Membership`, from its `org:member` to its `org:organization`.
- split, merger: a `cao:Split` or `cao:Merger` event, from each `org:originalOrganization` to each
  `org:resultingOrganization` (an event that is both a founding and a split is a split).
- succession: an organisational change that is neither (a `cao:Founding` or `cao:Dissolution` that
  names the organisation before), from before to after; and a membership that `cao:replaces`
  another, from the member replaced to the member after it.

The year rule: an edge exists in year Y when its span covers Y at the data's precision, from the
year of its `cao:start` (or `cao:date`) to the year of its `cao:end` (or `cao:date`). A missing start
means since before the data begins, a missing end means still holding when the profile was
written; a claim with only a point date holds in that year alone. A claim with neither start nor
date that the profile dates after an event (`cao:dateRelativeTo`) starts in the year that event is
over (its end, else its date or start). Qualifiers such as "by" or "at least since" do not move the
years. The network's years run from the first year an edge names to the last its sources do (the
latest work the profile cites).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from itertools import combinations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .namespaces import ORG, PROV
from .views.words import Words, date_key, shifted

# every kind of edge, in the order legends and tables list them
KINDS = ("alliance", "hostility", "rivalry", "support", "membership", "split", "merger", "succession")
PAIRWISE = {"Alliance": "alliance", "Hostility": "hostility", "Rivalry": "rivalry"}
CHANGES = ("Founding", "Merger", "Split", "Dissolution")


@dataclass(frozen=True)
class Node:
    id: str
    url: str
    label: str
    kind: str
    short: str  # its shortest English name without a space (an acronym, mostly), or its label; for the picture


@dataclass(frozen=True)
class Source:
    url: str
    label: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    id: str  # the claim's IRI
    url: str
    kind: str
    source: str
    target: str
    label: str
    when: str  # the time in words as the profile gives it (HTML: a relative date links its event)
    start: int | None  # the first year, None: since before the data begins
    until: int | None  # the last year, None: still holding when the profile was written
    certainty: str
    hedged: bool  # a certainty other than "stated"
    sources: tuple[Source, ...]

    def holds(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.until is None or year <= self.until)

    def touches(self, node: str) -> bool:
        return node in (self.source, self.target)

    def json(self) -> dict:
        return {"id": self.id, "url": self.url, "kind": self.kind, "source": self.source, "target": self.target,
                "label": self.label, "when": plain(self.when), "from": self.start, "until": self.until,
                "certainty": self.certainty,
                "sources": [{"url": s.url, "label": s.label, "pages": list(s.pages)} for s in self.sources]}


@dataclass(frozen=True)
class Network:
    years: tuple[int, int]
    organisations: dict[str, Node]  # every organisation of the dataset, by IRI
    edges: tuple[Edge, ...]

    def only(self, year: int | None = None, focus: str | None = None) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges
                     if (year is None or e.holds(year)) and (focus is None or e.touches(focus)))

    def json(self, edges: tuple[Edge, ...], focus: str | None = None) -> dict:
        """The edges with the organisations at their ends (and the focus, even without any)."""
        ends = {end for e in edges for end in (e.source, e.target)} | ({focus} if focus else set())
        nodes = sorted((self.organisations[i] for i in ends), key=lambda n: (n.label.lower(), n.id))
        return {"years": list(self.years),
                "nodes": [{"id": n.id, "url": n.url, "label": n.label, "kind": n.kind, "short": n.short} for n in nodes],
                "edges": [e.json() for e in edges]}


def plain(html: str) -> str:
    """Words written as HTML (`Words.when`), as text."""
    return unescape(re.sub(r"<[^>]*>", "", html))


def _page_order(page: str) -> tuple[int, str]:
    digits = re.match(r"\d+", page)
    return (int(digits[0]) if digits else 0, page)


def read(graph: Graph, base: str, root: str) -> Network:
    """The network in `graph`, with links to this host's pages under `root`."""
    words = Words(graph, base, root)
    cao = words.cao

    def organisation(node) -> Node:
        label = words.label(node)
        names = [str(n) for n in graph.objects(node, SKOS.altLabel) if n.language == "en" and " " not in str(n)]
        short = min(names, key=lambda n: (len(n), n)) if names else label
        return Node(str(node), words.href(node), label, words.kinds(node), short if len(short) < len(label) else label)

    organisations = {str(node): organisation(node) for node in set(graph.subjects(RDF.type, None))
                     if isinstance(node, URIRef) and str(node).startswith(base + "id/organisation/") and "#" not in str(node)}

    def ends(claim, predicate) -> list[str]:
        return sorted(str(o) for o in graph.objects(claim, predicate) if str(o) in organisations)

    def year(value) -> int | None:
        return date_key(str(value))[0] if value is not None else None

    def reckoned(node, seen: frozenset = frozenset()) -> tuple[int, int, int] | None:
        """When the event `node` is dated after (`cao:dateRelativeTo`, OWL-Time's "after") is over:
        its end, date or start, or, undated, when the event it is dated after is over; moved by
        `node`'s offset."""
        event = graph.value(node, cao.dateRelativeTo)
        if event is None or event in seen:
            return None
        value = next((v for v in (graph.value(event, cao[p]) for p in ("end", "date", "start")) if v is not None), None)
        found = date_key(str(value)) if value is not None else reckoned(event, seen | {node})
        offset = graph.value(node, cao.dateOffset)
        return shifted(found, str(offset)) if found is not None and offset is not None else found

    def span(claim) -> tuple[int | None, int | None]:
        date, start, end = (graph.value(claim, cao[p]) for p in ("date", "start", "end"))
        first, last = year(start if start is not None else date), year(end if end is not None else date)
        after = reckoned(claim) if first is None else None
        return (after[0] if after is not None else first), last

    def sources(claim) -> tuple[Source, ...]:
        pages: dict[URIRef, set[str]] = {}
        for derivation in graph.objects(claim, PROV.qualifiedDerivation):
            work = graph.value(derivation, PROV.entity)
            if work is not None:
                pages.setdefault(work, set()).update(str(p) for p in graph.objects(derivation, cao.page))
        found = [Source(words.href(w), words.label(w), tuple(sorted(p, key=_page_order))) for w, p in pages.items()]
        return tuple(sorted(found, key=lambda s: (s.label.lower(), s.url)))

    def pairs(claim, types: set[str]) -> list[tuple[str, str, str]]:
        """(kind, source, target) of each edge the claim gives."""
        found = [(PAIRWISE[t], a, b) for t in sorted(types & PAIRWISE.keys())
                 for a, b in combinations(ends(claim, cao.party), 2)]
        if "Support" in types:
            found += [("support", a, b) for a in ends(claim, cao.supporter) for b in ends(claim, cao.supported)]
        if "Membership" in types:
            found += [("membership", a, b) for a in ends(claim, ORG.member) for b in ends(claim, ORG.organization)]
            found += [("succession", a, b) for replaced in graph.objects(claim, cao.replaces)
                      for a in ends(replaced, ORG.member) for b in ends(claim, ORG.member)]
        if types & set(CHANGES):
            kind = "split" if "Split" in types else "merger" if "Merger" in types else "succession"
            found += [(kind, a, b) for a in ends(claim, ORG.originalOrganization)
                      for b in ends(claim, ORG.resultingOrganization)]
        return [(kind, a, b) for kind, a, b in found if a != b]

    edges = []
    for claim in {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}:
        types = {str(t)[len(str(cao)):] for t in graph.objects(claim, RDF.type) if str(t).startswith(str(cao))}
        found = pairs(claim, types)
        if not found:
            continue
        first, last = span(claim)
        certainty = graph.value(claim, cao.certainty)  # exactly one, as validation ensures
        common = dict(url=words.href(claim), label=words.label(claim), when=words.when(claim), start=first, until=last,
                      certainty=words.label(certainty), hedged=str(certainty) != base + "id/concept/certainty/stated",
                      sources=sources(claim))
        edges += [Edge(str(claim), kind=kind, source=a, target=b, **common) for kind, a, b in found]

    def order(edge: Edge):
        return (edge.start is None, edge.start or 0, edge.until is None, edge.until or 0, KINDS.index(edge.kind),
                organisations[edge.source].label.lower(), organisations[edge.target].label.lower(), edge.id)

    named = [y for e in edges for y in (e.start, e.until) if y is not None]
    issued = [date_key(str(d))[0] for d in graph.objects(None, DCTERMS.issued)]
    first = min(named, default=max(issued, default=0))
    return Network((first, max(named + issued, default=first)), organisations, tuple(sorted(edges, key=order)))
