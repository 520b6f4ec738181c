"""The top of an entity's page, what a person reads in ten seconds: its key facts for its kind, then
every claim about it as a chronology grouped by year, each with its date as the profile gives it,
its certainty and its sources. Made from `queries/profile.rq` and `queries/names.rq`, which gather
every claim about the entity, however many pages its raw statements take.

The kinds are told apart by the IRI (`id/organisation/…`, `id/person/…`): the data's IRIs say
what an entity is, whatever classes it has.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import ORG, SCHEMA, WD, WGS
from .map import Marker, map_figure
from .timeline import items_of, timeline_figure
from .words import Words

UNITS = {"KMK": "km²", "KMT": "km"}


class Profile(Words):
    def __init__(self, graph: Graph, this: URIRef, base: str, root: str):
        super().__init__(graph, base, root)
        self.this = this
        self.kind = str(this)[len(base) + 3:].split("/", 1)[0] if str(this).startswith(base + "id/") else ""
        self.claims = sorted({c for c in graph.subjects(self.cao.certainty, None) if c != this},
                             key=self.in_time)

    # --- helpers ----------------------------------------------------------------------------------
    def in_time(self, claim) -> tuple:
        found = self.date_of(claim)
        return (found is None, found or (0, 0, 0), self.label(claim).casefold(), str(claim))

    def kind_of(self, node) -> str:
        text = str(node)
        return text[len(self.base) + 3:].split("/", 1)[0] if text.startswith(self.base + "id/") else ""

    def typed(self, claim, *classes: str) -> bool:
        return any((claim, RDF.type, self.cao[c]) in self.g for c in classes)

    def term(self, claim) -> str:
        """A claim's time in brackets, or nothing when undated."""
        when = self.when(claim)
        return f" ({when})" if when != "undated" else ""

    def quantity(self, node) -> str:
        """A figure in words: "dead: at least 20", "fighters: 9000–10000", "area: 822000 km²"."""
        g = self.g
        value, low, high = (g.value(node, SCHEMA[p]) for p in ("value", "minValue", "maxValue"))
        unit = UNITS.get(str(g.value(node, SCHEMA.unitCode) or ""), "")
        if value is not None:
            amount = f"{value}"
        elif low is not None and high is not None:
            amount = f"{low}–{high}"
        elif low is not None:
            amount = f"at least {low}"
        elif high is not None:
            amount = f"at most {high}"
        else:
            amount = "?"
        measure = g.value(node, self.cao.measures)
        return f"{escape(self.label(measure)) + ': ' if measure is not None else ''}{escape(amount)}{' ' + unit if unit else ''}"

    def listing(self, nodes) -> str:
        return ", ".join(self.link(n) for n in sorted(set(nodes), key=lambda n: self.label(n).casefold()))

    def own(self, predicate) -> list:
        return list(self.g.objects(self.this, predicate))

    def claims_with(self, predicate, value=None) -> list:
        value = self.this if value is None else value
        return [c for c in self.claims if (c, predicate, value) in self.g]

    # --- the facts --------------------------------------------------------------------------------
    def facts(self) -> list[tuple[str, str]]:
        g, this = self.g, self.this
        rows: list[tuple[str, str]] = []
        names = {str(n) for n in g.objects(this, RDFS.label)}
        also = sorted({str(n) for n in g.objects(this, SKOS.altLabel)} - names, key=str.casefold)
        if also:
            rows.append(("Also called", escape(", ".join(also))))
        rows.append(("Kind", escape(self.kinds(this))))
        by_kind = {"organisation": self.organisation, "person": self.person, "place": self.place,
                   "event": self.event, "claim": self.event}
        rows += by_kind.get(self.kind, lambda: [])()
        for qid in [o for o in self.own(OWL.sameAs) + self.own(SKOS.exactMatch) if str(o).startswith(str(WD))]:
            rows.append(("Wikidata", f'<a href="{escape(str(qid))}">{escape(str(qid).rsplit("/", 1)[-1])}</a>'))
        return [(k, v) for k, v in rows if v]

    def organisation(self) -> list[tuple[str, str]]:
        cao, rows = self.cao, []
        made = self.claims_with(ORG.resultingOrganization)
        rows.append(("Founded", "; ".join(f"{self.when(c)} — {self.link(c)}" for c in made)))
        ended = [c for c in self.claims_with(ORG.originalOrganization) if self.typed(c, "Dissolution", "Merger")]
        rows.append(("Ended", "; ".join(f"{self.when(c)} — {self.link(c)}" for c in ended)))
        split = [c for c in self.claims_with(ORG.originalOrganization) if self.typed(c, "Split")]
        rows.append(("Split", "; ".join(f"{self.when(c)} — {self.link(c)}" for c in split)))
        memberships = self.claims_with(ORG.organization)
        people = [c for c in memberships if any(self.kind_of(m) == "person" for m in self.g.objects(c, ORG.member))]
        rows.append(("People and roles", "<br>".join(
            f"{self.listing(self.g.objects(c, ORG.member))} — {self.listing(self.g.objects(c, ORG.role)) or 'member'}"
            f"{self.term(c)}" for c in people)))
        members = [c for c in memberships if c not in people]
        rows.append(("Member organisations", "<br>".join(
            f"{self.listing(self.g.objects(c, ORG.member))}{self.term(c)}" for c in members)))
        rows.append(("Member of", "<br>".join(
            f"{self.listing(self.g.objects(c, ORG.organization))}{self.term(c)}"
            for c in self.claims_with(ORG.member))))
        rows.append(("Part of", self.listing(self.own(ORG.subOrganizationOf))))
        rows.append(("Parts", self.listing(self.g.subjects(ORG.subOrganizationOf, self.this))))
        for label, predicate in (("Headquarters", "headquarters"), ("Strongholds", "stronghold"),
                                 ("Controls", "controls"), ("Operates in", "operatesIn")):
            rows.append((label, self.listing(self.own(cao[predicate]))))
        sizes = [c for c in self.claims_with(RDF.subject) if (c, RDF.predicate, cao.strength) in self.g]
        rows.append(("Size", "<br>".join(
            f"{'; '.join(self.quantity(q) for q in self.g.objects(c, RDF.object))}{self.term(c)}" for c in sizes)))
        rows += self.relations()
        for label, predicate in (("Ideology", "ideology"), ("Objectives", "objective"), ("Tactics", "tactic"),
                                 ("Refrains from", "eschewsTactic"), ("Weapons", "weapon"),
                                 ("Arms from", "armsSource"), ("Ethnic groups", "ethnicGroup")):
            rows.append((label, self.listing(self.own(cao[predicate]))))
        return rows

    def relations(self) -> list[tuple[str, str]]:
        """Allies, enemies and rivals, and who supports whom, each with the span of the relation."""
        cao, found = self.cao, defaultdict(list)
        for claim in self.claims:
            if (claim, cao.party, self.this) in self.g:
                others = [p for p in self.g.objects(claim, cao.party) if p != self.this]
                for word, kind in (("Allies", "Alliance"), ("Enemies", "Hostility"), ("Rivals", "Rivalry")):
                    if self.typed(claim, kind):
                        found[word].append(f'{self.listing(others)}{self.term(claim)}')
            if (claim, cao.supported, self.this) in self.g:
                found["Supported by"].append(f"{self.listing(self.g.objects(claim, cao.supporter))}{self.term(claim)}")
            if (claim, cao.supporter, self.this) in self.g:
                found["Supports"].append(f"{self.listing(self.g.objects(claim, cao.supported))}{self.term(claim)}")
        return [(word, "<br>".join(found[word])) for word in ("Allies", "Enemies", "Rivals", "Supported by", "Supports")]

    def person(self) -> list[tuple[str, str]]:
        roles = self.claims_with(ORG.member)
        return [("Rank", escape(", ".join(str(r) for r in self.own(self.cao.militaryRank)))),
                ("Roles", "<br>".join(
                    f"{self.listing(self.g.objects(c, ORG.role)) or 'member'} — {self.listing(self.g.objects(c, ORG.organization))}"
                    f"{self.term(c)}" for c in roles)),
                ("Organisations", self.listing(o for c in roles for o in self.g.objects(c, ORG.organization)))]

    def place(self) -> list[tuple[str, str]]:
        cao = self.cao
        lat, long = self.g.value(self.this, WGS.lat), self.g.value(self.this, WGS.long)
        held = defaultdict(list)
        for claim in self.claims_with(RDF.object):
            predicate = self.g.value(claim, RDF.predicate)
            if predicate in (cao.headquarters, cao.stronghold, cao.controls, cao.operatesIn):
                held[self.label(predicate)].append(f"{self.listing(self.g.objects(claim, RDF.subject))}{self.term(claim)}")
        events = [c for c in self.claims_with(cao.place)]
        return [("In", self.listing(self.own(SCHEMA.containedInPlace))),
                ("Contains", self.listing(self.g.subjects(SCHEMA.containedInPlace, self.this))),
                ("Coordinates", f"{lat}, {long}" if lat is not None and long is not None else ""),
                *[(f"{word[0].upper()}{word[1:]} of", "<br>".join(items)) for word, items in sorted(held.items())],
                ("Events here", f'<a href="#chronology">{len(events)}</a>' if events else "")]

    def event(self) -> list[tuple[str, str]]:
        cao, this = self.cao, self.this
        certainty = self.g.value(this, cao.certainty)
        # the roles, most specific first: a role's super-property (a victim is a target, every role a
        # participant) holds the same actors again, shown once, in the most specific row
        victims, agents, backers = self.own(cao.victim), self.own(cao.agent), self.own(cao.supportingActor)
        targets = [t for t in self.own(cao.target) if t not in victims]
        named = set(victims + agents + backers + targets)
        involved = [p for p in dict.fromkeys(self.own(cao.participant) + self.own(cao.party)) if p not in named]
        return [("When", self.when(this)),
                ("Where", self.listing(self.own(cao.place))),
                ("By", self.listing(agents)), ("Against", self.listing(targets)),
                ("Victims", self.listing(victims)),
                ("Backed by", self.listing(backers)),
                ("Also involved", self.listing(involved)),
                ("Organisations before", self.listing(self.own(ORG.originalOrganization))),
                ("Organisations after", self.listing(self.own(ORG.resultingOrganization))),
                ("Figures", "; ".join(sorted(self.quantity(q) for q in self.own(cao.quantity)))),
                ("Part of", self.listing(self.own(cao.partOf))),
                ("Led to", self.listing(self.own(cao.ledTo))), ("Ended", self.listing(self.own(cao.terminates))),
                ("Led to by", self.listing(self.g.subjects(cao.ledTo, this))),
                ("Certainty", self.certainty(certainty) if certainty is not None else ""),
                ("Sources", self.sources(this) if certainty is not None else ""),
                ("Stated in", self.pinpoints(this))]

    def certainty(self, value) -> str:
        hedged = " hedged" if not str(value).endswith("/stated") else ""
        return f'<a class="certainty{hedged}" href="{escape(self.href(value))}">{escape(self.label(value))}</a>'

    # --- the page's parts -------------------------------------------------------------------------
    def places(self) -> list[tuple[URIRef, str]]:
        """The places the map shows, each with why: a place itself and its parts, an event's places,
        an organisation's headquarters, strongholds and areas of operation."""
        cao = self.cao
        if self.kind == "place":
            return [(self.this, "")] + [(p, "part of it") for p in self.g.subjects(SCHEMA.containedInPlace, self.this)]
        if self.kind in ("event", "claim"):
            return [(p, "") for p in self.own(cao.place)]
        if self.kind == "organisation":
            found: dict = {}
            for word, predicate in (("headquarters", "headquarters"), ("stronghold", "stronghold"),
                                    ("controlled", "controls"), ("operates here", "operatesIn")):
                for place in self.own(cao[predicate]):
                    found.setdefault(place, []).append(word)
            return [(p, ", ".join(words)) for p, words in found.items()]
        return []

    def map(self, root: str) -> str:
        """The places on a map where the data has their coordinates; the others named beside it."""
        places = sorted(self.places(), key=lambda p: self.label(p[0]).casefold())
        markers, unplaced = [], []
        for place, why in places:
            lat, long = self.g.value(place, WGS.lat), self.g.value(place, WGS.long)
            if lat is None or long is None:
                unplaced.append(place)
            else:
                markers.append(Marker(self.href(place), self.label(place), float(lat), float(long), escape(why)))
        if not markers:
            return ""
        beside = (f'<p class="unmapped">Not on the map, for want of coordinates: {self.listing(unplaced)}.</p>'
                  if unplaced else "")
        return map_figure(root, markers, f"{self.label(self.this)}: places") + beside

    def related(self) -> bool:
        """Whether the organisation has a relation with another organisation (the network draws those)."""
        cao, this = self.cao, self.this
        for claim in self.claims:
            ends = [p for p in (cao.party, cao.supporter, cao.supported, ORG.member, ORG.organization,
                                ORG.originalOrganization, ORG.resultingOrganization) if (claim, p, this) in self.g]
            others = {o for p in (cao.party, cao.supporter, cao.supported, ORG.member, ORG.organization,
                                  ORG.originalOrganization, ORG.resultingOrganization)
                      for o in self.g.objects(claim, p) if o != this and self.kind_of(o) == "organisation"}
            if ends and others:
                return True
        return False

    def timeline(self) -> str:
        """The dated claims drawn in time (organisations and people: their events, memberships,
        roles and relations); the chronology below is its list."""
        if self.kind not in ("organisation", "person"):
            return ""
        roles = [self.cao[r] for r in ("agent", "target", "participant", "supportingActor", "victim", "party",
                                       "supporter", "supported")] + [ORG.member, ORG.organization]
        items = items_of(self.g, self, self.claims, self.kinds,
                         lambda n: [a for r in roles for a in self.g.objects(n, r)])
        if not any(i.start for i in items):
            return ""
        return timeline_figure(items, f"{self.label(self.this)} in time", listed=False)

    def summary(self) -> str:
        description = self.g.value(self.this, RDFS.comment)
        lead = f'<p class="lead">{escape(str(description))}</p>' if isinstance(description, Literal) else ""
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in self.facts())
        return f'{lead}<dl class="facts">{rows}</dl>'

    def chronology(self) -> str:
        """Every claim about the entity, by year (undated ones last), as the profile dates it."""
        if not self.claims:
            return ""
        years: dict[str, list] = defaultdict(list)
        for claim in self.claims:
            found = self.date_of(claim)
            years[str(found[0]) if found else "Undated"].append(claim)
        groups = []
        for year, claims in years.items():
            items = "".join(self.item(c) for c in claims)
            groups.append(f'<li><h3 id="year-{escape(year.lower())}">{escape(year)}</h3><ol>{items}</ol></li>')
        count = f"{len(self.claims)} claims and events" if len(self.claims) > 1 else "One claim or event"
        return (f'<h2 id="chronology">Chronology</h2><p>{count} about '
                f'{escape(self.label(self.this))}, in time order; each with its date as the profile gives it, '
                f'how certain it is, and its sources.</p><ol class="chronology">{"".join(groups)}</ol>')

    def item(self, claim) -> str:
        certainty = self.g.value(claim, self.cao.certainty)
        comment = self.g.value(claim, RDFS.comment)
        pinpoints = self.pinpoints(claim)
        return (f'<li><a href="{escape(self.href(claim))}">{escape(self.label(claim))}</a> '
                f'<span class="kind">{escape(self.kinds(claim))}</span><br>'
                f'<span class="meta"><time>{self.when(claim)}</time> · {self.certainty(certainty)} · '
                f'sources: {self.sources(claim)}{" · " + pinpoints if pinpoints else ""}</span>'
                + (f'<br><span class="note">{escape(str(comment))}</span>' if comment else "") + "</li>")
