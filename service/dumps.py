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
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import pyoxigraph as ox

from .config import Settings
from .json_ld import context, write_document
from .namespaces import prefixes

STEM = "conflict-ld"
REVISION = 4  # bump whenever the code changes what the dump files contain
SUMS = "SHA256SUMS"
CHUNK = 2**20  # bytes read at a time to compress
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


def _sorted_lines(unsorted: Path, target: Path, unique: bool = False) -> None:
    """`unsorted`'s lines in code-point order (GNU sort on UTF-8 bytes), on disk: a dump of any size."""
    command = ["sort", "-S", "25%", "-T", str(unsorted.parent), "-o", str(target)] + (["-u"] if unique else [])
    subprocess.run(command + [str(unsorted)], check=True, env={**os.environ, "LC_ALL": "C"})
    unsorted.unlink()


def _gzipped(path: Path) -> None:
    with open(path, "rb") as plain, open(path.with_name(path.name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            shutil.copyfileobj(plain, packed, CHUNK)


def _triples(path: Path):
    """The statements of an N-Triples file, read as they are needed (blank node labels kept)."""
    return ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)


def _canonical(store: ox.Store) -> Iterator[ox.Quad]:
    """The store's quads, blank nodes labelled by RDFC-1.0. Only the quads that mention a blank
    node are held in memory to be canonicalized: the algorithm reads no other quad, so their labels
    are those the whole dataset would get, and the rest pass straight through."""
    blank = ox.Dataset()
    for quad in store:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.add(quad)
        else:
            yield quad
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    yield from blank


def write_dumps(settings: Settings, store: Path) -> Path:
    """Write every dump and SHA256SUMS from the validated store, unless they exist already.

    Dumps are made from the store itself, so each one parses back to exactly the served data.
    Only the statements with blank nodes are held in memory (to be canonicalized); statements are
    sorted on disk and every file is written as a stream.
    """
    target = dumps_path(settings, store)
    if (target / SUMS).exists():
        return target
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    quads, triples = building / f"{STEM}.nq", building / f"{STEM}.nt"
    unsorted_quads, unsorted_triples = quads.with_suffix(".nq.unsorted"), triples.with_suffix(".nt.unsorted")
    with open(unsorted_quads, "w", encoding="utf-8", newline="\n") as quad_lines, \
            open(unsorted_triples, "w", encoding="utf-8", newline="\n") as triple_lines:
        for quad in _canonical(ox.Store.read_only(str(store))):
            quad_lines.write(f"{quad} .\n")
            triple_lines.write(f"{quad.triple} .\n")
    _sorted_lines(unsorted_quads, quads)
    _sorted_lines(unsorted_triples, triples, unique=True)
    with open(building / f"{STEM}.ttl", "wb") as out:
        ox.serialize(_triples(triples), out, format=ox.RdfFormat.TURTLE, prefixes=prefixes(settings.base))
    with open(building / f"{STEM}.jsonld", "w", encoding="utf-8", newline="\n") as out:
        write_document(lambda: _triples(triples), context(settings.base), out)
    for path in sorted(building.iterdir()):
        _gzipped(path)
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
