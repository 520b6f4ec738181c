"""What a SPARQL request is, read off its tokens before any engine sees it.

The endpoint must know a query's form to negotiate a result format, refuse updates with a clear
message, refuse `SERVICE` calls to endpoints that are not allow-listed *before* the engine (which
would open the connection) runs, and know whether the query names its own dataset (`FROM`,
`FROM NAMED`). The text is read with SPARQL 1.1's lexical grammar (§19.8): a keyword inside a
comment, a string or an IRI never counts, and a prefixed name such as `ex:a\\'` (an escaped quote,
PN_LOCAL_ESC) or `:a\\#b` never opens a string or a comment.

Real parsers read some texts otherwise than that grammar's longest-match tokens, so each such
point is read every way a parser may read it, and what any reading finds counts:

- Code-point escapes (`\\u0049`): SPARQL 1.1 replaces them in the whole text before parsing
  (§19.2; rdflib does), Oxigraph only inside strings and IRIs. Both readings are made.
- Keywords: parsers derived from the grammar (Oxigraph, pyparsing) take a keyword where the grammar
  expects one, with no word boundary after it: Oxigraph reads `SERVICEex:a {…}` as SERVICE `ex:a`.
  A name holding `SERVICE` is therefore a call when an endpoint and `{` follow it.
- `<` after an operand inside an expression is less-than (`FILTER(?a<'>')`), elsewhere the start
  of an IRI, and `<<` may be one token (SPARQL 1.2, Oxigraph). Where both readings of a `<` are
  possible and they differ beyond the IRI's `>`, the text is refused.

A text that cannot be read this way is reported `unreadable`, to be refused, never passed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
PROLOGUE_WORDS = {"BASE", "PREFIX", "VERSION"}

# SPARQL 1.1 Query §19.8 terminals. Quantifiers are possessive, as a grammar-derived parser's are,
# which also keeps every match linear in the text's length.
_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                  "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"  # PERCENT | PN_LOCAL_ESC
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}]++|\\.++(?=[{_PN_CHARS}]))*+"  # never ends with '.'
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:[{_PN_CHARS}:]++|{_PLX}|\\.++(?=[{_PN_CHARS}:]|{_PLX}))*+")
_BLANK_NODE_LABEL = f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}]++|\\.++(?=[{_PN_CHARS}]))*+"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+"
_ECHAR = r"""\\[tbnrf\\"']"""
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_NUMBER = r"[0-9]++\.[0-9]*+[eE][+-]?[0-9]++|\.?[0-9]++[eE][+-]?[0-9]++|[0-9]*+\.[0-9]++|[0-9]++"
_SKIP = r"(?:[ \t\r\n]++|\#[^\r\n]*+)*+"  # WS (space, tab, CR, LF only) and comments
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE, _FROM = re.compile("SERVICE", re.IGNORECASE), re.compile("FROM", re.IGNORECASE)
_SILENT, _NAMED = re.compile("SILENT", re.IGNORECASE), re.compile("NAMED", re.IGNORECASE)

_OPERAND_ENDS = {"var", "string", "langtag", "number", "iri", "pname", "bnode"}  # token kinds


class _Grammar:
    """The token and prologue expressions, with code-point escapes read inside strings and IRIs
    (`in_terms`, the text as written) or not at all (the text after they were replaced)."""

    def __init__(self, in_terms: bool):
        uchar = f"|{_UCHAR}" if in_terms else ""
        iriref = f"""<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]++{uchar})*+>"""
        strings = "|".join((
            f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}{uchar}))*+'''",
            f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}{uchar}))*+"""',
            f"'(?:[^'\\\\\\n\\r]++|{_ECHAR}{uchar})*+'",
            f'"(?:[^"\\\\\\n\\r]++|{_ECHAR}{uchar})*+"',
        ))
        self.in_terms = in_terms
        self.skip = re.compile(_SKIP)
        self.token = re.compile(
            f"{_SKIP}(?:(?P<string>{strings})|(?P<iri>{iriref})|(?P<var>[?$]{_VARNAME})"
            f"|(?P<bnode>{_BLANK_NODE_LABEL})|(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
            f"|(?P<number>{_NUMBER})|(?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)"
            f"|(?P<word>[A-Za-z][A-Za-z0-9_]*+)|(?P<punct>[{{}}()\\[\\];,.=!<>&|+\\-*/^?~])|(?P<end>\\Z))")
        # The prologue (BASE and PREFIX declarations, spaces and comments), read in one match: none
        # of its tokens can be a keyword, and it is most of a typical query's text. A comment inside
        # a declaration ends the match early; the tokens after it are read one by one.
        self.prologue = re.compile(
            f"(?:(?i:PREFIX)[ \\t\\r\\n]*+(?:{_PN_PREFIX})?:[ \\t\\r\\n]*+{iriref}|[ \\t\\r\\n]++|\\#[^\\r\\n]*+"
            f"|(?i:BASE)[ \\t\\r\\n]*+{iriref})*+")

    def iri(self, token: str) -> str:
        """An IRIREF's IRI, its code-point escapes replaced."""
        inner = token[1:-1]
        return _CODEPOINT.sub(_character, inner) if self.in_terms and "\\" in inner else inner


_AS_WRITTEN = _Grammar(in_terms=True)  # how Oxigraph reads a query
_UNESCAPED = _Grammar(in_terms=False)  # SPARQL 1.1 §19.2, for the text with its escapes replaced


@dataclass(frozen=True)
class QueryText:
    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None when no query form was found
    update: str | None  # the update operation's keyword if the text is an update request
    services: tuple[str, ...]  # SERVICE endpoints: IRIs; "?name" for a variable; a prefixed name as written
    from_graphs: tuple[str, ...] = ()  # FROM: IRIs, or prefixed names as written
    from_named_graphs: tuple[str, ...] = ()  # FROM NAMED, likewise
    unreadable: str | None = None  # why the text cannot be read safely (then it must be refused)

    @property
    def returns_graph(self) -> bool:
        return self.form in {"CONSTRUCT", "DESCRIBE"}

    @property
    def has_dataset(self) -> bool:
        """The query names its own dataset, which replaces the service's default one."""
        return bool(self.from_graphs or self.from_named_graphs)


class _Unreadable(Exception):
    def __init__(self, text: str, position: int, reason: str):
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        super().__init__(f"line {line}, column {column}: {reason}")


@dataclass
class _Reading:
    form: str | None = None
    update: str | None = None
    services: list[str] = field(default_factory=list)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


def analyse(text: str) -> QueryText:
    """Read the text as written and, when it holds code-point escapes, with them replaced first;
    join what the readings find. A reading that fails, or readings that disagree on the form or
    the dataset, make the text unreadable."""
    attempts: list[_Reading | str] = [_attempt(text, _AS_WRITTEN)]
    if _CODEPOINT.search(text):
        try:
            unescaped = _attempt(_CODEPOINT.sub(_character, text), _UNESCAPED)
        except ValueError as problem:
            unescaped = str(problem)
        attempts.append(unescaped if isinstance(unescaped, _Reading) else
                        f"with its code-point escapes replaced (SPARQL 1.1 §19.2), {unescaped}")
    readings = [a for a in attempts if isinstance(a, _Reading)]
    failures = [a for a in attempts if isinstance(a, str)]
    unreadable = failures[0] if failures else None
    shapes = {(r.form, tuple(r.from_graphs), tuple(r.from_named_graphs)) for r in readings}
    if len(shapes) > 1:
        unreadable = ("its code-point escapes (\\u…) change its meaning: replaced before parsing "
                      "(SPARQL 1.1) and read only in strings and IRIs, it reads differently")
    form, from_graphs, from_named_graphs = next(iter(shapes), (None, (), ()))
    return QueryText(form, next((r.update for r in readings if r.update), None),
                     tuple(dict.fromkeys(s for r in readings for s in r.services)), from_graphs,
                     from_named_graphs, unreadable)


def _character(match: re.Match) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"{match.group()} is not a Unicode character")
    return chr(code)


def _attempt(text: str, grammar: _Grammar) -> _Reading | str:
    try:
        return _read(text, grammar)
    except (_Unreadable, ValueError) as problem:  # ValueError: an IRI's escape names no character
        return str(problem)


def _read(text: str, grammar: _Grammar) -> _Reading:
    """One reading, token by token, tracking what each `(` and `{` opens (an expression, a group,
    a subquery, a VALUES block, a collection or path). It stops once the form is known and no later
    token can matter: nothing can call a service unless "SERVICE" appears in the text."""
    position = grammar.prologue.match(text).end()
    rest = text[position:].upper()
    may_call = "SERVICE" in rest
    may_name_dataset = "FROM" in rest
    reading = _Reading()
    frames = ["query"]  # innermost last: query, group, subquery, values, expr, data
    values_next = False  # VALUES was read: its variables and block follow
    decided = False  # the first keyword after the prologue was read
    dataset_open = True  # FROM may still come: at the top level, before the WHERE group
    kind = value = None
    previous: tuple[str | None, str | None] = (None, None)
    end = 0
    next_token = grammar.token.match
    while True:
        match = next_token(text, position)
        if match is None:
            at = grammar.skip.match(text, position).end()
            raise _Unreadable(text, at, _unexpected(text[at], grammar))
        before, previous = previous, (kind, value)
        kind = match.lastgroup
        if kind == "end":
            return reading
        previous_end = end
        start, end = match.span(kind)
        position, value = end, text[start:end]
        if kind == "punct":
            if value == "{":
                if frames == ["query"] and not (previous[0] == "word" and previous[1].upper() == "CONSTRUCT"):
                    dataset_open = False  # the WHERE group (a CONSTRUCT template is not)
                frames.append("values" if values_next else "group")
                values_next = False
            elif value == "}":
                while len(frames) > 1 and frames.pop() not in ("group", "subquery", "values"):
                    pass
            elif value == "(":
                frames.append(_opened_by_parenthesis(frames[-1], values_next, previous, before))
            elif value == ")" and frames[-1] in ("expr", "data"):
                frames.pop()
        elif kind == "word":
            word = value.upper()
            if not decided and word not in PROLOGUE_WORDS:
                decided = True
                reading.form = next((f for f in QUERY_FORMS if word.startswith(f)), None)
                reading.update = None if reading.form else next((u for u in UPDATE_WORDS if word.startswith(u)), None)
            if previous == ("punct", "{") and frames[-1] == "group" and word.startswith("SELECT"):
                frames[-1] = "subquery"
            if word == "VALUES":
                values_next = True
            if service := _SERVICE.search(value):
                _note_service(text, grammar, start + service.end(), reading, exact=word == "SERVICE")
            if reading.form and frames == ["query"] and dataset_open and (dataset := _FROM.search(value)):
                if dataset.start() == 0 or word[:dataset.start()] in QUERY_FORMS:  # FROM, ASKFROM
                    _note_dataset(text, grammar, start + dataset.end(), reading)
        elif kind == "pname":
            prefix = value[:value.index(":")]
            if service := _SERVICE.search(prefix):
                _note_service(text, grammar, start + service.end(), reading, exact=False)
            if (reading.form not in (None, "DESCRIBE") and frames == ["query"] and dataset_open
                    and _FROM.match(prefix)):  # DESCRIBE's targets take a name whole
                _note_dataset(text, grammar, start + len("FROM"), reading)
        elif kind == "iri":
            doubled = previous == ("punct", "<") and previous_end == start  # `<<`: SPARQL 1.2's token
            if doubled or (frames[-1] == "expr" and _ends_operand(*previous)):
                _check_one_reading(text, grammar, start, position)
        if decided and not may_call and (reading.update or not may_name_dataset or not dataset_open):
            return reading


def _ends_operand(kind: str | None, value: str | None) -> bool:
    if kind == "word":
        return value.upper().endswith(("TRUE", "FALSE"))
    return kind in _OPERAND_ENDS or (kind == "punct" and value in ")]")


def _opened_by_parenthesis(frame: str, values_next: bool, previous, before) -> str:
    """What a `(` opens: an expression, or data (a collection, a property path, VALUES).

    In a group, an expression follows FILTER, BIND or a function's name (a keyword, or an IRI after
    FILTER); any other `(` there opens data. At a query's top level (the projection, GROUP BY,
    HAVING, ORDER BY) every `(` but VALUES' opens an expression."""
    if values_next or frame in ("values", "data"):
        return "data"
    if frame != "group":
        return "expr"
    kind, value = previous
    if kind == "word":
        return "data" if value == "a" or value.upper() in ("TRUE", "FALSE", "VALUES") else "expr"
    if kind in ("iri", "pname"):
        after_filter = before[0] == "word" and before[1].upper().endswith("FILTER")
        glued_filter = kind == "pname" and "FILTER" in value[:value.index(":")].upper()
        return "expr" if after_filter or glued_filter else "data"
    return "data"


def _check_one_reading(text: str, grammar: _Grammar, start: int, end: int) -> None:
    """Refuse the IRI `text[start:end]` if reading its `<` as less-than (or `<<`) would read the text
    after its `>` differently: its inside, read as code, opens a comment or a string that runs past
    the `>`, or leaves a parenthesis open or closed. Inside it, no `{` can follow a SERVICE."""
    position, depth, close = start + 1, 0, end - 1
    while position < close:
        position = grammar.skip.match(text, position).end()
        if position > close:
            break  # a comment
        match = grammar.token.match(text, position)
        if match is None:
            return  # as code it cannot be read: only the IRI reading parses
        kind = match.lastgroup
        if match.end() > close:
            break
        position = match.end()
        if kind == "punct" and match.group(kind) in "()":
            depth += 1 if match.group(kind) == "(" else -1
            if depth < 0:
                break
    else:
        if depth == 0:
            return
    raise _Unreadable(text, start, "this '<' reads both as less-than (or '<<') and as the start of the IRI "
                                   f"{text[start:end]}, and the two readings differ after it; put a space after "
                                   "'<' when it compares")


def _next_token(text: str, grammar: _Grammar, position: int) -> re.Match | None:
    match = grammar.token.match(text, position)
    return None if match is None or match.lastgroup == "end" else match


def _begins_with(token: re.Match | None, keyword: re.Pattern) -> bool:
    """The token is a name that begins with the keyword (a parser needs no word boundary after it)."""
    if token is None or token.lastgroup not in ("word", "pname"):
        return False
    return keyword.match(token.group(token.lastgroup)) is not None


def _note_service(text: str, grammar: _Grammar, at: int, reading: _Reading, exact: bool) -> None:
    """Record the endpoint of the SERVICE whose keyword ends at `at`. A keyword glued to more
    letters (`SERVICEex:a`) is a call only if its endpoint and `{` follow; the word SERVICE always
    counts, with "?" when no endpoint can be read."""
    token = _next_token(text, grammar, at)
    if _begins_with(token, _SILENT):
        token = _next_token(text, grammar, token.start(token.lastgroup) + len("SILENT"))
    endpoint = "?"
    if token is not None:
        kind, value = token.lastgroup, token.group(token.lastgroup)
        if kind == "iri":
            endpoint = grammar.iri(value)
        elif kind == "var":
            endpoint = "?" + value[1:]
        elif kind == "pname":
            endpoint = value
    if not exact:
        following = None if token is None else _next_token(text, grammar, token.end())
        if endpoint == "?" or following is None or following.group(following.lastgroup) != "{":
            return
    reading.services.append(endpoint)


def _note_dataset(text: str, grammar: _Grammar, at: int, reading: _Reading) -> None:
    """Record the graph of the FROM (or FROM NAMED) clause whose keyword FROM ends at `at`."""
    token = _next_token(text, grammar, at)
    named = _begins_with(token, _NAMED)
    if named:
        token = _next_token(text, grammar, token.start(token.lastgroup) + len("NAMED"))
    graph = "?"
    if token is not None and token.lastgroup == "iri":
        graph = grammar.iri(token.group("iri"))
    elif token is not None and token.lastgroup == "pname":
        graph = token.group("pname")
    (reading.from_named_graphs if named else reading.from_graphs).append(graph)


def _unexpected(character: str, grammar: _Grammar) -> str:
    if character in "'\"":
        return "a string that does not end (or holds an escape SPARQL does not have)"
    if character == "\\" and grammar.in_terms:
        return "a backslash outside a string, an IRI or a prefixed name's escape"
    return f"unexpected character {character!r}"
