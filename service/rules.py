"""Derived triples: the views of the authored data that other vocabularies' users expect.

Authors write each fact once (a claim with its dates and sources); the SPARQL CONSTRUCT rules in
`ontology/rules/` add the standard shapes of the same facts (OWL-Time intervals,
prov:wasDerivedFrom, org:memberOf, plain triples for statements) into the `derived` graph.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .dataset import DATA, DERIVED, ONTOLOGY, ProfileDataset


def rule_files(ontology_dir: Path) -> list[Path]:
    return sorted((ontology_dir / "rules").glob("*.rq"))


def derive(dataset: ProfileDataset) -> Graph:
    """Run every rule over ontology + data and store the new triples as the `derived` graph."""
    source = dataset.union([ONTOLOGY, DATA])
    derived = dataset.graph(DERIVED)
    for path in rule_files(dataset.settings.ontology_dir):
        query = path.read_text(encoding="utf-8")
        for triple in source.query(query, base=dataset.settings.base):
            if triple not in source:
                derived.add(triple)
    return derived
