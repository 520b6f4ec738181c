import functools
import re

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyparsing import ParseResults
from rdflib import Variable
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from service.query_text import QueryText, analyse


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://ex/select#>\n# CONSTRUCT in a comment\nask { ?s ?p 'SELECT' }", "ASK"),
    ("BASE <http://ex/> PREFIX a: <x#> CONSTRUCT { ?s a:p ?o } WHERE { ?s a:p ?o }", "CONSTRUCT"),
    ("describe <http://ex/a>", "DESCRIBE"),
    ('SELECT ?x WHERE { ?x rdfs:label """has SERVICE and\nINSERT inside""" FILTER (?a < ?b) }', "SELECT"),
])
def test_query_form(text, form):
    result = analyse(text)
    assert result.form == form and result.update is None and result.services == ()


@pytest.mark.parametrize("text, keyword", [
    ("INSERT DATA { <a> <b> <c> }", "INSERT"),
    ("PREFIX x: <y#> DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <g>", "DROP"),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ("CREATE SILENT GRAPH <g>", "CREATE"),
    ("ADD DEFAULT TO <g>", "ADD"),
    ("MOVE <a> TO <b>", "MOVE"),
    ("COPY <a> TO DEFAULT", "COPY"),
])
def test_updates_are_recognised(text, keyword):
    assert analyse(text).update == keyword
    assert analyse(text).form is None


def test_service_endpoints_are_found_outside_strings_and_comments():
    text = """# SERVICE <http://commented.example/>
    SELECT * WHERE {
      ?s rdfs:label "SERVICE <http://quoted.example/>" .
      SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o }
      service ?endpoint { ?a ?b ?c }
      ?s ex:service ?x .
    }"""
    assert analyse(text).services == ("https://query.wikidata.org/sparql", "?endpoint")


def test_names_that_contain_keywords_are_not_keywords():
    assert analyse("SELECT ?insert WHERE { ?insert ex:delete ?load }").update is None


@pytest.mark.parametrize("text, form, update", [
    ("BASE <http://ex/select/>\n# INSERT, in a comment\nprefix delete: <http://ex/ask#>\nPREFIX : <x#> CONSTRUCT {} WHERE {}",
     "CONSTRUCT", None),
    ("PREFIX s: <http://ex/> PREFIX t:<http://ex/t#>#no space\nDROP ALL", None, "DROP"),
])
def test_the_prologue_is_read_past_whatever_its_iris_and_names_say(text, form, update):
    assert (analyse(text).form, analyse(text).update) == (form, update)


def test_a_prefix_named_service_calls_nothing_and_a_later_service_is_still_found():
    assert analyse("PREFIX service: <http://ex/> SELECT * { ?s service:p ?o }").services == ()
    assert analyse("PREFIX a: <http://ex/>\nSELECT * { SERVICE <http://b.example/sparql> { ?s a:p ?o } }").services == \
        ("http://b.example/sparql",)


# --- the SPARQL 1.1 lexical grammar, and where real parsers read otherwise ------------------------
#
# Two real parsers are the oracles: rdflib's (pyparsing; it replaces code-point escapes first, as
# SPARQL 1.1 §19.2 says) and the engine's own (Oxigraph, which reads `\u` escapes only inside strings
# and IRIs). `analyse` must find at least what either finds.

def rdflib_reading(text: str):
    """(form, SERVICE endpoints, FROM graphs, FROM NAMED graphs) as rdflib parses the text; form is
    "UPDATE" for an update request; None if rdflib rejects the text."""
    try:
        tree = parseQuery(text)
        form, dataset = tree[1].name.removesuffix("Query").upper(), tree[1].get("datasetClause") or []
    except Exception:  # noqa: BLE001 — any failure to parse as a query
        try:
            tree, form, dataset = parseUpdate(text), "UPDATE", []
        except Exception:  # noqa: BLE001 — nor as an update
            return None
    services: set[str] = set()

    def walk(node):
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                services.add(_written(node["term"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, ParseResults)):
            for value in node:
                walk(value)

    walk(tree)
    return (form, services, [_written(c["default"]) for c in dataset if "default" in c],
            [_written(c["named"]) for c in dataset if "named" in c])


def _written(term) -> str:
    """A term as `analyse` reports it: an IRI, "?name", or a prefixed name as written."""
    if isinstance(term, Variable):
        return "?" + term
    if isinstance(term, CompValue) and term.name == "pname":
        return ":".join(term[part] if part in term else "" for part in ("prefix", "localname"))
    return str(term)


SERVICE_CALLED = ("invalid authority", "service name is unbound")  # Oxigraph calling urn:…, or ?unbound


def oxigraph_reading(text: str):
    """("query", result kind or "service" if it called one, or None), ("update", None), or None when
    the engine does not parse the text. Run on a store holding one triple, `<urn:ex:s> <urn:ex:p>
    true`; only for texts whose IRIs are all `urn:`, so that a SERVICE call fails before any
    connection."""
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(*(pyoxigraph.NamedNode(f"urn:ex:{n}") for n in "sp"), pyoxigraph.Literal(True)))
    try:
        outcome = store.query(text)
        kind = {pyoxigraph.QuerySolutions: "SELECT", pyoxigraph.QueryBoolean: "ASK",
                pyoxigraph.QueryTriples: "GRAPH"}
        if kind[type(outcome)] != "ASK":
            list(outcome)  # solutions are computed as they are read
    except SyntaxError:
        try:
            store.update(text)
        except SyntaxError:
            return None
        except (OSError, RuntimeError):
            pass
        return ("update", None)
    except (OSError, RuntimeError) as problem:
        return ("query", "service" if any(s in str(problem) for s in SERVICE_CALLED) else None)
    return ("query", kind[type(outcome)])


