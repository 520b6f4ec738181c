"""The pytest plugin of the test runs mutmut makes, and the clean-up mutmut runs after each.

mutmut kills a run that passes its time limit, but not the servers the tests started: so each run
leads a process group of its own, recorded in GROUP_FILE, and mutmut's post-mutation command
(`python -m mutation.plugin`) ends whatever is left in it. Tests marked slow run after the others
of their module's selection, and property-based tests last, so that `-x` stops a run at the first
cheap test that fails rather than after the slow ones and the property tests' examples.
What a server keeps beside a store built once (FORGET, glob patterns under CONFLICT_LD_TEST_STORE)
and the mutated module makes is removed before each run, so that every mutant makes it again.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

GROUP_FILE = Path(".mutation-process-group")  # in the scratch copy the tests run in
FORGET = "MUTATION_FORGET"  # space-separated glob patterns


def pytest_configure(config) -> None:
    if os.getpgrp() != os.getpid():
        os.setsid()
    GROUP_FILE.write_text(str(os.getpgrp()), encoding="utf-8")
    if store := os.environ.get("CONFLICT_LD_TEST_STORE"):
        for pattern in os.environ.get(FORGET, "").split():
            for made in Path(store).glob(pattern):
                made.unlink()


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: (getattr(getattr(item, "obj", None), "is_hypothesis_test", False),
                                 item.get_closest_marker("slow") is not None))


def end_group() -> None:
    """Kill what the last test run left running (nothing, unless it was killed)."""
    try:
        group = int(GROUP_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    GROUP_FILE.unlink()
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    end_group()
