"""Documents made once and served again: entity descriptions, index pages, the dataset description.

The data never changes while the server runs, so a document rendered for one request (after
content negotiation: the key names the media type) is the right answer to the next identical one.
Rendered documents are kept, most recently used first, up to a size in bytes; each carries a strong
ETag (a digest of its bytes), so a client that has it gets `304 Not Modified` and no body.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Awaitable, Callable, Hashable

from fastapi import Request, Response

REVALIDATE = "public, max-age=300"  # a client may reuse a document for five minutes, then revalidate


@dataclass(frozen=True)
class Document:
    body: bytes
    headers: dict[str, str]
    etag: str

    def answer(self, request: Request) -> Response:
        wanted = request.headers.get("if-none-match", "")
        if self.etag in (tag.strip() for tag in wanted.split(",")) or wanted.strip() == "*":
            kept = {k: v for k, v in self.headers.items() if k.lower() in ("vary", "content-location", "link")}
            return Response(status_code=304, headers={**kept, "ETag": self.etag, "Cache-Control": REVALIDATE})
        return Response(self.body, headers=self.headers)


class DocumentCache:
    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._documents: OrderedDict[Hashable, Document] = OrderedDict()

    def get(self, key: Hashable) -> Document | None:
        document = self._documents.get(key)
        if document is not None:
            self._documents.move_to_end(key)
        return document

    def keep(self, key: Hashable, response: Response) -> Document:
        body = bytes(response.body)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        document = Document(body, {**headers, "ETag": etag, "Cache-Control": REVALIDATE}, etag)
        if len(body) <= self.max_bytes:
            self._documents[key] = document
            self.size += len(body)
            while self.size > self.max_bytes:
                _, dropped = self._documents.popitem(last=False)
                self.size -= len(dropped.body)
        return document


async def served(request: Request, key: Hashable, render: Callable[[], Awaitable[Response]]) -> Response:
    """The document for `key` (kept from an earlier request, or rendered now), or whatever else
    `render` answered (errors are never kept)."""
    cache: DocumentCache = request.app.state.documents
    full_key = (str(request.base_url), key)
    document = cache.get(full_key)
    if document is None:
        response = await render()
        if response.status_code != 200:
            return response
        document = cache.keep(full_key, response)
    return document.answer(request)
