"""Checking our Wikidata links against a Wikidata-compatible SPARQL endpoint.

For every linked entity we ask the endpoint (SPARQLWrapper, in polite batches, with a User-Agent
that names the project) for the item's English and French labels and aliases, its types with
their labels, and whether it redirects. An item is reported when none of its names matches any of
ours (ignoring case, accents and punctuation), when none of its types fits the kind of entity we
link it from, when it redirects, or when the endpoint knows nothing of it (deleted). Unlinked
entities are listed, and `suggest` proposes items whose label or alias equals one of their names;
nothing here ever writes a link.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from SPARQLWrapper import JSON, POST, SPARQLWrapper

from . import __version__
from .namespaces import WD
from .store import Store

WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = f"conflict-ld/{__version__} (https://w3id.org/conflict-ld/; Wikidata link checker) SPARQLWrapper"
BATCH = 50

# Words one of an item's type labels must contain for the item to fit the kind of entity linked
# to it. Kinds are our IRI folders; no Wikidata class ID is needed, so none is guessed.
KIND_WORDS = {
    "organisation": ("organization", "organisation", "group", "movement", "militia", "coalition", "party", "army",
                     "force", "front", "council", "alliance", "government", "junta", "rebel", "insurgent",
                     "terrorist", "jihad", "military", "agency", "union", "mission", "community", "confederation"),
    "person": ("human",),
    "place": ("city", "town", "commune", "region", "country", "state", "village", "settlement", "capital",
              "territory", "area", "cercle", "oasis", "place", "desert", "river", "lake", "district", "province"),
    "event": ("war", "battle", "coup", "conflict", "attack", "massacre", "rebellion", "insurgency", "siege",
              "event", "operation", "election", "agreement", "treaty", "crisis", "uprising", "offensive"),
    "concept": ("ethnic", "people", "tribe", "confederation", "population", "nation", "language"),
}

LINKED = """SELECT ?entity ?item ?name WHERE {
  ?entity owl:sameAs|skos:exactMatch ?item . FILTER (STRSTARTS(STR(?item), STR(wd:)))
  FILTER (STRSTARTS(STR(?entity), STR(id:)))
  ?entity rdfs:label|skos:prefLabel|skos:altLabel ?name .
} ORDER BY ?entity ?item ?name"""

UNLINKED = """SELECT ?entity ?name WHERE {
  VALUES ?folder { "organisation/" "person/" "place/" "event/" "concept/ethnic-group/" }
  ?entity a ?type . FILTER (STRSTARTS(STR(?entity), CONCAT(STR(id:), ?folder)) && !CONTAINS(STR(?entity), "#"))
  FILTER NOT EXISTS { ?entity owl:sameAs|skos:exactMatch ?item . FILTER (STRSTARTS(STR(?item), STR(wd:))) }
  ?entity rdfs:label|skos:prefLabel|skos:altLabel ?name .
} ORDER BY ?entity ?name"""

ABOUT_ITEMS = """SELECT ?item ?name ?type ?typeName ?redirect WHERE {
  VALUES ?item { %s }
  { ?item rdfs:label|skos:altLabel ?name . FILTER (LANG(?name) IN ("en", "fr")) }
  UNION { ?item wdt:P31 ?type . OPTIONAL { ?type rdfs:label ?typeName . FILTER (LANG(?typeName) = "en") } }
  UNION { ?item owl:sameAs ?redirect }
}"""

BY_NAME = """SELECT ?name ?item ?itemName ?description WHERE {
  VALUES ?name { %s }
  ?item rdfs:label|skos:altLabel ?name .
  OPTIONAL { ?item rdfs:label ?itemName . FILTER (LANG(?itemName) = "en") }
  OPTIONAL { ?item schema:description ?description . FILTER (LANG(?description) = "en") }
}"""

WIKIDATA_PREFIXES = ("PREFIX wd: <http://www.wikidata.org/entity/>\nPREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
                     "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nPREFIX schema: <http://schema.org/>\n")


class EndpointError(Exception):
    """The endpoint could not be reached or refused a query."""


def normalised(name: str) -> str:
    """Lower case, without accents or punctuation: how two spellings of one name are compared."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def kind_of(entity: str, base: str) -> str:
    """The kind of one of our entities: the folder under `id/` its IRI sits in."""
    return entity[len(base) + len("id/"):].split("/", 1)[0]


@dataclass
class Entity:
    iri: str
    names: set[str] = field(default_factory=set)
    item: str | None = None  # Q-ID when linked


@dataclass
class Finding:
    entity: Entity
    problem: str  # "ok", "label", "type", "redirect", "missing"
    detail: str = ""


def _rows(store: Store, text: str, prefixes: dict) -> list[dict]:
    return [{k: v["value"] for k, v in row.items()} for row in store.select(text, prefixes)]


