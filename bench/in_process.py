"""The engine in-process, with the whole store in memory: the fastest anything built on Oxigraph
can answer the example queries, with no HTTP, no worker and no disk in the way.

Each query's answer is serialized as the floor serializes it (SPARQL JSON, or Turtle for a graph),
so the time includes writing every row. Queries run one at a time in a child forked from the
loaded process, which is killed if it passes the cap: the engine itself has no time limit.

Usage: python -m bench.in_process STORE SECONDS AT_LEAST CAP — prints JSON, query id →
[p50 ms, p99 ms, failures, runs]; a query stopped at the cap counts as one failure of CAP seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pyoxigraph as ox

from service.catalogue import examples
from service.config import Settings
from service.namespaces import prefixes


def _answer(store: ox.Store, text: str, names: dict[str, str]) -> bytes:
    outcome = store.query(text, prefixes=names, use_default_graph_as_union=True)
    if isinstance(outcome, (ox.QuerySolutions, ox.QueryBoolean)):
        return outcome.serialize(format=ox.QueryResultsFormat.JSON)
    return ox.serialize(outcome, format=ox.RdfFormat.TURTLE)


def _timings(store: ox.Store, text: str, names: dict[str, str], seconds: float, at_least: int) -> list[float]:
    """Milliseconds per run, after one warm-up run, for `seconds` and at least `at_least` runs."""
    _answer(store, text, names)
    timings: list[float] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until or len(timings) < at_least:
        started = time.perf_counter()
        _answer(store, text, names)
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def measure(store: ox.Store, text: str, names: dict[str, str], seconds: float, at_least: int, cap: float) -> list:
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the child shares the loaded store copy-on-write and leaves without freeing it
        os.close(reading)
        try:
            timings = _timings(store, text, names, seconds, at_least)
            os.write(writing, json.dumps([timings[len(timings) // 2], timings[int(len(timings) * 0.99)], 0,
                                          len(timings)]).encode())
        finally:
            os._exit(0)
    os.close(writing)
    deadline, finished = time.monotonic() + cap, False
    while not finished and time.monotonic() < deadline:
        finished = os.waitpid(child, os.WNOHANG) != (0, 0)
        time.sleep(0.05)
    if not finished:
        os.kill(child, 9)
        os.waitpid(child, 0)
    with os.fdopen(reading, "rb") as pipe:
        written = pipe.read()
    return json.loads(written) if written else [cap * 1000, cap * 1000, 1, 1]


def main() -> None:
    store_path, seconds, at_least, cap = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    settings = Settings.from_env()
    names = prefixes(settings.base)
    store = ox.Store()
    store.bulk_load(ox.Store.read_only(store_path).dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    print(json.dumps({example.id: measure(store, example.query, names, seconds, at_least, cap)
                      for example in examples(settings.queries_dir)}))


if __name__ == "__main__":
    main()
