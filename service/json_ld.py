"""JSON-LD as people read it: blank nodes nested where they are used, IRIs compacted by prefix.

In our data every blank node (a claim's source with its page, a figure, a time interval) belongs to
the one resource that mentions it, so `nest` embeds each blank node referenced exactly once in
place of the reference (JSON-LD's embedded node objects), and writes `rdf:type` as `@type`.
`Compactor` then compacts with the dataset's context. That context holds prefixes only, so
compaction reduces to choosing each IRI's shortest compact form and dropping single-item arrays:
done here directly, it is linear in the data and runs node by node, which lets `write_document`
stream a dump of any size; the tests check it against pyld's general algorithm. Every step keeps
the triples.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Iterable, TextIO

import pyoxigraph as ox

from .namespaces import prefixes

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GEN_DELIMS = ":/?#[]@"  # a term whose IRI ends in one of these may prefix compact IRIs (JSON-LD 1.1)


def context(base: str) -> dict:
    """The dataset's JSON-LD context: its prefixes. Dumps and entity documents are compacted with
    it and carry it inline, so they expand without fetching anything; `/context.jsonld` publishes it."""
    return {"@context": prefixes(base)}


def _value(term) -> dict:
    """An RDF term as an expanded JSON-LD value or node reference."""
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def expanded(triples: Iterable[ox.Triple]) -> list[dict]:
    """Flat expanded node objects of distinct triples, one per subject, in the order subjects first appear."""
    nodes: dict = {}
    for triple in triples:
        subject = _value(triple.subject)["@id"]
        node = nodes.setdefault(subject, {"@id": subject})
        node.setdefault(triple.predicate.value, []).append(_value(triple.object))
    return list(nodes.values())


def _references(value: Any, counts: dict[str, int]) -> None:
    if isinstance(value, list):
        for item in value:
            _references(item, counts)
    elif isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"].startswith("_:"):
            counts[value["@id"]] = counts.get(value["@id"], 0) + 1
        for key, item in value.items():
            if key != "@id":
                _references(item, counts)


def _typed(node: dict) -> dict:
    """`rdf:type` with IRI values as JSON-LD's `@type`, the form every JSON-LD reader expects."""
    types = node.get(TYPE, [])
    if not types or not all(set(value) == {"@id"} for value in types):
        return node
    return {**{k: v for k, v in node.items() if k != TYPE}, "@type": [value["@id"] for value in types]}


def _merged(flat: list[dict]) -> list[dict]:
    """One node object per `@id`: a streaming writer may describe a subject in several pieces."""
    nodes: dict[str, dict] = {}
    for node in flat:
        whole = nodes.setdefault(node["@id"], {"@id": node["@id"]})
        for key, values in node.items():
            if key != "@id":
                whole.setdefault(key, []).extend(v for v in values if v not in whole[key])
    return list(nodes.values())


class _Embedder:
    """Puts blank nodes used once (`nested`, by id) in place of their references."""

    def __init__(self, nested: dict[str, dict]):
        self.nested, self.embedded = nested, set()

    def node(self, node: dict) -> dict:
        return self._embed(node, frozenset({node["@id"]}))

    def _embed(self, value: Any, trail: frozenset[str]) -> Any:
        if isinstance(value, list):
            return [self._embed(item, trail) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"@id"} and value["@id"] in self.nested and value["@id"] not in trail:
            self.embedded.add(value["@id"])
            node = self.nested[value["@id"]]
            return {key: self._embed(item, trail | {value["@id"]}) for key, item in node.items() if key != "@id"}
        return {key: item if key == "@id" else self._embed(item, trail) for key, item in value.items()}

    def rest(self) -> Iterable[dict]:
        """Blank nodes used once but only reachable from each other (a cycle): each heads a node."""
        for name, node in self.nested.items():
            if name not in self.embedded:
                self.embedded.add(name)
                yield self.node(node)


def nest(flat: list[dict]) -> list[dict]:
    """Top-level node objects of a flat expanded document, with single-use blank nodes embedded."""
    flat = [_typed(node) for node in _merged(flat)]
    counts: dict[str, int] = {}
    _references(flat, counts)
    embedder = _Embedder({node["@id"]: node for node in flat if counts.get(node["@id"], 0) == 1})
    top = [embedder.node(node) for node in flat if node["@id"] not in embedder.nested]
    return top + list(embedder.rest())


