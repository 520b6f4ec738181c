"""The query pool holds under abuse: workers reach no network, a query's memory is bounded, dead
workers are replaced before a request meets them, and one client cannot take every worker."""

import asyncio
import concurrent.futures
import multiprocessing
import os
import re
import signal
import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from service.build import ensure_store
from service.clients import Proxies
from service.config import Limits, Settings
from service.namespaces import prefixes
from service.store import EmbeddedStore, Query
from service.workers import NetworkDenied, QueryPool, _deny_network, _memory_of

from .conftest import client_at, start_server, stop_server
from .waiting import wait_until

pytestmark = pytest.mark.slow

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?l WHERE { grp:mnla rdfs:label ?l }"
# the two queries that reached 1 GB within seconds: labels concatenated over a cross product (labels
# only: one blank node among the values would end the aggregate as an error, whenever the store's
# order meets it first), and a string grown 64 × 64 × 64 × 64 × 2 × 2-fold by nested REPLACE
GROUP_CONCAT = "SELECT (GROUP_CONCAT(?l) AS ?x) WHERE { ?a ?b ?c . ?d rdfs:label ?l }"
A64 = "a" * 64
NESTED_REPLACE = (f'SELECT (STRLEN(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE("{"a" * 100}", "a", "{A64}"), '
                  f'"a", "{A64}"), "a", "{A64}"), "a", "{A64}"), "a", "aa"), "a", "aa")) AS ?n) {{}}')


@pytest.fixture(scope="module")
def store_path(settings, store_dir) -> Path:
    return ensure_store(replace(settings, store_dir=store_dir))


def seccomp_mode(pid: int) -> int:
    """0: no filter; 2: a seccomp filter is installed."""
    line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("Seccomp:"))
    return int(line.split()[1])


def workers_of(server_pid: int) -> list[int]:
    """The server's query workers: the children of the process they are forked from (its child)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append((int(entry.name), (entry / "cmdline").read_bytes()))
            except OSError:
                continue
    forkservers = [pid for pid, cmdline in children.get(server_pid, []) if b"forkserver" in cmdline]
    return [pid for fork in forkservers for pid, _ in children.get(fork, [])]


def logged(server, text: str, times: int) -> str:
    """The server's log once `text` is in it `times` times (lines about workers come as they are reaped)."""
    return wait_until(lambda: (log := server.log()).count(text) >= times and log,
                      f"{text!r} {times} times in the server's log")


def demoted(server) -> list[int]:
    """The server's workers at the idle scheduling class: those whose query has run past a second."""
    found = []
    for pid in workers_of(server.process.pid):
        try:
            if os.sched_getscheduler(pid) == os.SCHED_IDLE:
                found.append(pid)
        except OSError:  # it has just exited
            continue
    return found


def store_files_open(pid: int, store: Path) -> list[str]:
    """The files of the on-disk store the process holds open; none once its copy in memory replaced it."""
    found = []
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:  # closed meanwhile
            continue
        if store.resolve() in Path(target).parents:
            found.append(target)
    return found


def contacted(endpoint: str, contacts: list) -> list:
    """The listener's contacts made before this call, once it has taken them all: it takes them in
    order, so when it has closed a connection of ours made now, the earlier ones are counted."""
    address = urlsplit(endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=30) as ours:
        assert ours.recv(1) == b""
    return contacts[:-1]


# --- no network --------------------------------------------------------------------------------------


