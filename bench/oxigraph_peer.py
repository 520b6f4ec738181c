"""conflict-ld beside Oxigraph's own server (PyPI `oxigraph`), on the same data and requests, in one run.

The peer a user would pick instead of this service is Oxigraph server: the same engine, written in
Rust, with no duties of ours (no limits on rows or memory, no fairness, no SERVICE refusal, no
content negotiation beyond the formats). It is loaded with our canonical N-Quads dump and serves it
read-only with the union of the graphs as its default graph, as ours does. Ours runs as users start
it, in three ways: one web process with the result cache off (every request costs a query), the
same with the cache on (the default), and two web processes with the cache off. Throughput comes
from wrk at 1 and 8 connections; the overload run is the suite's (32 connections asking a simple
question while another client keeps a runaway query going), for ours with the cache off.

Usage: python -m bench.oxigraph_peer [--seconds 3] [--output bench/RESULTS-oxigraph.md]
Needs the `bench` and `test` extras (Oxigraph server comes with the latter) and Debian's wrk.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import quote

from service.build import prepare
from service.catalogue import examples
from service.config import Settings
from service.dumps import STEM
from service.namespaces import prefixes

from .load import wrk
from .run import JOIN_HEAVY, JSON, ROOT, SIMPLE, WORK, Server, _overload, launch, machine, settle
from .servers import free_port

CONNECTIONS = (1, 8)
OURS = {  # name → (serve's extra arguments, settings)
    "ours, no cache": ([], {"CONFLICT_LD_RESULT_CACHE": "0"}),
    "ours, cache": ([], {}),
    "ours, 2 processes, no cache": (["--processes", "2"], {"CONFLICT_LD_RESULT_CACHE": "0"}),
}
PEER = "Oxigraph server"


def oxigraph() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if found is None:
        raise SystemExit("Oxigraph server is not installed: pip install -e '.[test]'")
    return found


def peer(dump: Path) -> Server:
    """Oxigraph server on a store loaded from the dump, read-only, the union as its default graph."""
    location = WORK / "oxigraph-1x"
    shutil.rmtree(location, ignore_errors=True)
    subprocess.run([oxigraph(), "load", "--location", str(location), "--file", str(dump)], check=True,
                   capture_output=True)
    port = free_port()
    return launch(PEER, [oxigraph(), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                         "--union-default-graph"], f"http://127.0.0.1:{port}", "/query?query=ASK%7B%7D")


def ours(arguments: list[str], env: dict[str, str], name: str) -> Server:
    port = free_port()
    return launch(name, [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *arguments],
                  f"http://127.0.0.1:{port}", "/sparql?query=ASK%7B%7D", env=env)


def url(server: Server, text: str) -> str:
    return f"{server.base}/{'query' if server.name == PEER else 'sparql'}?query={quote(text)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each throughput run")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS-oxigraph.md")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    WORK.mkdir(parents=True, exist_ok=True)
    served = prepare(settings)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(settings.base).items())
    requests = {"simple lookup (ASK)": (SIMPLE, JSON), "DESCRIBE grp:mnla": ("DESCRIBE grp:mnla", "application/n-triples")}
    requests.update({example.id: (example.query, JSON) for example in examples(settings.queries_dir)
                     if example.id in JOIN_HEAVY})
    servers = {PEER: peer(served.dumps / f"{STEM}.nq")}
    throughput: dict[str, dict[str, dict[int, float]]] = {label: {} for label in requests}
    overload: dict = {}
    try:
        for name, (arguments, env) in OURS.items():
            servers[name] = ours(arguments, env, name)
        for label, (text, accept) in requests.items():
            for name, server in servers.items():
                throughput[label][name] = {}
                for connections in CONNECTIONS:
                    if name != PEER:  # the peer has no /sparql to settle on; it keeps no queue
                        settle(server)
                    load = wrk(url(server, prologue + text), connections, args.seconds, {"Accept": accept})
                    throughput[label][name][connections] = load.requests_per_second
        settle(servers["ours, no cache"])
        overload = _overload(servers["ours, no cache"], prologue, 30)
    finally:
        for server in servers.values():
            server.stop()
    args.output.write_text(report(throughput, overload, served.store.name, args.seconds), encoding="utf-8")
    print(f"written {args.output}", file=sys.stderr)
    return 0


def report(throughput: dict, overload: dict, store: str, seconds: float) -> str:
    names = list(OURS) + [PEER]
    lines = [f"# conflict-ld beside Oxigraph server\n",
             f"Measured on {date.today().isoformat()} with `python -m bench.oxigraph_peer` on {machine()}, "
             f"Oxigraph server 0.5.13 (`oxigraph serve-read-only --union-default-graph`), the data of store "
             f"`{store}`. wrk, {seconds:g} s per cell. Read the ratios: the machine is shared.\n",
             "## Throughput (requests per second)\n",
             "| request | connections | " + " | ".join(names) + " | " +
             " | ".join(f"{name} ÷ {PEER}" for name in OURS) + " |",
             "|---|---:|" + "---:|" * (len(names) + len(OURS))]
    for label, by_server in throughput.items():
        for connections in CONNECTIONS:
            row = [by_server[name][connections] for name in names]
            ratios = [f"{by_server[name][connections] / by_server[PEER][connections]:.2f}×" for name in OURS]
            lines.append(f"| {label} | {connections} | " + " | ".join(f"{value:,.0f}" for value in row)
                         + " | " + " | ".join(ratios) + " |")
    lines += ["", "## Overload (ours, no cache)\n",
              f"32 connections asking `{SIMPLE}` for {overload.get('seconds')} s while another client keeps a runaway "
              f"query going: statuses {dict(sorted(overload.get('statuses', {}).items()))}, p50 "
              f"{overload.get('p50', 0):.1f} ms, p99 {overload.get('p99', 0):.1f} ms; the runaway client got "
              f"{dict(sorted(overload.get('runaway', {}).items()))}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
