"""Derived triples: the views of the authored data that other vocabularies' users expect.

Authors write each fact once (a claim with its dates and sources); the SPARQL CONSTRUCT rules in
`ontology/rules/` add the standard shapes of the same facts (OWL-Time intervals,
prov:wasDerivedFrom, org:memberOf, plain triples for statements) into the `derived` graph, and
the rules in `ontology/rules/wikidata/` write the Wikidata-shaped view (Wikibase RDF on the linked
Wikidata items) into the `wikidata` graph, which users can take or leave as a whole. The RDFS
entailments (`ontology/rules/entailment/`: types up the class hierarchy, statements up the property
hierarchy) go into the `inferred` graph, so what was asserted and what was inferred stay apart.
"""

from __future__ import annotations

from pathlib import Path

from .dataset import DATA, DERIVED, INFERRED, ONTOLOGY, WIKIDATA, ProfileDataset
from .oxigraph_rdflib import OxigraphCopy

# rule folder (under ontology/rules) → the graph its rules write; the folders run in this order
RULE_GRAPHS = {".": DERIVED, "wikidata": WIKIDATA, "entailment": INFERRED}
# what each folder's rules read: the entailment rules also read what the first rules derived (an
# OWL-Time interval is a time:TemporalEntity too), not the Wikidata view, which holds its own types
RULE_SOURCES = {".": (ONTOLOGY, DATA), "wikidata": (ONTOLOGY, DATA), "entailment": (ONTOLOGY, DATA, DERIVED)}


def rule_files(ontology_dir: Path, folder: str) -> list[Path]:
    return sorted((ontology_dir / "rules" / folder).glob("*.rq"))


def derive(dataset: ProfileDataset) -> None:
    """Run every rule over what its folder reads (in Oxigraph: see `oxigraph_rdflib`) and store the
    new triples in the folder's graph."""
    copies: dict[tuple[str, ...], tuple] = {}  # one copy per set of graphs read, made when first needed
    for folder, name in RULE_GRAPHS.items():
        if RULE_SOURCES[folder] not in copies:
            union = dataset.union(list(RULE_SOURCES[folder]))
            copies[RULE_SOURCES[folder]] = union, OxigraphCopy(union)
        (source, copy), target = copies[RULE_SOURCES[folder]], dataset.graph(name)
        for path in rule_files(dataset.settings.ontology_dir, folder):
            for triple in copy.construct(path.read_text(encoding="utf-8"), base=dataset.settings.base):
                if triple not in source:
                    target.add(triple)
