"""Answers to SPARQL queries kept and sent again, as public endpoints put a cache before their engine.

The data cannot change while a store is served, so the answer to a GET query is the answer to the
next identical one: the same text, dataset (`default-graph-uri`, `named-graph-uri`) and store
(the data's, or a release's), negotiated media type and base IRI. Such answers are kept in a
`documents.DocumentCache` (most recently used first, up to `CONFLICT_LD_RESULT_CACHE` bytes) with a
strong ETag, so a hit costs no query worker and a client holding the answer gets `304 Not Modified`.

`AnswersAgain` sends a kept answer before the framework routes the request: a request whose URL,
`Accept` header and site are those of a request answered from the cache before (`remember`) is a
hit without reading the query again, so a hit costs little more than the HTTP exchange itself.

A query whose answer may change from one evaluation to the next is never kept: one that calls
`NOW()`, `RAND()`, `UUID()`, `STRUUID()` or `BNODE()`. The text is searched for those names
followed by `(` anywhere, inside strings and comments too, so that no reading of it is missed;
a false alarm only costs the cache.
"""

from __future__ import annotations

import re
from typing import Hashable

from fastapi import Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .documents import Kept, full_key
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


def _request_key(scope: Scope, headers: Headers) -> Hashable:
    """A GET request as sent: the same bytes ask the same query of the same site."""
    return (scope["scheme"], headers.get("host"), scope.get("root_path", ""), scope["path"], scope["query_string"],
            headers.get("accept"))


def remember(request: Request, key: Hashable) -> None:
    """The request was answered with the kept answer under `key`: the next one like it will be too."""
    state = request.app.state
    raw = _request_key(request.scope, request.headers)
    state.result_requests.keep(raw, full_key(request, key), sum(len(part or "") for part in raw))


class AnswersAgain:
    """Sends the kept answer of a GET or HEAD request to `/sparql` remembered by `remember`."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in CACHED_METHODS and scope["path"] == "/sparql":
            state = scope["app"].state
            headers = Headers(scope=scope)
            kept_as = state.result_requests.get(_request_key(scope, headers))
            document = None if kept_as is None else state.results.get(kept_as)
            if document is not None:
                await document.answer(headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)
