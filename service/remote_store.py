"""An external SPARQL 1.1 engine as the store, reached by the SPARQL 1.1 Protocol (queries and
updates) and the Graph Store Protocol (graphs read and written whole), so that any conforming
engine can serve the data: Oxigraph server, Virtuoso, Fuseki, QLever.

A query is sent with the service's prefixes and base written into its prologue, bound values as a
trailing `VALUES` block, and its dataset written out: unless the query names its own, the data's
named graphs are both the default graph (their union) and the named graphs, so that whatever else
the engine holds (releases, other datasets) stays out of sight. A release's query reads that
release's graph. The engine's answer is read as it streams (SPARQL results JSON, or N-Triples for a
graph) and written by `store.written`, the embedded store's own writer: the limits on rows and bytes
stop the reading, and both stores answer alike, byte for byte where the engine keeps the same order.

`replace_graphs` loads a validated build: each graph is PUT under a staging name and its count
checked, then one SPARQL Update request moves every staged graph into place, and the counts are
checked again. Engines that apply an update request as one transaction (Oxigraph does) switch all
the graphs at once; a load that fails before the move leaves the graphs served as they were.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from .formats import BY_TYPE

from .store import (KEPT_PATTERNS, Answer, Capabilities, Matches, Pattern, Query, QuerySyntaxError, iri_term,
                    sorted_matches, written)

RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}
GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
          "application/rdf+xml": ox.RdfFormat.RDF_XML}
# What is asked of the engine: where the negotiated type is a graph syntax only, triples (Virtuoso
# answers a CONSTRUCT as results when results come first); else results first, for any form.
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9"
ACCEPT_ANY = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.5"
STAGING = "urn:conflict-ld:staging:"  # graphs being loaded are named under it until they are moved


class EngineFailed(Exception):
    """The engine could not be reached, or answered with an error that is not the query's fault."""


class Unaddressable(ValueError):
    """A pattern names a blank node, which SPARQL cannot name: the engine cannot be asked for it."""


@dataclass(frozen=True)
class Endpoints:
    """Where the engine takes queries, updates and graphs."""
    query: str
    update: str
    graph_store: str

    @classmethod
    def of(cls, query: str, update: str | None = None, graph_store: str | None = None) -> "Endpoints":
        """An engine's endpoints from its query endpoint: Oxigraph server's `/query` has `/update` and
        `/store` beside it; any other engine is asked everything at the one URL (as Fuseki's dataset
        URL and Virtuoso's `/sparql` take queries and updates) unless told otherwise."""
        parts = urlsplit(query)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{query!r} is not an http(s) URL of a SPARQL endpoint")
        def beside(name: str) -> str:
            if not parts.path.endswith("/query"):
                return query
            return urlunsplit(parts._replace(path=parts.path.removesuffix("query") + name, query=""))

        return cls(query, update or beside("update"), graph_store or beside("store"))


# What the engine this project is tested with does itself (see the README's *An external engine*)
OXIGRAPH_SERVER = Capabilities(graph_store=True)


