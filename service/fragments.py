"""Triple Pattern Fragments (Linked Data Fragments): the dataset as pages of the triples that match
one pattern, with the Hydra controls a client-side query engine (Comunica) needs to answer SPARQL
from them alone.

A request names a pattern with `subject`, `predicate` and `object`, each in Hydra's explicit
representation (an IRI as it is, a literal as `"text"`, `"text"@en` or `"text"^^datatype-IRI`;
absent, empty, `?x` or `_:x` for anything). The pattern runs over the default graph, the union of
the named graphs, as the SPARQL endpoint's does, each triple once. With `graph` (a named graph's
IRI, or a variable for any named graph) it is a quad pattern, and the page's quads keep their graph.

Each page holds `PAGE_SIZE` matches in a fixed order, and its metadata: the exact count
(`hydra:totalItems`, `void:triples`), links to the first, previous, next and last pages, and the
search form that makes a fragment's URL from a pattern. In the quad formats (TriG, N-Quads,
JSON-LD) the metadata sits in a graph of its own, named as the Linked Data Fragments server names
it, so a client tells it from the data. Blank nodes appear as skolem IRIs (RDF 1.1 §3.5) under
`/.well-known/genid/`, which a pattern may name: a client can follow a claim to its sources. They
name the blank nodes of the store being served, not of the data for ever.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from .formats import BY_TYPE
from .json_ld import Compactor, context, expanded, nest
from .namespaces import STANDARD_PREFIXES, prefixes
from .parameters import BadParameter, whole_number
from .store import Matches, Pattern

PAGE_SIZE = 100
GENID = ".well-known/genid/"
POSITIONS = ("subject", "predicate", "object")
VOCABULARIES = {**STANDARD_PREFIXES, "void": "http://rdfs.org/ns/void#"}
XSD_INTEGER = ox.NamedNode(STANDARD_PREFIXES["xsd"] + "integer")
LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
BLANK_ID = re.compile(r"[A-Za-z0-9_\-.]+")
# What a fragment answers in, by preference. The syntaxes with graphs keep the metadata in one of its own.
JSON_LD = "application/ld+json"
OFFERS = ("text/html", "text/turtle", "application/trig", "application/n-quads", JSON_LD, "application/n-triples")


def _n(prefix: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(VOCABULARIES[prefix] + name)


@dataclass(frozen=True)
class Request:
    """A fragment request, read from its parameters: the pattern and the page, and the values as
    given (a page's links repeat them)."""
    values: dict[str, str]  # position (and "graph") → the value as given, for those given a term
    subject: ox.NamedNode | ox.BlankNode | ox.Literal | None
    predicate: ox.NamedNode | ox.BlankNode | ox.Literal | None
    object: ox.NamedNode | ox.BlankNode | ox.Literal | None
    graph: ox.NamedNode | ox.DefaultGraph | None  # DefaultGraph: the union; None: any named graph
    page: int

    @property
    def quads(self) -> bool:
        return not isinstance(self.graph, ox.DefaultGraph)

    def pattern(self) -> Pattern | None:
        """What the store is asked; None when nothing can match (a literal as subject, say: a client
        joining patterns sends what it found)."""
        if isinstance(self.subject, ox.Literal) or not isinstance(self.predicate, (ox.NamedNode, type(None))):
            return None
        return Pattern(self.subject, self.predicate, self.object, self.graph, (self.page - 1) * PAGE_SIZE, PAGE_SIZE)

    def query(self, page: int) -> str:
        """The query string of this fragment's page `page`, encoded as RFC 6570 expands the search
        form's template (every character but the unreserved ones percent-encoded)."""
        pairs = [(name, self.values[name]) for name in (*POSITIONS, "graph") if name in self.values]
        pairs += [("page", str(page))] if page > 1 else []
        return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)


