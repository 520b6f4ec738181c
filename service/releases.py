"""Releases: dated, numbered states of the data, kept in the repository as records and patches.

A release is the canonical N-Quads of the validated data (the `conflict-ld.nq` dump: RDFC-1.0
blank node labels, lines in code-point order) as it was when released, identified by its SHA-256.
Versions are semantic: the major number rises when an entity of the previous release is no longer
described (a link to it breaks), the minor when statements are added or changed, the patch number
when only the record changes (its notes). The `releases/` folder holds, for each release,
`VERSION.json` (version, date, notes, previous release, size and SHA-256 of its N-Quads) and
`VERSION.rdfp`, the RDF Patch from the previous release; only the newest release is also kept whole,
as `VERSION.nq.gz`. Any release is rebuilt from the newest by undoing the patches after it, and
checked against its recorded SHA-256 at every step.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import date as Date
from pathlib import Path
from typing import Iterable, Sequence

from .changes import Summary, summarise
from .rdf_patch import SUFFIX, Patch, PatchError, apply, difference, parse

VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


class ReleaseError(Exception):
    """A release that cannot be made, or a `releases/` folder that does not hold together."""


@dataclass(frozen=True)
class Record:
    version: str
    date: str  # ISO 8601 date
    notes: str
    previous: str | None
    quads: int
    sha256: str  # of the canonical N-Quads, as UTF-8
    id: str  # a URN that names this state of the data: the RDF Patch `id` of the patch leading to it

    @property
    def key(self) -> tuple[int, int, int]:
        return version_key(self.version)


def version_key(version: str) -> tuple[int, int, int]:
    """The version's numbers, for ordering; `ReleaseError` if it is not MAJOR.MINOR.PATCH."""
    matched = VERSION.fullmatch(version)
    if not matched:
        raise ReleaseError(f"{version!r} is not a version of the form MAJOR.MINOR.PATCH (for example 1.2.0)")
    return int(matched[1]), int(matched[2]), int(matched[3])


def release_iri(base: str, version: str) -> str:
    return f"{base}release/{version}"


def checksum(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


class History:
    """The releases recorded in a folder, oldest first, checked to form one chain."""

    def __init__(self, folder: Path):
        self.folder = folder
        found = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            try:
                found.append(Record(**json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, TypeError) as problem:
                raise ReleaseError(f"{path}: not a release record ({problem})") from None
            if path.stem != found[-1].version:
                raise ReleaseError(f"{path}: records version {found[-1].version}")
        self.records: list[Record] = sorted(found, key=lambda record: record.key)
        for before, after in zip([None, *self.records], self.records):
            if after.previous != (before.version if before else None):
                raise ReleaseError(f"release {after.version} follows {after.previous}, but the release before it "
                                   f"is {before.version if before else 'none'}")
        self.by_version = {record.version: record for record in self.records}

    @property
    def latest(self) -> Record | None:
        return self.records[-1] if self.records else None

    def patch(self, version: str) -> Patch:
        """The patch from the release before `version` to it, as kept in the folder."""
        try:
            return parse((self.folder / f"{version}.{SUFFIX}").read_text(encoding="utf-8"))
        except (OSError, PatchError) as problem:
            raise ReleaseError(f"the patch to release {version} cannot be read: {problem}") from None

    def lines(self, version: str, newest: Sequence[str] | None = None) -> list[str]:
        """Release `version`'s canonical N-Quads lines, rebuilt from the newest release (`newest`, its
        lines, when the caller has them: the current data, if it is that release) by undoing each
        later patch; every step is checked against its record. Raises `ReleaseError`."""
        if version not in self.by_version:
            raise ReleaseError(f"no release {version}")
        latest = self.latest
        if newest is None or checksum(newest) != latest.sha256:
            newest = self._kept_whole(latest)
        lines = list(newest)
        for record in reversed(self.records):
            if record.version == version:
                return lines
            try:
                lines = apply(lines, self.patch(record.version).reversed())
            except PatchError as problem:
                raise ReleaseError(f"the patch to {record.version} does not undo: {problem}") from None
            if checksum(lines) != self.by_version[record.previous].sha256:
                raise ReleaseError(f"release {record.previous} rebuilt does not have its recorded SHA-256")
        raise AssertionError("unreachable: the version is recorded")

    def _kept_whole(self, record: Record) -> list[str]:
        try:
            with gzip.open(self.folder / f"{record.version}.nq.gz", "rt", encoding="utf-8", newline="\n") as kept:
                lines = kept.readlines()
        except (OSError, EOFError) as problem:
            raise ReleaseError(f"release {record.version} is not kept whole in {self.folder}: {problem}") from None
        if checksum(lines) != record.sha256:
            raise ReleaseError(f"{record.version}.nq.gz does not have the SHA-256 its record gives")
        return lines

    def summary(self, older: str, newer: str, base: str) -> Summary:
        return summarise(self.lines(older), self.lines(newer), base)

    def release(self, version: str, notes: str, data: Sequence[str], base: str, day: Date | None = None) -> Record:
        """Record `data` (canonical N-Quads lines) as release `version`: its record, the patch from the
        newest release, and the data kept whole in place of the newest's. A version that does not
        follow the newest, or whose number says less than the change (an entity removed needs a
        new major version), is refused."""
        key, latest = version_key(version), self.latest
        if list(data) != sorted(set(data)) or not all(line.endswith("\n") for line in data):
            raise ReleaseError("the data is not canonical N-Quads: its lines must be unique, sorted and ended")
        if latest is not None:
            if key <= latest.key:
                raise ReleaseError(f"{version} does not follow the newest release, {latest.version}")
            previous = self.lines(latest.version, data)
            summary = summarise(previous, data, base)
            needed = _bumped(latest.key, summary.bump)
            if key < needed:
                raise ReleaseError(f"the change from {latest.version} is a {summary.bump} one "
                                   f"({len(summary.entities_removed)} entities removed, {summary.deleted} statements "
                                   f"deleted, {summary.added} added): the version must be at least "
                                   + ".".join(map(str, needed)))
        digest = checksum(data)
        record = Record(version, (day or Date.today()).isoformat(), notes.strip(), latest.version if latest else None,
                        len(data), digest, uuid.uuid5(uuid.NAMESPACE_URL, f"{version} {digest}").urn)
        self.folder.mkdir(parents=True, exist_ok=True)
        _write(self.folder / f"{version}.nq.gz", gzip.compress("".join(data).encode("utf-8"), mtime=0))
        if latest is not None:
            patch = difference(previous, data, record.id, latest.id)
            _write(self.folder / f"{version}.{SUFFIX}", patch.text().encode("utf-8"))
        _write(self.folder / f"{version}.json", (json.dumps(asdict(record), indent=1, ensure_ascii=False) + "\n").encode())
        for whole in self.folder.glob("*.nq.gz"):  # the newest alone is kept whole
            if whole.name != f"{version}.nq.gz":
                whole.unlink()
        return record


def _bumped(key: tuple[int, int, int], bump: str) -> tuple[int, int, int]:
    major, minor, patch = key
    return {"major": (major + 1, 0, 0), "minor": (major, minor + 1, 0), "patch": (major, minor, patch + 1)}[bump]


def _write(path: Path, body: bytes) -> None:
    """Whole or not at all: a temporary file renamed into place."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(body)
    os.replace(temporary, path)
