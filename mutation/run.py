"""Mutation testing of the core modules, to run before a release (too slow for CI).

    nice -n 19 .venv/bin/python -m mutation.run [MODULE…]
    nice -n 19 .venv/bin/python -m mutation.run --again MODULE…
    .venv/bin/python -m mutation.run --report

For each module (all of TARGETS by default), the checkout as it is now is copied to
`mutation/scratch/MODULE/` and mutmut 2 runs there: it writes each mutant into the module's file
on disk (where the servers the tests start import it too), runs the tests that cover the module,
and kills a run that takes ten times the unmutated one. Nothing in the checkout itself is ever
mutated. The counts and surviving mutants go to `mutation/results.json`; `mutation/REPORT.md` is
written from them and from `mutation/accepted.toml`, the reviewed survivors that are equivalent
(no observable change) or accepted, each with its reason. `--again`, after tests were added, tries
again only the mutants that survived the module's last run and are not accepted, one by one
(mutmut's bulk re-run reads its cache by a line's text, and lines such as `}` recur, so it can
report a mutant by another's result); a killed mutant stays killed, since tests are only added.
`--resume` takes up a run that was stopped, with its scratch folder kept: mutmut's cache there
holds each mutant tried so far, and only the others are run. A scratch folder does not travel with
the repository; `--park` copies a stopped run's cache to `mutation/parked/`, which does, and
`--resume` takes it from there when the scratch folder is gone (the module must be unchanged).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .plugin import FORGET

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"
SCRATCH = HERE / "scratch"
PARKED = HERE / "parked"  # the caches of stopped runs, kept in the repository
RESULTS = HERE / "results.json"
ACCEPTED = HERE / "accepted.toml"
REPORT = HERE / "REPORT.md"
CACHE = ".mutmut-cache"


@dataclass(frozen=True)
class Target:
    tests: tuple[str, ...]  # the smallest set of test files that exercises the module
    conftest: bool = True  # False: the tests use none of tests/conftest.py's fixtures (it takes a second to import)
    options: tuple[str, ...] = ()  # pytest options choosing among those tests, said in the report
    # True for a module the build does not use: the shared servers' store is built once, by the
    # unmutated run, and each mutant's run serves it again (see tests/conftest.py's store_dir)
    built_once: bool = False
    forget: tuple[str, ...] = ()  # what the module keeps beside such a store, made again for each mutant
    # a test still running after this many seconds fails (pytest-timeout): a mutant that makes a
    # server hang is killed then, not after mutmut's limit of ten times the whole unmutated run
    test_timeout: int = 120


TARGETS = {
    "query_text": Target(("tests/test_query_text.py",), conftest=False),
    "negotiation": Target(("tests/test_negotiation.py",), conftest=False),
    "parameters": Target(("tests/test_parameters.py",), conftest=False),
    # the format registry: its facts against the engine's, rdflib's and the routes' answers
    "formats": Target(("tests/test_formats.py", "tests/test_negotiation.py", "tests/test_fragments.py"),
                      options=("-k", "not test_fragments or every_format_holds"), built_once=True),
    "rules": Target(("tests/test_rules.py",)),
    # releases: the records, the patches between them, and what a change did
    "releases": Target(("tests/test_releases.py",)),
    # and the patch's media type, as the changes between releases are served with it
    "rdf_patch": Target(("tests/test_releases.py", "tests/test_release_service.py"),
                        options=("-k", "not test_release_service or changes_between_releases")),
    "changes": Target(("tests/test_releases.py", "tests/test_release_service.py"),
                      options=("-k", "not test_release_service or changes_between_releases")),
    # the shipped data's own validation (a minute) finds nothing the small broken fixtures do not
    "validation": Target(("tests/test_validation.py",), options=("-k", "not shipped_data")),
    "reconciliation": Target(("tests/test_reconciliation.py", "tests/test_reconcile_api.py"), built_once=True),
    "dataset_description": Target(
        ("tests/test_dataset_description.py", "tests/test_linked_data_promises.py", "tests/test_fragments.py",
         "tests/test_release_service.py"),
        options=("-k", "not (test_linked_data_promises or test_fragments or test_release_service) or dataset_is_described "
                       "or dump_is_listed or advertise_the_fragments or releases_as_a_series or described_and_cited "
                       "or versioned_and_cited"),
        built_once=True, forget=("*.statistics.json",)),
    # the tests of the dumps made from the small fixture, and of dumps written and sorted apart: the
    # build uses the module, so each mutant is built, and the profile's store takes too long for that
    "dumps": Target(("tests/test_dumps.py",), options=("-k", "small or several_graphs or failed_sort")),
    "http_limits": Target(("tests/test_http_limits.py", "tests/test_logs_promises.py"),
                          options=("-k", "not test_logs_promises or http_limit or refused_request_head or refused_url"),
                          built_once=True, test_timeout=60),
    # and a fragment's pages, the other kind of request a worker answers
    "workers": Target(("tests/test_pool.py", "tests/test_query_limits.py", "tests/test_fragments.py"),
                      options=("-k", "not test_fragments or walk_to_exactly"), built_once=True),
}

# Stop at the first failure; keep plugins that only cost start-up time out; no cache in the scratch copy.
PYTEST_OPTIONS = ("-x", "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:schemathesis",
                  "-p", "no:anyio", "-p", "no:hypothesispytest", "-p", "mutation.plugin")

# mutmut's statuses: a suspicious mutant was killed, but slowly
KILLED, SUSPICIOUS, TIMEOUT = "ok_killed", "ok_suspicious", "bad_timeout"
SURVIVED, UNTESTED = "bad_survived", "untested"


def module_path(module: str) -> str:
    return f"service/{module}.py"


def copy_checkout(scratch: Path, keep_cache: bool = False) -> None:
    """The checkout's files as they are now, tracked or new (not ignored): work in progress is what
    gets tested."""
    cache = (scratch / CACHE).read_bytes() if keep_cache else None
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(scratch.with_name(scratch.name + ".store"), ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (scratch / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, scratch / name)
    if cache is not None:
        (scratch / CACHE).write_bytes(cache)


def run_mutmut(module: str, target: Target, scratch: Path, mutants: list[int] | None = None) -> None:
    """Every mutant of the module, or only the given ones (mutmut's ids, each run on its own)."""
    runner = [sys.executable, "-m", "mutation.runner", *PYTEST_OPTIONS, f"--timeout={target.test_timeout}",
              *(() if target.conftest else ("--noconftest",)), *target.options, *target.tests]
    options = ["--paths-to-mutate", module_path(module), "--tests-dir", "tests", "--runner", shlex.join(runner),
               "--post-mutation", shlex.join([sys.executable, "-m", "mutation.plugin"]),
               "--no-progress", "--simple-output"]
    env = {**os.environ, "PYTHONPATH": str(scratch)}
    if target.built_once:
        env["CONFLICT_LD_TEST_STORE"] = str(scratch.with_name(scratch.name + ".store"))
        env[FORGET] = " ".join(target.forget)
    with open(scratch / "mutmut.log", "a", encoding="utf-8") as log:
        for only in [[]] if mutants is None else [[str(mutant)] for mutant in mutants]:
            finished = subprocess.run([sys.executable, "-m", "mutmut", "run", *only, *options], cwd=scratch, stdout=log,
                                      stderr=subprocess.STDOUT, env=env)
            if finished.returncode & 1:  # mutmut's exit status: 1 is its own failure, 2, 4, 8 are findings
                raise SystemExit(f"mutmut failed on {module}: see {scratch / 'mutmut.log'}")


def unchanged_since_last_run(module: str, scratch: Path) -> None:
    """Refuse to take up a run whose scratch folder is gone or whose module has changed since."""
    if not (scratch / CACHE).exists():
        raise SystemExit(f"{module} has no run to take up: run it afresh")
    with sqlite3.connect(scratch / CACHE) as cache:
        hashes = {row[0] for row in cache.execute("SELECT hash FROM SourceFile")}
    if hashes != {hashlib.sha256((ROOT / module_path(module)).read_bytes()).hexdigest()}:
        raise SystemExit(f"{module_path(module)} changed since its last run: run it afresh")


def park(module: str, scratch: Path) -> None:
    """Keep a stopped run's cache in the repository, to take it up with `--resume` elsewhere."""
    unchanged_since_last_run(module, scratch)
    PARKED.mkdir(exist_ok=True)
    shutil.copy2(scratch / CACHE, PARKED / f"{module}{CACHE}")


def unpark(module: str, scratch: Path) -> None:
    """A parked cache into a scratch folder that has none."""
    parked = PARKED / f"{module}{CACHE}"
    if not (scratch / CACHE).exists() and parked.exists():
        scratch.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parked, scratch / CACHE)


