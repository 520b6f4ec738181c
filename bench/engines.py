"""Engine against engine, in one process: Oxigraph (ours) and rdflib, on the example queries.

Usage: .venv/bin/python -m bench.engines [--repeat N]  — prints a markdown table of median times
and the ratio rdflib ÷ Oxigraph per query. Both engines get the same dataset (the validated build,
union default graph) and the same predeclared prefixes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import pyoxigraph as ox
from rdflib import plugin
from rdflib.query import Processor

from service.build import build
from service.catalogue import examples
from service.config import Settings
from service.namespaces import prefixes


def median_seconds(run, repeat: int) -> float:
    run()  # warm-up: parse caches, lazy indexes
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _drain(outcome):
    return bool(outcome) if isinstance(outcome, ox.QueryBoolean) else list(outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env()
    graph = build(settings).dataset.union()
    # measure stock rdflib: undo the project's prepared-query cache that the build installed
    plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    namespaces = prefixes(settings.base)

    print(f"Dataset: {len(graph)} triples. Python {platform.python_version()}, {platform.machine()}, "
          f"rdflib + pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else ''}; median of {args.repeat} runs.\n")
    print("| query | rdflib (ms) | Oxigraph (ms) | rdflib ÷ Oxigraph |")
    print("|---|---:|---:|---:|")
    ratios = []
    for example in examples(settings.queries_dir):
        oxigraph_time = median_seconds(lambda: _drain(store.query(
            example.query, prefixes=namespaces, use_default_graph_as_union=True)), args.repeat)
        try:
            rdflib_time = median_seconds(lambda: list(graph.query(example.query, initNs=namespaces)), args.repeat)
        except Exception as error:  # noqa: BLE001 — an engine failing a query is a result too
            print(f"| {example.id} | fails ({type(error).__name__}) | {oxigraph_time * 1000:.2f} | — |")
            continue
        ratio = rdflib_time / oxigraph_time
        ratios.append(ratio)
        print(f"| {example.id} | {rdflib_time * 1000:.1f} | {oxigraph_time * 1000:.2f} | {ratio:.0f}× |")
    print(f"\nGeometric mean of the ratios: {statistics.geometric_mean(ratios):.0f}×")


if __name__ == "__main__":
    main()
