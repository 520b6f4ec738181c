"""Between Oxigraph and rdflib: the build's queries run in Oxigraph, and answers read into rdflib fast.

The build keeps its graphs in rdflib (they are parsed, derived, validated and reported on there),
but rdflib's SPARQL engine took most of a build's time: the derivation rules and the shapes'
SPARQL targets, each evaluated over the whole dataset. `OxigraphCopy` answers the same queries on
an in-memory copy of the same triples in a fraction of the time. The pages, for their part, read
the engine's N-Triples answers into rdflib graphs, where rdflib's own parser took a third of a
page's time; `ntriples_graph` reads them with Oxigraph's.
"""

from __future__ import annotations

from typing import Iterator, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

XSD_STRING = str(XSD.string)


class OxigraphCopy:
    """An rdflib graph copied into an in-memory Oxigraph store; answers come back as rdflib terms,
    the copy's blank nodes as the graph's own."""

    def __init__(self, graph: Graph):
        self._to_copy: dict[BNode, ox.BlankNode] = {}
        self.store = ox.Store()
        self.store.extend(ox.Quad(self._term(s), self._term(p), self._term(o)) for s, p, o in graph)
        self._from_copy: dict[str, BNode] = {copy.value: node for node, copy in self._to_copy.items()}

    def select(self, query: str, variable: str, base: str | None = None) -> Iterator:
        """The values of one variable of a SELECT, unbound ones left out."""
        for row in self.store.query(query, base_iri=base):
            if (value := row[variable]) is not None:
                yield rdflib_term(value, self._from_copy)

    def rows(self, query: str, prefixes: Mapping[str, str]) -> list[tuple]:
        """The rows of a SELECT, each a tuple in the order of its variables (None where unbound)."""
        solutions = self.store.query(query, prefixes=dict(prefixes))
        return [tuple(None if value is None else rdflib_term(value, self._from_copy) for value in row)
                for row in solutions]

    def construct(self, query: str, base: str | None = None) -> Iterator[tuple]:
        """The triples a CONSTRUCT makes; a blank node it makes is a new rdflib one."""
        for triple in self.store.query(query, base_iri=base):
            yield rdflib_triple(triple, self._from_copy)

    def _term(self, node):
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return self._to_copy.setdefault(node, ox.BlankNode())
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


def ntriples_graph(body: bytes, namespaces: Mapping[str, str] | None = None, graph: Graph | None = None) -> Graph:
    """An rdflib graph of N-Triples, with the given prefixes bound (and none of rdflib's own, which
    cost more to bind than the triples to read), or the triples added to `graph`."""
    if graph is None:
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in (namespaces or {}).items():
            graph.bind(prefix, namespace, replace=True)
    blank_nodes: dict[str, BNode] = {}
    for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        graph.add(rdflib_triple(triple, blank_nodes))
    return graph


def rdflib_triple(triple, blank_nodes: dict[str, BNode]) -> tuple:
    return (rdflib_term(triple.subject, blank_nodes), rdflib_term(triple.predicate, blank_nodes),
            rdflib_term(triple.object, blank_nodes))


def rdflib_term(term, blank_nodes: dict[str, BNode]):
    """The rdflib term for an Oxigraph one; a blank node is looked up by its label, or made and kept."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return blank_nodes.setdefault(term.value, BNode())
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)  # as rdflib reads a plain literal
    return Literal(term.value, datatype=URIRef(term.datatype.value))
