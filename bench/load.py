"""Load from a second process: wrk (Debian's package) on loopback, bounded in time.

`wrk` gives throughput and the latency distribution and, with `statuses.lua`, counts every status,
so the overload run can tell deliberate 503s from other failures. wrk is the load generator for
many clients: written in C, it adds next to nothing to the latencies it reports, where many Python
clients on this machine would queue behind their own event loop. `statuses` (httpx, in one
asyncio loop) is for the odd client whose every status matters, such as the runaway query's.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TIMEOUT = 120  # seconds a single request may take before the measurement gives up on it
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    requests_per_second: float  # answered (2xx/3xx) requests per second
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int  # non-2xx/3xx answers and socket errors
    statuses: dict[int | str, int] = field(default_factory=dict)  # when asked for: each status, socket errors by kind


def sequential(url: str, seconds: float, headers: dict[str, str] | None = None, at_least: int = 3) -> Load:
    """One client, one request after another on a kept-alive connection, for `seconds` (and at
    least `at_least` requests, however slow), after one warm-up: the latency of a single query."""
    timings, failures = [], 0
    with httpx.Client(timeout=TIMEOUT, headers=headers) as client:
        try:
            client.get(url)
            until = time.monotonic() + seconds
            while time.monotonic() < until or len(timings) < at_least:
                started = time.perf_counter()
                failures += client.get(url).status_code >= 400
                timings.append((time.perf_counter() - started) * 1000)
        except httpx.TimeoutException:
            return Load(0.0, float("inf"), float("inf"), len(timings), failures + 1)
    timings.sort()
    spent = sum(timings) / 1000
    return Load(len(timings) / spent, timings[len(timings) // 2], timings[min(len(timings) - 1, int(len(timings) * 0.99))],
                len(timings), failures)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


STATUSES = Path(__file__).with_name("statuses.lua")


def wrk(url: str, connections: int, seconds: float, headers: dict[str, str] | None = None,
        count_statuses: bool = False) -> Load:
    """wrk's figures; with `count_statuses`, also every status seen (a 503 without Retry-After apart)."""
    if shutil.which("wrk") is None:
        raise SystemExit("the benchmarks need wrk: apt-get install -y wrk")
    seconds = max(1, round(seconds))  # wrk takes whole seconds
    command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if count_statuses:
        command += ["-s", str(STATUSES)]
    run = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 120)
    out = run.stdout
    if "Requests/sec:" not in out:
        raise RuntimeError(f"wrk failed on {url[:80]}…: {run.stderr or out}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    failures = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures += sum(int(n) for n in sockets.groups()) if sockets else 0
    none = float("nan")  # no request finished within the run
    requests, spent = re.search(r"(\d+) requests in ([\d.]+\w+)", out).groups()
    answered = max(0, int(requests) - failures) / (_ms(spent) / 1000)  # a quick 503 is not an answer
    counted: dict[int | str, int] = {int(key) if key.isdigit() else key: int(n)
                                     for key, n in re.findall(r"^status (\S+) (\d+)$", out, re.M)}
    if sockets:
        kinds = ("connect", "read", "write", "timeout")
        counted.update({f"socket {kind}": int(n) for kind, n in zip(kinds, sockets.groups()) if int(n)})
    return Load(answered, _ms(percentiles["50"]) if "50" in percentiles else none,
                _ms(percentiles["99"]) if "99" in percentiles else none, int(requests), failures, counted)


async def _client(url: str, params: dict, until: float, statuses: Counter, latencies: list[float],
                  source: str | None) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=source) if source else None
    async with httpx.AsyncClient(timeout=60, transport=transport) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                response = await client.get(url, params=params)
                statuses[response.status_code] += 1
            except httpx.HTTPError as problem:
                statuses[type(problem).__name__] += 1
            latencies.append((time.perf_counter() - started) * 1000)


def statuses(url: str, params: dict, clients: int, seconds: float, source: str | None = None) -> tuple[Counter, list[float]]:
    """Every status (or error) seen by `clients` concurrent clients over `seconds`, and each latency in ms;
    each sends its next request as soon as it has an answer. `source`: the local address they connect
    from (any of 127/8 on Linux), so that the service counts them as a client of their own."""
    counted: Counter = Counter()
    latencies: list[float] = []
    until = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(_client(url, params, until, counted, latencies, source) for _ in range(clients)))

    asyncio.run(run())
    return counted, latencies
