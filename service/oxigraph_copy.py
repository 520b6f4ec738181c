"""An rdflib graph copied into an in-memory Oxigraph store, for the queries of a build.

The build keeps its graphs in rdflib (they are parsed, derived, validated and reported on there),
but rdflib's SPARQL engine took most of a build's time: the derivation rules and the shapes'
SPARQL targets, each evaluated over the whole dataset. Oxigraph answers the same queries on a copy
of the same triples in a fraction of the time; answers come back as rdflib terms, the copy's blank
nodes as the graph's own.
"""

from __future__ import annotations

from typing import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD


class OxigraphCopy:
    def __init__(self, graph: Graph):
        self._to_copy: dict[BNode, ox.BlankNode] = {}
        self.store = ox.Store()
        self.store.extend(ox.Quad(self._term(s), self._term(p), self._term(o)) for s, p, o in graph)
        self._from_copy: dict[str, BNode] = {copy.value: node for node, copy in self._to_copy.items()}

    def select(self, query: str, variable: str, base: str | None = None) -> Iterator:
        """The values of one variable of a SELECT, unbound ones left out."""
        for row in self.store.query(query, base_iri=base):
            if (value := row[variable]) is not None:
                yield self._rdflib(value)

    def construct(self, query: str, base: str | None = None) -> Iterator[tuple]:
        """The triples a CONSTRUCT makes; a blank node it makes is a new rdflib one."""
        for triple in self.store.query(query, base_iri=base):
            yield self._rdflib(triple.subject), self._rdflib(triple.predicate), self._rdflib(triple.object)

    def _term(self, node):
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return self._to_copy.setdefault(node, ox.BlankNode())
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))

    def _rdflib(self, term):
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return self._from_copy.setdefault(term.value, BNode())
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)  # as rdflib reads a plain literal
        return Literal(term.value, datatype=URIRef(term.datatype.value))
