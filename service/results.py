"""SPARQL 1.1 query results: the media types, and the limits on what one answer may hold.

The engine writes results itself (in Rust, several times faster than writing them row by row in
Python), streaming into `CappedBuffer`, which stops the writing once an answer passes its byte
limit, so no result is ever materialised without bound. The row limit is checked on the written
answer: from its size alone when it is too small to hold that many rows, then from a count of row
separators that can only overcount, and only then by parsing.
Formats: https://www.w3.org/TR/sparql11-results-json/, /rdf-sparql-XMLres/, /sparql11-results-csv-tsv/.
"""

from __future__ import annotations

import csv
import io
import json

JSON, XML, CSV, TSV = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
PLAIN_JSON = "application/json"  # what many clients ask for; answered with SPARQL results JSON
MEDIA_TYPES = (JSON, XML, CSV, TSV, PLAIN_JSON)
SMALLEST_ROW = {JSON: 3, PLAIN_JSON: 3, XML: 17, CSV: 2, TSV: 1}  # bytes of an all-unbound row: `{},` `<result></result>`


class TooManyRows(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the result has more than {limit} rows")


class TooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the result is larger than {limit} bytes")


class CappedBuffer(io.RawIOBase):
    """A byte sink for the engine's writer that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.size, self._parts = limit, 0, []

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(self.limit)
        self._parts.append(bytes(chunk))
        return len(chunk)

    def value(self) -> bytes:
        return b"".join(self._parts)


def check_rows(body: bytes, media_type: str, limit: int) -> None:
    """Raise `TooManyRows` when the written solutions number more than `limit`."""
    if len(body) < SMALLEST_ROW[media_type] * (limit + 1):
        return  # too small to hold that many rows
    if media_type in (JSON, PLAIN_JSON):
        # rows are written `…},{…`; a literal may hold that text too, so this bound only ever overcounts
        if body.count(b"},{") + 1 <= limit:
            return
        rows = len(json.loads(body)["results"]["bindings"])
    elif media_type == XML:
        rows = body.count(b"<result>")  # markup in values is escaped, so this is the element itself
    elif media_type == TSV:
        rows = len(body.splitlines()) - 1  # values escape their line breaks
    else:
        if body.count(b"\n") - 1 <= limit:  # a quoted line break only adds lines
            return
        rows = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1
    if rows > limit:
        raise TooManyRows(limit)
