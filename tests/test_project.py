"""The promises the README makes to a new user, and the project's self-containment."""

import re
from pathlib import Path

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


def test_nothing_reads_the_shared_folder():
    offenders = []
    for folder in ("service", "tests", "ontology", "shapes", "data", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".ttl", ".rq", ".md", ".tsv"}:
                if "../" + "shared" in path.read_text(encoding="utf-8", errors="replace"):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
