"""From Turtle sources to a validated dataset, and from it to the store and dumps that are served.

`build` loads, derives and validates: the one path every command takes. `prepare` gives the store
and dumps to serve, checked, and builds from the sources (they are the truth) whatever is missing or
damaged. Building is exclusive: a lock file (`build.lock`, an flock) in the store folder is held
while the store and the dumps are written, so instances started together build once and the others
wait, then reuse the result. The kernel releases an flock when its holder dies, so a crash never
leaves the lock held, and the next build removes what the crashed one left.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from . import durable
from .config import Settings
from .dataset import ProfileDataset, load
from .dumps import DumpFile, check, dumps_path, quad_lines, write_dumps
from .logs import event, logger
from .release_archive import Published, checked, publish
from .releases import History, ReleaseError
from .rules import derive
from .store import check_store, materialise, store_path
from .validation import Report, validate

_LOG = logger("build")
LOCK = "build.lock"


@dataclass(frozen=True)
class Build:
    dataset: ProfileDataset
    report: Report


def build(settings: Settings, data_paths: Iterable[Path] | None = None) -> Build:
    """Load the sources, add the derived views and validate the whole.

    Raises `TurtleError` for a file that does not parse; a SHACL failure is in `report`.
    """
    started = time.monotonic()
    dataset = load(settings, data_paths)
    event(_LOG, "loaded", graphs=len(dataset.graphs), seconds=_since(started))
    started = time.monotonic()
    derive(dataset)
    event(_LOG, "derived", seconds=_since(started))
    started = time.monotonic()
    report = validate(dataset)
    event(_LOG, "validated", conforms=report.conforms, violations=len(report.violations),
          warnings=len(report.warnings), seconds=_since(started))
    return Build(dataset, report)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


class DataRefused(Exception):
    """The data does not conform to the shapes; it must not be served."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"the data does not conform: {len(report.violations)} violation(s)")


class CannotWrite(Exception):
    """A folder the build must write to is read-only, full or otherwise unwritable."""

    def __init__(self, what: str, folder: Path, problem: OSError):
        self.what, self.folder = what, folder
        # Oxigraph's and sort's errors carry no errno: their reason ends the message
        self.reason = problem.strerror or str(problem).rsplit(": ", 1)[-1]
        super().__init__(f"cannot write the {what} in {folder}: {self.reason}")


@dataclass(frozen=True)
class Release:
    """What is served: a store and its dumps, each checked, and every recorded release's."""

    store: Path
    dumps: Path
    files: Mapping[str, DumpFile]  # every file of the dumps, SHA256SUMS included, as checked
    history: History | None = None  # the release records; None when they cannot be read
    releases: Mapping[str, Published] = field(default_factory=dict)  # by version, oldest first
    release_problem: str = ""  # why the releases are not served, when they are not


def prepare(settings: Settings, store: Path | None = None, built: Build | None = None) -> Release:
    """The store and dumps to serve, checked; whatever is missing or damaged is built, under the lock.

    `store` is one built elsewhere: it is served as it is, never rebuilt (`durable.Damaged` if it
    cannot be opened); only its dumps are made here. `built` is a build of the sources already made,
    written if the store is needed. Raises `DataRefused` for data that fails validation and
    `CannotWrite` when a folder cannot take what the build writes.
    """
    if store is not None:
        try:
            check_store(store)
        except durable.Damaged as damage:
            event(_LOG, "store refused", logging.ERROR, path=str(store), reason=str(damage))
            raise
    path = store or store_path(settings)
    try:
        if store is None:
            check_store(path)
        served = Release(path, dumps_path(settings, path), check(dumps_path(settings, path)))
    except durable.Damaged:  # built below, once the lock is held: another instance may be building it now
        with _exclusive(settings):
            if store is None:
                _store(settings, built)
            served = Release(path, dumps_path(settings, path), _dumps(settings, path))
    return _with_releases(settings, served)


