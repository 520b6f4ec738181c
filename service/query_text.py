"""What a SPARQL request is, read off its tokens before any engine sees it.

The endpoint must know a query's form to negotiate a result format, refuse updates with a clear
message, and refuse `SERVICE` calls to endpoints that are not allow-listed *before* the engine
(which would open the connection) runs. Comments, strings and IRIs are skipped, so a keyword inside
them never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<name>[A-Za-z_][\w.\-]*:[\w.\-%:]*|:[\w.\-%:]*)
    | (?P<word>[A-Za-z_]+)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)

# The prologue (BASE and PREFIX declarations, with spaces and comments between), read in one match:
# none of its tokens can be a keyword, and it is most of a typical query's text
_PROLOGUE = re.compile(
    r"""(?:\s+|\#[^\n\r]*|(?i:BASE)\s*<[^<>"{}|^`\\\x00-\x20]*>|(?i:PREFIX)\s*[^\s:<>#]*:\s*<[^<>"{}|^`\\\x00-\x20]*>)*""")

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class QueryText:
    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None when no query form was found
    update: str | None  # the update operation's keyword if the text is an update request
    services: tuple[str, ...]  # SERVICE endpoints, as IRIs; "?var" when the endpoint is a variable

    @property
    def returns_graph(self) -> bool:
        return self.form in {"CONSTRUCT", "DESCRIBE"}


def analyse(text: str) -> QueryText:
    """Read tokens up to the query form; on to the end only when the text names SERVICE somewhere,
    since only then can a later token matter (a prologue of prefixes is most of a typical query)."""
    may_call = "service" in text.lower()
    start = _PROLOGUE.match(text).end()
    tokens = (match for match in _TOKEN.finditer(text, start) if match.lastgroup != "comment")
    form = update = None
    services: list[str] = []
    for token in tokens:
        if token.lastgroup != "word":
            continue
        word = token.group().upper()
        if form is None and update is None:
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_WORDS:
                update = word
            if (form or update) and not may_call:
                break
        if word == "SERVICE":
            services.append(_endpoint(tokens))
    return QueryText(form, update, tuple(services))


def _endpoint(tokens) -> str:
    """The endpoint of a SERVICE whose keyword was just read: an IRI, else the token as written."""
    following = next(tokens, None)
    if following is not None and following.lastgroup == "word" and following.group().upper() == "SILENT":
        following = next(tokens, None)
    if following is None:
        return "?"
    return following.group()[1:-1] if following.lastgroup == "iri" else following.group()
