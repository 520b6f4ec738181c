"""Nesting and compaction keep every triple, embed what belongs to one resource, and read well."""

import io
import json

import pyoxigraph as ox
import pytest
from pyld import jsonld

from service.json_ld import Compactor, compacted, context, expanded, nest, write_document

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


def test_an_iri_takes_its_shortest_compact_form_and_never_an_empty_suffix():
    compactor = Compactor({"@context": {"p": "http://www.wikidata.org/prop/", "ps": "http://www.wikidata.org/prop/statement/",
                                        "ex": "http://example.org/", "exab": "http://example.org/a/"}})
    assert compactor.iri("http://www.wikidata.org/prop/statement/P31") == "ps:P31"
    assert compactor.iri("http://www.wikidata.org/prop/P31") == "p:P31"
    assert compactor.iri("http://example.org/a/b") == "ex:a/b"  # as short as exab:b, and less in code-point order
    assert compactor.iri("http://example.org/") == "http://example.org/"
    assert compactor.iri("http://example.org/", vocab=True) == "ex"  # a key or type that is the prefix itself
    assert compactor.iri("_:b0") == "_:b0" and compactor.iri("urn:x:y") == "urn:x:y"


def _by_id(nodes):
    return sorted(json.dumps(node, sort_keys=True) for node in nodes)


@pytest.fixture(scope="module")
def shipped(profile):
    """The shipped dataset's distinct triples, grouped by subject as the dumps write them."""
    store = ox.Store()
    store.bulk_load(profile.dataset.union().serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return sorted((ox.Triple(q.subject, q.predicate, q.object) for q in store), key=str)


def test_compaction_gives_what_pyld_gives_on_the_whole_dataset(shipped):
    ctx = context("https://w3id.org/conflict-ld/")
    flat = expanded(shipped)
    assert _by_id(flat) == _by_id(json.loads(ox.serialize(shipped, format=ox.RdfFormat.JSON_LD)))
    ours, theirs = compacted(flat, ctx), jsonld.compact(nest(flat), ctx)
    assert ours["@context"] == theirs["@context"]
    assert _by_id(ours["@graph"]) == _by_id(theirs["@graph"])


def test_the_streamed_document_is_the_compacted_one_a_node_per_line(shipped):
    ctx = context("https://w3id.org/conflict-ld/")
    out = io.StringIO()
    write_document(lambda: iter(shipped), ctx, out)
    document = json.loads(out.getvalue())
    assert document["@context"] == ctx["@context"]
    assert _by_id(document["@graph"]) == _by_id(compacted(expanded(shipped), ctx)["@graph"])
    lines = out.getvalue().split('"@graph": [\n', 1)[1].splitlines()
    assert len(lines) == len(document["@graph"]) + 1 and lines[-1] == "]}"