def test_a_service_call_that_reaches_a_worker_connects_nowhere(store_path, listener):
    """The text analysis is bypassed: the query goes straight to a worker, which cannot connect."""
    endpoint, contacts = listener

    async def run():
        pool = QueryPool(store_path, Limits(workers=1))
        await pool.start()
        try:
            assert [seccomp_mode(pid) for pid in workers_of(os.getpid())] == [2]
            with pytest.raises(NetworkDenied):
                await pool.answer(Query(f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}", JSON))
            silent = await pool.answer(Query(f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}", JSON))
            assert b'"bindings":[{}]' in silent.body or b'"bindings":[]' in silent.body
            worker, = workers_of(os.getpid())
            await asyncio.to_thread(wait_until, lambda: not store_files_open(worker, store_path),
                                    "the worker's copy of the store in memory (made under the filter too)")
            answer = await pool.answer(Query("ASK { ?s ?p ?o }", JSON))
            assert b"true" in answer.body
        finally:
            await pool.stop()

    asyncio.run(run())
    assert contacted(endpoint, contacts) == []


SOCKETS = {socket.AF_INET: socket.SOCK_STREAM, socket.AF_INET6: socket.SOCK_DGRAM,
           socket.AF_NETLINK: socket.SOCK_RAW, socket.AF_PACKET: socket.SOCK_RAW}


def _sandboxed(store: str, results) -> None:
    """In a fresh process: the filter, then sockets, the engine's threads, the store and its memory copy."""
    problem = _deny_network()
    refused = []
    for family, kind in SOCKETS.items():
        try:
            socket.socket(family, kind).close()
        except PermissionError:
            refused.append(family)
    for end in socket.socketpair():  # Unix sockets still work
        end.close()
    on_disk = EmbeddedStore(Path(store))
    in_memory = EmbeddedStore(Path(store), in_memory_quads=10**9)  # copied into memory, here and now
    labels = in_memory.select("SELECT ?l WHERE { grp:mnla rdfs:label ?l }", prefixes(Settings().base))
    results.send((problem, refused, len(on_disk), len(in_memory), len(labels)))


def test_the_filter_refuses_every_socket_but_unix_and_leaves_the_store_working(store_path):
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_sandboxed, args=(str(store_path), sending))
    process.start()
    problem, refused, on_disk, in_memory, labels = receiving.recv()
    process.join()
    assert problem == ""
    assert refused == list(SOCKETS)
    assert on_disk == in_memory > 10_000
    assert labels >= 1


def test_with_an_allow_list_workers_keep_the_network(store_path, listener):
    endpoint, contacts = listener

    async def run():
        pool = QueryPool(store_path, Limits(workers=1, service_allow=(endpoint,)))
        await pool.start()
        try:
            assert [seccomp_mode(pid) for pid in workers_of(os.getpid())] == [0]
            with pytest.raises(RuntimeError):  # the listener closes without answering
                await pool.answer(Query(f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}", JSON))
        finally:
            await pool.stop()

    asyncio.run(run())
    assert contacts


def test_where_no_filter_can_be_installed_the_service_says_so_and_serves(store_dir, tmp_path, monkeypatch):
    (tmp_path / "pyseccomp.py").write_text('raise ImportError("libseccomp is not installed here")\n')
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # as on a system without the package or the library
    server = start_server(store_dir, workers="1")
    try:
        log = server.log()
        assert ('WARNING pool query workers keep the network '
                'reason="no seccomp filter can be installed: libseccomp is not installed here"\n') in log
        assert "query pool workers=1 network=open" in log
        assert [seccomp_mode(pid) for pid in workers_of(server.process.pid)] == [0]
        assert httpx.get(server.sparql, params={"query": SIMPLE}).status_code == 200
        refused = httpx.get(server.sparql, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"})
        assert refused.status_code == 403  # the query's analysis still refuses SERVICE
    finally:
        stop_server(server)


# --- memory ------------------------------------------------------------------------------------------


def test_a_query_past_its_memory_is_stopped_and_its_worker_replaced(store_dir):
    server = start_server(store_dir, query_memory=str(128 * 2**20), query_timeout="25", workers="2")
    try:
        for query in (NESTED_REPLACE, GROUP_CONCAT):
            response = httpx.get(server.sparql, params={"query": query}, timeout=60)
            assert response.status_code == 400, response.text
            assert "more than 128 MiB of memory" in response.text
        assert httpx.get(server.sparql, params={"query": SIMPLE}).status_code == 200
        log = server.log()
        assert log.count("worker killed reason=memory") == 2
        assert log.count("outcome=memory") == 2
        assert len(re.findall(r"worker replaced .*reason=memory", log)) == 2
    finally:
        stop_server(server)


# --- deaths ------------------------------------------------------------------------------------------


def test_killed_idle_workers_are_replaced_before_a_request_reaches_them(store_dir):
    server = start_server(store_dir, workers="3")
    try:
        pids = workers_of(server.process.pid)
        assert len(pids) == 3
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        with httpx.Client(timeout=30) as client:
            statuses = [client.get(server.sparql, params={"query": SIMPLE}).status_code for _ in range(12)]
        assert statuses == [200] * 12
        log = logged(server, "reason=died", 3)  # each death is logged once its process is reaped
        assert log.count("worker died") == 3 and log.count("signal=SIGKILL") == 3
        assert not set(workers_of(server.process.pid)) & set(pids)
    finally:
        stop_server(server)


def test_a_workers_memory_is_its_anonymous_resident_memory():
    """What a worker is measured by: resident pages less file-backed and shared ones, which the
    kernel reports as RssAnon (proc(5)); read twice around it, as memory moves meanwhile."""
    memory = _memory_of("self")
    try:
        before = memory()
        anonymous = int(re.search(r"^RssAnon:\s+(\d+) kB$", Path("/proc/self/status").read_text(), re.M)[1]) * 1024
        after = memory()
    finally:
        memory.close()
    assert min(before, after) - 2**18 <= anonymous <= max(before, after) + 2**18


# --- fairness ----------------------------------------------------------------------------------------


def test_one_client_cannot_take_every_worker(store_dir):
    server = start_server(store_dir, workers="4", query_timeout="6", result_cache="0")  # each request runs
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            runaways = [pool.submit(httpx.get, server.sparql, params={"query": RUNAWAY}, timeout=60) for _ in range(8)]
            # once its queries have run a while (their workers demoted), it holds its share with long queries
            wait_until(lambda: len(demoted(server)) >= 2, "two of the client's queries running past a second")
            with client_at("127.0.0.2") as other:
                answered = [other.get(server.sparql, params={"query": SIMPLE}).status_code for _ in range(20)]
            again = httpx.get(server.sparql, params={"query": SIMPLE}, timeout=10)
            results = [r.result() for r in runaways]
        assert answered == [200] * 20
        assert again.status_code == 429 and again.headers["retry-after"].isdigit()
        refused = [r for r in results if r.status_code == 429]
        assert len(refused) == 6 and all(r.headers["retry-after"].isdigit() for r in refused)
        assert again.text == ("Too Many Requests: 2 of your queries are running, and one client may run 2 at once; "
                              "retry when they have ended.\n")
        assert all(r.text == again.text for r in refused)
        assert sorted(r.status_code for r in results if r.status_code != 429) == [503, 503]  # its share ran
        assert len(re.findall(r"query .*client=127\.0\.0\.1 outcome=refused .*reason=share", server.log())) == 7
        description = httpx.get(server.sparql, headers={"Accept": "text/turtle"}).text
        assert "concurrent queries per client" in description and "memory a query may use" in description
    finally:
        stop_server(server)


def _long_query_from(server, headers: dict, source: str = "127.0.0.1"):
    """Start a runaway query as a client; return its future once it has run past a second (its worker
    demoted): the client then holds its share with a long query."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def run():
        with client_at(source, timeout=60) as client:
            return client.get(server.sparql, params={"query": RUNAWAY}, headers=headers)

    future = pool.submit(run)
    pool.shutdown(wait=False)
    wait_until(lambda: demoted(server), "the runaway query running past a second")
    return future


def test_a_forwarded_client_is_believed_only_from_a_trusted_proxy(store_dir):
    server = start_server(store_dir, workers="2", query_timeout="4", trusted_proxies="127.0.0.1")
    try:
        runaway = _long_query_from(server, {"X-Forwarded-For": "203.0.113.5"})

        def simple(headers, source="127.0.0.1"):
            with client_at(source) as client:
                return client.get(server.sparql, params={"query": SIMPLE}, headers=headers).status_code

        assert simple({"X-Forwarded-For": "203.0.113.5"}) == 429  # the same client, through the proxy
        assert simple({"Forwarded": 'for="203.0.113.5:4711";proto=http'}) == 429
        assert simple({"X-Forwarded-For": "198.51.100.7"}) == 200  # another client behind the proxy
        # what a client writes left of its own address is not believed: the proxy appended 198.51.100.7
        assert simple({"X-Forwarded-For": "203.0.113.5, 198.51.100.7"}) == 200
        # 127.0.0.2 is no trusted proxy: its header is ignored, and it is a client of its own
        assert simple({"X-Forwarded-For": "203.0.113.5"}, source="127.0.0.2") == 200
        assert runaway.result().status_code == 503
    finally:
        stop_server(server)


def test_without_trusted_proxies_forwarding_headers_are_ignored(live_server):
    runaway = _long_query_from(live_server, {"X-Forwarded-For": "203.0.113.5"})
    claimed = httpx.get(live_server.sparql, params={"query": SIMPLE}, headers={"X-Forwarded-For": "198.51.100.7"},
                        timeout=10)
    assert claimed.status_code == 429  # still 127.0.0.1, whose share the runaway holds
    assert runaway.result().status_code == 503


@pytest.mark.parametrize("peer, headers, client", [
    ("192.0.2.9", [(b"x-forwarded-for", b"198.51.100.7")], "192.0.2.9"),  # not a proxy of ours
    ("127.0.0.1", [(b"x-forwarded-for", b"198.51.100.7, 10.0.0.2")], "198.51.100.7"),  # past a second proxy
    ("127.0.0.1", [(b"x-forwarded-for", b"1.1.1.1"), (b"x-forwarded-for", b"198.51.100.7")], "198.51.100.7"),
    ("127.0.0.1", [(b"forwarded", b'for="[2001:db8::1]:4711", for=10.0.0.2'),
                   (b"x-forwarded-for", b"198.51.100.7")], "2001:db8::1"),  # Forwarded first
    ("127.0.0.1", [(b"forwarded", b"for=unknown")], "unknown"),
    ("127.0.0.1", [], "127.0.0.1"),
    ("::ffff:127.0.0.1", [(b"x-forwarded-for", b"198.51.100.7:8080")], "198.51.100.7"),
])
def test_the_client_is_read_from_the_right_of_the_forwarding_chain(peer, headers, client):
    assert Proxies(["127.0.0.1", "10.0.0.0/8"]).client(peer, headers) == client
