"""RDF Patch (Apache Jena's text format) between two canonical N-Quads files.

A release's data is one canonical N-Quads file: blank nodes labelled by RDFC-1.0, lines sorted in
code-point order (see `dumps`). A patch between two releases is the difference of their line sets:
`D` rows for the lines of the first that the second lacks, then `A` rows for the lines the second
adds, each row the N-Quads line itself after its code, inside one transaction (`TX .` … `TC .`),
with the headers `id` (the release it leads to) and `prev` (the release it starts from). A blank
node label is an identifier across the whole patch, as RDF Patch has it: applying the patch to the
first file's lines, or to a dataset parsed from it with its labels kept, gives the second exactly,
so its SHA-256 can be checked against the release record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

MEDIA_TYPE = "application/rdf-patch"
SUFFIX = "rdfp"


class PatchError(ValueError):
    """A patch that does not parse, or that does not apply to the data it is given."""


@dataclass(frozen=True)
class Patch:
    id: str  # IRIs: the release the patch leads to, and the one it starts from
    prev: str
    deleted: tuple[str, ...]  # N-Quads lines without their line break, sorted
    added: tuple[str, ...]

    def reversed(self) -> "Patch":
        """The patch that undoes this one."""
        return Patch(self.prev, self.id, self.added, self.deleted)

    def text(self) -> str:
        rows = [f"H id <{self.id}> .", f"H prev <{self.prev}> .", "TX ."]
        rows += [f"D {line}" for line in self.deleted] + [f"A {line}" for line in self.added]
        return "\n".join(rows + ["TC ."]) + "\n"


def difference(old: Iterable[str], new: Iterable[str], id: str, prev: str) -> Patch:
    """The patch from the lines `old` to the lines `new` (N-Quads lines, with or without line breaks)."""
    before, after = {line.rstrip("\n") for line in old}, {line.rstrip("\n") for line in new}
    return Patch(id, prev, tuple(sorted(before - after)), tuple(sorted(after - before)))


def apply(lines: Iterable[str], patch: Patch) -> list[str]:
    """`lines` (N-Quads lines) changed by `patch`, sorted in code-point order, each with its line
    break. Raises `PatchError` if a deleted line is not there or an added one already is: the patch
    was made from other data."""
    held = {line.rstrip("\n") for line in lines}
    if missing := [line for line in patch.deleted if line not in held]:
        raise PatchError(f"{len(missing)} deleted statement(s) are not in the data, the first: {missing[0]}")
    if present := [line for line in patch.added if line in held]:
        raise PatchError(f"{len(present)} added statement(s) are already in the data, the first: {present[0]}")
    held.difference_update(patch.deleted)
    held.update(patch.added)
    return [line + "\n" for line in sorted(held)]


def parse(text: str) -> Patch:
    """A patch as `Patch.text` writes it, each row checked as N-Quads by the engine's parser.
    Raises `PatchError` naming the line at fault."""
    headers: dict[str, str] = {}
    changes: dict[str, list[str]] = {"A": [], "D": []}
    state = "headers"
    for number, row in enumerate(text.splitlines(), 1):
        code, _, rest = row.strip().partition(" ")
        if not code:
            continue
        if code == "H" and state == "headers":
            key, _, value = rest.partition(" ")
            if not (value.startswith("<") and value.endswith("> .")):
                raise PatchError(f"line {number}: a header's value must be an IRI followed by ' .'")
            headers[key] = value[1:-3]
        elif code == "TX" and rest == "." and state == "headers":
            state = "changes"
        elif code in changes and state == "changes":
            try:
                next(iter(ox.parse(rest.encode("utf-8"), format=ox.RdfFormat.N_QUADS)))
            except (SyntaxError, StopIteration) as problem:
                raise PatchError(f"line {number}: not an N-Quads statement: {problem}") from None
            changes[code].append(rest)
        elif code == "TC" and rest == "." and state == "changes":
            state = "committed"
        else:
            raise PatchError(f"line {number}: unexpected {row.strip()[:40]!r}")
    if state != "committed":
        raise PatchError("the patch ends before its transaction is committed (TC .)")
    if missing := {"id", "prev"} - headers.keys():
        raise PatchError(f"the patch has no {' or '.join(sorted(missing))} header")
    return Patch(headers["id"], headers["prev"], tuple(changes["D"]), tuple(changes["A"]))