class Compactor:
    """JSON-LD compaction for a context of prefixes only, as the JSON-LD 1.1 algorithms give it:
    each IRI becomes its shortest compact IRI (the least in code-point order among equals), a key
    or type equal to a prefix's IRI becomes that term, plain strings lose their value object, and
    single values their array."""

    def __init__(self, context: dict):
        self.context = context
        terms = context["@context"]
        self._terms = {iri: term for term, iri in terms.items()}
        self._prefixes = {iri: term for term, iri in terms.items() if iri.endswith(tuple(GEN_DELIMS))}
        self._vocab: dict[str, str] = {}  # keys and types recur: each is compacted once
        self._heads: dict[str, tuple[int, str] | None] = {}  # IRI up to its last delimiter → best prefix

    def iri(self, iri: str, vocab: bool = False) -> str:
        if vocab:
            known = self._vocab.get(iri)
            if known is None:
                known = self._vocab[iri] = self._terms.get(iri) or self._compact_iri(iri)
            return known
        return self._compact_iri(iri)

    def _compact_iri(self, iri: str) -> str:
        """Prefixes end at a delimiter, so every candidate is decided by the IRI's head (up to its
        last delimiter, short of the end: a compact IRI's suffix is never empty); heads are few."""
        head = iri[:max(iri.rfind(char, 0, len(iri) - 1) for char in GEN_DELIMS) + 1]
        if head not in self._heads:
            self._heads[head] = self._best_prefix(head)
        best = self._heads[head]
        return iri if best is None else f"{best[1]}:{iri[best[0]:]}"

    def _best_prefix(self, head: str) -> tuple[int, str] | None:
        """(length of the namespace, term) giving the shortest, then least, compact IRI."""
        candidates = [(len(term) + 1 - end, f"{term}:{head[end:]}", end, term)
                      for end in range(1, len(head) + 1) if head[end - 1] in GEN_DELIMS
                      for term in [self._prefixes.get(head[:end])] if term is not None]
        return min(candidates)[2:] if candidates else None

    def value(self, value: dict) -> Any:
        if "@value" in value:
            if "@type" in value:
                return {"@type": self.iri(value["@type"], vocab=True), "@value": value["@value"]}
            return value if "@language" in value else value["@value"]
        if set(value) == {"@id"}:
            return {"@id": self.iri(value["@id"])}
        return self.node(value)

    def node(self, node: dict) -> dict:
        compact: dict = {}
        for key, values in node.items():
            if key == "@id":
                compact["@id"] = self.iri(values)
                continue
            if key == "@type":
                items = [self.iri(value, vocab=True) for value in values]
            else:
                key, items = self.iri(key, vocab=True), [self.value(value) for value in values]
            compact[key] = items[0] if len(items) == 1 else items
        return compact

    def document(self, nodes: list[dict]) -> dict:
        """A whole document: the context, then one node or a `@graph` of them."""
        compact = [self.node(node) for node in nodes]
        if len(compact) == 1:
            return {**self.context, **compact[0]}
        return {**self.context, "@graph": compact}


def compacted(flat: list[dict], context: dict) -> dict:
    """`flat` nested and compacted with `context` (a `{"@context": …}` object of prefixes)."""
    return Compactor(context).document(nest(flat))


def write_document(read: Callable[[], Iterable[ox.Triple]], context: dict, out: TextIO) -> None:
    """Write the nested, compacted document of the triples `read()` gives to `out`, a top-level
    node per line.

    The triples must come grouped by subject. They are read twice: once for the blank nodes, the
    only ones held in memory (to be embedded where they are used), then to write each named
    subject as it comes, so a dump of any size streams through.
    """
    blank: dict[str, dict] = {}
    counts: dict[str, int] = {}
    for triple in read():
        if isinstance(triple.object, ox.BlankNode):
            counts[f"_:{triple.object.value}"] = counts.get(f"_:{triple.object.value}", 0) + 1
        if isinstance(triple.subject, ox.BlankNode):
            node = blank.setdefault(f"_:{triple.subject.value}", {"@id": f"_:{triple.subject.value}"})
            node.setdefault(triple.predicate.value, []).append(_value(triple.object))
    blank = {name: _typed(node) for name, node in blank.items()}
    embedder = _Embedder({name: node for name, node in blank.items() if counts.get(name, 0) == 1})
    named = (triple for triple in read() if not isinstance(triple.subject, ox.BlankNode))
    heads: Iterable[dict] = (embedder.node(_typed(expanded(group)[0]))
                             for _, group in itertools.groupby(named, key=lambda triple: triple.subject))
    shared = (embedder.node(node) for name, node in blank.items() if name not in embedder.nested)
    _write_graph(itertools.chain(heads, shared, embedder.rest()), Compactor(context), out)  # all lazy, in order


def _write_graph(nodes: Iterable[dict], compactor: Compactor, out: TextIO) -> None:
    out.write('{"@context": ' + json.dumps(compactor.context["@context"], ensure_ascii=False, indent=1, sort_keys=True)
              + ',\n"@graph": [')
    for index, node in enumerate(nodes):
        out.write(("\n" if index == 0 else ",\n") + json.dumps(compactor.node(node), ensure_ascii=False, sort_keys=True))
    out.write("\n]}\n")
