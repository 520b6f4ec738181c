"""Errors as pages for people: a browser that meets a 404, 406, 400 or 503 gets it in the site's
shell, with the search box and the way home; every other client keeps the one plain line.

Every route answers errors as `text/plain` (`responses.error`). This middleware rewrites such an
answer only for a request that prefers HTML to plain text (a browser's Accept does; `*/*`, curl's
and most libraries', does not), and keeps its status and headers (`Allow`, `Retry-After`…).
"""

from __future__ import annotations

from html import escape

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..negotiation import NotAcceptable, choose
from .shell import html_page

PLAIN = "text/plain"


def wants_page(accept: str | None) -> bool:
    """Whether a client with this Accept header would rather read HTML than plain text."""
    if not accept or "text/html" not in accept.lower():
        return False
    try:
        return choose(accept, (PLAIN, "text/html")) == "text/html"
    except NotAcceptable:
        return False


def error_page(root: str, status: int, message: str) -> str:
    reason, _, detail = message.partition(": ")
    title = f"{status} {reason}" if detail else f"Error {status}"
    return html_page(root, title, f'<h1>{escape(title)}</h1><p class="lead">{escape(detail or message)}</p>'
                                  f'<p>Try the search box above, or start again from <a href="{escape(root)}">the home page</a>.</p>')


class ErrorPages:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not wants_page(Headers(scope=scope).get("accept")):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if message["status"] < 400 or not headers.get("content-type", "").startswith(PLAIN):
                    await send(message)
                    return
                held.append(message)
                return
            if not held:  # an answer that is not rewritten goes through as it comes
                await send(message)
                return
            held.append(message)
            if message.get("more_body"):
                return
            start, parts = held[0], held[1:]
            text = b"".join(p.get("body", b"") for p in parts).decode("utf-8", "replace").strip()
            root = str(Request(scope).base_url)
            page = error_page(root, start["status"], text).encode("utf-8")
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["content-type"] = "text/html; charset=utf-8"
            headers["content-length"] = str(len(page))
            await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else page})

        await self.app(scope, receive, hold)