def _with_releases(settings: Settings, served: Release) -> Release:
    """`served` with the store and dumps of every recorded release, checked or made under the lock.
    A history that cannot give them, or a folder that cannot take them, is logged, and the current
    data is served without them."""
    try:
        history = History(settings.releases_dir)
        try:
            return replace(served, history=history, releases={r.version: checked(settings, r) for r in history.records})
        except durable.Damaged:
            pass
        newest = cache(lambda: quad_lines(served.dumps))
        with _exclusive(settings), _writing("releases", settings.store_dir):
            releases = {record.version: publish(settings, history, record, newest) for record in history.records}
        return replace(served, history=history, releases=releases)
    except (ReleaseError, CannotWrite) as problem:
        event(_LOG, "releases not served", logging.ERROR, path=str(settings.releases_dir), reason=str(problem))
        return replace(served, release_problem=str(problem))


def ensure_store(settings: Settings) -> Path:
    """The path of a checked on-disk store for the current sources, building it if needed.

    A store is reused as long as no source file changes (its name is their fingerprint), so a
    restart with unchanged data skips loading, deriving and validating. Data that fails
    validation raises `DataRefused` and no store is written.
    """
    path = store_path(settings)
    try:
        check_store(path)
        return path
    except durable.Damaged:
        pass
    with _exclusive(settings):
        return _store(settings, None)


def _store(settings: Settings, built: Build | None) -> Path:
    """Under the lock: the store, checked again (it may have been built while this process waited),
    or built."""
    path = store_path(settings)
    try:
        check_store(path)
        return path
    except durable.Damaged as damage:
        _needed("store", path, damage)
    result = built or build(settings)
    if not result.report.conforms:
        raise DataRefused(result.report)
    triples = len(result.dataset.union())
    summary = {"conforms": True, "warnings": len(result.report.warnings), "triples": triples}
    started = time.monotonic()
    with _writing("store", settings.store_dir):
        materialise(settings, result.dataset.graphs, summary)
    event(_LOG, "store written", path=str(path), triples=triples, seconds=_since(started))
    return path


def _dumps(settings: Settings, store: Path) -> Mapping[str, DumpFile]:
    """Under the lock: the dumps of `store`, checked again or written."""
    folder = dumps_path(settings, store)
    try:
        return check(folder)
    except durable.Damaged as damage:
        _needed("dumps", folder, damage)
    started = time.monotonic()
    with _writing("dumps", settings.dumps_dir):
        write_dumps(settings, store)
    event(_LOG, "dumps written", path=str(folder), seconds=_since(started))
    return check(folder)


def _needed(what: str, path: Path, damage: durable.Damaged) -> None:
    if isinstance(damage, durable.Missing):
        event(_LOG, "build needed", what=what, path=str(path), reason=str(damage))
    else:
        event(_LOG, "rebuild", logging.WARNING, what=what, path=str(path), reason=str(damage))


@contextmanager
def _writing(what: str, folder: Path) -> Iterator[None]:
    """Turn a failed write (a read-only folder, a full disk) into `CannotWrite`."""
    try:
        yield
    except OSError as problem:
        failure = CannotWrite(what, folder, problem)
        event(_LOG, "write failed", logging.ERROR, what=what, path=str(folder), reason=failure.reason,
              detail=" ".join(str(problem).split()))
        raise failure from None


@contextmanager
def _exclusive(settings: Settings) -> Iterator[None]:
    """Hold the build lock; remove what builds that did not finish left behind."""
    with _writing("store", settings.store_dir):
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        lock = open(settings.store_dir / LOCK, "a+", encoding="utf-8")
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            event(_LOG, "lock busy", path=lock.name, holder=holder)
            folder = settings.store_dir
            shown = folder.relative_to(settings.root) if folder.is_relative_to(settings.root) else folder
            print(f"waiting for the build in {shown} (process {holder}) to finish", file=sys.stderr, flush=True)
            started = time.monotonic()
            fcntl.flock(lock, fcntl.LOCK_EX)
            event(_LOG, "lock waited", path=lock.name, seconds=_since(started))
        event(_LOG, "lock acquired", path=lock.name)
        with _writing("store", settings.store_dir):
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()))
            lock.flush()
        durable.remove_leftovers(settings.store_dir)
        durable.remove_leftovers(settings.dumps_dir)
        yield  # the lock is released when the file is closed