AMBIGUOUS = "reads both as less-than"
ESCAPES_FIRST = "with its code-point escapes replaced"


# Hypothesis strategies: requests built from the SPARQL 1.1 grammar, every token kind, in the
# places the grammar allows them, with keywords in any case or with a letter as a \u escape.

@functools.cache
def keyword(word: str):
    """The keyword in any case; now and then with a letter as a code-point escape (SPARQL 1.1 reads
    the letter; Oxigraph does not)."""
    @st.composite
    def written(draw):
        text = draw(st.sampled_from([word, word.lower(), word.title(), word[0].lower() + word[1:]]))
        if draw(st.sampled_from([False] * 39 + [True])):
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + f"\\u{ord(text[at]):04X}" + text[at + 1:]
        return text
    return written()


SPACE = st.sampled_from([" ", " ", "\n", "\t ", "  ", " # SERVICE <urn:ex:c> { ?x ?y ?z } 'x\" FROM <urn:ex:f>\n",
                         "\n#'''\n", " # \\u0020 FROM\n"])
IRI_PATHS = ["a", "b/c", "d#e", "it's", "f(g)", "h?i=1", "SERVICE", "x#SERVICE", "%41", "\\u0041b", "p.q", "~r", "s'#t"]
IRI = st.sampled_from(IRI_PATHS).map(lambda path: f"<urn:ex:{path}>")
LOCAL_START = ["a", "1", ":", "\\'", "%20", "_", "\\#"]
LOCAL_REST = ["", "b", ".c", "\\#", "-d", ":e", "\\,", "\\'", "%7E", "\\)"]
PNAME = st.builds(lambda prefix, start, rest: f"{prefix}:{start}{rest}", st.sampled_from(["ex", "", "s1"]),
                  st.sampled_from(LOCAL_START), st.sampled_from(LOCAL_REST))
VAR = st.sampled_from(["?s", "?o", "$v", "?SERVICE", "?from", "?select1"])
# rdflib rejects (slowly) a SERVICE to a prefixed name whose prefix is declared; Oxigraph one that is not
RDFLIB_ENDPOINT = st.one_of(IRI, VAR, PNAME.map(lambda name: "u" + name))
OXIGRAPH_ENDPOINT = st.one_of(IRI, VAR, PNAME)
FRAGMENTS = ["a", "SERVICE <urn:ex:z> { ?a ?b ?c }", "#", "FROM <urn:ex:q>", "\\n", "\\\\", "\\u0041", " ", "é"]
STRING = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS + ['"', "\\'", "\\\""]), max_size=4).map(lambda f: "'" + "".join(f) + "'"),
    st.lists(st.sampled_from(FRAGMENTS + ["'", '\\"']), max_size=4).map(lambda f: '"' + "".join(f) + '"'),
    st.lists(st.sampled_from(FRAGMENTS + ["'a", "''b", '"', "\n"]), max_size=4).map(lambda f: f"'''{''.join(f)}'''"),
    st.lists(st.sampled_from(FRAGMENTS + ['"a', '""b', "'", "\n"]), max_size=4).map(lambda f: f'"""{"".join(f)}"""'),
)
SUFFIX = st.sampled_from(["@en", "@fr-BE", "^^<urn:ex:t>", "^^ex:t"])
LITERAL = st.one_of(STRING, st.builds(lambda s, suffix: s + suffix, STRING, SUFFIX),
                    st.sampled_from(["1", "-2", "3.5", ".5", "1e3", "true", "false"]))
TERM = st.one_of(IRI, PNAME, VAR)
OBJECT = st.one_of(TERM, LITERAL, st.just("( 1 ?o )"), st.just("[ ex:p ?o ]"))
PATH = st.one_of(TERM, st.just("a"), st.builds(lambda a, b: f"{a}/{b}", IRI, PNAME),
                 st.builds(lambda a, b: f"({a}|{b})*", PNAME, IRI), PNAME.map(lambda p: "^" + p))


