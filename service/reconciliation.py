"""Name matching for the reconciliation service: the index of names, how names are compared, candidates.

Librarians' spreadsheets spell the actors of northern Mali in many ways: acronyms (MNLA), French
names, no diacritics (Cherif for Chérif), other transliterations (Ag Ghaly, Intallah), odd case and
punctuation. Every name of an entity (English and French labels, alternative labels, `foaf:name`,
titles of works) is therefore compared under three keys, from strict to loose — accents, case and
punctuation folded; spaces removed as well; a transliteration skeleton — and then by fuzzy
similarity (rapidfuzz), each level scoring lower than the one before. Only a score from the exact
keys, or a near-identical fuzzy one, clearly ahead of the next entity, is declared a match.

The index is built once, from one SPARQL query over the served store (`index_query`), and is
read-only afterwards: nothing here touches HTTP or the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .store import Query

INDEX = """SELECT ?item ?key ?value ?lang WHERE {
  { ?item rdfs:label|skos:prefLabel ?value . BIND ("label" AS ?key) }
  UNION { ?item skos:altLabel|foaf:name|dcterms:title ?value . BIND ("alias" AS ?key) }
  UNION { ?item a ?value . BIND ("type" AS ?key) }
  UNION { ?item rdfs:subClassOf ?value . BIND ("broader" AS ?key) }
  UNION { ?item owl:sameAs|skos:exactMatch ?value . FILTER (STRSTARTS(STR(?value), STR(wd:))) BIND ("wikidata" AS ?key) }
  UNION { ?item org:subOrganizationOf ?value . BIND ("parent" AS ?key) }
  UNION { ?item cao:place|cao:headquarters|cao:stronghold|cao:operatesIn|cao:controls ?value . BIND ("place" AS ?key) }
  UNION { ?item schema:containedInPlace ?value . BIND ("within" AS ?key) }
  UNION { ?item cao:date ?value . BIND ("date" AS ?key) }
  UNION { ?item cao:start ?value . BIND ("start" AS ?key) }
  UNION { ?item cao:end ?value . BIND ("end" AS ?key) }
  UNION { ?change org:resultingOrganization ?item ; cao:date ?value . BIND ("inception" AS ?key) }
  UNION { ?change a cao:Dissolution ; org:originalOrganization ?item ; cao:date ?value . BIND ("dissolution" AS ?key) }
  FILTER (?key = "broader" || STRSTARTS(STR(?item), STR(id:)) || STRSTARTS(STR(?item), STR(cao:)))
  BIND (LANG(?value) AS ?lang)
}"""

# What can be reconciled: everything under these classes that has a label (claims and notes cannot).
ENTITY_ROOTS = ("foaf:Agent", "schema:Place", "cao:Event", "bibo:Document", "bibo:Collection", "skos:Concept")
# The types offered first, with the names people know them by.
DEFAULT_TYPES = {"org:Organization": "organisation", "foaf:Person": "person", "schema:Place": "place",
                 "cao:Event": "event", "bibo:Document": "work", "skos:Concept": "concept"}


@dataclass(frozen=True)
class Property:
    name: str
    description: str
    applies_to: tuple[str, ...] = ()  # classes (prefixed) whose instances can have it; empty: every entity
    value_type: str | None = None  # the default type of its values when they are entities of this service


# Property ids for query constraints (`properties`) and data extension alike.
PROPERTIES = {
    "wikidata": Property("Wikidata ID", "the Wikidata item (Q…) the entity is the same as"),
    "type": Property("type", "the entity's classes, by id or name"),
    "parent": Property("parent organisation", "the organisation it is part of (org:subOrganizationOf)",
                       ("org:Organization",), "org:Organization"),
    "place": Property("place", "where an event happened, where a place lies, where an organisation is "
                               "based, holds or operates", ("cao:Event", "schema:Place", "org:Organization"),
                      "schema:Place"),
    "inception": Property("inception", "date of the founding, merger or split that created the organisation",
                          ("org:Organization",)),
    "dissolution": Property("dissolution", "date the organisation was dissolved", ("org:Organization",)),
    "date": Property("date", "date of the event, as precise as the source", ("cao:Event",)),
    "start": Property("start", "start of the event", ("cao:Event",)),
    "end": Property("end", "end of the event", ("cao:Event",)),
}
DATES = ("inception", "dissolution", "date", "start", "end")

EXACT, COMPACT, SKELETON = 100, 98, 96  # scores of the three exact keys
FUZZY_WEIGHT = 0.95  # fuzzy similarity (0–100) scaled below the exact keys
SIMILARITIES = (fuzz.ratio, fuzz.token_sort_ratio)  # the second in any word order ("Ag Ghali, Iyad")
MATCH_SCORE, MATCH_LEAD = 90, 5  # a match: at least this score, this far ahead of the next entity
SHORTEST_FUZZY = 5  # acronyms and other short names are only matched exactly
CANDIDATE_FLOOR = 60  # similarity below which a name is no candidate
QUALIFIER_WEIGHT = 0.9  # a name in parentheses ("Gaddafi (Libya)") counts less than the main one
PROPERTY_BONUS = 5  # for each constraint a candidate satisfies


class BadRequest(ValueError):
    """A reconciliation request this service cannot answer; the message says why, in one line."""


# --- normalisation -------------------------------------------------------------------------------------

_LETTERS = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l",
                          "Ł": "L", "đ": "d", "Đ": "D"})
# French and English transcriptions of Tamasheq and Arabic names, folded to one spelling.
_TRANSLITERATIONS = (("ou", "u"), ("w", "u"), ("y", "i"), ("ph", "f"), ("sh", "ch"), ("dj", "j"),
                     ("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("q", "k"))
_ARTICLES = {"el": "al", "ul": "al"}
_CONJUNCTIONS = {"and", "et"}  # "&" is punctuation, so "Conflict & Terrorism" is "Conflict and Terrorism"


def normalise(text: str) -> str:
    """Lower case, without diacritics or punctuation, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", bare))


