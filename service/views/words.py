"""How the pages put the data into words: names for every IRI (a label, never a prefixed name),
links to this host's pages, dates as the profile gives them, sources with their pages, and the
places in the profile a claim is stated."""

from __future__ import annotations

import re
from datetime import date
from html import escape

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..namespaces import PROV, STANDARD_PREFIXES, WGS, local_words
from .citation_map import PROFILE, pinpoint_href

# Words for the terms of other vocabularies the data uses, where their local names read badly.
TERMS = {
    str(RDF.type): "kind", str(RDFS.comment): "description", str(RDFS.seeAlso): "see also",
    str(SKOS.altLabel): "also called", STANDARD_PREFIXES["owl"] + "sameAs": "same as",
    str(SKOS.exactMatch): "same as", str(WGS.lat): "latitude", str(WGS.long): "longitude",
    STANDARD_PREFIXES["foaf"] + "name": "name", STANDARD_PREFIXES["org"] + "subOrganizationOf": "part of",
    STANDARD_PREFIXES["org"] + "member": "member", STANDARD_PREFIXES["org"] + "organization": "organisation",
    STANDARD_PREFIXES["org"] + "originalOrganization": "organisation before",
    STANDARD_PREFIXES["org"] + "resultingOrganization": "organisation after",
    STANDARD_PREFIXES["dcterms"] + "isPartOf": "part of", str(PROV.wasDerivedFrom): "derived from",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
HEDGE_MONTH = {"early": 2, "mid": 6, "late": 10}  # where a hedged year sorts among its months
# How a date reads, by the local name of its qualifier (date-qualifier concepts), for a point in
# time, the start of a span and its end; a qualifier not listed is put before the date.
POINT = {"": "{}"}
START = {"": "from {}", "by": "by {}", "at-least-since": "at least since {}", "before": "from before {}"}
END = {"": "until {}", "by": "ended by {}", "until-at-least": "until at least {}", "ongoing": "still ongoing",
       "before": "ended before {}", "early": "until early {}", "mid": "until mid {}", "late": "until late {}"}


def readable_date(value: str) -> str:
    """`2012` as it is, `2012-06` as "June 2012", `2012-06-27` as "27 June 2012"."""
    parts = value.split("-")
    if len(parts) == 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit() and 1 <= int(parts[1]) <= 12:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return value


def date_key(value: str, hedge: str = "") -> tuple[int, int, int]:
    """Where a date sorts: a year-only date before its months unless hedged ("late 2012" in October)."""
    parts = [int(p) if p.isdigit() else 0 for p in value.split("-")[:3]] + [0, 0]
    year, month, day = parts[0], parts[1], parts[2]
    if not month and hedge in HEDGE_MONTH:
        month = HEDGE_MONTH[hedge]
    return year, month, day


def shifted(key: tuple[int, int, int], duration: str) -> tuple[int, int, int]:
    """A date key moved by an ISO 8601 duration (`P2D`, `P3M`, `P1Y`), for sorting only."""
    found = {unit: int(n) for n, unit in re.findall(r"(\d+)([YMWD])", duration.split("T")[0])}
    year, month, day = key
    if month:
        year, month = divmod(year * 12 + month - 1 + 12 * found.get("Y", 0) + found.get("M", 0), 12)
        month += 1
    else:
        year += found.get("Y", 0) + found.get("M", 0) // 12
    days = found.get("D", 0) + 7 * found.get("W", 0)
    if days and month:
        moved = date.fromordinal(date(year, month, max(day, 1)).toordinal() + days)
        return moved.year, moved.month, moved.day
    return year, month, day


class Words:
    """Words for the nodes of one description graph, as pages on this host show them."""

    def __init__(self, graph: Graph, base: str, root: str):
        self.g, self.base, self.root = graph, base, root
        self.cao = Namespace(base + "ontology#")

    def label(self, node, lang: str = "en") -> str:
        if isinstance(node, Literal):
            return str(node)
        for predicate in (RDFS.label, SKOS.prefLabel):
            values = list(self.g.objects(node, predicate))
            for value in values:
                if getattr(value, "language", None) == lang:
                    return str(value)
            if values:
                return str(values[0])
        if isinstance(node, URIRef):
            return TERMS.get(str(node)) or local_words(str(node))
        return "[ ]"

    def href(self, node: URIRef) -> str:
        """Our IRIs link to this host's page for them (a part of the profile: its place on the
        profile's citation map); others to themselves."""
        text = str(node)
        if text.startswith(self.base + PROFILE + "/s/"):
            return pinpoint_href(self.root, node)
        return self.root + text[len(self.base):] if text.startswith(self.base) else text

    def link(self, node) -> str:
        if isinstance(node, URIRef):
            return f'<a href="{escape(self.href(node))}">{escape(self.label(node))}</a>'
        if isinstance(node, Literal):
            lang = f' <span class="lang">{node.language}</span>' if node.language else ""
            return escape(str(node)) + lang
        return escape(self.label(node))

    def kinds(self, node) -> str:
        """Its most specific kinds: not a class above another of its kinds (the graph holds the
        classes' rdfs:subClassOf where the page asked for them), as an attack is an event too."""
        types = set(self.g.objects(node, RDF.type))
        above = {c for t in types for c in self.g.transitive_objects(t, RDFS.subClassOf) if c != t}
        return ", ".join(sorted(self.label(t) for t in types - above))

    def _hedge(self, node, predicate) -> str:
        hedge = self.g.value(node, predicate)
        return self.label(hedge) if hedge is not None else ""

    def when(self, claim) -> str:
        """The claim's time as the profile gives it: "mid May 2014", "by October 2011 – June 2012",
        "from 2014, still ongoing"."""
        cao, parts = self.cao, []
        for predicate, qualifier, phrases in ((cao.date, cao.dateQualifier, POINT), (cao.start, cao.startQualifier, START),
                                              (cao.end, cao.endQualifier, END)):
            value = self.g.value(claim, predicate)
            hedge = self.g.value(claim, qualifier)
            if value is None and hedge is None:
                continue
            shown = escape(readable_date(str(value))) if value is not None else ""
            key = str(hedge).rsplit("/", 1)[-1] if hedge is not None else ""
            phrase = phrases.get(key) or (f"{escape(self.label(hedge))} {{}}" if hedge is not None else phrases[""])
            parts.append(phrase.format(shown).strip())
        relative = self.g.value(claim, cao.dateRelativeTo)
        if relative is not None:
            offset = self.g.value(claim, cao.dateOffset)
            parts.append(f"{escape(str(offset)) + ' ' if offset else ''}after {self.link(relative)}")
        return ", ".join(parts) or "undated"

    def date_of(self, claim, seen: frozenset = frozenset()) -> tuple[int, int, int] | None:
        """Where the claim sorts in time: its date or start, or the date of the event it is dated
        from, moved by the offset; None when undated."""
        cao = self.cao
        for predicate, qualifier in ((cao.date, cao.dateQualifier), (cao.start, cao.startQualifier),
                                     (cao.end, cao.endQualifier)):
            value = self.g.value(claim, predicate)
            if value is not None:
                return date_key(str(value), self._hedge(claim, qualifier))
        relative = self.g.value(claim, cao.dateRelativeTo)
        if relative is not None and relative not in seen:
            found = self.date_of(relative, seen | {claim})
            offset = self.g.value(claim, cao.dateOffset)
            if found is not None:
                return shifted(found, str(offset)) if offset is not None else found
        return None

    def sources(self, claim) -> str:
        items = []
        for derivation in self.g.objects(claim, PROV.qualifiedDerivation):
            work = self.g.value(derivation, PROV.entity)
            pages = sorted(str(p) for p in self.g.objects(derivation, self.cao.page))
            where = f", p. {', '.join(pages)}" if pages else ""
            items.append(f"{self.link(work)}{escape(where)}")
        return "; ".join(sorted(items)) or "none"

    def pinpoints(self, claim) -> str:
        """Where in the profile the claim is stated, each place linked to the citation map."""
        stated = sorted(self.g.objects(claim, self.cao.statedIn), key=reading_order)
        return "; ".join(f'<a href="{escape(self.href(s))}">Profile, {escape(self.label(s))}</a>' for s in stated)


def reading_order(part: URIRef) -> list[tuple[int, int | str]]:
    """Sort key for parts of the profile: `…/s/3.10.2` after `…/s/3.9.4`, notes (`n7.1`) last."""
    return [(0, int(n)) if n.isdigit() else (1, n) for n in str(part).rsplit("/s/", 1)[-1].split(".")]