@st.composite
def _expression(draw):
    operand = st.one_of(VAR, LITERAL, IRI, PNAME, st.just("STR(?s)"))
    left, right = draw(operand), draw(operand)
    operator = draw(st.sampled_from(["=", "!=", "<", ">", "<=", ">=", "&&"]))
    glued = draw(st.booleans())  # `?a<?b`: real parsers read less-than here
    return f"{left}{'' if glued else ' '}{operator}{'' if glued else ' '}{right}"


@st.composite
def _triples(draw):
    return f"{draw(st.one_of(TERM, st.just('[]')))} {draw(PATH)} {draw(OBJECT)}"


EXPRESSION, TRIPLES = _expression(), _triples()


ELEMENTS = ("triples", "triples", "filter", "bind", "service", "service", "in")  # in any group
NESTING = ("optional", "union", "minus", "graph", "values", "subquery", "not exists", "service")  # nest a group


@functools.cache
def group(depth: int, endpoint):
    """A group graph pattern `{ … }` nesting up to `depth` groups (a SERVICE's group may be empty)."""
    @st.composite
    def build(draw):
        inner = lambda: draw(group(depth - 1, endpoint)) if depth else "{ }"  # noqa: E731
        elements = []
        for element in draw(st.lists(st.sampled_from(ELEMENTS + (NESTING if depth else ())), max_size=3)):
            s = draw(SPACE)
            if element == "triples":
                elements.append(draw(TRIPLES) + s + ".")
            elif element == "filter":
                elements.append(f"{draw(keyword('FILTER'))}({draw(EXPRESSION)})")
            elif element == "bind":
                elements.append(f"{draw(keyword('BIND'))}({draw(EXPRESSION)}{s}{draw(keyword('AS'))} ?b)")
            elif element == "service":
                glued = draw(st.sampled_from([s, s, ""]))  # `SERVICEex:a`: Oxigraph reads SERVICE ex:a
                silent = draw(keyword("SILENT")) + glued if draw(st.booleans()) else ""
                elements.append(f"{draw(keyword('SERVICE'))}{glued}{silent}{draw(endpoint)}{draw(SPACE)}{inner()}")
            elif element == "in":
                elements.append(f"{draw(keyword('FILTER'))}({draw(VAR)} {draw(keyword('IN'))} ({draw(IRI)}, "
                                f"{draw(LITERAL)}))")
            elif element == "optional":
                elements.append(f"{draw(keyword('OPTIONAL'))}{s}{inner()}")
            elif element == "union":
                elements.append(f"{inner()}{s}{draw(keyword('UNION'))}{s}{inner()}")
            elif element == "minus":
                elements.append(f"{draw(keyword('MINUS'))} {inner()}")
            elif element == "graph":
                elements.append(f"{draw(keyword('GRAPH'))} {draw(st.one_of(VAR, IRI))}{s}{inner()}")
            elif element == "values":
                row = f"({draw(st.one_of(IRI, LITERAL))} {draw(st.one_of(IRI, st.just('UNDEF'), PNAME))})"
                elements.append(f"{draw(keyword('VALUES'))} (?a ?b){s}{{ {row} }}")
            elif element == "subquery":
                elements.append(f"{{ {draw(keyword('SELECT'))} ?s{s}{draw(keyword('WHERE'))} {inner()}"
                                f"{s}{draw(keyword('LIMIT'))} 1 }}")
            else:
                elements.append(f"{draw(keyword('FILTER'))} {draw(keyword('NOT'))} {draw(keyword('EXISTS'))} {inner()}")
        return "{" + draw(SPACE) + draw(SPACE).join(elements) + draw(SPACE) + "}"
    return build()


@st.composite
def dataset_clauses(draw):
    clauses = []
    for _ in range(draw(st.integers(0, 3))):
        named = draw(keyword("NAMED")) + " " if draw(st.booleans()) else ""
        clauses.append(f"{draw(keyword('FROM'))} {named}{draw(st.one_of(IRI, PNAME))}")
    return draw(SPACE).join(clauses)