def open_survivors_of_last_run(module: str, scratch: Path) -> list[int]:
    """The ids of the mutants that survived the module's last run and that accepted.toml does not
    explain, if the module is unchanged since."""
    unchanged_since_last_run(module, scratch)
    # a run stopped midway leaves its mutant on disk, which `mutmut show` would read into the cache
    shutil.copy2(ROOT / module_path(module), scratch / module_path(module))
    with sqlite3.connect(scratch / CACHE) as cache:
        survivors = [row[0] for row in cache.execute("SELECT id FROM Mutant WHERE status IN (?, ?) ORDER BY id",
                                                      (SURVIVED, UNTESTED))]
    reasons = accepted().get(module, {})
    return [mutant for mutant in survivors if changed_lines(_diff(scratch, mutant)) not in reasons]


def collect(module: str, scratch: Path, seconds: float, again: bool) -> dict:
    """The run's counts and its survivors' diffs, read from mutmut's cache."""
    with sqlite3.connect(scratch / CACHE) as cache:
        statuses = dict(cache.execute("SELECT id, status FROM Mutant"))
        baseline = cache.execute("SELECT value FROM MiscData WHERE key = 'baseline_time_elapsed'").fetchone()
    counted = list(statuses.values())
    survivors = [_diff(scratch, mutant) for mutant, status in sorted(statuses.items()) if status == SURVIVED]
    return {
        "path": module_path(module), "tests": list(TARGETS[module].tests),
        "options": list(TARGETS[module].options), "date": _today(), "commit": _commit(),
        "seconds": round(seconds), "again": again,
        "time_limit": round(10 * float(baseline[0]), 1) if baseline else None,
        "mutants": len(counted), "killed": counted.count(KILLED) + counted.count(SUSPICIOUS),
        "timeouts": counted.count(TIMEOUT), "survived": counted.count(SURVIVED),
        "untested": len(counted) - sum(map(counted.count, (KILLED, SUSPICIOUS, TIMEOUT, SURVIVED))),
        "survivors": survivors,
    }


