"""The `conflict-ld` command as a user runs it: a real process, its output and exit status."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, VALID_WORLD
from .projects import conflict_ld, small_project

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_validate_accepts_a_valid_file():
    done = run("validate", str(VALID_WORLD))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms — 0 violation(s)" in done.stdout


def test_validate_reports_file_focus_path_and_message():
    """One line per issue, the file relative to the project, then the count."""
    fixture = FIXTURES / "invalid" / "claim-without-source.ttl"
    done = run("validate", str(VALID_WORLD), str(fixture))
    assert done.returncode == 1
    shown = "tests/fixtures/invalid/claim-without-source.ttl: Violation: clm:broken"
    assert done.stdout.splitlines() == [
        f"{shown} prov:qualifiedDerivation: a claim needs at least one source: prov:qualifiedDerivation "
        "[ prov:entity <work> ; cao:page … ]",
        # nor has it the source its sentence's citation gives
        f"{shown}: lacks the source https://w3id.org/conflict-ld/id/work/book that the citation covering its "
        "sentence https://w3id.org/conflict-ld/id/work/cma-profile/s/1.2.1 gives",
        "", "SHACL: does NOT conform — 2 violation(s), 0 warning(s)"]


def test_broken_turtle_is_a_located_error_not_a_traceback(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <x#> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n", encoding="utf-8")
    done = run("validate", str(broken))
    assert done.returncode == 1
    assert f"{broken}:3: Turtle syntax error" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_path_is_reported_plainly(tmp_path):
    done = run("validate", str(tmp_path / "nowhere.ttl"))
    assert done.returncode == 1
    assert "no such file or folder" in done.stderr
    assert "Traceback" not in done.stderr


SHAPE_PROLOGUE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shapes#> .
"""


@pytest.mark.parametrize("shape, reason", [
    ('ex:Broken a sh:NodeShape ; sh:targetNode ex:x ; sh:sparql [ sh:message "m" ; sh:select """SELECT $this\n'
     'WHERE { $this ?p ?o ] }""" ] .', "the SPARQL query of <https://example.org/shapes#Broken> does not parse: Expected SelectQuery (line 2, column "),
    ('ex:Broken a sh:NodeShape ; sh:targetNode ex:x ; sh:sparql [ sh:message "m" ] .',
     "SPARQLConstraintComponent value for sh:select must have at least one sh:select predicate."),
], ids=["query-that-does-not-parse", "constraint-without-a-query"])
def test_shapes_that_cannot_be_applied_are_one_line_not_a_traceback(tmp_path, shape, reason):
    """The shapes are the project's own files: a mistake in them is named, and nothing is validated or built."""
    home = small_project(tmp_path / "home")
    (home / "shapes" / "broken.ttl").write_text(SHAPE_PROLOGUE + shape + "\n", encoding="utf-8")
    for command in ("validate", "build"):
        done = conflict_ld(command, home=home, var=tmp_path / "var")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        said = done.stderr.splitlines()
        assert said[-1].startswith(f"the shapes in shapes cannot be applied: {reason}"), done.stderr
        assert command == "build" or len(said) == 1, done.stderr  # build logs its steps before
    assert not (tmp_path / "var").exists() or not any((tmp_path / "var").rglob("validated.json"))


@pytest.mark.slow
def test_stats_on_the_shipped_data():
    done = run("stats")
    assert done.returncode == 0, done.stderr
    assert "works cited: 26" in done.stdout
    assert "notes: 11" in done.stdout
    assert "with a source:                " in done.stdout and "(100%)" in done.stdout


@pytest.mark.slow
def test_serve_refuses_data_that_fails_validation(tmp_path):
    home = tmp_path / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, home / folder)
    shutil.copy(FIXTURES / "invalid" / "claim-without-source.ttl", home / "data" / "ttl" / "broken.ttl")
    shutil.copy(VALID_WORLD, home / "data" / "ttl" / "world.ttl")
    env = {**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "refusing to serve" in done.stderr
    assert "data/ttl/broken.ttl: Violation: clm:broken" in done.stderr
    assert not any((tmp_path / "store").glob("*/validated.json"))


@pytest.mark.parametrize("variable, value", [("CONFLICT_LD_WORKERS", "four"), ("CONFLICT_LD_QUERY_TIMEOUT", "30s"),
                                             ("CONFLICT_LD_LOG_FORMAT", "xml"),
                                             ("CONFLICT_LD_TRUSTED_PROXIES", "proxy.example")])
def test_a_bad_setting_is_one_line_naming_it(tmp_path, variable, value):
    env = {**os.environ, variable: value, "CONFLICT_LD_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("invalid setting: ") and done.stderr.count("\n") == 1, done.stderr
    assert variable.removeprefix("CONFLICT_LD_") in done.stderr.upper() or value in done.stderr
    assert not (tmp_path / "store").exists(), "nothing is built with a bad setting"
