"""An access line per request: method, path, status, bytes sent, time taken and client.

A plain ASGI middleware (no body buffering) wrapped around the whole app, so every answer is
logged, error pages and static files included; but not a request refused for its size, which the
limits logger records instead, as it does the refusals that never reach the app.
"""

from __future__ import annotations

import time

from .http_limits import REFUSED
from .logs import event, logger

_LOG = logger("access")


class AccessLog:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status, sent = 0, 0

        async def counting(message):
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            if not scope.get(REFUSED):
                client = scope.get("client")
                event(_LOG, "request", method=scope["method"],
                      path=scope.get("raw_path", b"").decode("latin-1")[:512], status=status or 500, bytes=sent,
                      ms=round((time.perf_counter() - started) * 1000, 2), client=client[0] if client else None)