@st.composite
def query(draw, endpoint):
    s = lambda: draw(SPACE)  # noqa: E731
    form = draw(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "CONSTRUCT WHERE", "DESCRIBE"]))
    where = draw(group(1, endpoint))
    if form == "SELECT":
        projection = draw(st.sampled_from(["*", "?s ?o", f"(COUNT(*) {draw(keyword('AS'))} ?n)",
                                           f"?s ({draw(EXPRESSION)} {draw(keyword('AS'))} ?z)"]))
        head = f"{draw(keyword('SELECT'))}{s()}{draw(st.sampled_from(['', 'DISTINCT ', 'REDUCED ']))}{projection}"
        tail = draw(st.sampled_from(["", " LIMIT 5", " ORDER BY DESC(?s) ?o", " GROUP BY ?s HAVING (COUNT(*) > 1)",
                                     f" VALUES ?s {{ {draw(IRI)} }}", f" ORDER BY ?s {draw(PNAME)}(?o)"]))
        body = f"{s()}{draw(keyword('WHERE'))}{s()}{where}{tail}"
    elif form == "ASK":
        head, body = draw(keyword("ASK")), f"{s()}{where}"
    elif form == "CONSTRUCT":
        head = f"{draw(keyword('CONSTRUCT'))}{s()}{{ {draw(TRIPLES)} }}"
        body = f"{s()}{draw(keyword('WHERE'))}{s()}{where}"
    elif form == "CONSTRUCT WHERE":
        head = draw(keyword("CONSTRUCT"))
        body = f"{s()}{draw(keyword('WHERE'))}{s()}{{ {draw(TRIPLES)} }}"
    else:
        targets = draw(st.one_of(st.just("*"), IRI, st.builds(lambda v, p: f"{v} {p}", VAR, PNAME)))
        head = f"{draw(keyword('DESCRIBE'))} {targets}"
        body = f"{s()}{draw(keyword('WHERE'))}{s()}{where}" if draw(st.booleans()) else ""
    return f"{head}{s()}{draw(dataset_clauses())}{body}"


@st.composite
def update(draw, endpoint):
    s = lambda: draw(SPACE)  # noqa: E731
    iri = lambda: draw(IRI)  # noqa: E731
    operations = [
        lambda: f"{draw(keyword('INSERT'))} {draw(keyword('DATA'))}{s()}{{ {iri()} {iri()} {draw(LITERAL)} }}",
        lambda: f"{draw(keyword('DELETE'))} {draw(keyword('WHERE'))}{s()}{{ {draw(TRIPLES)} }}",
        lambda: f"{draw(keyword('WITH'))} {iri()}{s()}{draw(keyword('DELETE'))} {{ ?s ?p ?o }}{s()}"
                f"{draw(keyword('INSERT'))} {{ ?s ?p 1 }}{s()}{draw(keyword('WHERE'))} {draw(group(1, endpoint))}",
        lambda: f"{draw(keyword('LOAD'))} {draw(st.sampled_from(['', 'SILENT ']))}{iri()} {draw(keyword('INTO'))} "
                f"GRAPH {iri()}",
        lambda: f"{draw(keyword('CLEAR'))} {draw(st.sampled_from(['ALL', 'DEFAULT', 'NAMED', 'GRAPH <urn:ex:g>']))}",
        lambda: f"{draw(keyword('DROP'))} SILENT GRAPH {iri()}",
        lambda: f"{draw(keyword('ADD'))} DEFAULT TO {iri()}",
        lambda: f"{draw(keyword('COPY'))} {iri()} TO DEFAULT",
    ]
    chosen = draw(st.lists(st.sampled_from(operations), min_size=1, max_size=2))
    return f"{s()};{s()}".join(operation() for operation in chosen)


@st.composite
def request_text(draw, endpoint):
    declared = ["PREFIX ex: <urn:ex:>", "PREFIX : <urn:ex:d#>", "prefix s1:<urn:ex:s1/>"]
    prologue = declared + draw(st.lists(st.sampled_from([
        "BASE <urn:ex:base/>", "PREFIX\n# a comment inside\nservice: <urn:ex:service/>",
        "PREFIX from: <urn:ex:from/>"]), max_size=2))
    body = draw(st.one_of(query(endpoint), query(endpoint), query(endpoint), update(endpoint)))
    return "\n".join([*prologue, body])


# a fixed budget, the same examples on every run (seconds, not minutes: rdflib's parser is slow)
BUDGET = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))


@BUDGET
@given(request_text(RDFLIB_ENDPOINT))
def test_every_request_rdflib_parses_reads_the_same(text):
    """Whatever rdflib's parser accepts, `analyse` finds the same form, dataset and SERVICE endpoints.
    With code-point escapes, the engine's reading of them is added: at least rdflib's endpoints."""
    expected = rdflib_reading(text)
    if expected is None:
        return
    form, services, from_graphs, from_named = expected
    shape = analyse(text)
    escaped = re.search(r"\\[uU][0-9A-Fa-f]{4}", text) is not None
    assert services <= set(shape.services)
    if shape.unreadable is None:
        assert (shape.update is not None) if form == "UPDATE" else (shape.form == form and shape.update is None)
        if form != "UPDATE":
            assert (list(shape.from_graphs), list(shape.from_named_graphs)) == (from_graphs, from_named)
        if not escaped:
            assert set(shape.services) == services
    else:  # refused: only where the engine may read the text otherwise than rdflib
        assert AMBIGUOUS in shape.unreadable or escaped, shape.unreadable


