"""`conflict-ld wikidata verify|export` and federated queries, against a Wikidata stand-in on loopback."""

import hashlib
import os
import re
import subprocess
import sys

import httpx
import pytest

from .conftest import FIXTURES, ROOT, start_server, stop_server
from .sparql_endpoint import SparqlEndpoint

pytestmark = pytest.mark.slow

VALUE = r'(Q\d+|"[^"\t]*"|[a-z]{2,3}:"[^"\t]*"|\+\d{4}-\d\d-\d\dT00:00:00Z/(9|10|11))'
QUICKSTATEMENT = re.compile(rf"^Q\d+\tP\d+\t{VALUE}(\tP58[02]\t{VALUE})*(\tS(854|1476|577|304)\t{VALUE})+$")


@pytest.fixture(scope="module")
def wikidata():
    endpoint = SparqlEndpoint(FIXTURES / "wikidata-sample.ttl")
    yield endpoint
    endpoint.close()


def _run(store_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONFLICT_LD_STORE": str(store_dir), "CONFLICT_LD_DUMPS": str(store_dir / "dumps")}
    return subprocess.run([sys.executable, "-m", "service.cli", "wikidata", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _findings(stdout: str) -> dict[str, str]:
    return {line.split()[1]: line.split()[0] for line in stdout.splitlines()
            if line.split() and line.split()[0] in {"OK", "LABEL", "TYPE", "REDIRECT", "MISSING"}}


def test_verify_reports_each_kind_of_problem(store_dir, wikidata):
    asked = len(wikidata.agents)
    result = _run(store_dir, "verify", "--endpoint", wikidata.url, "--pause", "0")
    assert result.returncode == 1, result.stderr
    found = _findings(result.stdout)
    assert {q: found[q] for q in ("Q853699", "Q650100", "Q98497406")} == dict.fromkeys(("Q853699", "Q650100", "Q98497406"), "OK")
    assert found["Q15141050"] == "LABEL" and found["Q12177450"] == "TYPE" and found["Q19955892"] == "REDIRECT"
    assert "redirects to Q900000099" in result.stdout and "human" in result.stdout
    assert len(found) == 67 and list(found.values()).count("MISSING") == 67 - 6
    assert re.search(r"^unlinked: \d+ \(", result.stdout, re.M)
    requests = wikidata.agents[asked:]
    assert len(requests) == 2  # 67 items, asked 50 at a time
    assert all(agent.startswith("conflict-ld/") and "w3id.org/conflict-ld" in agent for agent in requests)


def _data_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "data").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_suggest_proposes_items_and_writes_nothing(store_dir, wikidata):
    before = _data_digest()
    result = _run(store_dir, "verify", "--endpoint", wikidata.url, "--pause", "0", "--suggest")
    lines = [line for line in result.stdout.splitlines() if line.startswith("SUGGEST")]
    assert any("Q900000010" in line and "id/organisation/al-qaeda" in line for line in lines)
    assert _data_digest() == before


def test_an_unreachable_endpoint_is_a_clear_error(store_dir):
    result = _run(store_dir, "verify", "--endpoint", "http://127.0.0.1:1/sparql", "--pause", "0")
    assert result.returncode == 2
    assert "cannot query the endpoint" in result.stderr and "Traceback" not in result.stderr


def test_export_writes_quickstatements_with_sources(store_dir):
    result = _run(store_dir, "export")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 50
    assert [line for line in lines if not QUICKSTATEMENT.match(line)] == []
    assert ("Q15141050\tP463\tQ19955892\tP580\t+2014-01-01T00:00:00Z/9\tP582\t+2023-02-01T00:00:00Z/10\tS854\t"
            '"https://theafricareport.com/283521/mali-what-the-fusion-of-the-azawad-movements-will-change/"') in lines
    assert ("Q15141050\tP571\t+2013-05-01T00:00:00Z/10\tS1476\ten:\"Alliances of convenience: assessing the dynamics "
            'of the Malian insurgency"\tS577\t+2017-01-01T00:00:00Z/9\tS304\t"125, 129"') in lines
    assert not any("\tP31\t" in line or "\tP625\t" in line for line in lines)  # our classes; unsourced points


def test_export_leaves_out_what_the_endpoint_holds(store_dir, wikidata):
    everything = set(_run(store_dir, "export").stdout.splitlines())
    trimmed = _run(store_dir, "export", "--endpoint", wikidata.url, "--pause", "0")
    assert trimmed.returncode == 0, trimmed.stderr
    dropped = everything - set(trimmed.stdout.splitlines())
    assert dropped and all(line.startswith(("Q15141050\tP463\tQ19955892\t", "Q15141050\tP571\t")) for line in dropped)
    assert set(trimmed.stdout.splitlines()) <= everything


def test_the_federated_example_runs_when_wikidata_is_allow_listed(store_dir, wikidata):
    text = (ROOT / "docs" / "federated-wikidata.rq").read_text(encoding="utf-8")
    text = text.replace("https://query.wikidata.org/sparql", wikidata.url)
    server = start_server(store_dir, service_allow=wikidata.url)
    try:
        response = httpx.get(server.sparql, params={"query": text}, headers={"Accept": "application/sparql-results+json"},
                             timeout=60)
    finally:
        stop_server(server)
    assert response.status_code == 200, response.text
    rows = {(r["ours"]["value"], r["theirs"]["value"]) for r in response.json()["results"]["bindings"]}
    assert ("National Movement for the Liberation of Azawad", "National Movement for the Liberation of Azawad") in rows
    assert ("High Council for the Unity of Azawad", "Unrelated sports club") in rows
