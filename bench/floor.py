"""The floor: the thinnest SPARQL endpoint over the same store — FastAPI and pyoxigraph, nothing else.

No content negotiation beyond SPARQL JSON (Turtle for graphs), no limits, no worker processes, no
timeouts, no logging, no validation: what conflict-ld adds is measured against it. It opens the
store as ours does (copied into memory when small, on disk otherwise).

Usage: python -m bench.floor STORE PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Response

from service.config import Limits, Settings
from service.namespaces import prefixes
from service.store import EmbeddedStore


def app_for(store_path: str) -> FastAPI:
    store = EmbeddedStore(Path(store_path), Limits.from_env().in_memory_quads)._store
    names = prefixes(Settings.from_env().base)
    app = FastAPI()

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        outcome = store.query(query, prefixes=names, use_default_graph_as_union=True)
        if isinstance(outcome, (ox.QuerySolutions, ox.QueryBoolean)):
            return Response(outcome.serialize(format=ox.QueryResultsFormat.JSON),
                            media_type="application/sparql-results+json")
        return Response(ox.serialize(outcome, format=ox.RdfFormat.TURTLE), media_type="text/turtle")

    return app


if __name__ == "__main__":
    uvicorn.run(app_for(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
