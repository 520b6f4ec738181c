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
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in {"comment"}]
    form = update = None
    services: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        if kind != "word":
            continue
        word = value.upper()
        if form is None and update is None:
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_WORDS:
                update = word
        if word == "SERVICE":
            following = [t for t in tokens[index + 1:index + 3]]
            if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
                following = following[1:]
            endpoint = following[0] if following else ("other", "")
            services.append(endpoint[1][1:-1] if endpoint[0] == "iri" else endpoint[1] or "?")
    return QueryText(form, update, tuple(services))
