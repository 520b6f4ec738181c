"""What the README's "Logs" table promises that no other module pins: the endpoint's refusals, the
HTTP limits' refusals (without an access line), one line per query with its outcome, a fault of ours
(a plain 500 for the client, the traceback for the operator), a build that waits for the lock, and
a folder the build cannot write."""

from __future__ import annotations

import concurrent.futures
import fcntl
import os
import re
import subprocess

import httpx
import pytest

from .conftest import ROOT, client_at, start_server, stop_server
from .projects import COMMAND, conflict_ld, demoted, small_project
from .waiting import wait_until

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
AMBIGUOUS = "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'>')SERVICE<urn:ex:s>{?a ?b ?c}#'\n}"


def logged_since(server, start: int) -> str:
    return server.log()[start:]


def test_the_endpoints_refusals_are_logged(live_server):
    start = len(live_server.log())
    update = httpx.post(live_server.sparql, data={"query": "DROP ALL"})
    service = httpx.get(live_server.sparql, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"})
    unreadable = httpx.get(live_server.sparql, params={"query": AMBIGUOUS})
    assert (update.status_code, service.status_code, unreadable.status_code) == (403, 403, 400)
    assert "cannot be read safely" in unreadable.text
    log = wait_until(lambda: (text := logged_since(live_server, start)).count(" sparql refused ") == 3 and text,
                     "three refusals in the log")
    assert " INFO sparql refused reason=update keyword=DROP" in log
    assert " WARNING sparql refused reason=service endpoint=http://127.0.0.1:9/x" in log
    assert " INFO sparql refused reason=unreadable detail=" in log


def refusals(server, send, count: int) -> str:
    """What the server logs while `send` makes `count` requests that an HTTP limit refuses."""
    start = len(server.log())
    send()
    return wait_until(lambda: (text := logged_since(server, start)).count(" limits refused ") == count and text,
                      f"{count} refusals in the log")


def access_lines(log: str, status: int) -> list[str]:
    return [line for line in log.splitlines() if re.search(rf" access request .*status={status}\b", line)]


def test_a_request_past_an_http_limit_is_logged_with_its_status_reason_and_client(live_server):
    log = refusals(live_server, lambda: (
        httpx.get(live_server.url + "/organisations", headers={"X-Long": "a" * 9000}),
        httpx.get(live_server.url + "/id/organisation/" + "a" * 2100)), 2)
    assert re.search(r" limits refused status=431 reason=.* client=127\.0\.0\.1", log), log
    assert re.search(r" limits refused status=414 reason=.* client=127\.0\.0\.1", log), log


def test_a_refused_request_head_has_no_access_line(live_server):
    log = refusals(live_server, lambda: httpx.get(live_server.url + "/organisations", headers={"X-Long": "a" * 9000}),
                   1)
    assert "limits refused status=431" in log and access_lines(log, 431) == []


@pytest.mark.parametrize("path, status", [
    ("/id/organisation/" + "a" * 2100, 414),  # a path past max_path_length
    ("/organisations?q=" + "a" * 16_400, 414),  # a query string past max_query_length
    ("/organisations?" + "&".join(f"p{n}=1" for n in range(101)), 400),  # more than max_parameters
], ids=["path", "query-string", "parameters"])
def test_a_refused_url_has_no_access_line(live_server, path, status):
    start = len(live_server.log())
    assert httpx.get(live_server.url + path).status_code == status
    # a request after it: once its access line is written, any line of the refused one is too
    httpx.get(live_server.url + "/id/organisation/after-the-refused-url")  # a 404, logged as any request
    log = wait_until(lambda: "after-the-refused-url" in (text := logged_since(live_server, start)) and text,
                     "the access line of the request after the refused one")
    assert f"limits refused status={status}" in log and access_lines(log, status) == []


@pytest.fixture
def project(tmp_path):
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    var.mkdir()
    return home, var


def test_each_query_is_logged_with_its_client_and_outcome(project):
    home, var = project
    server = start_server(var, home=str(home), workers="1", query_timeout="3", queue_wait="0.5", max_rows="3",
                          max_result_bytes="2000", result_cache="0")  # the query asked again runs again
    try:
        asked = {"ok": "SELECT ?label WHERE { grp:alpha rdfs:label ?label }",
                 "syntax": "SELECT ?x WHERE { ?x }",
                 "rows": "SELECT * WHERE { ?s ?p ?o } LIMIT 4",
                 "bytes": "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o FILTER (!isBlank(?o)) }"}
        statuses = {outcome: httpx.get(server.sparql, params={"query": text}).status_code for outcome, text in asked.items()}
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            runaway = pool.submit(httpx.get, server.sparql, params={"query": RUNAWAY}, timeout=60)
            wait_until(lambda: demoted(server), "the runaway to hold the one worker for a second")
            with client_at("127.0.0.2") as other:  # nothing running of its own: it waits for the one worker
                statuses["saturated"] = other.get(server.sparql, params={"query": asked["ok"]}).status_code
            statuses["timeout"] = runaway.result().status_code
    finally:
        stop_server(server)
    assert statuses == {"ok": 200, "syntax": 400, "rows": 400, "bytes": 400, "saturated": 503, "timeout": 503}
    lines = [line for line in server.log().splitlines() if " pool query query=" in line]
    outcomes = [re.search(r" outcome=(\w+)", line)[1] for line in lines]
    assert outcomes[1:] == ["ok", "syntax", "rows", "bytes", "refused", "timeout"]  # after start_server's own
    assert all(re.search(r" query=[0-9a-f]+ client=127\.0\.0\.\d ", line) for line in lines)
    assert " limit=3" in lines[3] and " limit=2000" in lines[4]
    assert "client=127.0.0.2 outcome=refused" in lines[5] and "reason=saturated" in lines[5]


def test_a_fault_of_ours_is_a_plain_500_and_a_logged_traceback(project):
    """A query file that is not UTF-8 breaks the catalogue: the client gets one plain line."""
    home, var = project
    (home / "queries" / "99-broken.rq").write_bytes(b"# title: \xff\xfe broken\nSELECT * {}\n")
    server = start_server(var, home=str(home), workers="1")
    try:
        response = httpx.get(server.url + "/queries", headers={"Accept": "application/json"})
    finally:
        stop_server(server)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Internal Server Error: the fault is logged; please report it.\n"
    logged = server.log().split(" ERROR app unhandled path=/queries\n", 1)
    assert len(logged) == 2 and logged[1].startswith("Traceback (most recent call last):"), server.log()
    assert "UnicodeDecodeError" in logged[1] and "Traceback" not in response.text


def test_a_build_that_finds_the_lock_held_says_whose_and_waits(project):
    home, var = project
    with open(var / "build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a build in progress holds it
        lock.write(str(os.getpid()))
        lock.flush()
        errors = var.parent / "build.err"
        with open(errors, "w") as stderr:
            build = subprocess.Popen([str(COMMAND), "build"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                                     env={**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(var),
                                          "CONFLICT_LD_DUMPS": str(var / "dumps")})
        wait_until(lambda: " build lock busy " in errors.read_text(encoding="utf-8"), "the build to find the lock held",
                   timeout=300)
        assert build.poll() is None
    assert build.wait(timeout=300) == 0, errors.read_text(encoding="utf-8")
    log = errors.read_text(encoding="utf-8")
    assert f" INFO build lock busy path={var / 'build.lock'} holder={os.getpid()}" in log
    assert log.index(" build lock busy ") < log.index(" build lock waited ") < log.index(" build lock acquired ")


def test_a_folder_that_cannot_be_written_is_one_line_and_a_logged_failure(project, tmp_path):
    home, _ = project
    occupied = tmp_path / "a-file"
    occupied.write_text("not a folder\n", encoding="utf-8")
    done = conflict_ld("build", home=home, var=occupied / "store")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"cannot write the store in {occupied / 'store'}: Not a directory"
    assert re.search(r" ERROR build write failed what=store path=\S+ reason=\"Not a directory\"", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
