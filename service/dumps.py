"""Downloadable dumps: the whole dataset in several syntaxes, reproducible byte for byte.

Blank nodes are relabelled with RDFC-1.0 (W3C RDF Dataset Canonicalization) and statements sorted,
gzip headers carry no time or name, so the same data always gives the same files and the same
SHA-256 sums. The JSON-LD dump is nested and compacted with the dataset's context, one top-level node
per line. Dumps live in a folder named after the store (for a built store, the data's fingerprint);
its name is the version. The folder is written whole or not at all (`durable`), with a record of
each file's size, modification time and SHA-256 written last, which `check` compares at start-up.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import pyoxigraph as ox

from . import durable
from .config import Settings
from .formats import suffixes
from .json_ld import context, write_document
from .namespaces import prefixes
from .store import EmbeddedStore, Store

STEM = "conflict-ld"
REVISION = 4  # bump whenever the code changes what the dump files contain
SUMS = "SHA256SUMS"
RECORD = "release.json"  # each file's size, modification time and SHA-256, as written
CHUNK = 2**20  # bytes read at a time to compress
MEDIA_TYPES: Mapping[str, str] = suffixes(("application/n-quads", "application/n-triples", "text/turtle",
                                           "application/ld+json"))  # the dump files' suffixes and types


@dataclass(frozen=True)
class DumpFile:
    name: str
    media_type: str
    encoding: str | None  # "gzip" for the compressed copies
    size: int
    sha256: str
    mtime_ns: int  # when the file was last changed, as checked: a file served must still have it


def dumps_path(settings: Settings, store: Path) -> Path:
    """The release folder: named after the store it is made from (a built store is named after the
    data's fingerprint) and the dump format's revision."""
    return settings.dumps_dir / f"{store.name}-{REVISION}"


def _sorted_lines(unsorted: Path, target: Path, unique: bool = False) -> None:
    """`unsorted`'s lines in code-point order (GNU sort on UTF-8 bytes), on disk: a dump of any size."""
    command = ["sort", "-S", "25%", "-T", str(unsorted.parent), "-o", str(target)] + (["-u"] if unique else [])
    done = subprocess.run(command + [str(unsorted)], env={**os.environ, "LC_ALL": "C"}, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode:  # a full disk, most likely: sort's first line ends with the reason, as an OSError's does
        raise OSError((done.stderr.splitlines() or [f"sort exited with status {done.returncode}"])[0])
    unsorted.unlink()


def _gzipped(path: Path) -> None:
    with open(path, "rb") as plain, open(path.with_name(path.name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            shutil.copyfileobj(plain, packed, CHUNK)


def _triples(path: Path):
    """The statements of an N-Triples file, read as they are needed (blank node labels kept)."""
    return ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)


def _canonical(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """A store's quads, blank nodes labelled by RDFC-1.0. Only the quads that mention a blank
    node are held in memory to be canonicalized: the algorithm reads no other quad, so their labels
    are those the whole dataset would get, and the rest pass straight through."""
    blank = ox.Dataset()
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.add(quad)
        else:
            yield quad
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    yield from blank


def write_dumps(settings: Settings, store: Path, engine: Store | None = None) -> Path:
    """Write every dump, SHA256SUMS and the record from the validated store; return the folder.

    Dumps are made from the store itself (read through `engine`, or the embedded store at `store`),
    so each one parses back to exactly the served data. Only the statements with blank nodes are
    held in memory (to be canonicalized); statements are sorted on disk and every file is written
    as a stream. Called under the build lock.
    """
    target = dumps_path(settings, store)
    with durable.written(target) as building:
        _write(settings, engine or EmbeddedStore(store), building)
    return target


def _write(settings: Settings, store: Store, building: Path) -> None:
    quads, triples = building / f"{STEM}.nq", building / f"{STEM}.nt"
    unsorted_quads, unsorted_triples = quads.with_suffix(".nq.unsorted"), triples.with_suffix(".nt.unsorted")
    with open(unsorted_quads, "w", encoding="utf-8", newline="\n") as quad_lines, \
            open(unsorted_triples, "w", encoding="utf-8", newline="\n") as triple_lines:
        for quad in _canonical(store.quads()):
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
    digests = {path.name: _sha256(path) for path in sorted(building.iterdir())}
    (building / SUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in digests.items()), encoding="utf-8")
    digests[SUMS] = _sha256(building / SUMS)
    record = {name: {"size": (stat := (building / name).stat()).st_size, "mtime_ns": stat.st_mtime_ns,
                     "sha256": digest} for name, digest in digests.items()}
    (building / RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")


def quad_lines(folder: Path) -> list[str]:
    """The canonical N-Quads of the dumps in `folder`, a line each (with its line break), in order."""
    return (folder / f"{STEM}.nq").read_text(encoding="utf-8").splitlines(keepends=True)


def _sha256(path: Path) -> str:
    with open(path, "rb") as written:
        return hashlib.file_digest(written, "sha256").hexdigest()


def check(directory: Path) -> dict[str, DumpFile]:
    """Every file of the release in `directory` by name (SHA256SUMS last), as checked against the
    release's record; raises `durable.Damaged` (`Missing` when there is none) if one cannot be served.

    A file must have its recorded size; one whose modification time differs from the record is
    read again and must have its recorded SHA-256 (at 1x the dumps are 8 MB, hashed in about 10 ms;
    at 100x, some 800 MB take about 2 s, so an unchanged file is not read).
    """
    try:
        record = json.loads((directory / RECORD).read_text(encoding="utf-8"))
        expected = {str(name): (int(entry["size"]), int(entry["mtime_ns"]), str(entry["sha256"]))
                    for name, entry in record.items()}
    except FileNotFoundError:
        if directory.is_dir():
            raise durable.Damaged(f"it has no {RECORD}") from None
        raise durable.Missing("there are none for this store yet") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise durable.Damaged(f"its {RECORD} is unreadable") from None
    if SUMS not in expected or any("/" in name or name.removesuffix(".gz").rsplit(".", 1)[-1] not in MEDIA_TYPES
                                   for name in expected if name != SUMS):
        raise durable.Damaged(f"its {RECORD} does not list the files of a release")
    files = {}
    for name, (size, mtime_ns, digest) in sorted(expected.items(), key=lambda item: item[0] == SUMS):
        try:
            stat = (directory / name).stat()
        except FileNotFoundError:
            raise durable.Damaged(f"{name} is missing") from None
        if stat.st_size != size:
            raise durable.Damaged(f"{name} is {stat.st_size} bytes, {RECORD} says {size}")
        if stat.st_mtime_ns != mtime_ns and _sha256(directory / name) != digest:
            raise durable.Damaged(f"{name} does not match its SHA-256")
        suffix = name.removesuffix(".gz").rsplit(".", 1)[-1]
        media_type = "text/plain; charset=utf-8" if name == SUMS else MEDIA_TYPES[suffix]
        files[name] = DumpFile(name, media_type, "gzip" if name.endswith(".gz") else None, stat.st_size, digest,
                               stat.st_mtime_ns)
    return files
