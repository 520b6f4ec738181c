"""The test command of a mutation run: pytest, ending with status 1 whenever the tests do not pass.

mutmut counts a mutant killed only when its test command exits with status 1. pytest says 1 for
failed tests, but 2, 3 or 4 when a mutant breaks an import made by `tests/conftest.py` (collection
interrupted, internal error, usage error) and 5 when nothing ran: each of those would count as a
mutant that survived. A run ended by mutmut's time limit is counted by mutmut itself.
"""

from __future__ import annotations

import sys

import pytest

if __name__ == "__main__":
    sys.exit(1 if pytest.main(sys.argv[1:]) != 0 else 0)
