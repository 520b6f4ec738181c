"""Every recorded release served as it was: a store and dumps of its own, made once from the release
history and reused as long as they check.

A release's store is named after its version and SHA-256 (`release-1.1.0-21f5244d8b017abd`), so a
store is never served for another state of the data; its dumps are written from it as the current
data's are, and its `conflict-ld.nq` must have the release's recorded SHA-256 before it is served.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from . import durable
from .config import Settings
from .dumps import STEM, DumpFile, check, dumps_path, write_dumps
from .logs import event, logger
from .releases import History, Record, ReleaseError
from .store import check_store, load_quads

_LOG = logger("build")
PREFIX = "release-"  # of a release's store and dumps folders, beside the current data's


@dataclass(frozen=True)
class Published:
    record: Record
    store: Path
    dumps: Path
    files: Mapping[str, DumpFile]  # as checked, SHA256SUMS included


def store_of(settings: Settings, record: Record) -> Path:
    return settings.store_dir / f"{PREFIX}{record.version}-{record.sha256[:16]}"


def checked(settings: Settings, record: Record) -> Published:
    """The release's store and dumps, checked; `durable.Damaged` if either cannot be served."""
    store = store_of(settings, record)
    check_store(store)
    folder = dumps_path(settings, store)
    files = check(folder)
    if files.get(f"{STEM}.nq") is None or files[f"{STEM}.nq"].sha256 != record.sha256:
        raise durable.Damaged(f"its {STEM}.nq is not release {record.version}'s data")
    return Published(record, store, folder, files)


def publish(settings: Settings, history: History, record: Record,
            newest: Callable[[], Sequence[str] | None]) -> Published:
    """Under the build lock: the release's store and dumps, checked again or made from the history
    (`newest` gives the current data's lines, which may be the newest release). Raises
    `ReleaseError` when the history cannot give the release."""
    try:
        return checked(settings, record)
    except durable.Damaged as damage:
        event(_LOG, "release needed", version=record.version, reason=str(damage))
    lines = history.lines(record.version, newest())
    store = load_quads(store_of(settings, record), "".join(lines).encode("utf-8"))
    write_dumps(settings, store)
    try:
        published = checked(settings, record)
    except durable.Damaged as damage:
        event(_LOG, "release refused", logging.ERROR, version=record.version, reason=str(damage))
        raise ReleaseError(f"release {record.version} rebuilt does not give its recorded data: {damage}") from None
    event(_LOG, "release written", version=record.version, quads=record.quads)
    return published
