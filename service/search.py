"""Site search: every name of every entity and claim (English and French labels, acronyms,
alternative names, titles), found by the words one types, whatever their case, accents or
punctuation ("cherif" finds Bilal Ag Chérif, "maa-d" and "MAAD" the same movement).

The index is made once, when the service starts, from three queries over the served store; a
search is then a scan of some thousands of folded names in memory. Hits are ranked by how well a
name matches (the whole name, its beginning, or a prefix of each of its words), then by kind
(organisations, people and places before events, events before sources and concepts, claims
last), then by how many resources of the dataset link to the entity: the MNLA before a small
movement whose French name also begins "Mouvement national".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping

from .namespaces import local_words
from .reconciliation import compact, normalise
from .store import Store

NAMES = """SELECT ?item ?name ?main WHERE {
  { ?item rdfs:label|skos:prefLabel ?name . BIND (true AS ?main) }
  UNION { ?item skos:altLabel|foaf:name|dcterms:title ?name . BIND (false AS ?main) }
  FILTER (isIRI(?item) && STRSTARTS(STR(?item), STR(id:)) && !STRSTARTS(STR(?item), STR(sen:)))
  FILTER (LANG(?name) IN ("", "en", "fr"))
}"""

KINDS = """SELECT ?item ?type ?label WHERE {
  ?item a ?type . FILTER (isIRI(?item) && STRSTARTS(STR(?item), STR(id:)) && !STRSTARTS(STR(?item), STR(sen:)))
  FILTER NOT EXISTS { ?item a ?narrower . ?narrower rdfs:subClassOf+ ?type . FILTER (?narrower != ?type) }
  OPTIONAL { ?type rdfs:label ?label . FILTER (LANG(?label) = "en") }
}"""

LINKS = """SELECT ?item (COUNT(DISTINCT ?in) AS ?links) WHERE {
  ?in ?p ?item . FILTER (isIRI(?item) && STRSTARTS(STR(?item), STR(id:)))
} GROUP BY ?item"""

# The kinds of entity by the part of their IRI after id/, in the order hits are ranked.
KIND_ORDER = {"organisation": 0, "person": 0, "place": 0, "event": 1, "work": 2, "agent": 2, "concept": 2,
              "scheme": 2, "claim": 3, "note": 3}
LIMIT = 20  # hits a search returns unless asked for fewer or more
MOST = 100


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str  # the English label (or the first name known)
    kind: str  # what it is, in words: "armed group", "person", "city", "alliance"…
    matched: str  # the name that matched, which may be an acronym or the French label


@dataclass(frozen=True)
class _Name:
    text: str
    folded: str
    squeezed: str
    words: tuple[str, ...]


class SearchIndex:
    def __init__(self, names: list[dict], kinds: list[dict], links: list[dict], base: str):
        self.base = base
        self.names: dict[str, list[_Name]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for row in names:
            item, text = row["item"]["value"], row["name"]["value"]
            folded = normalise(text)
            if not folded:
                continue
            self.names[item].append(_Name(text, folded, compact(text), tuple(folded.split())))
            if row["main"]["value"] == "true" and (item not in self.labels or row["name"].get("xml:lang") == "en"):
                self.labels[item] = text
        found: dict[str, set[str]] = defaultdict(set)
        for row in kinds:
            found[row["item"]["value"]].add(row.get("label", {}).get("value") or local_words(row["type"]["value"]))
        self.kinds = {item: ", ".join(sorted(words)) for item, words in found.items()}
        self.links = {row["item"]["value"]: int(row["links"]["value"]) for row in links}
        for entries in self.names.values():  # each name once, however many languages carry it
            entries[:] = list({n.text: n for n in entries}.values())

    @classmethod
    def of_store(cls, store: Store, prefixes: Mapping[str, str], base: str) -> "SearchIndex":
        known = {**prefixes, "id": base + "id/"}
        return cls(store.select(NAMES, known), store.select(KINDS, known), store.select(LINKS, known), base)

    def _order(self, item: str) -> int:
        return KIND_ORDER.get(item[len(self.base) + 3:].split("/", 1)[0], 4)

    @staticmethod
    def _fit(name: _Name, folded: str, squeezed: str, words: list[str]) -> int | None:
        """How well a name fits the query: 0 it is the name, 1 the name begins so, 2 each word
        begins one of the name's words; None when it does not fit."""
        if name.folded == folded or name.squeezed == squeezed:
            return 0
        if name.folded.startswith(folded) or name.squeezed.startswith(squeezed):
            return 1
        if all(any(w.startswith(word) for w in name.words) for word in words):
            return 2
        return None

    def search(self, text: str, limit: int = LIMIT) -> list[Hit]:
        folded = normalise(text)
        if not folded:
            return []
        squeezed, words = compact(text), folded.split()
        ranked = []
        for item, names in self.names.items():
            fits = [(fit, name) for name in names if (fit := self._fit(name, folded, squeezed, words)) is not None]
            if not fits:
                continue
            fit, name = min(fits, key=lambda f: (f[0], len(f[1].text)))
            label = self.labels.get(item, names[0].text)
            ranked.append(((fit, self._order(item), -self.links.get(item, 0), label.casefold(), item), name.text))
        ranked.sort()
        return [Hit(key[-1], self.labels.get(key[-1], matched), self.kinds.get(key[-1], "entity"), matched)
                for key, matched in ranked[:limit]]