def compact(text: str) -> str:
    """The normalised name without spaces: MAA-D, MAA D and MAAD are one."""
    return normalise(text).replace(" ", "")


def skeleton(text: str) -> str:
    """A coarse spelling: Ghaly and Ghali, Intallah and Intalla, Mouammar and Muammar fall together."""
    words = []
    for word in normalise(text).split():
        if word in _CONJUNCTIONS:
            continue
        word = _ARTICLES.get(word, word)
        for spelled, folded in _TRANSLITERATIONS:
            word = word.replace(spelled, folded)
        if len(word) > 2:
            word = word.rstrip("h") or word
        words.append(re.sub(r"(.)\1+", r"\1", word))
    return " ".join(words)


# --- the index -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    text: str
    lang: str
    label: bool  # an rdfs:label or skos:prefLabel, not an alternative name


@dataclass
class Entity:
    id: str  # the IRI less the identifier space: "organisation/mnla"
    iri: str
    names: list[Name]
    types: frozenset[str]  # asserted classes
    classes: frozenset[str] = frozenset()  # every class it belongs to, through rdfs:subClassOf
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # property id -> ids, Q-ids or dates

    def label(self, lang: str = "en") -> str:
        labels = [n.text for n in self.names if n.label]
        chosen = [n.text for n in self.names if n.label and n.lang == lang]
        return (chosen or labels or [n.text for n in self.names] or [self.id])[0]


@dataclass(frozen=True)
class TypeInfo:
    id: str
    name: str
    curie: str
    broader: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    match: bool = False


@dataclass(frozen=True)
class Constraint:
    pid: str
    values: tuple  # strings, numbers, booleans or {"id": …} objects, as the client sent them


@dataclass(frozen=True)
class Lookup:
    """One query of a batch, checked: a name (None to search by properties alone), types, constraints."""

    text: str | None
    types: tuple[str, ...] = ()
    type_strict: str = "any"  # "all": every type; "any", and "should" (sent by OpenRefine every time): one
    limit: int = 5
    constraints: tuple[Constraint, ...] = ()


# The keys every name is compared under, from strict to loose, with the score each gives.
KEYS = (("exact", normalise, EXACT), ("compact", compact, COMPACT), ("skeleton", skeleton, SKELETON))


