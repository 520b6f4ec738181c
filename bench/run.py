"""The benchmark suite: conflict-ld beside its peers, on the same data and requests, at 1x, 100x, 1000x.

Side by side in one run: our service as users start it (`conflict-ld serve`, with `--store` for
the synthetic sizes), the result cache off so that every request runs its query; rdflib-endpoint,
the Python peer (at the sizes it can load); the floor (the thinnest FastAPI + Oxigraph endpoint,
`bench.floor`); the engine in-process with the store in
memory (`bench.in_process`, for the example queries); and nginx serving our dump files. Load comes
from wrk (throughput, latency under load and, for the overload run, every status); a query's
latency with one client comes from one httpx client sending it again and again. Peak memory is
the largest resident size of each server's process tree. The report, with ratios, goes to
bench/RESULTS.md.

Usage: python -m bench.run [--scales 1,100,1000] [--seconds 5] [--output bench/RESULTS.md]
Needs the `bench` extra and Debian's wrk and nginx.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

from service.build import ensure_store
from service.catalogue import examples
from service.config import Settings
from service.namespaces import prefixes
from service.store import MARKER

from .load import sequential, statuses, wrk
from .servers import free_port
from .synthetic import generate

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
JOIN_HEAVY = ("12-timeline-of-events", "13-events-per-year-per-actor")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "ASK { grp:mnla a ?type }"
OVERLOAD_SECONDS = 30  # the 32-client run with a runaway query, as long as the target says
RUNAWAY_CLIENT = "127.0.0.2"  # where runaway queries come from: another client than wrk's 127.0.0.1
FAIR_RUNAWAYS = 8  # runaway queries one client keeps going in the fairness run (twice the workers)
FAIR_CLIENTS = 1  # wrk connections of the other client then: someone asking one question after another
ENGINE_CAP = 180  # seconds the engine alone may spend on one example query (it has no time limit)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str
    startup: float
    peak_rss: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def watch(self) -> None:
        """Sample the resident size of the server and its children until stopped."""
        def sample():
            root = psutil.Process(self.process.pid)
            while not self._stop.is_set():
                try:
                    tree = [root, *root.children(recursive=True)]
                    self.peak_rss = max(self.peak_rss, sum(p.memory_info().rss for p in tree))
                except psutil.Error:
                    pass
                time.sleep(0.2)
        threading.Thread(target=sample, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def launch(name: str, command: list[str], base: str, ready: str, env: dict | None = None, limit: float = 3600) -> Server:
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited while starting")
        try:
            if httpx.get(base + ready, timeout=5).status_code == 200:
                server = Server(name, process, base, time.monotonic() - started)
                server.watch()
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{name} did not start within {limit:.0f} s")


def ours(store: Path | None, dumps: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)] + (["--store", str(store)] if store else [])
    # the result cache off: every request runs its query, as the peers' do (bench.oxigraph_peer measures the cache)
    return launch("conflict-ld", command, f"http://127.0.0.1:{port}", "/sparql?query=ASK%7B%7D",
                  env={"CONFLICT_LD_DUMPS": str(dumps), "CONFLICT_LD_RESULT_CACHE": "0"})


def floor(store: Path) -> Server:
    port = free_port()
    return launch("floor", [sys.executable, "-m", "bench.floor", str(store), str(port)], f"http://127.0.0.1:{port}",
                  "/sparql?query=ASK%7B%7D")


def in_process(store: Path, seconds: float, at_least: int) -> dict[str, list]:
    """The engine alone, in memory (`bench.in_process`): query id → [p50, p99, failures, runs]."""
    command = [sys.executable, "-m", "bench.in_process", str(store), str(seconds), str(at_least), str(ENGINE_CAP)]
    return json.loads(subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout)


def peer(store: Path | None) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.peer_rdflib_endpoint", str(port)] + ([str(store)] if store else [])
    return launch("rdflib-endpoint", command, f"http://127.0.0.1:{port}", "/sparql?query=ASK%7B%7D")


def nginx(folder: Path) -> Server:
    """nginx serving `folder` as /dumps/: the floor for downloads (ETag and conditional GET built in)."""
    port = free_port()
    conf = WORK / f"nginx-{port}.conf"
    conf.write_text(f"""daemon off; worker_processes 2; pid {WORK}/nginx-{port}.pid; error_log /dev/null;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; etag on; types {{ application/gzip gz; application/n-triples nt; }}
  client_body_temp_path {WORK}/nginx-tmp; proxy_temp_path {WORK}/nginx-tmp; fastcgi_temp_path {WORK}/nginx-tmp;
  uwsgi_temp_path {WORK}/nginx-tmp; scgi_temp_path {WORK}/nginx-tmp;
  server {{ listen 127.0.0.1:{port}; location /dumps/ {{ alias {folder}/; }} }} }}
