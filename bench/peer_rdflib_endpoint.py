"""The peer: rdflib-endpoint serving the same validated dataset (run as its own process).

Usage: python -m bench.peer_rdflib_endpoint PORT
"""

from __future__ import annotations

import sys

import uvicorn
from rdflib import Graph, plugin
from rdflib.query import Processor
from rdflib_endpoint import SparqlEndpoint

from service.build import build
from service.config import Settings


def main() -> None:
    port = int(sys.argv[1])
    settings = Settings.from_env()
    union = build(settings).dataset.union()
    # the peer runs stock rdflib, without the project's prepared-query cache
    plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")
    graph = Graph()
    graph += union
    app = SparqlEndpoint(graph=graph, path="/sparql", public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