def index_query(prefixes: Mapping[str, str], base: str) -> Query:
    """The one query the index is built from (through the query pool)."""
    return Query(INDEX, "application/sparql-results+json", {**prefixes, "id": base + "id/"})


class NameIndex:
    """Every reconcilable entity of the store with its names under each key, and the classes they use."""

    def __init__(self, rows: Iterable[Mapping[str, Mapping[str, str]]], prefixes: Mapping[str, str], base: str):
        self.prefixes = dict(prefixes)
        self.space = base + "id/"
        facts: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            facts[row["item"]["value"]][row["key"]["value"]].append(
                (row["value"]["value"], row.get("lang", {}).get("value", "")))
        self._broader = {item: tuple(sorted(v for v, _ in kinds["broader"])) for item, kinds in facts.items()
                         if kinds.get("broader")}
        roots = {self.expand(curie) for curie in ENTITY_ROOTS}
        self.entities: dict[str, Entity] = {}
        for iri, kinds in facts.items():
            types = frozenset(v for v, _ in kinds.get("type", ()))
            classes = self._closure(types)
            if iri.startswith(self.space) and kinds.get("label") and classes & roots:
                names = [Name(text, lang, key == "label") for key in ("label", "alias")
                         for text, lang in kinds.get(key, ()) if normalise(text)]
                local = iri[len(self.space):]
                self.entities[local] = Entity(local, iri, names, types, classes)
        for local, entity in self.entities.items():
            entity.values = self._values(facts[entity.iri])
        self.types = self._types(facts)
        self._keys: dict[str, dict[str, set[str]]] = {key: defaultdict(set) for key, _, _ in KEYS}
        fuzzy: dict[tuple[str, str], None] = {}
        for entity in self.entities.values():
            for name in entity.names:
                for key, function, _ in KEYS:
                    self._keys[key][function(name.text)].add(entity.id)
                if len(compact(name.text)) >= SHORTEST_FUZZY:
                    fuzzy[(skeleton(name.text), entity.id)] = None
        self._fuzzy_names = [name for name, _ in fuzzy]
        self._fuzzy_owners = [owner for _, owner in fuzzy]

    # -- building ----------------------------------------------------------------------------------------

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return self.prefixes[prefix] + local if prefix in self.prefixes else curie

    def curie(self, iri: str) -> str:
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda item: -len(item[1])):
            if iri.startswith(namespace) and iri != namespace:
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def _closure(self, classes: Iterable[str]) -> frozenset[str]:
        seen, todo = set(), list(classes)
        while todo:
            kind = todo.pop()
            if kind not in seen:
                seen.add(kind)
                todo.extend(self._broader.get(kind, ()))
        return frozenset(seen)

    def _values(self, kinds: Mapping[str, list[tuple[str, str]]]) -> dict[str, tuple[str, ...]]:
        def local(iris):
            return tuple(sorted({i[len(self.space):] for i, _ in iris if i[len(self.space):] in self.entities}))

        values = {"wikidata": tuple(sorted({v.rsplit("/", 1)[-1] for v, _ in kinds.get("wikidata", ())})),
                  "parent": local(kinds.get("parent", ())),
                  "place": local([*kinds.get("place", ()), *kinds.get("within", ())])}
        for date in DATES:
            values[date] = tuple(sorted({v for v, _ in kinds.get(date, ())}))
        values["inception"] = values["inception"][:1]  # re-foundings (a coalition merged into one body) come later
        return values

    def _types(self, facts) -> dict[str, TypeInfo]:
        used = set().union(*(entity.classes for entity in self.entities.values())) if self.entities else set()
        named = {self.expand(curie): name for curie, name in DEFAULT_TYPES.items()}
        types = {}
        for iri in sorted(used):
            labels = [text for text, lang in facts.get(iri, {}).get("label", ()) if lang == "en"]
            local = re.split(r"[#/]", iri)[-1]
            name = named.get(iri) or (labels[0] if labels else re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower())
            broader = tuple(b for b in self._broader.get(iri, ()) if b in used)
            types[iri] = TypeInfo(iri, name, self.curie(iri), broader)
        return types

    # -- looking up --------------------------------------------------------------------------------------

    def entity(self, reference: str) -> Entity | None:
        """An entity by its id ("organisation/mnla"), its IRI or a prefixed name ("grp:mnla")."""
        reference = reference.strip()
        for candidate in (reference, reference.removeprefix(self.space), self.expand(reference).removeprefix(self.space)):
            if candidate in self.entities:
                return self.entities[candidate]
        return None

    def type_id(self, reference: str) -> str:
        """A type's IRI from its IRI, prefixed name or name; `BadRequest` if no entity has it."""
        reference = reference.strip()
        if reference in self.types or self.expand(reference) in self.types:
            return reference if reference in self.types else self.expand(reference)
        by_name = [t.id for t in self.types.values() if normalise(t.name) == normalise(reference)]
        if len(by_name) == 1:
            return by_name[0]
        raise BadRequest(f"unknown type {reference!r}; /reconcile/suggest/type lists the types.")

    def specific_types(self, entity: Entity) -> list[TypeInfo]:
        """The entity's asserted classes that no other of them specialises."""
        asserted = [t for t in entity.types if t in self.types]
        return [self.types[t] for t in sorted(asserted)
                if not any(t != other and t in self._closure([other]) for other in asserted)]

    def candidate_types(self, entity: Entity) -> list[TypeInfo]:
        """Its specific types, then the default type it falls under, so clients can guess a column's type."""
        defaults = [self.types[self.expand(c)] for c in DEFAULT_TYPES if self.expand(c) in entity.classes]
        return list(dict.fromkeys(self.specific_types(entity) + defaults[:1]))

    def description(self, entity: Entity) -> str:
        """Kind and dates, and what it belongs to: enough to tell namesakes apart."""
        parts = [", ".join(t.name for t in self.specific_types(entity))]
        values = entity.values
        if values["inception"]:
            parts.append(f"founded {values['inception'][0]}")
        if values["dissolution"]:
            parts.append(f"dissolved {values['dissolution'][-1]}")
        if values["date"]:
            parts.append(" / ".join(values["date"]))
        elif values["start"] or values["end"]:
            parts.append(f"{'/'.join(values['start']) or '?'} – {'/'.join(values['end']) or '?'}")
        if values["parent"]:
            parts.append("part of " + ", ".join(self.entities[p].label() for p in values["parent"]))
        return "; ".join(p for p in parts if p)

    # -- matching ----------------------------------------------------------------------------------------

    def scores(self, text: str) -> dict[str, float]:
        """The best score of every entity with a name like `text` (0–100)."""
        forms = [(text, 1.0)]
        qualified = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]+)\)\s*", text)
        if qualified:
            forms += [(qualified.group(1), 1.0), (qualified.group(2), QUALIFIER_WEIGHT)]
        best: dict[str, float] = {}

        def keep(owner: str, score: float):
            if score > best.get(owner, 0):
                best[owner] = score

        for form, weight in forms:
            for key, function, score in KEYS:
                for owner in self._keys[key].get(function(form), ()):
                    keep(owner, score * weight)
            if len(compact(form)) < SHORTEST_FUZZY:
                continue
            for scorer in SIMILARITIES:
                for _, value, position in process.extract(skeleton(form), self._fuzzy_names, scorer=scorer,
                                                          limit=None, score_cutoff=CANDIDATE_FLOOR):
                    keep(self._fuzzy_owners[position], round(value * FUZZY_WEIGHT * weight, 1))
        return best

    def reconcile(self, request: Lookup) -> list[Candidate]:
        """Candidates, best first, the first flagged as a match when it is confident and unrivalled."""
        if request.text is not None:
            named = self.entity(request.text)
            scored = {named.id: float(EXACT)} if named else self.scores(request.text)
        else:
            scored = {local: 50.0 for local in self.entities}
        wanted = [self.type_id(t) for t in request.types]
        ranked = []
        for local, score in scored.items():
            entity = self.entities[local]
            held = [t in entity.classes for t in wanted]
            if wanted and not (all(held) if request.type_strict == "all" else any(held)):
                continue
            verdicts = [self.satisfies(entity, c) for c in request.constraints]
            if False in verdicts or (request.text is None and None in verdicts):
                continue
            if any(v and c.pid == "wikidata" for v, c in zip(verdicts, request.constraints)):
                score = float(EXACT)
            score = min(float(EXACT), score + PROPERTY_BONUS * verdicts.count(True))
            label_first = not any(n.label and normalise(n.text) == normalise(request.text or "") for n in entity.names)
            ranked.append((-score, label_first, entity.label().casefold(), entity.id, score))
        ranked.sort()
        candidates = [Candidate(self.entities[local], score) for *_, local, score in ranked[:request.limit]]
        if candidates and candidates[0].score >= MATCH_SCORE and (
                len(ranked) == 1 or candidates[0].score - ranked[1][-1] >= MATCH_LEAD):
            candidates[0] = Candidate(candidates[0].entity, candidates[0].score, True)
        return candidates

    def checked(self, constraint: Constraint) -> Constraint:
        """The constraint, or `BadRequest` for values that compare with nothing (a Wikidata ID that is none)."""
        for value in constraint.values:
            if constraint.pid == "wikidata":
                _qid(value)
            elif constraint.pid == "type":
                self.type_id(str(_reference(value)))
        return constraint

    def satisfies(self, entity: Entity, constraint: Constraint) -> bool | None:
        """Whether the entity has one of the constraint's values; None when it has no value to compare."""
        pid = constraint.pid
        if pid == "type":
            return any(self.type_id(str(_reference(v))) in entity.classes for v in constraint.values)
        held = entity.values[pid]
        if not held:
            return None
        if pid == "wikidata":
            return bool({_qid(v) for v in constraint.values} & set(held))
        if PROPERTIES[pid].value_type:
            reachable = self._reachable(held, pid)
            return any(self._names_one_of(reachable, v) for v in constraint.values)
        return any(d.startswith(str(v).strip()) or str(v).strip().startswith(d) for v in constraint.values for d in held)

    def _reachable(self, start: Iterable[str], follow: str) -> set[str]:
        """Entities reachable through a property: places and their containers, organisations and their parents."""
        seen, todo = set(), list(start)
        while todo:
            local = todo.pop()
            if local not in seen:
                seen.add(local)
                todo.extend(self.entities[local].values[follow])
        return seen

    def _names_one_of(self, locals_: set[str], value) -> bool:
        reference = str(_reference(value))
        named = self.entity(reference)
        if named:
            return named.id in locals_
        key = skeleton(reference)
        return any(skeleton(n.text) == key for local in locals_ for n in self.entities[local].names)

    def suggest(self, prefix: str, types: Iterable[str] = ()) -> list[Entity]:
        """Entities one of whose names (or a word of it) starts with `prefix`: names before words, short before long."""
        wanted = [self.type_id(t) for t in types]
        start, squeezed = normalise(prefix), compact(prefix)
        if not start:
            return []
        named = self.entity(prefix)
        ranked = []
        for entity in self.entities.values():
            if wanted and not any(t in entity.classes for t in wanted):
                continue
            ranks = [(0 if normalise(n.text).startswith(start) else 1, len(n.text), not n.label) for n in entity.names
                     if f" {normalise(n.text)}".count(f" {start}") or compact(n.text).startswith(squeezed)]
            if entity is named:
                ranks = [(-1, 0, False)]
            if ranks:
                ranked.append((min(ranks), entity.label().casefold(), entity.id))
        return [self.entities[local] for *_, local in sorted(ranked)]

    def proposed_properties(self, type_id: str | None) -> list[str]:
        """Property ids that entities of the type (or some of them) have; all of them for no type."""
        if not type_id:
            return list(PROPERTIES)
        related = self._closure([type_id])
        subclasses = {t for t in self.types if type_id in self._closure([t])}
        return [pid for pid, p in PROPERTIES.items()
                if not p.applies_to or {self.expand(c) for c in p.applies_to} & (related | subclasses)]


def _reference(value):
    """A property value as a string: the id of an {"id": …} object, else the value itself."""
    return value.get("id", "") if isinstance(value, dict) else value


def _qid(value) -> str:
    found = re.search(r"Q[1-9][0-9]*", str(_reference(value)).upper())
    if not found:
        raise BadRequest(f"{_reference(value)!r} is not a Wikidata item ID (Q followed by digits).")
    return found.group(0)
