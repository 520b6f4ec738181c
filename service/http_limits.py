"""What one request may send before any route reads it: URL, parameters, header sizes and the time
its head may take.

Two layers, as each bound has to hold where the bytes are. `BoundedHttpProtocol` is uvicorn's
httptools protocol with the bounds uvicorn lacks: a request target longer than the path and query
limits together is a `414`, a header field or a header block too large a `431`, each refused as soon
as the bytes arrive, so a client cannot make the server hold more; a request head that is not
complete within `header_timeout` seconds (slowloris) is a `408`, and a connection that sends nothing
is closed after as long. `RequestLimits`, an ASGI middleware, then checks what the routes see: a
path or a query string too long (`414`), too many parameters (`400`).
"""

from __future__ import annotations

import logging
from asyncio import TimerHandle

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .config import Limits
from .logs import event, logger
from .views.responses import error

_LOG = logger("limits")
LINGER = 2.0  # seconds a refused client may go on sending (discarded) so that it reads the refusal
REFUSED = "conflict_ld.refused_by_limits"  # set in a request's scope refused here: the access log leaves it out


def parameter_count(query_string: bytes) -> int:
    """Parameters as a query string or form is parsed: `&`-separated, empty pieces skipped."""
    return sum(1 for piece in query_string.split(b"&") if piece)


class RequestLimits:
    """Refuses a URL whose path or query string is too long (414) or that has too many parameters (400)."""

    def __init__(self, app, limits: Limits):
        self.app, self.limits = app, limits

    async def __call__(self, scope, receive, send):
        refusal = self._refusal(scope) if scope["type"] == "http" else None
        if refusal is None:
            return await self.app(scope, receive, send)
        status, message = refusal
        scope[REFUSED] = True  # logged here, as the protocol's refusals are: one line per request
        client = scope.get("client")
        event(_LOG, "refused", status=status, reason=message, client=client[0] if client else None)
        await error(status, message)(scope, receive, send)

    def _refusal(self, scope) -> tuple[int, str] | None:
        limits = self.limits
        path = scope.get("raw_path") or scope["path"].encode("utf-8")
        if len(path) > limits.max_path_length:
            return 414, f"URI Too Long: the path exceeds {limits.max_path_length} characters."
        query = scope.get("query_string", b"")
        if len(query) > limits.max_query_length:
            return 414, (f"URI Too Long: the query string exceeds {limits.max_query_length} characters; "
                         "/sparql and /reconcile take longer requests by POST.")
        if parameter_count(query) > limits.max_parameters:
            return 400, f"Bad Request: more than {limits.max_parameters} parameters."
        return None


class _Refused(Exception):
    """Raised from a parser callback: stops parsing; `data_received` answers with the status."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with bounded request heads (see the module's docstring)."""

    limits: Limits  # the served limits: the class uvicorn is given comes from `http_protocol`

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = self.limits
        self._max_target = limits.max_path_length + 1 + limits.max_query_length
        # the most a request head can take on the wire: its line, header fields and line ends
        self._max_head = self._max_target + limits.max_headers + 1024
        self._head_timer: TimerHandle | None = None
        self._reading_head = False  # a request has begun and its headers are not complete
        self._head_bytes = 0
        self._header_bytes = 0
        self._refused = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_head_timer()  # a connection that never sends a request is closed as well

    def connection_lost(self, exc) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """uvicorn's, but a refusal raised by a callback is answered with its own status."""
        if self._refused:
            return  # what a refused client still sends is dropped
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as problem:
            if isinstance(problem.__context__, _Refused):
                return self._refuse(problem.__context__.status, str(problem.__context__))
            self.logger.warning("Invalid HTTP request received.")
            return self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            return self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                return self.handle_websocket_upgrade()
            return self._unsupported_upgrade_warning()
        if self._reading_head:  # a field still arriving is held by the parser: bound it too
            self._head_bytes += len(data)
            if self._head_bytes > self._max_head:
                self._refuse(431, f"Request Header Fields Too Large: the request head exceeds {self._max_head} bytes.")

    # parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head, self._head_bytes, self._header_bytes = True, 0, 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self._max_target:
            raise _Refused(414, f"URI Too Long: the request target exceeds {self._max_target} characters.")

    def on_header(self, name: bytes, value: bytes) -> None:
        limits, size = self.limits, len(name) + len(value) + 4  # with ": " and the line end
        if size > limits.max_header_field:
            shown = name[:64].decode("latin-1")
            raise _Refused(431, f"Request Header Fields Too Large: the {shown!r} field exceeds "
                                f"{limits.max_header_field} bytes.")
        self._header_bytes += size
        if self._header_bytes > limits.max_headers:
            raise _Refused(431, "Request Header Fields Too Large: the header fields exceed "
                                f"{limits.max_headers} bytes.")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    # the head's deadline

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # a pipelined head is late: close once the answer in progress is sent
        elif self._reading_head:
            self._refuse(408, f"Request Timeout: the request line and headers must arrive within "
                              f"{self.limits.header_timeout:g} s.")
        else:
            self.transport.close()  # no request at all

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close, after letting the client finish sending (its bytes are dropped):
        a client still writing when the connection closes would get a reset instead of the answer."""
        self._refused = True
        self._cancel_head_timer()
        event(_LOG, "refused", level=logging.WARNING, status=status, reason=message,
              client=self.client[0] if self.client else None)
        body = (message + "\n").encode("utf-8")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: text/plain; charset=utf-8\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n", body]
        self.transport.write(b"".join(head))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)


def http_protocol(limits: Limits) -> type[BoundedHttpProtocol]:
    """The protocol class to give uvicorn (`http=`), bound to the served limits."""
    return type("BoundedHttpProtocol", (BoundedHttpProtocol,), {"limits": limits})
