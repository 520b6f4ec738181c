"""Conditional requests (RFC 9110 §13), read the same way by every route that sends validators.

`If-None-Match` uses the weak comparison (§13.1.2): `W/"x"` matches `"x"` and the other way round;
it is a list, and `*` matches any current representation. It wins over `If-Modified-Since`.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from typing import Mapping

_TAG = re.compile(r'(?:W/)?("[^"]*")')  # an entity-tag; its opaque part may hold commas


def none_match(header: str, etag: str) -> bool:
    """Whether an `If-None-Match` value names `etag`, weakly."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.group(1) == opaque for tag in _TAG.finditer(header))


def not_modified(headers: Mapping[str, str], etag: str, modified: float | None = None) -> bool:
    """Whether the client's copy is current: by `If-None-Match` when it is sent, else by
    `If-Modified-Since` against `modified` (a POSIX time; None: not known)."""
    wanted = headers.get("if-none-match")
    if wanted is not None:
        return none_match(wanted, etag)
    since = headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        return int(modified) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return False  # not a date: ignored, as §13.1.3 says
