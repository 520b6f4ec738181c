"""Limits that hold: a runaway query is stopped and frees its CPU; saturation is a 503 with Retry-After."""

import concurrent.futures
import os
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from service.results import TooManyRows, check_rows

from .conftest import client_at, start_server, stop_server
from .waiting import wait_until

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?l WHERE { grp:mnla rdfs:label ?l }"


def descendants(pid: int) -> list[int]:
    """The processes started under `pid`, at any depth (workers are forked by a server process)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        below = [child for child, parent in parents.items() if parent in frontier]
        found += below
        frontier = below
    return found


def demoted_worker(server) -> int | None:
    """The worker running a long query: the pool moves it to the idle scheduling class once the
    query has run past LONG_QUERY (service/workers.py), so it is the runaway's, and only it."""
    return next((pid for pid in descendants(server.process.pid)
                 if not gone(pid) and os.sched_getscheduler(pid) == os.SCHED_IDLE), None)


def gone(pid: int) -> bool:
    """The process has exited (and been reaped, or is a zombie nobody runs)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_runaway_query_is_stopped_while_simple_queries_keep_answering(live_server):
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        runaway = pool.submit(httpx.get, live_server.sparql, params={"query": RUNAWAY}, timeout=60)
        worker = wait_until(lambda: demoted_worker(live_server), "the runaway query to run long")
        with client_at("127.0.0.2") as other:  # another client: the runaway's holds its share of the workers
            for _ in range(5):
                quick = other.get(live_server.sparql, params={"query": SIMPLE})
                assert quick.status_code == 200
        assert not runaway.done(), "the simple queries were answered while the runaway was still running"
        response = runaway.result()
    assert response.status_code == 503
    assert "limit" in response.text
    # the runaway's worker was killed, and a fresh one answers
    wait_until(lambda: gone(worker), "the runaway's worker to be killed")
    assert httpx.get(live_server.sparql, params={"query": SIMPLE}).status_code == 200


def test_a_long_query_only_gets_the_cpu_short_ones_leave(live_server):
    def policies():
        return [os.sched_getscheduler(pid) for pid in descendants(live_server.process.pid) if not gone(pid)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        runaway = pool.submit(httpx.get, live_server.sparql, params={"query": RUNAWAY}, timeout=60)
        # past LONG_QUERY, within the 3 s limit, its worker is moved to the idle class, and only it
        wait_until(lambda: os.SCHED_IDLE in policies() or runaway.done(), "the runaway to be demoted")
        assert policies().count(os.SCHED_IDLE) == 1
        assert runaway.result().status_code == 503
    wait_until(lambda: all(policy == os.SCHED_OTHER for policy in policies()),
               "the replacement worker, at normal priority")


def test_saturation_is_a_503_with_retry_after(store_dir):
    server = start_server(store_dir, query_timeout="4", workers="1", queue_wait="0.3")
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            busy = pool.submit(httpx.get, server.sparql, params={"query": RUNAWAY}, timeout=30)
            wait_until(lambda: demoted_worker(server), "the only worker to be busy with the runaway")
            with client_at("127.0.0.2") as other:  # the runaway's client would be refused its share (429)
                refused = other.get(server.sparql, params={"query": SIMPLE})
            assert refused.status_code == 503
            assert refused.headers["retry-after"].isdigit()
            assert busy.result().status_code == 503
        assert httpx.get(server.sparql, params={"query": SIMPLE}).status_code == 200
    finally:
        stop_server(server)


def test_result_rows_and_bytes_are_limited_not_truncated(store_dir):
    server = start_server(store_dir, max_rows="10", max_result_bytes="50000")
    try:
        for form, refusal, media_types in (
                ("SELECT *", "more than 10 rows", ("application/sparql-results+json", "application/sparql-results+xml",
                                                   "text/csv", "text/tab-separated-values")),
                ("CONSTRUCT", "more than 10", ("text/turtle", "application/n-triples", "application/ld+json",
                                               "application/rdf+xml"))):
            for media_type in media_types:
                many = httpx.get(server.sparql, params={"query": f"{form} WHERE {{ ?s ?p ?o }} LIMIT 11"},
                                 headers={"Accept": media_type})
                assert many.status_code == 400 and refusal in many.text, media_type
                ten = httpx.get(server.sparql, params={"query": f"{form} WHERE {{ ?s ?p ?o }} LIMIT 10"},
                                headers={"Accept": media_type})
                assert ten.status_code == 200, media_type
                if form == "CONSTRUCT":
                    assert len(Graph().parse(data=ten.text, format=media_type)) == 10, media_type
        huge = httpx.get(server.sparql, params={"query": "SELECT (GROUP_CONCAT(STR(?s)) AS ?all) WHERE { ?s ?p ?o FILTER (isIRI(?s)) }"})
        assert huge.status_code == 400 and "larger than 50000 bytes" in huge.text
        described = httpx.get(server.sparql, params={"query": "DESCRIBE grp:mnla"}, headers={"Accept": "text/turtle"})
        assert described.status_code == 400 and "more than 10" in described.text
    finally:
        stop_server(server)



@pytest.mark.parametrize("media_type, body, rows", [
    ("application/sparql-results+json",
     b'{"head":{"vars":["x"]},"results":{"bindings":[{},{},{"x":{"type":"literal","value":"},{"}}]}}', 3),
    ("application/sparql-results+xml",
     b'<sparql><results><result></result><result><binding name="x"><literal>&lt;result&gt;</literal></binding>'
     b'</result></results></sparql>', 2),
    ("text/csv", b'x\r\n"a\r\nb"\r\n\r\nc\r\n', 3),  # a quoted line break, an all-unbound row
    ("text/tab-separated-values", b'?x\n"a\\nb"\n\n', 2),  # an escaped line break
])
def test_rows_are_counted_in_every_format(media_type, body, rows):
    check_rows(body, media_type, rows)  # exactly at the limit: fine
    with pytest.raises(TooManyRows):
        check_rows(body, media_type, rows - 1)
