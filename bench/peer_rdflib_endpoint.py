"""The peer: rdflib-endpoint serving the same validated dataset (run as its own process).

Usage: python -m bench.peer_rdflib_endpoint PORT [STORE]  (a synthetic store's quads, or the shipped data)
"""

from __future__ import annotations

import sys

import pyoxigraph as ox
import uvicorn
from rdflib import Graph, plugin
from rdflib.query import Processor
from rdflib_endpoint import SparqlEndpoint

from service.build import build
from service.config import Settings


def main() -> None:
    port = int(sys.argv[1])
    settings = Settings.from_env()
    graph = Graph()
    if len(sys.argv) > 2:  # every quad of the store, as one graph (the union ours queries)
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in ox.Store.read_only(sys.argv[2]))
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    else:
        graph += build(settings).dataset.union()
    # the peer runs stock rdflib, without the project's prepared-query cache
    plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")
    app = SparqlEndpoint(graph=graph, path="/sparql", public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
