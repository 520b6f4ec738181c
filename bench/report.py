"""The benchmark report: markdown tables with ratios, and each target with its measured figure."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

NAMES = {"ours": "conflict-ld", "floor": "floor", "peer": "rdflib-endpoint", "engine": "engine in memory, in-process",
         "nginx": "nginx"}


def _ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}×" if a / b < 10 else f"{a / b:.0f}×"


def _cell(server: str, p50: float, p99: float, failures: int, runs: int) -> str:
    if server == "engine" and failures:  # the engine has no time limit: the run stopped it at a cap
        return f"stopped at {p50 / 1000:.0f} s"
    return f"{_ms(p50)} / {_ms(p99)}" + (f" ({failures} of {runs} errors)" if failures else "")


def _latency(scale) -> list[str]:
    servers = [s for s in ("ours", "floor", "peer", "engine") if any(s in row for row in scale.latency.values())]
    lines = ["| query | " + " | ".join(f"{NAMES[s]} p50 / p99 (ms)" for s in servers)
             + " | ours − floor p50 (ms) |" + (" peer ÷ ours p50 |" if "peer" in servers else ""),
             "|---|" + "---:|" * (len(servers) + 1 + ("peer" in servers))]
    for query, row in scale.latency.items():
        cells = [_cell(s, *row[s]) if s in row else "—" for s in servers]
        extra = f" {row['ours'][0] - row['floor'][0]:+.1f} |" if "floor" in row else " — |"
        if "peer" in servers:
            extra += f" {_ratio(row['peer'][0], row['ours'][0])} |"
        lines.append(f"| {query} | " + " | ".join(cells) + " |" + extra)
    return lines


def _throughput(scale) -> list[str]:
    lines = ["| request | server | 1 client (req/s) | 8 clients | 32 clients | ours ÷ other at 8 / 32 |", "|---|---|---:|---:|---:|---:|"]
    for request, by_server in scale.throughput.items():
        for server, rates in by_server.items():
            versus = ""
            if server != "ours" and "ours" in by_server:
                versus = f"{_ratio(by_server['ours'][8], rates[8])} / {_ratio(by_server['ours'][32], rates[32])}"
            lines.append(f"| {request} | {NAMES[server]} | {rates[1]:.0f} | {rates[8]:.0f} | {rates[32]:.0f} | {versus} |")
    return lines


def _versus(ours: float, other: float, seconds: float) -> float:
    """ours ÷ other; when the other finished nothing in the run, a lower bound (it did under one request)."""
    return ours / other if other else ours * seconds


def targets(scales, seconds: float) -> list[str]:
    """Each target of the suite with the figure measured for it in this run."""
    rows = []
    one = next((s for s in scales if s.factor == 1), None)
    if one is not None and "peer" in one.memory:
        for request in ("12-timeline-of-events", "13-events-per-year-per-actor"):
            by = one.throughput.get(request, {})
            if "peer" in by:
                ratio = max(_versus(by["ours"][c], by["peer"][c], seconds) for c in (1, 8, 32))
                bound = "at least " if not all(by["peer"].values()) else ""
                rows.append((f"{request}: ≥ 100× rdflib-endpoint's throughput (1×)", f"{bound}{ratio:.0f}×", ratio >= 100))
        by = one.throughput.get("entity lookup (SPARQL)", {})
        if "peer" in by:
            ratio = min(_versus(by["ours"][c], by["peer"][c], seconds) for c in (1, 8, 32))
            bound = "at least " if not all(by["peer"].values()) else ""
            rows.append(("single-entity lookup: ≥ 1.5× rdflib-endpoint (1×, worst of 1/8/32 clients)",
                         f"{bound}{ratio:.1f}×", ratio >= 1.5))
    if one is not None:
        ratios = [one.throughput[r]["ours"][c] / one.throughput[r]["floor"][c]
                  for r in one.throughput if "floor" in one.throughput[r] for c in (1, 8, 32)]
        if ratios:
            worst = min(ratios)
            rows.append(("≥ 0.7× the floor's throughput (1×, worst request and concurrency)", f"{worst:.2f}×", worst >= 0.7))
        gaps = [row["ours"][0] - row["floor"][0] for row in one.latency.values()]
        gap = statistics.median(gaps)
        rows.append(("within +1 ms of the floor's median latency (1×, median over the example queries)", f"{gap:+.2f} ms", gap <= 1))
        overload = one.overload
        if overload:
            errors = {k: v for k, v in overload["statuses"].items() if k not in (200, 429, 503)}
            rows.append(("32 clients: no errors but deliberate 503 or 429 (1×)", f"{overload['statuses']}", not errors))
            floor = f" (the floor: {one.floor_overload['p99']:.1f} ms)" if one.floor_overload else ""
            rows.append(("32 clients + a runaway query: simple queries' p99 ≤ 50 ms (1×)", f"{overload['p99']:.1f} ms{floor}",
                         overload["p99"] <= 50))
        fair = one.fairness
        if fair:
            every = set(fair["statuses"]) == {200}
            rows.append((f"one client keeping {fair['runaways']} runaway queries going: another client's simple queries "
                         "all 200, p99 ≤ 100 ms (1×)", f"{fair['statuses']}, p99 {fair['p99']:.1f} ms",
                         every and fair["p99"] <= 100))
    for scale in scales:  # a download's cost per byte shows on large files, its cost per request on small ones
        size = scale.overload.get("dump size", 0) / 2**20
        download = scale.throughput.get("dump download (.nt.gz)", {})
        if download:
            ratio = min(download["ours"][c] / download["nginx"][c] for c in (1, 8, 32))
            rows.append((f"dump downloads ≥ 0.5× nginx ({scale.factor}×, a {size:.1f} MiB file; worst of 1/8/32 clients)",
                         f"{ratio:.2f}×", ratio >= 0.5))
        conditional = scale.throughput.get("dump 304 (If-None-Match)", {})
        if conditional:
            ratio = min(conditional["ours"][c] / conditional["nginx"][c] for c in (1, 8, 32))
            rows.append((f"304 answers ≥ 0.8× nginx's rate ({scale.factor}×, worst of 1/8/32 clients)", f"{ratio:.2f}×",
                         ratio >= 0.8))
    big = next((s for s in scales if s.factor == 1000), None)
    if big is not None:
        slow = sorted((row["ours"][0], query) for query, row in big.latency.items() if row["ours"][0] >= 1000 or row["ours"][2])
        engine = [query for query, row in big.latency.items()
                  if "engine" in row and row["engine"][0] < 1000 and not row["engine"][2]]
        rows.append(("1000×: every example query's median under 1 s",
                     f"{len(big.latency) - len(slow)} of {len(big.latency)}" + (f"; over 1 s or refused: {', '.join(q.split('-')[0] for _, q in slow)}"
                                                                               if slow else "")
                     + (f" (the engine alone, in memory: {len(engine)} of {len(big.latency)})"
                        if any("engine" in row for row in big.latency.values()) else ""), not slow))
        rows.append(("1000×: start-up from a persisted store under 2 s", f"{big.startup['ours']:.1f} s", big.startup["ours"] < 2))
    if len(scales) > 1:
        growth = ", ".join(f"{s.factor}×: {s.memory.get('ours', 0) / 2**20:.0f} MiB" for s in scales)
        rows.append(("peak memory reported, growing with the data (judged by reading the figures)", growth, None))
    return ["| target | measured | met |", "|---|---|---|"] + [f"| {t} | {m} | {'—' if ok is None else 'yes' if ok else 'NO'} |" for t, m, ok in rows]


def overload(scale) -> list[str]:
    """The overload runs: wrk's 32 connections (one client to the service: 127.0.0.1) asking a simple
    question while another client (127.0.0.2) keeps one runaway query going; then one connection
    asking while that client keeps eight going."""
    lines = ["### Overload", ""]
    for run in (scale.overload, scale.fairness):
        if run:
            clients = run.get('clients', 32)
            lines += [f"{clients} wrk connection{'s' if clients != 1 else ''} from one address asking `ASK {{ grp:mnla a ?type }}` for {run['seconds']:g} s "
                      f"while another client keeps {run.get('runaways', 1)} runaway quer{'y' if run.get('runaways', 1) == 1 else 'ies'} "
                      f"going: {run['requests']} answers, statuses {run['statuses']}, p50 {run['p50']:.1f} ms, "
                      f"p99 {run['p99']:.1f} ms; the runaway client got {run['runaway']}.", ""]
    return lines


def write(path: Path, scales, machine: str, seconds: float) -> None:
    lines = ["# Benchmark results", "",
             f"Measured on {date.today().isoformat()} with `python -m bench.run` on {machine}. The machine is shared "
             f"and noisy: read the ratios, which come from one run on the same data and requests. Throughput runs last "
             f"{seconds:g} s (wrk); latency runs {seconds / 2:g} s and at least three requests (one at 1000×; one client, "
             f"one request after another, after a warm-up request). Rerun with the commands in the README.", "",
             "## Targets", "", *targets(scales, seconds), ""]
    for scale in scales:
        lines += [f"## {scale.factor}× ({scale.triples:,} triples)", "",
                  "Start-up (restart with the store and dumps in place; s): "
                  + ", ".join(f"{NAMES[n]} {t:.1f}" for n, t in scale.startup.items()) + "; conflict-ld answers at "
                  f"once and is idle (its workers' copies of the store in memory, where it fits) after "
                  f"{scale.warm.get('ours', 0):.1f}.  ",
                  "Peak resident memory over the run (MiB, whole process tree): "
                  + ", ".join(f"{NAMES[n]} {m / 2**20:.0f}" for n, m in scale.memory.items()) + ".", "",
                  "### Example queries, one client", "", *_latency(scale), "",
                  "### Throughput", "", *_throughput(scale), ""]
        if scale.overload:
            lines += overload(scale)
            if scale.floor_overload:
                f = scale.floor_overload
                lines += [f"The floor under the same load (it has no time limit, so its runaway query runs on): "
                          f"{f['requests']} answers, statuses {f['statuses']}, p50 {f['p50']:.1f} ms, p99 {f['p99']:.1f} ms.", ""]
    notes = Path(__file__).with_name("NOTES.md")  # the analysis of unmet targets, written by hand after a run
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
