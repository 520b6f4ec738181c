"""The promises the README makes to a new user, and the project's self-containment."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index("```sh") < 40
    commands = readme_commands()
    assert len(commands) == 2
    assert "conflict-ld serve" in commands[0] and commands[1] == "tests/run"
    assert (ROOT / "tests" / "run").read_text(encoding="utf-8").splitlines()[-1] == \
        'exec .venv/bin/python -m pytest "$@"'


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"exec {readme_commands()[1]}" in ci.splitlines()


@pytest.mark.parametrize("reason", ["no Chromium could be installed", None])
def test_browser_tests_without_a_browser_are_reported_not_run_never_passed(reason, tmp_path):
    """The README: where no browser can be had, the browser tests are reported as skipped, not run
    (tests/run says why in CONFLICT_LD_NO_BROWSER); without that word from tests/run, they fail."""
    (tmp_path / "test_a_page.py").write_text("def test_a_page(chromium):\n    pass\n", encoding="utf-8")
    env = {**os.environ, "CONFLICT_LD_CHROMIUM": str(tmp_path / "no-chromium"),
           "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers")}
    env.pop("CONFLICT_LD_NO_BROWSER", None)
    if reason:
        env["CONFLICT_LD_NO_BROWSER"] = reason
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "--noconftest", "-p", "no:randomly",
                           "-p", "no:cacheprovider", "-n", "0", str(tmp_path / "test_a_page.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if reason:
        assert done.returncode == 0, done.stdout
        *_, section, said, counts = filter(None, done.stdout.splitlines())
        assert "BROWSER TESTS NOT RUN" in section and said == f"1 browser tests were not run: {reason}"
        assert "1 skipped" in counts
    else:
        assert done.returncode == 1, done.stdout
        assert "the browser tests need a Chromium: run them with tests/run" in done.stdout
        assert "BROWSER TESTS NOT RUN" not in done.stdout


def test_nothing_reads_the_shared_folder():
    offenders = []
    for folder in ("service", "tests", "ontology", "shapes", "data", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".ttl", ".rq", ".md", ".tsv"}:
                if "../" + "shared" in path.read_text(encoding="utf-8", errors="replace"):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_test_the_promise_table_names_exists():
    """docs/promises.md names tests as `tests/<file>.py::<test>`, or `::<test>` for another of the
    same file: each must be a test function of that file, or the table pins nothing."""
    import ast

    table = (ROOT / "docs" / "promises.md").read_text(encoding="utf-8")
    defined: dict[str, set[str]] = {}
    missing = []
    for row in table.splitlines():
        current = None
        for file, name in re.findall(r"`(tests/[\w/]+\.py)?::(test_\w+)", row):
            current = file or current
            if current is None:
                missing.append(f"{name} (no file named before it)")
                continue
            if current not in defined:
                tree = ast.parse((ROOT / current).read_text(encoding="utf-8"))
                defined[current] = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            if name not in defined[current]:
                missing.append(f"{current}::{name}")
    assert len(defined) > 20
    assert missing == []
