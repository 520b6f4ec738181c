"""What the README promises of the `conflict-ld` command and of start-up: a store reused while the
sources are unchanged and built again when one changes, releases named after the sources, a store
built elsewhere served as it is, a build that refuses data that does not conform and leaves what was
published alone, and each command's output. Everything runs as a user runs it: the installed
command, or `conflict-ld serve` through `start_server`, on projects of the tests' own."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request

import httpx
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from .conftest import FIXTURES, ROOT, start_server, stop_server
from .projects import COMMAND, conflict_ld, files_as_found, of_a_release, release_in, small_project, store_in
from .waiting import wait_until

pytestmark = pytest.mark.slow

BROKEN = FIXTURES / "invalid" / "claim-without-source.ttl"
UNDATED = """
evt:undated a cao:Protest ; rdfs:label "Protest"@en , "Manifestation"@fr ;
    cao:certainty cert:stated ; cao:statedIn sen:1.2.1 ; prov:qualifiedDerivation [ a prov:Derivation ; prov:entity wrk:book ] .
"""
ALPHA_LABELS = """SELECT ?label WHERE { <https://w3id.org/conflict-ld/id/organisation/alpha> rdfs:label ?label }"""


def built(home, var) -> subprocess.CompletedProcess:
    done = conflict_ld("build", home=home, var=var)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def folders(var) -> list[str]:
    return sorted(child.name for child in var.iterdir() if child.is_dir())


# --- start-up: a store is reused while the sources are unchanged --------------------------------------


def test_a_restart_with_unchanged_sources_reuses_the_store(tmp_path):
    """A restart must not load, derive, validate or write anything again: the store and the dumps
    on disk are the very files the first start wrote."""
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    var.mkdir()
    first = start_server(var, home=str(home))
    stop_server(first)
    built_first = [" INFO build lock acquired ", " INFO build build needed what=store ", " INFO build loaded ",
                   " INFO build derived ", " INFO build validated conforms=True ", " INFO build store written ",
                   " INFO build build needed what=dumps ", " INFO build dumps written "]
    positions = [first.log().find(event) for event in built_first]  # each step logged, in this order
    assert -1 not in positions and positions == sorted(positions), first.log()
    written = files_as_found(store_in(var), release_in(var))
    again = start_server(var, home=str(home))
    try:
        assert httpx.get(again.sparql, params={"query": "ASK { grp:alpha a cao:ArmedGroup }"}).json()["boolean"] is True
    finally:
        stop_server(again)
    for step in ("build needed", "loaded", "derived", "validated", "store written", "dumps written", "lock acquired"):
        assert f" build {step}" not in again.log(), again.log()
    assert files_as_found(store_in(var), release_in(var)) == written


def test_a_changed_source_is_built_again(tmp_path):
    """The reuse is decided by the sources, not by the folder: one edited file means a new store."""
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    var.mkdir()
    stop_server(start_server(var, home=str(home)))
    old = store_in(var)
    world = home / "data" / "ttl" / "world.ttl"
    world.write_text(world.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    server = start_server(var, home=str(home))
    stop_server(server)
    assert "INFO build build needed what=store" in server.log() and "INFO build store written" in server.log()
    assert len([name for name in folders(var) if name != "dumps"]) == 2
    assert f"serving {old.name} " not in server.log()


# --- releases are named after the sources -------------------------------------------------------------


def release_name(home, var) -> str:
    built(home, var)
    return release_in(var).name


def test_the_release_name_is_the_fingerprint_of_the_sources(tmp_path):
    """The same sources give the same release in another checkout, process and store; one byte
    changed in a source gives another."""
    one, other = small_project(tmp_path / "one"), small_project(tmp_path / "other")
    name = release_name(one, tmp_path / "var-one")
    assert release_name(other, tmp_path / "var-other") == name
    assert name.startswith(store_in(tmp_path / "var-one").name + "-")  # the store is var/store/{fingerprint}/
    assert name.rsplit("-", 1)[1].isdigit() and "." not in name  # what the README's nginx locations match
    world = other / "data" / "ttl" / "world.ttl"
    text = world.read_text(encoding="utf-8")
    assert "# The profile's citation structure" in text
    world.write_text(text.replace("# The profile's", "# the profile's", 1), encoding="utf-8")
    assert release_name(other, tmp_path / "var-changed") != name
    world.write_text(text, encoding="utf-8")
    assert release_name(other, tmp_path / "var-restored") == name


def test_the_release_is_published_under_its_name(tmp_path):
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    name = release_name(home, var)
    server = start_server(var, home=str(home))
    try:
        listing = httpx.get(server.url + "/dumps/", headers={"Accept": "application/json"}).json()
        sums = httpx.get(f"{server.url}/dumps/{name}/SHA256SUMS")
    finally:
        stop_server(server)
    assert listing["version"] == name and {entry["url"].split("/")[0] for entry in listing["files"]} == {name}
    assert sums.status_code == 200 and sums.text == (release_in(var) / "SHA256SUMS").read_text(encoding="utf-8")


# --- serve --store: a store built elsewhere, served as it is --------------------------------------------


def test_serve_store_serves_a_store_built_elsewhere_as_it_is(tmp_path):
    """Built from the small project, served by a process whose own sources are the profile's: the
    answers come from that store, which is neither rebuilt nor written to."""
    home, elsewhere = small_project(tmp_path / "home"), tmp_path / "elsewhere"
    built(home, elsewhere)
    store = store_in(elsewhere)
    as_built = files_as_found(store)
    var = tmp_path / "var"
    var.mkdir()
    server = start_server(var, "--store", str(store))  # CONFLICT_LD_HOME unset: the checkout, with the profile
    try:
        client = SPARQLWrapper(server.sparql)
        client.setQuery(ALPHA_LABELS)
        client.setReturnFormat(JSON)
        rows = client.query().convert()["results"]["bindings"]
        client.setQuery("ASK { grp:mnla ?p ?o }")
        profile_served = client.query().convert()["boolean"]
    finally:
        stop_server(server)
    assert sorted((row["label"]["value"], row["label"]["xml:lang"]) for row in rows) == [("Alpha", "en"), ("Alpha", "fr")]
    assert profile_served is False
    assert "what=store" not in server.log() and f"serving {store.name} " in server.log()
    assert files_as_found(store) == as_built
    # its dumps are made here, and the recorded releases' stores from releases/; none from the sources
    assert [name for name in folders(var) if not of_a_release(var / name)] == ["dumps"]


# --- build: exit 1 on data that does not conform, the last good release untouched -----------------------


def test_build_refuses_data_that_does_not_conform_and_keeps_the_last_release(tmp_path):
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    built(home, var)
    published, names = files_as_found(store_in(var), release_in(var)), folders(var)
    shutil.copy(BROKEN, home / "data" / "ttl" / "broken.ttl")
    done = conflict_ld("build", home=home, var=var)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("data/ttl/broken.ttl: Violation: clm:broken prov:qualifiedDerivation: a claim needs at least one source"
            in done.stdout)
    assert "SHACL: does NOT conform — 2 violation(s)" in done.stdout
    assert "store:" not in done.stdout and "store written" not in done.stderr and "Traceback" not in done.stderr
    assert folders(var) == names and files_as_found(store_in(var), release_in(var)) == published


def test_build_prints_what_it_wrote_and_the_statistics(tmp_path):
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    done = built(home, var)
    assert f"store: {store_in(var)}\ndumps: {release_in(var)}\n" in done.stdout
    for line in ("claims (incl. events): 7", "with a page number:           1/7 (14%)", "works cited: 1", "notes: 1"):
        assert line in done.stdout, line


# --- validate ------------------------------------------------------------------------------------------


def test_validate_without_paths_checks_the_projects_data(tmp_path):
    home = small_project(tmp_path / "home")
    clean = conflict_ld("validate", home=home, var=tmp_path / "var")
    assert clean.returncode == 0 and "SHACL: conforms — 0 violation(s)" in clean.stdout, clean.stdout + clean.stderr
    shutil.copy(BROKEN, home / "data" / "ttl" / "broken.ttl")
    broken = conflict_ld("validate", home=home, var=tmp_path / "var")
    assert broken.returncode == 1
    assert "data/ttl/broken.ttl: Violation: clm:broken prov:qualifiedDerivation: a claim needs at least one source" in \
           broken.stdout


def test_validate_lists_warnings_only_when_asked(tmp_path):
    home = small_project(tmp_path / "home", UNDATED)
    plain = conflict_ld("validate", home=home, var=tmp_path / "var")
    shown = conflict_ld("validate", "--warnings", home=home, var=tmp_path / "var")
    assert plain.returncode == shown.returncode == 0
    assert plain.stdout.strip() == "SHACL: conforms — 0 violation(s), 1 warning(s) (show them with --warnings)"
    assert shown.stdout.startswith("data/ttl/world.ttl: Warning: evt:undated: event has no date at all")
    assert shown.stdout.rstrip().endswith("SHACL: conforms — 0 violation(s), 1 warning(s)")


# --- serve's defaults, wikidata export --output ------------------------------------------------------------


def test_serve_listens_on_127_0_0_1_port_8000_by_default(tmp_path):
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    built(home, var)
    log = tmp_path / "serve.log"
    env = {**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(var),
           "CONFLICT_LD_DUMPS": str(var / "dumps")}
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen([str(COMMAND), "serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

    def answer() -> bytes | None:
        assert process.poll() is None, log.read_text(encoding="utf-8")
        try:
            with urllib.request.urlopen("http://127.0.0.1:8000/sparql?query=ASK%7Bgrp:alpha%20?p%20?o%7D",
                                        timeout=5) as response:
                return response.read()
        except OSError:
            return None

    try:
        body = wait_until(answer, "an answer at http://127.0.0.1:8000/sparql", timeout=300)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert f"serving {store_in(var).name} on http://127.0.0.1:8000/sparql" in log.read_text(encoding="utf-8")
    assert b'"boolean":true' in body


def test_wikidata_export_writes_the_file_given(store_dir, tmp_path):
    env = {**os.environ, "CONFLICT_LD_STORE": str(store_dir), "CONFLICT_LD_DUMPS": str(store_dir / "dumps")}
    printed = subprocess.run([str(COMMAND), "wikidata", "export"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
    target = tmp_path / "export.tsv"
    written = subprocess.run([str(COMMAND), "wikidata", "export", "--output", str(target)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
    assert printed.returncode == written.returncode == 0, written.stderr
    assert printed.stdout.count("\n") > 50
    assert target.read_text(encoding="utf-8") == printed.stdout and written.stdout == ""