def read_request(parameters, base: str) -> Request:
    """The fragment a request's query parameters name, or `BadParameter` saying what is wrong."""
    values: dict[str, str] = {}
    terms = {}
    for name in (*POSITIONS, "graph", "page"):
        if len(parameters.getlist(name)) > 1:
            raise BadParameter(f"give {name!r} once.")
    for name in POSITIONS:
        value = parameters.get(name, "")
        terms[name] = read_term(value, name, base)
        if terms[name] is not None:
            values[name] = value
    named = parameters.get("graph", "")
    if named.startswith("?"):
        graph, values["graph"] = None, named  # any named graph
    elif named == "":
        graph = ox.DefaultGraph()
    else:
        graph = read_term(named, "graph", base)
        if not isinstance(graph, ox.NamedNode):
            raise BadParameter("'graph' must be a named graph's IRI, or a variable (?g) for any named graph.")
        values["graph"] = named
    page = whole_number(parameters["page"], "page", least=1) if "page" in parameters else 1
    return Request(values, terms["subject"], terms["predicate"], terms["object"], graph, page)


def read_term(value: str, name: str, base: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """One position of a pattern in Hydra's explicit representation; None for a variable."""
    if value == "" or value.startswith(("?", "_:")):
        return None  # as in SPARQL, a blank node in a pattern matches anything
    if value.startswith('"'):
        close = value.rfind('"')
        if close == 0:
            raise BadParameter(f"{name!r}: a literal needs its closing quotation mark (then @language or ^^datatype, if any).")
        lexical, rest = value[1:close], value[close + 1:]
        try:
            if rest == "":
                return ox.Literal(lexical)
            if rest.startswith("@") and LANGUAGE.fullmatch(rest[1:]):
                return ox.Literal(lexical, language=rest[1:].lower())
            if rest.startswith("^^"):
                return ox.Literal(lexical, datatype=_iri(rest[2:], name))
        except ValueError:  # text no RDF literal can hold (a lone surrogate)
            raise BadParameter(f"{name!r}: {value[:80]!r} is not a literal RDF can hold.") from None
        raise BadParameter(f"{name!r}: after a literal's closing quotation mark comes nothing, "
                           f"@language or ^^datatype, not {rest[:40]!r}.")
    iri = _iri(value, name)
    if iri.value.startswith(base + GENID):
        blank = iri.value.removeprefix(base + GENID)
        if BLANK_ID.fullmatch(blank) is None:
            raise BadParameter(f"{name!r}: {value[:80]!r} names no blank node.")
        return ox.BlankNode(blank)
    return iri


def explicit(literal: ox.Literal) -> str:
    """A literal in Hydra's explicit representation, as a pattern names it (`read_term` reads it back)."""
    if literal.language:
        return f'"{literal.value}"@{literal.language}'
    if literal.datatype.value == STANDARD_PREFIXES["xsd"] + "string":
        return f'"{literal.value}"'
    return f'"{literal.value}"^^{literal.datatype.value}'


def _iri(value: str, name: str) -> ox.NamedNode:
    text = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    try:
        iri = ox.NamedNode(text)
    except ValueError:
        iri = None
    if iri is None or ":" not in text:
        raise BadParameter(f"{name!r}: {value[:80]!r} is not an absolute IRI, a literal (\"…\") or a variable (?x).")
    return iri


def skolemised(term, base: str):
    """A blank node as the IRI a fragment names it by; any other term as it is."""
    return ox.NamedNode(f"{base}{GENID}{term.value}") if isinstance(term, ox.BlankNode) else term


def search_form(dataset: ox.NamedNode, interface: str) -> list[tuple]:
    """The Hydra search form by which `dataset` is queried through the fragments interface at
    `interface`: the URL template and what each of its variables stands for (TPF §3.6)."""
    form = ox.NamedNode(interface + "#triple-pattern")
    triples = [(dataset, _n("hydra", "search"), form),
               (form, _n("hydra", "template"), ox.Literal(interface + "{?subject,predicate,object}")),
               (form, _n("hydra", "variableRepresentation"), _n("hydra", "ExplicitRepresentation"))]
    for position in POSITIONS:
        mapping = ox.NamedNode(f"{interface}#{position}")
        triples += [(form, _n("hydra", "mapping"), mapping), (mapping, _n("hydra", "variable"), ox.Literal(position)),
                    (mapping, _n("hydra", "property"), _n("rdf", position))]
    return triples


@dataclass(frozen=True)
class Fragment:
    """One page of a fragment: its matches and what its metadata says about them."""
    request: Request
    matches: Matches
    url: str  # this page's URL, as the request named it
    interface: str  # the fragments interface's URL, `…/fragments`
    base: str

    @property
    def last(self) -> int:
        return max(1, -(-self.matches.count // PAGE_SIZE))

    def page_url(self, page: int) -> str:
        query = self.request.query(page)
        return f"{self.interface}?{query}" if query else self.interface

    def neighbours(self) -> dict[str, str]:
        """Hydra's names for the first, previous, next and last pages, and their URLs."""
        page = self.request.page
        numbers = {"first": 1, "previous": page - 1, "next": page + 1, "last": self.last}
        return {rel: self.page_url(number) for rel, number in numbers.items() if 1 <= number <= self.last}

    def data(self) -> list[ox.Quad]:
        """The page's matches, blank nodes skolemised; in their graph for a quad pattern, else in the
        default graph."""
        return [ox.Quad(skolemised(quad.subject, self.base), quad.predicate, skolemised(quad.object, self.base),
                        quad.graph_name if self.request.quads else ox.DefaultGraph())
                for quad in self.matches.quads]

    @property
    def dataset(self) -> ox.NamedNode:
        return ox.NamedNode(self.interface + "#dataset")

    @property
    def metadata_graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.url + "#metadata")

    def metadata(self) -> list[ox.Triple]:
        """The page's count and links, and the dataset's search form (TPF §3, Hydra core)."""
        page, dataset = ox.NamedNode(self.url), self.dataset
        count = ox.Literal(str(self.matches.count), datatype=XSD_INTEGER)
        triples = [
            (dataset, _n("rdf", "type"), _n("void", "Dataset")),
            (dataset, _n("rdf", "type"), _n("hydra", "Collection")),
            (dataset, _n("void", "subset"), page),
            *search_form(dataset, self.interface),
            (page, _n("rdf", "type"), _n("hydra", "PartialCollectionView")),
            (page, _n("dcterms", "title"), ox.Literal(f"Triples matching {self.describe()}", language="en")),
            (page, _n("dcterms", "source"), dataset),
            (page, _n("hydra", "totalItems"), count),
            (page, _n("void", "triples"), count),
            (page, _n("hydra", "itemsPerPage"), ox.Literal(str(PAGE_SIZE), datatype=XSD_INTEGER)),
            (self.metadata_graph, _n("foaf", "primaryTopic"), dataset),
        ]
        triples += [(page, _n("hydra", rel), ox.NamedNode(url)) for rel, url in self.neighbours().items()]
        return [ox.Triple(*triple) for triple in sorted(triples, key=lambda triple: str(triple[0]))]  # by subject

    def describe(self) -> str:
        """The pattern in words of SPARQL, for titles."""
        request = self.request
        terms = [str(skolemised(term, self.base)) if term is not None else f"?{position[0]}"
                 for position, term in zip(POSITIONS, (request.subject, request.predicate, request.object))]
        pattern = " ".join(terms)
        if isinstance(request.graph, ox.NamedNode):
            return f"GRAPH {request.graph} {{ {pattern} }}"
        return f"GRAPH ?g {{ {pattern} }}" if request.graph is None else f"{{ {pattern} }}"

    def serialise(self, media_type: str) -> bytes:
        """The page in an RDF syntax: data, then metadata (in its own graph where the syntax has graphs)."""
        if media_type == JSON_LD:
            return self._json_ld()
        metadata, syntax = self.metadata(), BY_TYPE[media_type]
        if syntax.quads:
            quads = self.data() + [ox.Quad(*triple, self.metadata_graph) for triple in metadata]
            return ox.serialize(quads, format=syntax.graphs, prefixes=self._prefixes())
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in self.data()] + metadata
        return ox.serialize(triples, format=syntax.graphs, prefixes=self._prefixes())

    def _prefixes(self) -> dict[str, str]:
        return {**prefixes(self.base), "void": VOCABULARIES["void"]}

    def _json_ld(self) -> bytes:
        """Compacted with the dataset's context; the metadata (and a quad pattern's data) as named graphs."""
        compactor = Compactor(context(self.base))
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in self.data():
            name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
            by_graph.setdefault(name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        by_graph[self.metadata_graph.value] = self.metadata()

        def nodes(triples):
            return [compactor.node(node) for node in nest(expanded(triples))]

        top = nodes(by_graph.pop("", []))
        top += [{"@id": compactor.iri(name), "@graph": nodes(triples)} for name, triples in by_graph.items()]
        return json.dumps({**compactor.context, "@graph": top}, ensure_ascii=False).encode("utf-8")
