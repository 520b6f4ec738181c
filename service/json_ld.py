"""JSON-LD as people read it: blank nodes nested where they are used, IRIs compacted by prefix.

Oxigraph writes flat, expanded JSON-LD. In our data every blank node (a claim's source with its
page, a figure, a time interval) belongs to the one resource that mentions it, so `nest` embeds
each blank node referenced exactly once in place of the reference (JSON-LD's embedded node
objects), and writes `rdf:type` as `@type`; pyld then compacts the result with the dataset's
context. Every step keeps the triples.
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

from .namespaces import prefixes


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


TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


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


def nest(flat: list[dict]) -> list[dict]:
    """Top-level node objects of a flat expanded document, with single-use blank nodes embedded."""
    flat = [_typed(node) for node in _merged(flat)]
    counts: dict[str, int] = {}
    _references(flat, counts)
    nested = {node["@id"]: node for node in flat if counts.get(node.get("@id", ""), 0) == 1}

    embedded: set[str] = set()

    def embed(value: Any, trail: frozenset[str]) -> Any:
        if isinstance(value, list):
            return [embed(item, trail) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"@id"} and value["@id"] in nested and value["@id"] not in trail:
            embedded.add(value["@id"])
            node = nested[value["@id"]]
            return {key: embed(item, trail | {value["@id"]}) for key, item in node.items() if key != "@id"}
        return {key: item if key == "@id" else embed(item, trail) for key, item in value.items()}

    top = [embed(node, frozenset({node["@id"]})) for node in flat if node.get("@id") not in nested]
    for name, node in nested.items():  # blank nodes only reachable from each other (a cycle)
        if name not in embedded:
            embedded.add(name)
            top.append(embed(node, frozenset({name})))
    return top


def compacted(flat: list[dict], context: dict) -> dict:
    """`flat` nested and compacted with `context` (a `{"@context": …}` object)."""
    return jsonld.compact(nest(flat), context)


def context(base: str) -> dict:
    """The dataset's JSON-LD context: its prefixes. Dumps and entity documents are compacted with
    it and carry it inline, so they expand without fetching anything; `/context.jsonld` publishes it."""
    return {"@context": prefixes(base)}