def _diff(scratch: Path, mutant: int) -> str:
    shown = subprocess.run([sys.executable, "-m", "mutmut", "show", str(mutant)], cwd=scratch, capture_output=True,
                           text=True, check=True).stdout
    return "\n".join(line for line in shown.splitlines()
                     if line.startswith(("-", "+", "@@")) and not line.startswith(("---", "+++")))


def changed_lines(diff: str) -> tuple[str, ...]:
    """What identifies a mutant whatever its line number: its removed and added lines, trimmed."""
    return tuple(line[0] + line[1:].strip() for line in diff.splitlines()
                 if line.startswith(("-", "+")) and not line.startswith(("---", "+++")))


def accepted() -> dict[str, dict[tuple[str, ...], str]]:
    """accepted.toml: per module, each reviewed survivor's changed lines → why it may survive."""
    reviewed = tomllib.loads(ACCEPTED.read_text(encoding="utf-8")) if ACCEPTED.exists() else {}
    return {module: {changed_lines(entry["mutant"]): entry["reason"] for entry in entries}
            for module, entries in reviewed.items()}


def score(result: dict, reasons: dict[tuple[str, ...], str]) -> tuple[int, float | None]:
    """Accepted survivors, and the share of the other mutants the tests killed (a mutant that makes
    the tests run past the time limit is killed: they did not pass)."""
    accepted_here = sum(changed_lines(diff) in reasons for diff in result["survivors"])
    counted = result["mutants"] - result["untested"] - accepted_here
    return accepted_here, (result["killed"] + result["timeouts"]) / counted if counted else None


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                             text=True).stdout
    return head.strip() + (" with local changes" if changed.strip() else "")


def load_results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {"modules": {}, "history": []}


def record(module: str, result: dict) -> dict:
    """Add a module's run to results.json (read again: another module's run may have ended meanwhile)."""
    results = load_results()
    results["modules"][module] = result
    results["history"].append({"module": module, **{key: result[key] for key in (
        "date", "commit", "seconds", "again", "mutants", "killed", "timeouts", "survived", "untested", "survivors")}})
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"


def _tests_named(tests, options) -> str:
    named = ", ".join(f"`{Path(test).name}`" for test in tests)
    return f"{named} (`{shlex.join(options)}`)" if options else named


