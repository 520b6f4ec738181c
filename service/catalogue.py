"""The example research questions in `queries/*.rq`, read with their title and description."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(title|description|expect):\s*(.*)$")


@dataclass(frozen=True)
class Example:
    id: str
    title: str
    description: str
    query: str

    def as_json(self) -> dict:
        return asdict(self)


def read_example(path: Path) -> Example:
    fields: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if match and not body:
            fields[match.group(1)] = match.group(2).strip()
        elif body or line.strip():
            body.append(line)
    return Example(path.stem, fields.get("title", path.stem), fields.get("description", ""), "\n".join(body).strip() + "\n")


def examples(queries_dir: Path) -> list[Example]:
    return [read_example(path) for path in sorted(queries_dir.glob("*.rq"))]
