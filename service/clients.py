"""Who is asking: the address a request comes from, so the query pool can give each client a share.

The client is the connection's peer address. Behind a proxy every request comes from the proxy,
and its `Forwarded` (RFC 7239) or `X-Forwarded-For` header names the client; the header is believed
only from an address in `CONFLICT_LD_TRUSTED_PROXIES`, since anyone else could write it to claim a
fresh share. The chain is read from the right, past the trusted proxies, to the first address that
is not one: what a client writes to the left of its own address is never believed. A small ASGI
middleware puts the address in a context variable, which the pool reads, so no route passes it on.
"""

from __future__ import annotations

import ipaddress
import re
from contextvars import ContextVar
from typing import Iterable

CLIENT: ContextVar[str | None] = ContextVar("client", default=None)
_FOR = re.compile(r'(?i)(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)')


def _address(text: str) -> str:
    """An address as one form (`::ffff:10.0.0.1` is `10.0.0.1`, ports and brackets dropped); a
    value that is no address (`unknown`, an obfuscated `_name`) is kept as it was written."""
    text = text.strip().strip('"')
    if text.startswith("["):  # "[2001:db8::1]:4711"
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # "192.0.2.1:4711"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def forwarded_chain(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The addresses a request passed through, as its proxies recorded them, client first:
    from `Forwarded` when present, else from `X-Forwarded-For`."""
    forwarded, x_forwarded = [], []
    for name, value in headers:
        name = name.lower()
        if name == b"forwarded":
            for element in value.decode("latin-1").split(","):
                match = _FOR.search(element)
                forwarded.append(_address(match.group(1)) if match else "unknown")
        elif name == b"x-forwarded-for":
            x_forwarded += [_address(part) for part in value.decode("latin-1").split(",") if part.strip()]
    return forwarded or x_forwarded


class Proxies:
    """The addresses and networks whose forwarding headers are believed."""

    def __init__(self, trusted: Iterable[str]):
        self.networks = [ipaddress.ip_network(entry, strict=False) for entry in trusted]

    def __contains__(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """The client a request is from: its peer, or, from a trusted proxy, the nearest address
        in the forwarding chain that is not a trusted proxy."""
        if peer is None:
            return None
        peer = _address(peer)
        if not self.networks or peer not in self:
            return peer
        chain = forwarded_chain(headers)
        for address in reversed(chain):
            if address not in self:
                return address
        return chain[0] if chain else peer


class ClientIdentity:
    """ASGI middleware: each HTTP request runs with `CLIENT` set to the address it comes from."""

    def __init__(self, app, trusted: Iterable[str] = ()):
        self.app, self.proxies = app, Proxies(trusted)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        peer = scope.get("client")
        token = CLIENT.set(self.proxies.client(peer[0] if peer else None, scope.get("headers", ())))
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)