""", encoding="utf-8")
    (WORK / "nginx-tmp").mkdir(exist_ok=True)
    return launch("nginx", ["nginx", "-c", str(conf), "-p", str(WORK)], f"http://127.0.0.1:{port}", "/dumps/SHA256SUMS")


def busy(server: Server) -> bool:
    """Whether the server's processes together use more than a tenth of a core over half a second."""
    try:
        tree = [psutil.Process(server.process.pid)]
        tree += tree[0].children(recursive=True)
        for process in tree:
            process.cpu_percent()
        time.sleep(0.5)
        return sum(process.cpu_percent() for process in tree) > 10
    except psutil.Error:
        return False


def settle(server: Server, limit: float = 600) -> float:
    """Wait until the server is idle and answers a trivial query at once; return the seconds waited.

    A slow server may still be working through requests a finished run left queued, and a fresh
    one may still be copying its store into memory; neither must count against the next run.
    """
    started = time.monotonic()
    until = started + limit
    while time.monotonic() < until:
        try:
            asked = time.monotonic()
            httpx.get(server.base + "/sparql", params={"query": "ASK {}"}, timeout=limit)
            if time.monotonic() - asked < 0.5 and not busy(server):
                break
        except httpx.HTTPError:
            time.sleep(1)
    return time.monotonic() - started


def sparql_url(server: Server, text: str) -> str:
    return f"{server.base}/sparql?query={quote(text)}"


@dataclass
class Scale:
    factor: int
    triples: int = 0
    startup: dict[str, float] = field(default_factory=dict)
    warm: dict[str, float] = field(default_factory=dict)  # seconds from start until idle (store in memory)
    memory: dict[str, int] = field(default_factory=dict)
    # query → server ("engine": in-process) → (p50, p99, error answers, answers): an error (400 past
    # the row limit, 503 past the time limit) is timed like any answer, and the report says how many
    latency: dict[str, dict[str, tuple[float, float, int, int]]] = field(default_factory=dict)
    throughput: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)  # request → server → clients → rps
    overload: dict[str, object] = field(default_factory=dict)
    floor_overload: dict[str, object] = field(default_factory=dict)  # the same load on the floor, for scale
    fairness: dict[str, object] = field(default_factory=dict)  # the overload run with 8 runaway queries


def measure(factor: int, seconds: float, with_peer: bool, with_floor: bool) -> Scale:
    settings = Settings.from_env()
    WORK.mkdir(parents=True, exist_ok=True)
    store = ensure_store(settings) if factor == 1 else _synthetic(factor)
    served = None if factor == 1 else store
    dumps = WORK / f"dumps-{factor}"
    scale = Scale(factor, json.loads((store / MARKER).read_text())["triples"])
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(settings.base).items())
    at_least = 3 if factor < 1000 else 1  # at 1000x a query may take its whole time limit
    for query, row in in_process(store, seconds / 2, at_least).items():  # first, alone on the machine
        scale.latency[query] = {"engine": tuple(row)}
    ours(served, dumps).stop()  # a first start builds the dumps; the measured one starts as users restart
    servers = {"ours": ours(served, dumps)}
    scale.warm["ours"] = servers["ours"].startup + settle(servers["ours"])  # until its workers are idle
    if with_floor:
        servers["floor"] = floor(store)
    if with_peer:
        servers["peer"] = peer(served)
    servers["nginx"] = nginx(next(dumps.iterdir()))
    try:
        scale.startup = {name: s.startup for name, s in servers.items()}
        sparql_servers = [n for n in ("ours", "floor", "peer") if n in servers]
        for example in examples(settings.queries_dir):
            text = prologue + example.query
            for name in sparql_servers:
                settle(servers[name])
                load = sequential(sparql_url(servers[name], text), seconds / 2, {"Accept": GRAPH_ACCEPT}, at_least)
                scale.latency[example.id][name] = (load.p50_ms, load.p99_ms, load.failures, load.requests)
        requests = {example.id: prologue + example.query for example in examples(settings.queries_dir)
                    if example.id in JOIN_HEAVY}
        requests["entity lookup (SPARQL)"] = prologue + "SELECT ?p ?o WHERE { grp:mnla ?p ?o }"
        for label, text in requests.items():
            scale.throughput[label] = {name: {} for name in sparql_servers}
            for name in sparql_servers:
                for clients in (1, 8, 32):
                    settle(servers[name])
                    scale.throughput[label][name][clients] = wrk(sparql_url(servers[name], text), clients, seconds,
                                                                 {"Accept": JSON}).requests_per_second
        own = servers["ours"]
        for label, path, accept in (("entity page (HTML)", "/id/organisation/mnla", "text/html"),
                                    ("entity (Turtle)", "/id/organisation/mnla", "text/turtle"),
                                    ("VoID", "/.well-known/void", "text/turtle")):
            scale.throughput[label] = {"ours": {c: wrk(own.base + path, c, seconds, {"Accept": accept})
                                                .requests_per_second for c in (1, 8, 32)}}
        etag = httpx.head(own.base + "/dumps/conflict-ld.nt.gz").headers["etag"]
        static_etag = httpx.head(servers["nginx"].base + "/dumps/conflict-ld.nt.gz").headers["etag"]
        size = int(httpx.head(own.base + "/dumps/conflict-ld.nt.gz").headers["content-length"])
        for label, headers, static_headers in (("dump download (.nt.gz)", {}, {}),
                                                ("dump 304 (If-None-Match)", {"If-None-Match": etag},
                                                 {"If-None-Match": static_etag})):
            scale.throughput[label] = {
                "ours": {c: wrk(own.base + "/dumps/conflict-ld.nt.gz", c, seconds, headers).requests_per_second for c in (1, 8, 32)},
                "nginx": {c: wrk(servers["nginx"].base + "/dumps/conflict-ld.nt.gz", c, seconds, static_headers)
                          .requests_per_second for c in (1, 8, 32)}}
        scale.overload = _overload(own, prologue, OVERLOAD_SECONDS)
        settle(own)
        scale.fairness = _overload(own, prologue, OVERLOAD_SECONDS, FAIR_RUNAWAYS, FAIR_CLIENTS)
        if "floor" in servers:  # last: the floor has no time limit, so its runaway runs until it is stopped
            scale.floor_overload = _overload(servers["floor"], prologue, OVERLOAD_SECONDS)
        scale.overload["dump size"] = size
    finally:
        for server in servers.values():
            server.stop()
        scale.memory = {name: s.peak_rss for name, s in servers.items()}
    return scale