@BUDGET
@given(request_text(OXIGRAPH_ENDPOINT))
def test_every_request_the_engine_parses_reads_the_same(text):
    """Whatever Oxigraph parses, `analyse` reads as a query of the same form or as an update; a SERVICE
    the engine called was found; and it is refused only where another parser reads it otherwise."""
    outcome = oxigraph_reading(text)
    if outcome is None:
        return
    shape = analyse(text)
    kind, result = outcome
    if shape.unreadable is not None:
        assert AMBIGUOUS in shape.unreadable or ESCAPES_FIRST in shape.unreadable, shape.unreadable
    if kind == "update":
        assert shape.update is not None and shape.form is None
        return
    assert shape.update is None
    if result == "service":
        assert shape.services
    elif result is not None and shape.unreadable is None:
        assert shape.form == result or (result == "GRAPH" and shape.returns_graph)


# Hand-written texts where a lexer may go wrong. Each SERVICE-bearing one is also checked against
# rdflib and Oxigraph where they accept it (tests above); the expected values are SPARQL 1.1's.

# Oxigraph takes a keyword where the grammar expects one, without a word boundary after it
GLUED = [
    ("PREFIX ex: <urn:ex:> SELECT * { SERVICEex:s { ?a ?b ?c } }", ["ex:s"]),  # SERVICE ex:s
    ("PREFIX : <urn:ex:> SELECT * { SERVICE:s { ?a ?b ?c } }", [":s"]),
    ("SELECT * { ?s ?p trueSERVICE <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),  # object true, then SERVICE
    ("SELECT * { SERVICESILENT<urn:ex:s>{ ?a ?b ?c } }", ["urn:ex:s"]),
]
TRICKY = GLUED + [
    # (text, SERVICE endpoints found)
    ("SELECT * WHERE { BIND(cao:x\\' AS ?z) SERVICE <urn:ex:s> { ?a ?b ?c } } #'", ["urn:ex:s"]),
    ("SELECT * WHERE { BIND(:a\\# AS ?z) SERVICE <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),
    ("SELECT * WHERE { ?s ex:\\# ?o . SERVICE <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),
    ("SELECT * WHERE { ?s ex:a\\'b\\'c ?o . SERVICE <urn:ex:s> { } }", ["urn:ex:s"]),
    ("SELECT * WHERE { { ?s ?p ?o } UNION { BIND(ex:q\\' AS ?z) SERVICE <urn:ex:s> { ?a ?b ?c } } } #'",
     ["urn:ex:s"]),
    ("select * where { service <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),
    ("SELECT * WHERE { SERV\\u0049CE <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),
    ("SELECT * WHERE { \\u0053ERVICE <urn:ex:s> { ?a ?b ?c } }", ["urn:ex:s"]),
    ("SELECT * WHERE { { SELECT ?a WHERE { { SELECT ?a WHERE { SERVICE <urn:ex:s> { ?a ?b ?c } } } } } }",
     ["urn:ex:s"]),
    ("SELECT * WHERE { ?s <urn:ex:a#b> ?o . SERVICE <urn:ex:s#x> { ?a ?b ?c } }", ["urn:ex:s#x"]),
    ("SELECT * WHERE { ?s ?p 'SERVICE <urn:ex:no> { }' . ?s ?p \"SERVICE <urn:ex:no> {}\" }", []),
    ("SELECT * WHERE { ?s ?p '''it's 'quoted' SERVICE <urn:ex:no> {}''' . SERVICE <urn:ex:s> { } }", ["urn:ex:s"]),
    ('SELECT * WHERE { ?s ?p """a "b" ""c"" SERVICE <urn:ex:no> {}""" }', []),
    ("SELECT * WHERE { ?s ?p 'a\\'SERVICE <urn:ex:no> {}' }", []),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <urn:ex:no> { }", []),
    ("SELECT * WHERE { ?s ?p ?o # \\u000A SERVICE <urn:ex:s> { }\n}", ["urn:ex:s"]),  # a line break, in SPARQL 1.1
    # Oxigraph reads `'\\u0027'` as a string holding a quote, SPARQL 1.1 as `'''`, opening a long string
    ("SELECT * WHERE { BIND('\\u0027' AS ?x) SERVICE <urn:ex:s> { ?a ?b ?c } } #'''", ["urn:ex:s"]),
    ("SELECT * WHERE { SERVICE SILENT <urn:ex:s> { } SERVICE ?where { } SERVICE $v { } }",
     ["urn:ex:s", "?where", "?v"]),
    ("SELECT * { SERVICE <urn:ex:sparq\\u006C> { } }", ["urn:ex:sparql"]),
    ("PREFIX service: <urn:ex:service/> SELECT * { ?s service:p ?o }", []),
    ("SELECT ?service WHERE { ?service ex:serviceOf ?o }", []),
]


@pytest.mark.parametrize("text, endpoints", TRICKY)
def test_tricky_texts(text, endpoints):
    shape = analyse(text)
    assert list(shape.services) == endpoints
    assert shape.form == "SELECT"
    parsed = rdflib_reading(text)
    assert parsed is None or parsed[1] <= set(endpoints)
    assert oxigraph_reading(text) != ("query", "service") or endpoints


@pytest.mark.parametrize("text, reason", [
    ("SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'>')SERVICE<urn:ex:s>{?a ?b ?c}#'\n}", AMBIGUOUS),
    ("SELECT * WHERE { FILTER(?a<<urn:ex:a#>)SERVICE<urn:ex:s>{}\n}", AMBIGUOUS),
    ("SELECT * WHERE { ?s ?p :a\\\" SERVICE <urn:ex:s> {} }", "backslash"),
    ("SELECT * WHERE { ?s ?p 'unended SERVICE <urn:ex:s> {} }", "does not end"),
    ("SELECT * WHERE { ?s ?p \"x\\u0022 SERVICE <urn:ex:s> {} }\"", ESCAPES_FIRST),
    ("SELECT * WHERE { ?s ?p ?o \x0b SERVICE <urn:ex:s> {} }", "unexpected character"),
    ("SELECT * WHERE { SERVICE \x0b <urn:ex:s> {} }", "unexpected character"),
    ("SELECT * FROM \x0b {}", "unexpected character"),
    ("SELECT * WHERE { SERVICE <urn:ex:\\uD800> {} }", "not a Unicode character"),
])
def test_texts_that_cannot_be_read_safely_are_unreadable(text, reason):
    shape = analyse(text)
    assert shape.unreadable is not None and reason in shape.unreadable


@BUDGET
@given(st.one_of(st.text(), st.text(alphabet="SERVICE<>'\"#\\u{}()?:. \nFROMa0")))
def test_any_text_is_analysed_without_an_error(text):
    """Whatever is sent, the analysis answers (the endpoint then answers 4xx, never 500)."""
    assert isinstance(analyse(text), QueryText)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'>'||true)SERVICE<urn:ex:s>{?a ?b ?c}#'\n}",
    "SELECT * WHERE { FILTER(?a<<urn:ex:a#>)SERVICE<urn:ex:s>{}\n}",
])
def test_a_less_than_that_reads_two_ways_is_refused(text):
    """The engine calls the SERVICE in each: it reads `<` as less-than (or `<<` as one token), where
    a lexer taking `<'>` or `<urn:ex:a#>` for an IRI would then read a string or a comment over it."""
    assert oxigraph_reading(text) == ("query", "service")
    assert AMBIGUOUS in analyse(text).unreadable


@pytest.mark.parametrize("text, from_graphs, from_named", [
    ("SELECT * FROM <urn:ex:a> FROM NAMED <urn:ex:b> FROM ex:c WHERE { ?s ?p ?o }", ["urn:ex:a", "ex:c"], ["urn:ex:b"]),
    ("CONSTRUCT { ?s ?p ?o } FROM <urn:ex:a> WHERE { ?s ?p ?o }", ["urn:ex:a"], []),
    ("ASK FROM NAMED <urn:ex:b#x> { GRAPH ?g { ?s ?p ?o } }", [], ["urn:ex:b#x"]),
    ("DESCRIBE <urn:ex:x> FROM <urn:ex:a>", ["urn:ex:a"], []),
    ("SELECT * WHERE { ?s ex:derivedFrom ?o } # FROM <urn:ex:no>", [], []),
    ("SELECT * WHERE { { SELECT * WHERE { ?s ?p 'FROM <urn:ex:no>' } } }", [], []),
    ("ASKFROM<urn:ex:a>{}", ["urn:ex:a"], []),  # Oxigraph: ASK FROM <urn:ex:a>
    ("ASK FROMNAMED<urn:ex:b>{}", [], ["urn:ex:b"]),
    ("PREFIX ex: <urn:ex:> SELECT * FROMex:g WHERE { }", ["ex:g"], []),  # Oxigraph: FROM ex:g
    ("DESCRIBE fromage:x", [], []),  # a name, not FROM
])
def test_dataset_clauses(text, from_graphs, from_named):
    shape = analyse(text)
    assert (list(shape.from_graphs), list(shape.from_named_graphs)) == (from_graphs, from_named)


def test_glued_keywords_are_read_as_the_engine_reads_them():
    """The engine parses each glued text, and calls the service where it is not SILENT (an `urn:`
    endpoint fails before any connection)."""
    for text, _ in GLUED:
        assert oxigraph_reading(text) == ("query", "SELECT" if "SILENT" in text else "service"), text
    for text in ("ASKFROM<urn:ex:a>{}", "ASK FROMNAMED<urn:ex:b>{}"):
        assert oxigraph_reading(text) == ("query", "ASK")



# --- SPARQL 1.1 (and 1.2) productions that the examples above leave out -----------------------------

def test_a_version_declaration_belongs_to_the_prologue():
    """SPARQL 1.2's Prologue holds VersionDecl beside BASE and PREFIX."""
    assert analyse('VERSION "1.2"\nSELECT * WHERE { ?s ?p ?o }').form == "SELECT"


def test_blank_node_labels_are_terms():
    shape = analyse("SELECT * WHERE { _:b ?p ?o . _:b.c ?p ?o . SERVICE <urn:ex:s> { } }")
    assert shape.unreadable is None and shape.services == ("urn:ex:s",)


@pytest.mark.parametrize("operand", ['"a"', '"a"@en', "1", "<urn:ex:a>", "ex:a", "true", "false", "STR(?a)", "?a"])
def test_a_less_than_after_any_operand_reads_two_ways(operand):
    """After an operand, `<` is less-than (RelationalExpression); a lexer taking `<'>` for an IRI
    would read the rest as a string hiding the SERVICE. A collection closed before changes nothing."""
    for before in ("BIND(1 AS ?a)", "?s ?p (1 (2)) ."):
        text = f"SELECT * WHERE {{ {before} FILTER({operand}<'>')SERVICE<urn:ex:s>{{?a ?b ?c}}#'\n}}"
        assert AMBIGUOUS in analyse(text).unreadable, text


@pytest.mark.parametrize("text, graph_form", [("SELECT * {}", False), ("ASK {}", False),
                                              ("CONSTRUCT WHERE { ?s ?p ?o }", True), ("DESCRIBE <urn:ex:a>", True)])
def test_construct_and_describe_return_graphs(text, graph_form):
    assert analyse(text).returns_graph is graph_form


@pytest.mark.parametrize("text, own", [("SELECT * {}", False), ("SELECT * FROM <urn:ex:a> {}", True),
                                       ("SELECT * FROM NAMED <urn:ex:a> {}", True)])
def test_a_query_with_from_or_from_named_has_its_own_dataset(text, own):
    assert analyse(text).has_dataset is own


@pytest.mark.parametrize("text, position", [
    ("\nSELECT * { ?s ?p 'x SERVICE <urn:ex:s> {} }", "line 2, column 18"),
    ("SELECT *\n\nWHERE {\n ?s ?p 'x SERVICE <urn:ex:s> {} }", "line 4, column 8"),
])
def test_an_unreadable_text_says_where(text, position):
    assert analyse(text).unreadable.startswith(position + ": a string that does not end")


@pytest.mark.parametrize("text, reason", [
    # SPARQL 1.1 §19.2: replaced once, `\u005C` is a backslash, and `\u0041` inside a string is no escape
    ("SELECT * WHERE { ?s ?p '\\u005Cu0041' . SERVICE <urn:ex:s> {} }", "line 1, column 24: a string"),
    # a surrogate is no character, wherever it is written (here, in a comment)
    ("SELECT * WHERE { ?s ?p ?o } # \\uD800", "\\uD800 is not a Unicode character"),
    ("SELECT * WHERE { ?s ?p '\\U00110000' }", "\\U00110000 is not a Unicode character"),
    ("SELECT * WHERE { ?s ?p '\\uDFFF' }", "\\uDFFF is not a Unicode character"),
    # replaced first, `\u000A` ends the comment, and FROM <urn:ex:a> names the dataset
    ("SELECT * # \\u000A FROM <urn:ex:a>\nWHERE {}", "code-point escapes"),
])
def test_a_text_whose_code_point_escapes_cannot_be_replaced_or_change_it_is_unreadable(text, reason):
    unreadable = analyse(text).unreadable
    assert unreadable is not None and reason in unreadable


def test_code_point_escapes_of_every_character_are_read():
    assert analyse("SELECT * { SERVICE <urn:ex:\\U0001F600> { } }").services == ("urn:ex:\U0001F600",)
    assert analyse("SELECT * WHERE { ?s ?p '\\U0010FFFF' . SERVICE <urn:ex:s> {} }").unreadable is None
    assert analyse("SELECT * WHERE { ?s ?p '\\uE000\\uD7FF' . SERVICE <urn:ex:s> {} }").unreadable is None


def test_a_name_in_or_after_the_where_group_is_no_dataset_clause():
    """DatasetClause comes before WhereClause: inside the group or after it, `from:p` is a prefixed name."""
    for text in ("PREFIX from: <urn:ex:from/>\nSELECT * WHERE { ?s from:p ?o }",
                 "PREFIX from: <urn:ex:from/>\nSELECT * { { ?s from:p ?o } }",
                 "PREFIX from: <urn:ex:from/>\nASK { ?s from:p ?o } VALUES ?s { from:x }",
                 "PREFIX from: <urn:ex:from/>\nSELECT * WHERE { ?s ?p ?o } ORDER BY from:f(?o)"):
        shape = analyse(text)
        assert (shape.from_graphs, shape.from_named_graphs, shape.unreadable) == ((), (), None), text


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { { SELECT ?b (?a<'>' AS ?x) WHERE {} } SERVICE <urn:ex:s> {} } #'",
    # a group may hold a SubSelect alone, without braces of its own
    "SELECT * WHERE { SELECT * WHERE { { SELECT ?b (?a<'>' AS ?x) WHERE {} } } } #' SERVICE",
    "SELECT * WHERE { { SELECT * WHERE { SELECT ?b (?a<'>' AS ?x) WHERE {} } } SERVICE <urn:ex:s> {} } #'",
])
def test_a_subquery_projection_holds_expressions(text):
    """In a SubSelect, `(` after a projected variable opens an expression, where `<` compares."""
    assert AMBIGUOUS in analyse(text).unreadable


