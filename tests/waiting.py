"""Waiting on what a test waits for, not on the clock: on a shared machine any fixed pause is too
short some day, and a test that measures time is a benchmark."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str, timeout: float = 30, step: float = 0.05) -> T:
    """`condition()`'s first truthy value, asked every `step` seconds. The deadline only stops a
    hang, so it is generous; past it the test fails naming `what` was awaited."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(step)
    return value