class RemoteStore:
    """The store at an engine's endpoints: the data's named graphs `graphs`, and each release's data
    in the graph named by its release IRI (`Query.store` names it)."""

    def __init__(self, endpoints: Endpoints, graphs: Sequence[str], capabilities: Capabilities = OXIGRAPH_SERVER,
                 timeout: float | None = None):
        self.endpoints, self.graphs, self.capabilities = endpoints, tuple(graphs), capabilities
        self._timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._matched: dict[tuple, list[ox.Quad]] = {}  # see `matches`

    def close(self) -> None:
        self._client.close()

    def answer(self, query: Query) -> Answer:
        params: dict[str, str | list[str]] = {"query": self._text(query)}
        if query.store is not None:  # a release: its graph is the default graph
            params["default-graph-uri"] = [query.store]
        elif query.default_graphs or query.named_graphs:
            params.update({"default-graph-uri": list(query.default_graphs), "named-graph-uri": list(query.named_graphs)})
        elif not query.own_dataset:
            params.update({"default-graph-uri": list(self.graphs), "named-graph-uri": list(self.graphs)})
        if self.capabilities.own_timeout and self._timeout:
            name, _, value = self.capabilities.own_timeout.partition("=")
            params[name] = value.format(seconds=self._timeout, milliseconds=round(self._timeout * 1000))
        try:
            accept = ACCEPT_GRAPH if BY_TYPE[query.media_type].results is None else ACCEPT_ANY
            with self._client.stream("POST", self.endpoints.query, data=params, headers={"Accept": accept}) as response:
                if response.status_code != 200:
                    self._refused(response)
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                stream = _Stream(response.iter_bytes())
                if media_type in RESULTS:
                    return written(ox.parse_query_results(stream, format=RESULTS[media_type]), query)
                if media_type in GRAPHS:
                    return written((quad.triple for quad in ox.parse(stream, format=GRAPHS[media_type])), query)
                raise EngineFailed(f"the engine answered in {media_type or 'no media type'}, which this service "
                                   "does not read")
        except httpx.HTTPError as problem:
            raise EngineFailed(f"the engine at {self.endpoints.query} could not be reached: {problem}") from None
        except SyntaxError as problem:  # what the engine sent does not parse
            raise EngineFailed(f"the engine's answer does not parse: {problem}") from None

    def _text(self, query: Query) -> str:
        """The query with the service's base and prefixes declared before its own prologue (its own
        declarations, coming later, win), and its bound values written in."""
        prologue = [f"BASE {iri_term(query.base)}"] if query.base else []
        prologue += [f"PREFIX {name}: {iri_term(iri)}" for name, iri in query.prefixes.items()]
        return "\n".join([*prologue, _substituted(query.text, query.bindings) if query.bindings else query.text])

    def _refused(self, response: httpx.Response) -> None:
        message = " ".join(response.read().decode("utf-8", "replace").split())[:500]
        if response.status_code == 400:
            raise QuerySyntaxError(message or "the engine refused the query")
        raise EngineFailed(f"the engine answered {response.status_code}: {message}")

    def matches(self, pattern: Pattern) -> Matches:
        """As `EmbeddedStore.matches`, from the engine: every match is fetched once, sorted here."""
        key = (pattern.subject, pattern.predicate, pattern.object, pattern.graph)
        found = self._matched.get(key)
        if found is None:
            terms = (pattern.subject, pattern.predicate, pattern.object)
            if any(isinstance(term, ox.BlankNode) for term in terms):
                raise Unaddressable("SPARQL cannot name a blank node: the engine cannot be asked for its statements")
            union = isinstance(pattern.graph, ox.DefaultGraph)
            graph = None if union or pattern.graph is None else pattern.graph
            bound = {name: term for name, term in zip("spo", terms) if term is not None}
            if graph is not None:
                bound["g"] = graph
            values = "".join(f" VALUES ?{name} {{ {term} }}" for name, term in bound.items())
            text = f"SELECT ?s ?p ?o ?g WHERE {{{values} GRAPH ?g {{ ?s ?p ?o }} }}"
            rows = self._rows(text, {"named-graph-uri": list(self.graphs)})
            found = sorted_matches((ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows), union)
            self._matched[key] = found
            if len(self._matched) > KEPT_PATTERNS:
                self._matched.pop(next(iter(self._matched)))
        return Matches(len(found), found[pattern.offset:pattern.offset + pattern.limit])

    def _rows(self, text: str, dataset: Mapping[str, list[str]]) -> Iterator[ox.QuerySolution]:
        response = self._call("POST", self.endpoints.query, (200,), data={"query": text, **dataset},
                              headers={"Accept": "application/sparql-results+json"})
        return iter(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))

    def _call(self, method: str, url: str, accepted: tuple[int, ...], **options) -> httpx.Response:
        """One request read whole; EngineFailed (or QuerySyntaxError) unless its status is accepted."""
        try:
            response = self._client.request(method, url, **options)
        except httpx.HTTPError as problem:
            raise EngineFailed(f"the engine at {url} could not be reached: {problem}") from None
        if response.status_code not in accepted:
            self._refused(response)
        return response

    def select(self, text: str, prefixes: Mapping[str, str]) -> list[dict]:
        answer = self.answer(Query(text, "application/sparql-results+json", prefixes))
        return json.loads(answer.body)["results"]["bindings"]

    def graph_names(self) -> list[str]:
        return sorted(self.graphs)

    def count(self, graph: str) -> int:
        """The triples in one graph of the engine, whether or not it is one of the data's."""
        rows = self._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_term(graph)} {{ ?s ?p ?o }} }}", {})
        return int(next(rows)["n"].value)

    def __len__(self) -> int:
        return sum(self.count(graph) for graph in self.graphs)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the data's graphs, each graph read whole by the Graph Store Protocol."""
        for graph in self.graphs:
            name = ox.NamedNode(graph)
            with self._client.stream("GET", self.endpoints.graph_store, params={"graph": graph},
                                     headers={"Accept": "application/n-triples"}) as response:
                if response.status_code != 200:
                    self._refused(response)
                for quad in ox.parse(_Stream(response.iter_bytes()), format=ox.RdfFormat.N_TRIPLES):
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, name)

    def replace_graphs(self, graphs: Mapping[str, tuple[bytes, int]]) -> None:
        """Replace each graph (by IRI) with the N-Triples given, which hold the count of triples given.

        Raises EngineFailed, with the graphs served before left in place, if any graph cannot be
        staged or staged whole; or, after the move, if a graph does not hold its count."""
        token = secrets.token_hex(8)
        staged = {iri: f"{STAGING}{token}:{number}" for number, iri in enumerate(graphs)}
        try:
            for iri, (triples, count) in graphs.items():
                self._put(staged[iri], triples)
                found = self.count(staged[iri])
                if found != count:
                    raise EngineFailed(f"{iri} was staged with {found} triples of {count}")
            self._update(" ;\n".join(f"MOVE SILENT GRAPH {iri_term(staged[iri])} TO GRAPH {iri_term(iri)}"
                                     for iri in graphs))
        except BaseException:
            self._drop_quietly(staged.values())
            raise
        for iri, (_, count) in graphs.items():
            found = self.count(iri)
            if found != count:
                raise EngineFailed(f"{iri} holds {found} triples after the load, not {count}")

    def _put(self, graph: str, triples: bytes) -> None:
        self._call("PUT", self.endpoints.graph_store, (200, 201, 204), params={"graph": graph}, content=triples,
                   headers={"Content-Type": "application/n-triples"})

    def _update(self, text: str) -> None:
        self._call("POST", self.endpoints.update, (200, 204), data={"update": text})

    def _drop_quietly(self, graphs) -> None:
        """Remove staged graphs after a failed load, by the protocol that staged them, as far as the
        engine lets us (a graph never staged is a 404)."""
        for graph in graphs:
            try:
                self._client.delete(self.endpoints.graph_store, params={"graph": graph})
            except httpx.HTTPError:
                return


# Where the WHERE group opens, passing over whatever may hold the word: strings, IRIs and comments
_WHERE = re.compile("|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>', r"#[^\n]*",
    r"(?P<where>\bWHERE\s*\{)",
)), re.IGNORECASE)


def _substituted(text: str, bindings: Mapping[str, str | int]) -> str:
    """The text with its bound values as a VALUES block opening its WHERE group, where they join
    the rest as Oxigraph's substitutions bind them before evaluation (a VALUES block after the
    query would need the variables projected). Bindings come from the service's own queries, each
    written with WHERE."""
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(v) if isinstance(v, int) else iri_term(v) for v in bindings.values())
    for match in _WHERE.finditer(text):
        if match.group("where"):
            return f"{text[:match.end()]} VALUES ({names}) {{ ({values}) }}{text[match.end():]}"
    raise ValueError("a query given bound values must have a WHERE group")


class _Stream(io.RawIOBase):
    """An HTTP body as a file the engine's parsers read as it arrives."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._left = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size], self._left = self._left[:size], self._left[size:]
        return size