def overload_only(factor: int) -> Scale:
    """The overload and fairness runs alone, on our service as users start it (the whole suite
    takes hours; these two take a minute each)."""
    settings = Settings.from_env()
    WORK.mkdir(parents=True, exist_ok=True)
    store = ensure_store(settings) if factor == 1 else _synthetic(factor)
    scale = Scale(factor, json.loads((store / MARKER).read_text())["triples"])
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes(settings.base).items())
    server = ours(None if factor == 1 else store, WORK / f"dumps-{factor}")
    try:
        settle(server)
        scale.overload = _overload(server, prologue, OVERLOAD_SECONDS)
        settle(server)
        scale.fairness = _overload(server, prologue, OVERLOAD_SECONDS, FAIR_RUNAWAYS, FAIR_CLIENTS)
    finally:
        server.stop()
    return scale


def _synthetic(factor: int) -> Path:
    target = WORK / f"store-{factor}x"
    marker = target / MARKER
    if not (marker.exists() and json.loads(marker.read_text()).get("factor") == factor):
        generate(factor, target)
    return target


def _overload(server: Server, prologue: str, seconds: float, runaways: int = 1, clients: int = 32) -> dict:
    """`clients` wrk connections (one client to the service: 127.0.0.1) asking a simple question
    while another client (RUNAWAY_CLIENT) keeps `runaways` runaway queries going, each sent again as
    soon as it is answered or refused (Retry-After ignored, as an abusive client would)."""
    runaway: dict = {}

    def keep_running_away():
        runaway["statuses"], _ = statuses(server.base + "/sparql", {"query": RUNAWAY}, runaways, seconds, RUNAWAY_CLIENT)

    thread = threading.Thread(target=keep_running_away)
    thread.start()
    load = wrk(sparql_url(server, prologue + SIMPLE), clients, seconds, count_statuses=True)
    thread.join()
    return {"statuses": load.statuses, "runaway": dict(runaway.get("statuses", {})), "seconds": seconds,
            "p50": load.p50_ms, "p99": load.p99_ms, "requests": load.requests, "runaways": runaways,
            "clients": clients}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = psutil.virtual_memory().total / 2**30
    import pyoxigraph
    import rdflib
    return (f"{os.cpu_count()} × {cpu}, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}, "
            f"wrk and nginx from Debian")


def main(argv: list[str] | None = None) -> int:
    from .report import write

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,100,1000")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run (latency runs: half)")
    parser.add_argument("--peer-up-to", type=int, default=100, help="largest scale rdflib-endpoint is asked to load")
    parser.add_argument("--floor-up-to", type=int, default=1000, help="largest scale the floor is run at (it has no time limit)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--overload-only", action="store_true",
                        help="run only the overload and fairness runs on our service; print them, write no report")
    args = parser.parse_args(argv)
    if args.overload_only:
        from .report import overload

        for factor in (int(f) for f in args.scales.split(",")):
            print(f"## {factor}×\n\n" + "\n".join(overload(overload_only(factor))))
        return 0
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"the benchmarks need {tool}: apt-get install -y wrk nginx-light")
    scales = []
    for factor in (int(f) for f in args.scales.split(",")):
        print(f"measuring at {factor}x …", file=sys.stderr)
        scales.append(measure(factor, args.seconds, factor <= args.peer_up_to, factor <= args.floor_up_to))
        write(args.output, scales, machine(), args.seconds)
    print(f"written {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
