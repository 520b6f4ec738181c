"""Response helpers shared by every route: plain-text errors, negotiated bodies, `Vary: Accept`."""

from __future__ import annotations

from html import escape
from typing import Callable, Mapping, Sequence

from fastapi import Response

from ..formats import BY_TYPE, DOCUMENT_TYPES
from ..negotiation import NotAcceptable, choose

def content_type(media_type: str) -> str:
    """Every format of the registry is text in UTF-8, as is any other text/* type."""
    return f"{media_type}; charset=utf-8" if media_type in BY_TYPE or media_type.startswith("text/") else media_type


def negotiated(body: bytes, media_type: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, headers={"Content-Type": content_type(media_type), "Vary": "Accept", **(headers or {})})


# The RDF syntaxes a document made with rdflib offers, and rdflib's name for each.
RDFLIB_FORMATS = {media_type: BY_TYPE[media_type].rdflib for media_type in DOCUMENT_TYPES if BY_TYPE[media_type].rdflib}


def format_links(href: Callable[[str], str], media_types: Sequence[str] = tuple(RDFLIB_FORMATS)) -> str:
    """Links to the other forms of a document, each by its format's label; `href(suffix)` is its URL."""
    return " · ".join(f'<a href="{escape(href(BY_TYPE[t].suffix))}">{BY_TYPE[t].label}</a>' for t in media_types)


def serialized(graph, media_type: str) -> Response:
    """An rdflib graph in the negotiated RDF syntax."""
    return negotiated(graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8"), media_type)


def alternates(document: str, types, query: str = "") -> list[str]:
    """`Link` header values (RFC 8288) for the other forms of `document`, one per suffix and type."""
    return [f'<{document}.{suffix}{query}>; rel="alternate"; type="{media}"' for suffix, media in types.items()]


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A clear error for people and scripts alike: status, one line of text, never a stack trace."""
    return Response(message.rstrip() + "\n", status_code=status, media_type="text/plain; charset=utf-8",
                    headers={"Vary": "Accept", **(headers or {})})


def not_acceptable(problem: NotAcceptable) -> Response:
    listing = "\n".join(f"  {offer}" for offer in problem.offers)
    return error(406, f"Not Acceptable: {problem}. Available here:\n{listing}")


def document_type(request, name: str, suffix: str | None, suffixes: Mapping[str, str],
                  offers: Sequence[str]) -> str | Response:
    """The media type to answer a document (`/name` or `/name.suffix`) in, or the 404 or 406 to send:
    a suffix names its type outright, otherwise `format=` or the Accept header choose."""
    if suffix is not None and suffix not in suffixes:
        return error(404, f"Not Found: {name} has no .{suffix} form; try {', '.join('.' + s for s in suffixes)}.")
    formats = [suffixes[suffix]] if suffix else request.query_params.getlist("format")
    try:
        return choose(request.headers.get("accept"), offers, formats)
    except NotAcceptable as problem:
        return not_acceptable(problem)
