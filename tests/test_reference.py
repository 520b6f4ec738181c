"""Links to Wikidata and coordinates come only from the verified reference files."""

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
KIND_CLASSES = {
    "organisation": "org:Organization",
    "person": "foaf:Person",
    "place": "schema:Place",
    "event": "cao:Event",
    "people": "cao:EthnicGroup",
}


def rows(name: str) -> list[dict]:
    with open(REFERENCE / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_wikidata_link_is_verified_and_of_the_right_kind(ask):
    verified = {row["id"]: row["kind"] for row in rows("wikidata-qids.tsv")}
    links = ask("""SELECT ?entity ?item WHERE { ?entity owl:sameAs|skos:exactMatch ?item
        FILTER (STRSTARTS(STR(?item), STR(wd:))) }""")
    assert links
    for entity, item in links:
        qid = str(item).rsplit("/", 1)[-1]
        assert qid in verified, f"{entity} links to {qid}, which is not in the verified list"
        expected = KIND_CLASSES[verified[qid]]
        assert ask(f"ASK {{ <{entity}> a/rdfs:subClassOf* {expected} }}"), (entity, qid, expected)


def test_no_item_is_claimed_by_two_entities(ask):
    assert ask("""SELECT ?item WHERE { ?a owl:sameAs ?item . ?b owl:sameAs ?item FILTER (?a != ?b) }""") == []


def test_coordinates_only_where_the_reference_gives_them(ask):
    reference = {row["wikidata"]: (row["lat"], row["lon"]) for row in rows("place-coordinates.tsv")}
    points = ask("SELECT ?place ?lat ?long ?item WHERE { ?place wgs:lat ?lat ; wgs:long ?long ; owl:sameAs ?item }")
    assert points
    for place, lat, long, item in points:
        qid = str(item).rsplit("/", 1)[-1]
        assert qid in reference, f"{place} has coordinates the reference does not give"
        assert (float(lat), float(long)) == tuple(float(v) for v in reference[qid])
    assert ask("SELECT ?p WHERE { ?p wgs:lat ?lat FILTER NOT EXISTS { ?p owl:sameAs ?item } }") == []