def linked_entities(store: Store, prefixes: dict) -> list[Entity]:
    entities: dict[tuple[str, str], Entity] = {}
    for row in _rows(store, LINKED, prefixes):
        qid = row["item"][len(str(WD)):]
        entities.setdefault((row["entity"], qid), Entity(row["entity"], item=qid)).names.add(row["name"])
    return list(entities.values())


def unlinked_entities(store: Store, prefixes: dict) -> list[Entity]:
    entities: dict[str, Entity] = {}
    for row in _rows(store, UNLINKED, prefixes):
        entities.setdefault(row["entity"], Entity(row["entity"])).names.add(row["name"])
    return list(entities.values())


def _batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class WikidataClient:
    """SPARQLWrapper against one endpoint, one batch at a time, with a pause between batches."""

    def __init__(self, endpoint: str = WIKIDATA_ENDPOINT, pause: float = 1.0, timeout: int = 60):
        self.endpoint, self.pause, self.timeout = endpoint, pause, timeout
        self._asked = 0

    def select(self, text: str) -> list[dict]:
        if self._asked:
            time.sleep(self.pause)
        self._asked += 1
        client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(self.timeout)
        client.setQuery(WIKIDATA_PREFIXES + text)
        try:
            bindings = client.queryAndConvert()["results"]["bindings"]
        except Exception as problem:  # SPARQLWrapper raises urllib and its own errors alike
            raise EndpointError(f"{self.endpoint}: {problem}") from None
        return [{k: v["value"] for k, v in row.items()} for row in bindings]

    def about(self, qids: Iterable[str]) -> dict[str, dict]:
        """For each Q-ID: its names, its types {type Q-ID: label}, and the item it redirects to."""
        qids = sorted(set(qids))
        known: dict[str, dict] = {}
        for batch in _batches(qids, BATCH):
            for row in self.select(ABOUT_ITEMS % " ".join(f"wd:{q}" for q in batch)):
                entry = known.setdefault(row["item"][len(str(WD)):], {"names": set(), "types": {}, "redirect": None})
                if "name" in row:
                    entry["names"].add(row["name"])
                if "type" in row:
                    entry["types"][row["type"][len(str(WD)):]] = row.get("typeName", "")
                if "redirect" in row:
                    entry["redirect"] = row["redirect"][len(str(WD)):]
        return known

    def by_name(self, names: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
        """Items whose English or French label or alias is exactly one of `names`."""
        literals = sorted({f'"{_escaped(n)}"@{lang}' for n in names for lang in ("en", "fr")})
        found: dict[str, list[tuple[str, str, str]]] = {}
        for batch in _batches(literals, BATCH):
            for row in self.select(BY_NAME % " ".join(batch)):
                hit = (row["item"][len(str(WD)):], row.get("itemName", ""), row.get("description", ""))
                if hit not in found.setdefault(row["name"], []):
                    found[row["name"]].append(hit)
        return found


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def verify(linked: list[Entity], client: WikidataClient, base: str) -> list[Finding]:
    known = client.about(entity.item for entity in linked)
    findings = []
    for entity in linked:
        about = known.get(entity.item)
        if about is None:
            findings.append(Finding(entity, "missing", "the endpoint knows no such item (deleted?)"))
        elif about["redirect"]:
            findings.append(Finding(entity, "redirect", f"redirects to {about['redirect']}"))
        elif not _names_agree(entity.names, about["names"]):
            theirs = ", ".join(sorted(about["names"])) or "no English or French label"
            findings.append(Finding(entity, "label", f"ours: {', '.join(sorted(entity.names))}; Wikidata: {theirs}"))
        elif not _type_fits(kind_of(entity.iri, base), about["types"]):
            types = ", ".join(f"{q} ({label or '?'})" for q, label in sorted(about["types"].items())) or "no P31"
            findings.append(Finding(entity, "type", f"type {types} does not fit our kind '{kind_of(entity.iri, base)}'"))
        else:
            findings.append(Finding(entity, "ok"))
    return findings


def _names_agree(ours: set[str], theirs: set[str]) -> bool:
    mine = {normalised(n) for n in ours} - {""}
    other = {normalised(n) for n in theirs} - {""}
    return any(a == b or (len(a) > 3 and len(b) > 3 and (a in b or b in a)) for a in mine for b in other)


def _type_fits(kind: str, types: dict[str, str]) -> bool:
    words = KIND_WORDS.get(kind)
    if words is None:
        return True
    return any(word in label.casefold() for label in types.values() for word in words)


def suggest(unlinked: list[Entity], client: WikidataClient) -> list[tuple[Entity, str, list[tuple[str, str, str]]]]:
    """Candidate items for unlinked entities, by exact label or alias; never written anywhere."""
    found = client.by_name(name for entity in unlinked for name in entity.names)
    return [(entity, name, found[name]) for entity in unlinked for name in sorted(entity.names) if name in found]
