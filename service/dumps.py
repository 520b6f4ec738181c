"""Downloadable dumps: the whole dataset in several syntaxes, reproducible byte for byte.

Blank nodes are relabelled with RDFC-1.0 (W3C RDF Dataset Canonicalization) and statements sorted,
gzip headers carry no time or name, so the same data always gives the same files and the same
SHA-256 sums. The JSON-LD dump is nested and compacted with the dataset's context. Dumps live in a
folder named after the store (for a built store, the data's fingerprint); its name is the version.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox

from .config import Settings
from .json_ld import compacted, context
from .namespaces import prefixes

STEM = "conflict-ld"
REVISION = 3  # bump whenever the code changes what the dump files contain
SUMS = "SHA256SUMS"
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


def _write(path: Path, body: bytes) -> None:
    path.write_bytes(body)
    with open(path.with_name(path.name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as packed:
            packed.write(body)


def write_dumps(settings: Settings, store: Path) -> Path:
    """Write every dump and SHA256SUMS from the validated store, unless they exist already.

    Dumps are made from the store itself, so each one parses back to exactly the served data.
    """
    target = dumps_path(settings, store)
    if (target / SUMS).exists():
        return target
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    dataset = ox.Dataset(ox.Store.read_only(str(store)))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    _write(building / f"{STEM}.nq", "".join(sorted(f"{quad} .\n" for quad in dataset)).encode("utf-8"))
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in dataset}, key=str)
    _write(building / f"{STEM}.nt", "".join(f"{triple} .\n" for triple in triples).encode("utf-8"))
    _write(building / f"{STEM}.ttl", ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes(settings.base)))
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    document = compacted(expanded, context(settings.base))
    _write(building / f"{STEM}.jsonld", json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                   for p in sorted(building.iterdir()))
    (building / SUMS).write_text(sums, encoding="utf-8")
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
