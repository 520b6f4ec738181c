"""Downloadable dumps: the whole dataset in several syntaxes, reproducible byte for byte.

Blank nodes are relabelled with RDFC-1.0 (W3C RDF Dataset Canonicalization) and statements sorted,
gzip headers carry no time or name, so the same data always gives the same files and the same
SHA-256 sums. The JSON-LD dump is nested and compacted with the dataset's context, one top-level node
per line. Dumps live in a folder named after the store (for a built store, the data's fingerprint);
its name is the version.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox

from .config import Settings
from .json_ld import context, write_document
from .namespaces import prefixes

STEM = "conflict-ld"
REVISION = 4  # bump whenever the code changes what the dump files contain
SUMS = "SHA256SUMS"
CHUNK = 2**20  # bytes gathered before each write to the two files
MEDIA_TYPES: Mapping[str, str] = {
    "nq": "application/n-quads",
    "nt": "application/n-triples",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}


@dataclass(frozen=True)
class DumpFile:
    name: str
    media_type: str
    encoding: str | None  # "gzip" for the compressed copies
    size: int
    sha256: str


def dumps_path(settings: Settings, store: Path) -> Path:
    """The release folder: named after the store it is made from (a built store is named after the
    data's fingerprint) and the dump format's revision."""
    return settings.dumps_dir / f"{store.name}-{REVISION}"


class _Release(io.RawIOBase):
    """One dump written twice as it streams: plain, and gzipped beside it (`NAME.gz`)."""

    def __init__(self, path: Path):
        super().__init__()
        self._plain, self._raw = open(path, "wb"), open(path.with_name(path.name + ".gz"), "wb")
        self._packed = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self._plain.write(chunk)
        self._packed.write(chunk)
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            self._packed.close()
            self._raw.close()
            self._plain.close()
        super().close()


def _write_lines(path: Path, statements) -> None:
    with io.TextIOWrapper(io.BufferedWriter(_Release(path), CHUNK), encoding="utf-8", newline="\n") as out:
        for statement in statements:
            out.write(f"{statement} .\n")


def write_dumps(settings: Settings, store: Path) -> Path:
    """Write every dump and SHA256SUMS from the validated store, unless they exist already.

    Dumps are made from the store itself, so each one parses back to exactly the served data.
    Each file streams to disk as it is written; only the sorted statements are held in memory.
    """
    target = dumps_path(settings, store)
    if (target / SUMS).exists():
        return target
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    dataset = ox.Dataset(ox.Store.read_only(str(store)))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    _write_lines(building / f"{STEM}.nq", sorted(dataset, key=str))
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in dataset}, key=str)
    del dataset
    _write_lines(building / f"{STEM}.nt", triples)
    with io.BufferedWriter(_Release(building / f"{STEM}.ttl"), CHUNK) as out:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes(settings.base))
    with io.TextIOWrapper(io.BufferedWriter(_Release(building / f"{STEM}.jsonld"), CHUNK), encoding="utf-8",
                          newline="\n") as out:
        write_document(triples, context(settings.base), out)
    sums = []
    for path in sorted(building.iterdir()):
        with open(path, "rb") as written:
            sums.append(f"{hashlib.file_digest(written, 'sha256').hexdigest()}  {path.name}\n")
    (building / SUMS).write_text("".join(sums), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def listing(directory: Path) -> list[DumpFile]:
    """The dumps in `directory`, from its SHA256SUMS (the sums file itself is listed last)."""
    files = []
    for line in (directory / SUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        suffix = name.removesuffix(".gz").rsplit(".", 1)[-1]
        files.append(DumpFile(name, MEDIA_TYPES[suffix], "gzip" if name.endswith(".gz") else None,
                              (directory / name).stat().st_size, digest))
    return files