@pytest.mark.parametrize("before", ["", "{ ?a ?b ?c } ", "{ SELECT * WHERE { } } ", "VALUES ?x { 1 } ",
                                    "VALUES (?x) { (1) } ", "OPTIONAL { ?a ?b ?c } ", "?t a (1) . ",
                                    "?t ex:p (1) . ", "?t ?p (1) . "])
def test_a_less_than_in_a_collection_is_an_iri_after_any_closed_group(before):
    """A Collection holds terms, no expression: its `<` starts an IRI, the text's one reading (here
    one whose inside would open a comment as code). Groups and collections closed before it do not
    change that."""
    for predicate in ("?p", "a", "ex:p"):
        for collection in ("(?o<urn:ex:a#>)", "(1 (?o<urn:ex:a#>))"):
            text = (f"PREFIX ex: <urn:ex:> SELECT * WHERE {{ {before}?s {predicate} {collection} . "
                    "SERVICE <urn:ex:s> { } }")
            shape = analyse(text)
            assert (shape.unreadable, shape.services) == (None, ("urn:ex:s",)), text
            assert oxigraph_reading(text) is not None  # the engine parses it


@pytest.mark.parametrize("text", ["SELECT * FROM", "SELECT * FROM NAMED", "SELECT * FROM ?g {}", "ASK FROM NAMED 1 {}"])
def test_a_dataset_clause_without_a_graph_is_analysed(text):
    """Not SPARQL (DatasetClause names an IRI), but the analysis still answers: the engine then refuses it."""
    shape = analyse(text)
    assert shape.has_dataset and shape.unreadable is None


