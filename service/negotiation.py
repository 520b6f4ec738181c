"""Content negotiation (RFC 9110 §12.5.1), done once for every route.

`choose` ranks the media types a route can produce against the client's Accept header: the most
specific matching media range sets an offer's quality (`text/html;level=1` over `text/html` over
`text/*` over `*/*`), `q=0` excludes, equal qualities go to the route's own order of preference.
A `format` parameter (`?format=ttl`) or a file suffix (`/x.ttl`) overrides the header for people
typing URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

from .formats import BIBLIOGRAPHY, DOCUMENT_TYPES, names, suffixes

# Short names accepted by ?format= and as file suffixes (formats.py). Some name a kind of answer
# whose media type depends on the query form (`xml`: SPARQL results for SELECT, RDF/XML for
# CONSTRUCT), so each maps to candidates tried in order against what the route offers.
FORMAT_ALIASES: Mapping[str, tuple[str, ...]] = names()

# File suffixes of documents (`/id/place/kidal.ttl`, `/ontology.rdf`) and the types they name.
SUFFIX_TYPES: Mapping[str, str] = suffixes(DOCUMENT_TYPES)

# Bibliographic records, offered by the works cited (and the profile) and by `/sources` only.
BIBLIOGRAPHY_TYPES: Mapping[str, str] = suffixes(BIBLIOGRAPHY)


def suffix_of(media_type: str) -> str:
    return next(suffix for suffix, media in {**SUFFIX_TYPES, **BIBLIOGRAPHY_TYPES}.items() if media == media_type)


def split_suffix(path: str, suffixes: Mapping[str, str]) -> tuple[str, str | None]:
    """`path` without the longest of `suffixes` it ends with (`kidal.ttl`, `x.csl.json`), and that suffix."""
    for suffix in sorted(suffixes, key=len, reverse=True):
        stem = path.removesuffix("." + suffix)
        if stem != path and stem and not stem.endswith("/"):
            return stem, suffix
    return path, None


class NotAcceptable(Exception):
    """No offered type is acceptable; carries the offers so the response can list them."""

    def __init__(self, offers: Sequence[str], reason: str):
        self.offers = list(offers)
        super().__init__(reason)


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: Mapping[str, str] = field(default_factory=dict)
    q: float = 1.0

    def specificity(self, offer: "MediaRange") -> int:
        """How precisely this range names `offer`: -1 no match, 0 */*, 1 type/*, 2 type/subtype, 3 with parameters."""
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != offer.type:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != offer.subtype:
            return -1
        # Only parameters the offer itself declares can exclude it; others (charset, a JSON-LD
        # profile the representation does not name) are preferences we cannot honour more exactly.
        shared = {k: v for k, v in self.params.items() if k in offer.params}
        if not shared:
            return 2
        return 3 if all(offer.params[k] == v for k, v in shared.items()) else -1


QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")  # RFC 9110 §12.4.2, in ASCII digits


def parse_media_type(text: str) -> MediaRange | None:
    """One media range from an Accept member or a media type; None if it is malformed."""
    main, *parameters = [part.strip() for part in text.split(";")]
    if main.count("/") != 1:
        return None
    kind, subtype = (s.strip().lower() for s in main.split("/"))
    if not kind or not subtype or (kind == "*" and subtype != "*"):
        return None
    params: dict[str, str] = {}
    q = 1.0
    for parameter in parameters:
        if "=" not in parameter:
            continue
        name, value = (s.strip() for s in parameter.split("=", 1))
        name, value = name.lower(), value.strip('"')
        if name == "q":
            if QVALUE.fullmatch(value) is None:
                return None
            q = float(value)
        else:
            params[name] = value
    return MediaRange(kind, subtype, params, q)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent, blank or unusable header accepts anything."""
    ranges = [parse_media_type(member) for member in (header or "").split(",") if member.strip()]
    valid = [r for r in ranges if r is not None]
    # A header with nothing usable in it is ignored, as RFC 9110 allows, rather than refusing everything.
    return valid or [MediaRange("*", "*")]


def quality(ranges: Sequence[MediaRange], offer: str) -> float:
    """The quality the client gives `offer`: that of the most specific range matching it (0 if none)."""
    parsed = parse_media_type(offer)
    best, best_specificity = 0.0, -1
    for media_range in ranges:
        specificity = media_range.specificity(parsed)
        if specificity > best_specificity:
            best, best_specificity = media_range.q, specificity
    return best


# Rankings are kept for Accept headers up to this many characters; longer ones are ranked afresh,
# so the cache (1024 entries) cannot grow with what clients send.
CACHED_ACCEPT = 1024


def choose(accept: str | None, offers: Sequence[str], requested_format: str | Sequence[str] | None = None) -> str:
    """The offer to send, or `NotAcceptable`. `offers` are in the route's order of preference.

    `requested_format` (one value or several, as clients repeat `format=`; each may be a short
    name, a media type or a comma-separated list of them) overrides the Accept header.
    """
    values = [requested_format] if isinstance(requested_format, str) else list(requested_format or [])
    names = [name.strip().lower() for value in values for name in value.split(",") if name.strip()]
    if names:
        for name in names:
            for candidate in FORMAT_ALIASES.get(name, (name,)):
                if candidate in offers:
                    return candidate
        raise NotAcceptable(offers, f"format {', '.join(names)!r} is not available here")
    ranked = _best if accept is None or len(accept) <= CACHED_ACCEPT else _best.__wrapped__
    best_q, best = ranked(accept, tuple(offers))
    if best_q <= 0:
        raise NotAcceptable(offers, f"none of the available types is acceptable to {accept!r}")
    return best


@lru_cache(maxsize=1024)
def _best(accept: str | None, offers: tuple[str, ...]) -> tuple[float, str]:
    """The best offer and its quality; kept, since clients send the same few headers again and again."""
    ranges = parse_accept(accept)
    best_q, _, best = max((quality(ranges, offer), -index, offer) for index, offer in enumerate(offers))
    return best_q, best
