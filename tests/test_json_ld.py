"""Nesting and compaction keep every triple, embed what belongs to one resource, and read well."""

import json

from pyld import jsonld

from service.json_ld import compacted, context, nest

EX = "http://example.org/"
FLAT = [
    {"@id": EX + "claim", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": [{"@id": EX + "Claim"}],
     EX + "source": [{"@id": "_:s"}], EX + "shared": [{"@id": "_:twice"}]},
    {"@id": "_:s", EX + "page": [{"@value": "12"}], EX + "work": [{"@id": EX + "work"}]},
    {"@id": EX + "other", EX + "shared": [{"@id": "_:twice"}]},
    {"@id": "_:twice", EX + "label": [{"@value": "shared"}]},
    {"@id": "_:a", EX + "next": [{"@id": "_:b"}]},  # a cycle of blank nodes, each used once
    {"@id": "_:b", EX + "next": [{"@id": "_:a"}]},
    {"@id": EX + "claim", EX + "label": [{"@value": "a claim"}]},  # the same subject again, as a streaming writer may
]


def _quads(document) -> str:
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads"})


def test_nesting_keeps_every_triple():
    assert _quads(nest(FLAT)) == _quads(FLAT)


def test_a_blank_node_used_once_is_embedded_and_a_shared_one_is_not():
    top = {node["@id"]: node for node in nest(FLAT)}
    assert "_:s" not in top and top[EX + "claim"][EX + "source"] == [
        {EX + "page": [{"@value": "12"}], EX + "work": [{"@id": EX + "work"}]}]
    assert "_:twice" in top and top[EX + "other"][EX + "shared"] == [{"@id": "_:twice"}]


def test_pieces_of_one_subject_are_merged():
    claims = [node for node in nest(FLAT) if node["@id"] == EX + "claim"]
    assert len(claims) == 1 and claims[0][EX + "label"] == [{"@value": "a claim"}]


def test_types_become_at_type():
    top = {node["@id"]: node for node in nest(FLAT)}
    assert top[EX + "claim"]["@type"] == [EX + "Claim"]


def test_compaction_uses_the_dataset_prefixes_and_keeps_the_triples():
    ctx = context("https://w3id.org/conflict-ld/")
    flat = [{"@id": "https://w3id.org/conflict-ld/id/organisation/mnla",
             "http://www.w3.org/2000/01/rdf-schema#label": [{"@value": "MNLA", "@language": "en"}]}]
    document = compacted(flat, ctx)
    assert document["@id"] == "grp:mnla" and document["rdfs:label"] == {"@language": "en", "@value": "MNLA"}
    assert _quads(json.loads(json.dumps(document))) == _quads(flat)
