"""Folders that are there whole or not at all: how the store and the dumps reach disk.

A folder is written under a temporary name beside its final one (unique to the process), made
durable (every file and the folder synced), then renamed into place: the final name only ever holds
a complete result, so a crash or a full disk leaves at most a temporary folder, which the next
build removes. A damaged folder being replaced stays in place until the new one is complete.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .logs import event, logger

_LOG = logger("build")
BUILDING, ASIDE = ".building", ".damaged"  # in the names of temporary folders


class Damaged(Exception):
    """A store or dumps release that must not be served; the message says why."""


class Missing(Damaged):
    """Nothing has been built there yet."""


@contextmanager
def written(target: Path) -> Iterator[Path]:
    """A folder to write `target` in: an empty one beside it, named for this process, renamed into
    place (`publish`) when the block ends and removed if the block fails."""
    folder = target.with_name(f"{target.name}{BUILDING}-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
        publish(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(folder: Path, target: Path) -> None:
    """Sync `folder` to disk and rename it to `target`. A `target` already there (one that failed
    its check) is renamed aside first and removed once the new one is in place."""
    for path in folder.iterdir():
        _sync(path)
    _sync(folder)
    aside = None
    if target.exists():
        aside = target.with_name(f"{target.name}{ASIDE}-{os.getpid()}")
        target.rename(aside)
    folder.rename(target)
    _sync(target.parent)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def remove_leftovers(parent: Path) -> None:
    """Remove the temporary folders of builds that did not finish (only ever called under the build
    lock, so no build is writing them)."""
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child.is_dir() and (BUILDING in child.name or ASIDE in child.name):
            shutil.rmtree(child, ignore_errors=True)
            event(_LOG, "leftover removed", path=str(child))
