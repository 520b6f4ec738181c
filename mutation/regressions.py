"""Regressions that once got past the suite, applied one at a time to a copy of the checkout with
the tests that must now catch each. Run before a release, beside `mutation.run`:

    nice -n 19 .venv/bin/python -m mutation.regressions [NAME…]

Each line of the output says CAUGHT (the tests failed, as they must) or MISSED; the command exits
1 if any was missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .run import ROOT, SCRATCH, copy_checkout


@dataclass(frozen=True)
class Regression:
    name: str
    path: str
    before: str  # text of `path` replaced by `after`
    after: str
    tests: tuple[str, ...]
    what: str


def _swap(text: str, one: str, other: str) -> str:
    return text.replace(one, "\0").replace(other, one).replace("\0", other)


REGRESSIONS = (
    Regression("service-case", "service/query_text.py", 'may_call = "SERVICE" in rest',
               'may_call = "SERVICE" in text', ("tests/test_service_refusal.py", "tests/test_query_text.py"),
               "SERVICE looked for case-sensitively: a lowercase `service <…>` would be called"),
    Regression("certainty-swap", "data/ttl/claims/csp-2020-present.ttl", "cert:alleged", "cert:likely",
               ("tests/test_certainty.py",), "alleged and likely swapped on the claims of one chapter"),
    Regression("dump-labels", "service/dumps.py", "for quad in _canonical(ox.Store.read_only(str(store))):",
               "for quad in ox.Store.read_only(str(store)):", ("tests/test_dumps.py",),
               "dumps written with the store's own blank node labels, which differ at every rebuild"),
    Regression("construct-limit", "service/store.py",
               "            if len(triples) > query.max_rows:\n                raise results.TooManyRows(query.max_rows)\n",
               "", ("tests/test_query_limits.py::test_result_rows_and_bytes_are_limited_not_truncated",),
               "no triple limit on CONSTRUCT and DESCRIBE"),
    Regression("void-classes", "service/dataset_description.py",
               "        add((dataset, VOID.classPartition, partition))\n", "",
               ("tests/test_dataset_description.py",), "VoID without its class partitions"),
    Regression("match-threshold", "service/reconciliation.py", "MATCH_SCORE, MATCH_LEAD = 90, 5",
               "MATCH_SCORE, MATCH_LEAD = 80, 5", ("tests/test_reconciliation.py",),
               "reconciliation claims a match from 80 instead of the README's 90"),
)
PYTEST_OPTIONS = ("-x", "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider")


def caught(regression: Regression) -> tuple[bool, str]:
    copy = SCRATCH / f"regression-{regression.name}"
    copy_checkout(copy)
    target = copy / regression.path
    text = target.read_text(encoding="utf-8")
    if regression.before not in text:
        return False, f"{regression.path} no longer holds the text this regression changes: update it"
    changed = (_swap(text, regression.before, regression.after) if regression.path.endswith(".ttl")
               else text.replace(regression.before, regression.after))
    target.write_text(changed, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_OPTIONS, *regression.tests], cwd=copy,
                          capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return done.returncode != 0, lines[-1] if lines else done.stderr.strip()[-300:]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation.regressions", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="the regressions to try (all by default): "
                        + ", ".join(r.name for r in REGRESSIONS))
    chosen = parser.parse_args().names
    if unknown := set(chosen) - {r.name for r in REGRESSIONS}:
        parser.error(f"no such regression: {', '.join(sorted(unknown))}")
    missed = 0
    for regression in REGRESSIONS:
        if chosen and regression.name not in chosen:
            continue
        ok, last = caught(regression)
        missed += not ok
        print(f"{'CAUGHT' if ok else 'MISSED'}  {regression.name:16} {regression.what}\n        {last}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
