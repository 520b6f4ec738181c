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
from typing import Awaitable, Callable, Hashable, Mapping

from fastapi import Request, Response

from .conditional import not_modified

REVALIDATE = "public, max-age=300"  # a client may reuse a document for five minutes, then revalidate


@dataclass(frozen=True)
class Document:
    body: bytes
    headers: dict[str, str]
    etag: str

    def answer(self, headers: Mapping[str, str]) -> Response:
        """The document, or `304` to a request (by its `headers`) whose client holds it."""
        if not_modified(headers, self.etag):
            kept = {k: v for k, v in self.headers.items() if k.lower() in ("vary", "content-location", "link")}
            return Response(status_code=304, headers={**kept, "ETag": self.etag, "Cache-Control": REVALIDATE})
        return Response(self.body, headers=self.headers)


class Kept:
    """Values kept, most recently used first, up to a total size in bytes; a value larger than that
    is not kept at all."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size = max_bytes, 0
        self._values: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()

    def get(self, key: Hashable):
        found = self._values.get(key)
        if found is None:
            return None
        self._values.move_to_end(key)
        return found[0]

    def keep(self, key: Hashable, value, size: int) -> None:
        if size > self.max_bytes or key in self._values:
            return
        self._values[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, dropped) = self._values.popitem(last=False)
            self.size -= dropped


class DocumentCache:
    def __init__(self, max_bytes: int):
        self._kept = Kept(max_bytes)

    @property
    def size(self) -> int:
        return self._kept.size

    def get(self, key: Hashable) -> Document | None:
        return self._kept.get(key)

    def keep(self, key: Hashable, response: Response) -> Document:
        body = bytes(response.body)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        document = Document(body, {**headers, "ETag": etag, "Cache-Control": REVALIDATE}, etag)
        self._kept.keep(key, document, len(body))
        return document


def full_key(request: Request, key: Hashable) -> Hashable:
    """A document's key with the site it was asked of: the links it holds are that site's."""
    return str(request.base_url), key


async def served(request: Request, key: Hashable, render: Callable[[], Awaitable[Response]],
                 cache: DocumentCache | None = None) -> Response:
    """The document for `key` (kept from an earlier request, or rendered now), or whatever else
    `render` answered (errors are never kept); kept in the app's document cache unless another is given."""
    cache = request.app.state.documents if cache is None else cache
    kept_as = full_key(request, key)
    document = cache.get(kept_as)
    if document is None:
        response = await render()
        if response.status_code != 200:
            return response
        document = cache.keep(kept_as, response)
    return document.answer(request.headers)
