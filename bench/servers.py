"""Server against server over HTTP: conflict-ld (as users run it) and rdflib-endpoint, same data and queries.

Usage: .venv/bin/python -m bench.servers [--repeat N]  (needs the `bench` extra: rdflib-endpoint)
Each example query is sent with an explicit PREFIX prologue (rdflib-endpoint does not predeclare ours)
as a GET asking for SPARQL JSON (Turtle for CONSTRUCT), one client at a time on a kept-alive
connection; the table gives median latencies and the ratio.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.catalogue import examples
from service.config import Settings
from service.namespaces import prefixes

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], url: str) -> tuple[subprocess.Popen, float]:
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.monotonic() - started < 300:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return process, time.monotonic() - started
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command} did not start")


ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def median_latency(client: httpx.Client, url: str, query: str, repeat: int) -> float | None:
    """Median of `repeat` GETs after one warm-up, on a kept-alive connection."""
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url, params={"query": query}, headers={"Accept": ACCEPT}, timeout=120)
        if response.status_code != 200:
            return None
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.from_env()
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(settings.base).items())
    ours_port, peer_port = free_port(), free_port()
    ours_url, peer_url = f"http://127.0.0.1:{ours_port}/sparql", f"http://127.0.0.1:{peer_port}/sparql"
    ours, ours_start = start([sys.executable, "-m", "service.cli", "serve", "--port", str(ours_port)], ours_url)
    peer, peer_start = start([sys.executable, "-m", "bench.peer_rdflib_endpoint", str(peer_port)], peer_url)
    try:
        print(f"Start-up: conflict-ld {ours_start:.1f} s (store reused if present), "
              f"rdflib-endpoint {peer_start:.1f} s. Median of {args.repeat} sequential GETs, JSON results.\n")
        print("| query | rdflib-endpoint (ms) | conflict-ld (ms) | peer ÷ ours |")
        print("|---|---:|---:|---:|")
        ratios = []
        ours_client, peer_client = httpx.Client(), httpx.Client()
        for example in examples(settings.queries_dir):
            text = prologue + example.query
            mine = median_latency(ours_client, ours_url, text, args.repeat)
            theirs = median_latency(peer_client, peer_url, text, args.repeat)
            if mine is None or theirs is None:
                print(f"| {example.id} | {'fails' if theirs is None else f'{theirs * 1000:.0f}'} | "
                      f"{'fails' if mine is None else f'{mine * 1000:.1f}'} | — |")
                continue
            ratios.append(theirs / mine)
            print(f"| {example.id} | {theirs * 1000:.0f} | {mine * 1000:.1f} | {theirs / mine:.0f}× |")
        if ratios:
            print(f"\nGeometric mean of the ratios: {statistics.geometric_mean(ratios):.0f}×")
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