def write_report(results: dict) -> None:
    reasons = accepted()
    lines = [
        "# Mutation testing",
        "",
        "Written by `python -m mutation.run` (see its docstring and the README): mutmut 2 mutates each core",
        "module in a scratch copy of the checkout and runs the tests listed for it. The score is",
        "(killed + timeouts) / (mutants − accepted): a mutant that makes the tests pass past the time limit",
        "(ten times the unmutated run) counts as killed; accepted survivors are those `mutation/accepted.toml`",
        "explains (equivalent, or a change the tests rightly let pass). The target is 90 %.",
        "",
        "| module | tests | mutants | killed | timeouts | survived | accepted | open | score | run time "
        "| per-mutant limit | run on |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for module, result in sorted(results["modules"].items()):
        accepted_here, share = score(result, reasons.get(module, {}))
        tests = _tests_named(result["tests"], result.get("options", ()))
        lines.append(f"| `{result['path']}` | {tests} | {result['mutants']} | {result['killed']} | "
                     f"{result['timeouts']} | {result['survived']} | {accepted_here} | "
                     f"{result['survived'] - accepted_here} | {_percent(share)} | "
                     f"{result['seconds'] // 60} min {result['seconds'] % 60} s | {result['time_limit']} s | "
                     f"{result['date']}, {result['commit']} |")
    for module in sorted(set(TARGETS) - set(results["modules"])):
        tests = _tests_named(TARGETS[module].tests, TARGETS[module].options)
        lines.append(f"| `{module_path(module)}` | {tests} | not run yet |" + " |" * 9)
    lines += ["", "## Runs", "", "Every run, oldest first, scored with today's `accepted.toml`.", "",
              "| module | run on | mutants | killed | timeouts | survived | accepted | score | run time |",
              "|---|---|---|---|---|---|---|---|---|"]
    for run in results["history"]:
        accepted_then, share = score(run, reasons.get(run["module"], {}))
        lines.append(f"| `{run['module']}` | {run['date']}, {run['commit']} | {run['mutants']} | {run['killed']} | "
                     f"{run['timeouts']} | {run['survived']} | {accepted_then} | {_percent(share)} | {run['seconds']} s"
                     f"{' (survivors of the run before)' if run['again'] else ''} |")
    for module, result in sorted(results["modules"].items()):
        here = reasons.get(module, {})
        open_ = [diff for diff in result["survivors"] if changed_lines(diff) not in here]
        kept = [diff for diff in result["survivors"] if changed_lines(diff) in here]
        lines += ["", f"## `{result['path']}`", "", f"Survivors still open: {len(open_) or 'none'}."]
        for diff in open_:
            lines += ["", "```diff", diff, "```"]
        if kept:
            lines += ["", "Accepted survivors:"]
            for diff in kept:
                lines += ["", f"- {here[changed_lines(diff)]}", "", "  ```diff", *("  " + line for line in
                                                                                  diff.splitlines()), "  ```"]
        produced = {changed_lines(diff) for diff in result["survivors"]}
        stale = [reason for lines_, reason in here.items() if lines_ not in produced]
        if stale:
            lines += ["", "Entries of `accepted.toml` that no longer match a survivor (killed now, or the code "
                      "changed): " + "; ".join(stale)]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mutation.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"modules of service/ to mutate (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--again", action="store_true",
                        help="try again only the unaccepted survivors of each module's last run (after adding tests)")
    parser.add_argument("--resume", action="store_true",
                        help="take up each module's stopped run: try only the mutants it has not tried yet")
    parser.add_argument("--park", action="store_true",
                        help="copy each module's stopped run to mutation/parked/, to take it up with --resume elsewhere")
    parser.add_argument("--report", action="store_true",
                        help="only write REPORT.md again (after editing accepted.toml)")
    arguments = parser.parse_args(argv)
    if unknown := sorted(set(arguments.modules) - set(TARGETS)):
        parser.error(f"not a module mutated here: {', '.join(unknown)}")
    if arguments.park:
        for module in arguments.modules or list(TARGETS):
            park(module, SCRATCH / module)
        return
    for module in ([] if arguments.report else arguments.modules or list(TARGETS)):
        scratch = SCRATCH / module
        started = time.monotonic()
        print(f"{module}: mutating {module_path(module)} in {scratch.relative_to(ROOT)}", flush=True)
        survivors = open_survivors_of_last_run(module, scratch) if arguments.again else None
        if arguments.resume:
            unpark(module, scratch)
            unchanged_since_last_run(module, scratch)
        copy_checkout(scratch, keep_cache=arguments.again or arguments.resume)
        run_mutmut(module, TARGETS[module], scratch, survivors)
        result = collect(module, scratch, time.monotonic() - started, arguments.again)
        write_report(record(module, result))
        (PARKED / f"{module}{CACHE}").unlink(missing_ok=True)  # finished: nothing left to take up
        print(f"{module}: {result['mutants']} mutants, {result['killed']} killed, {result['timeouts']} timeouts, "
              f"{result['survived']} survived, in {result['seconds']} s", flush=True)
    write_report(load_results())


if __name__ == "__main__":
    main()