@pytest.mark.parametrize("call", ["FILTER ex:f(", "FILTER <urn:ex:f>(", "FILTERex:f("])
def test_a_filter_function_call_holds_expressions(call):
    """Constraint ::= … | FunctionCall (an IRI or prefixed name, then its ArgList); Oxigraph reads
    `FILTERex:f(` as FILTER ex:f(."""
    text = f"PREFIX ex: <urn:ex:> SELECT * WHERE {{ {call}?a<'>')SERVICE<urn:ex:s>{{?a ?b ?c}}#'\n}}"
    assert AMBIGUOUS in analyse(text).unreadable


def test_a_service_keyword_without_an_endpoint_still_counts():
    """The word SERVICE is a call whatever follows it: refused, never passed on."""
    assert analyse("SELECT * WHERE { SERVICE 'x' { } }").services == ("?",)
    assert analyse("SELECT * { SERVICE").services == ("?",)


def test_silent_and_named_glued_to_a_prefixed_name_are_keywords():
    """As the engine reads them: `SILENTex:s` is SILENT ex:s, `NAMEDex:g` is NAMED ex:g."""
    assert analyse("PREFIX ex: <urn:ex:> SELECT * { SERVICE SILENTex:s { } }").services == ("ex:s",)
    assert analyse("PREFIX ex: <urn:ex:> SELECT * FROM NAMEDex:g { }").from_named_graphs == ("ex:g",)


@pytest.mark.parametrize("text", ["SELECT * { ?s ?p trueSERVICE 1 { } }",
                                  "PREFIX ex: <urn:ex:> SELECT * { SERVICEex:a"])
def test_a_name_holding_service_calls_only_an_endpoint_followed_by_a_group(text):
    """ServiceGraphPattern ::= 'SERVICE' 'SILENT'? VarOrIri GroupGraphPattern."""
    assert analyse(text).services == ()


def test_a_less_than_is_refused_only_where_the_two_readings_differ():
    """`<?b&&?c>` lexes as an IRI, yet read as code it is the same up to its `>` (the less-than
    reading is the query's), as is `<((?b))&&?c>` with its parentheses balanced; `<1)&&(2>` read as
    code closes a parenthesis the IRI reading leaves open."""
    for inside in ("?b&&?c", "((?b))&&?c"):
        same = analyse(f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<{inside}>1) SERVICE <urn:ex:s> {{}} }}")
        assert (same.unreadable, same.services) == (None, ("urn:ex:s",)), inside
    assert AMBIGUOUS in analyse("SELECT * WHERE { ?s ?p ?a FILTER((?a<1)&&(2>?b)) SERVICE <urn:ex:s> {} }").unreadable
