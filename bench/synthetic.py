"""Synthetic data at N times the shipped profile, with its shape, for the benchmarks.

Replica k (k = 0 … N-1) of the data is the shipped data with every organisation, person, event,
claim, work, author and note renamed (`…/id/organisation/mnla` → `…/id/organisation/mnla-r7`,
labels suffixed ` [7]`, blank nodes relabelled); places, concepts and the ontology are shared, as
they would be in a larger dataset about the same region, so hubs (a certainty, a town) grow with
the data. Wikidata links and the Wikidata view stay on replica 0 only, so an item still leads to one
entity. The derived views are copied with their replica rather than derived again. The result is
deterministic: the same shipped store and factor give the same quads.

Usage: python -m bench.synthetic FACTOR TARGET_DIR  (writes an Oxigraph store `conflict-ld serve --store` serves)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from service.build import ensure_store
from service.config import Settings
from service.store import MARKER

REPLICATED = ("organisation/", "person/", "event/", "claim/", "work/", "agent/", "note/")
LABELS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2004/02/skos/core#altLabel"}
LINKS = {"http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch"}
WIKIDATA = "http://www.wikidata.org/entity/"


class Replicator:
    def __init__(self, base: str):
        self.prefixes = tuple(base + "id/" + folder for folder in REPLICATED)
        self.wikidata_graph = base + "graph/wikidata"
        self.ontology_graph = base + "graph/ontology"

    def replicated(self, term) -> bool:
        return isinstance(term, ox.BlankNode) or (isinstance(term, ox.NamedNode) and term.value.startswith(self.prefixes))

    def rename(self, term, k: int):
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}r{k}")
        if isinstance(term, ox.NamedNode) and term.value.startswith(self.prefixes):
            path, hash_, fragment = term.value.partition("#")
            return ox.NamedNode(f"{path}-r{k}{hash_}{fragment}")
        return term

    def copy(self, quads: list[ox.Quad], k: int) -> Iterator[ox.Quad]:
        """Replica k of the quads; replica 0 is the data itself."""
        if k == 0:
            yield from quads
            return
        for quad in quads:
            graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            if graph in (self.wikidata_graph, self.ontology_graph) or not self.replicated(quad.subject):
                continue
            if quad.predicate.value in LINKS and isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(WIKIDATA):
                continue
            value = quad.object
            if quad.predicate.value in LABELS and isinstance(value, ox.Literal):
                value = ox.Literal(f"{value.value} [{k}]", language=value.language) if value.language \
                    else ox.Literal(f"{value.value} [{k}]", datatype=value.datatype)
            yield ox.Quad(self.rename(quad.subject, k), quad.predicate, self.rename(value, k), quad.graph_name)


def generate(factor: int, target: Path, settings: Settings | None = None) -> Path:
    """An Oxigraph store in `target` holding `factor` replicas of the shipped data; returns its path."""
    settings = settings or Settings.from_env()
    source = ensure_store(settings)
    quads = list(ox.Store.read_only(str(source)))
    replicator = Replicator(settings.base)
    shutil.rmtree(target, ignore_errors=True)
    store = ox.Store(str(target))
    for k in range(factor):
        store.bulk_extend(replicator.copy(quads, k))
    store.optimize()
    store.flush()
    summary = {"synthetic": True, "factor": factor, "from": source.name, "triples": len(store)}
    del store
    (target / MARKER).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("factor", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    path = generate(args.factor, args.target)
    summary = json.loads((path / MARKER).read_text(encoding="utf-8"))
    print(f"{path}: {summary['triples']:,} quads at {args.factor}x in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
