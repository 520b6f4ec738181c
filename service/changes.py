"""What changed between two releases, for people: entities added, removed and changed (with the
properties that changed), and claims whose sources changed.

An entity is a document of the dataset's namespace: an IRI under the base with its fragment cut,
so `…/id/event/x#time` is part of `…/id/event/x`. Statements are compared as triples, whichever
graph holds them, and a blank node is compared by what it says (its statements, recursively), not
by its label, which RDFC-1.0 gives afresh in each release. An IRI whose only statements say what
replaced it (`dcterms:isReplacedBy`, a tombstone) is not a description. A claim's sources are the
works (and pages) of its `prov:qualifiedDerivation` nodes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from rdflib.namespace import DCTERMS

from .namespaces import PROV

QUALIFIED_DERIVATION, ENTITY = str(PROV.qualifiedDerivation), str(PROV.entity)
REPLACED_BY = str(DCTERMS.isReplacedBy)


@dataclass(frozen=True)
class Source:
    work: str
    pages: tuple[str, ...]  # sorted; none when the work is cited as a whole


@dataclass(frozen=True)
class SourceChange:
    claim: str
    removed: tuple[Source, ...]
    added: tuple[Source, ...]


@dataclass(frozen=True)
class Summary:
    deleted: int  # statements (quads) deleted and added
    added: int
    entities_added: tuple[str, ...]
    entities_removed: tuple[str, ...]
    entities_changed: dict[str, tuple[str, ...]]  # entity → the properties whose statements changed
    sources_changed: tuple[SourceChange, ...]

    @property
    def bump(self) -> str:
        """The part of a semantic version this change requires: an entity gone breaks links."""
        if self.entities_removed:
            return "major"
        return "minor" if self.deleted or self.added else "patch"

    def as_json(self) -> dict:
        def sources(listed):
            return [{"work": source.work, "pages": list(source.pages)} for source in listed]
        return {
            "statements": {"deleted": self.deleted, "added": self.added},
            "entities": {"added": list(self.entities_added), "removed": list(self.entities_removed),
                         "changed": [{"entity": entity, "properties": list(properties)}
                                     for entity, properties in self.entities_changed.items()]},
            "claimsWithChangedSources": [{"claim": change.claim, "removed": sources(change.removed),
                                          "added": sources(change.added)} for change in self.sources_changed],
        }


class _Description:
    """One release's statements by entity, blank nodes written out as what they say."""

    def __init__(self, lines: Iterable[str], base: str):
        page = base + "ontology#page"
        about: dict[ox.BlankNode, set[tuple]] = defaultdict(set)
        named: set[ox.Triple] = set()
        for quad in ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.subject, ox.BlankNode):
                about[quad.subject].add((quad.predicate, quad.object))
            else:
                named.add(quad.triple)
        self._about = about
        self.statements: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.sources: dict[str, set[Source]] = defaultdict(set)
        for triple in named:
            subject = triple.subject.value
            if not subject.startswith(base):
                continue
            self.statements[subject.partition("#")[0]].add((subject, triple.predicate.value, self._written(triple.object)))
            if triple.predicate.value == QUALIFIED_DERIVATION and isinstance(triple.object, ox.BlankNode):
                said = about[triple.object]
                for work in (o.value for p, o in said if p.value == ENTITY):
                    self.sources[subject].add(Source(work, tuple(sorted(o.value for p, o in said if p.value == page))))
        for document in [d for d, said in self.statements.items() if {p for _, p, _ in said} == {REPLACED_BY}]:
            del self.statements[document]

    def _written(self, term, seen: frozenset = frozenset()) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term in seen:  # a cycle of blank nodes: cut it
            return "[…]"
        inner = sorted(f"{p} {self._written(o, seen | {term})}" for p, o in self._about[term])
        return "[" + " ; ".join(inner) + "]"


def summarise(old: Iterable[str], new: Iterable[str], base: str) -> Summary:
    """The changes from one release's canonical N-Quads lines to another's."""
    old_lines, new_lines = set(old), set(new)
    before, after = _Description(old_lines, base), _Description(new_lines, base)
    changed = {}
    for entity in sorted(before.statements.keys() & after.statements.keys()):
        differing = before.statements[entity] ^ after.statements[entity]
        if differing:
            changed[entity] = tuple(sorted({predicate for _, predicate, _ in differing}))
    sources = tuple(SourceChange(claim, tuple(sorted(before.sources[claim] - after.sources[claim], key=_order)),
                                 tuple(sorted(after.sources[claim] - before.sources[claim], key=_order)))
                    for claim in sorted(before.sources.keys() & after.sources.keys())
                    if before.sources[claim] != after.sources[claim])
    return Summary(len(old_lines - new_lines), len(new_lines - old_lines),
                   tuple(sorted(after.statements.keys() - before.statements.keys())),
                   tuple(sorted(before.statements.keys() - after.statements.keys())), changed, sources)


def _order(source: Source) -> tuple[str, tuple[str, ...]]:
    return source.work, source.pages
