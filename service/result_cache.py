"""Answers to SPARQL queries kept and sent again, as public endpoints put a cache before their engine.

The data cannot change while a store is served, so the answer to a GET query is the answer to the
next identical one: the same text, dataset (`default-graph-uri`, `named-graph-uri`) and store
(the data's, or a release's), negotiated media type and base IRI. Such answers are kept in a
`documents.DocumentCache` (most recently used first, up to `CONFLICT_LD_RESULT_CACHE` bytes) with a
strong ETag, so a hit costs no query worker and a client holding the answer gets `304 Not Modified`.

A query whose answer may change from one evaluation to the next is never kept: one that calls
`NOW()`, `RAND()`, `UUID()`, `STRUUID()` or `BNODE()`. The text is searched for those names
followed by `(` anywhere, inside strings and comments too, so that no reading of it is missed;
a false alarm only costs the cache.
"""

from __future__ import annotations

import re
from typing import Hashable

from .store import Query

# STRUUID( ends in UUID(; white space may stand between a function's name and its parenthesis
_VOLATILE = re.compile(r"(?:NOW|RAND|UUID|BNODE)[ \t\r\n]*+\(", re.IGNORECASE)
CACHED_METHODS = ("GET", "HEAD")  # a POST's answer is not reused (RFC 9110 §9.3.3)


def cacheable(method: str, text: str) -> bool:
    """Whether the answer to this request may be kept and sent again."""
    return method in CACHED_METHODS and _VOLATILE.search(text) is None


def cache_key(query: Query) -> Hashable:
    """What makes two requests the same query."""
    return ("sparql", query.store, query.text, tuple(query.default_graphs), tuple(query.named_graphs),
            query.media_type, query.base)
