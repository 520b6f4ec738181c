"""The query engine behind one small interface; the only module that knows it is Oxigraph.

`materialise` turns a validated build into an on-disk Oxigraph store named after a fingerprint of
every source file and setting that shapes it, so start-up reuses it until the data changes;
`check_store` tells start-up whether a store on disk can be served. `EmbeddedStore` answers one
query at a time from such a store, opened read-only. `Store` is what every reader asks of a store,
so that an external SPARQL 1.1 engine (`remote_store.RemoteStore`) takes the embedded one's place;
`written` is the one writer of answers, so that both answer alike.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Protocol, Sequence

import pyoxigraph as ox
from rdflib import Graph

from . import __version__, durable, results
from .config import Settings
from .formats import BY_TYPE
from .json_ld import compacted, expanded

MARKER = "validated.json"
BUILD_CODE = ("dataset.py", "rules.py", "oxigraph_rdflib.py")  # which graph holds what, and how it is made
KEPT_PATTERNS = 8  # patterns whose sorted matches a store keeps (see EmbeddedStore.matches)


class QuerySyntaxError(ValueError):
    """The engine's parser rejected the query; the message says where."""


@dataclass(frozen=True)
class Query:
    text: str
    media_type: str
    prefixes: Mapping[str, str] = field(default_factory=dict)
    default_graphs: Sequence[str] = ()
    named_graphs: Sequence[str] = ()
    max_rows: int = 100_000
    max_bytes: int = 256 * 2**20
    # IRIs (str) or integers bound to variables before evaluation (SEP-0007). Oxigraph does not plan
    # joins from them, so where a bound value should drive the query, write it in with `iri_term`
    bindings: Mapping[str, str | int] = field(default_factory=dict)
    # a JSON-LD context ({"@context": …}) to nest and compact a JSON-LD graph answer with; the
    # work is done where the query runs, in a worker, not in the web server's event loop
    json_ld_context: Mapping | None = None
    # for a SELECT written as TSV: its rows sorted (in code-point order), by the worker. Oxigraph's
    # ORDER BY looks both terms up for every comparison: seconds, on disk, for a hub's 50,000 links
    sorted_rows: bool = False
    # the text names its own dataset (FROM, FROM NAMED; see query_text.analyse): it then queries
    # exactly that, not the union of the named graphs that is the default otherwise
    own_dataset: bool = False
    # the IRI that relative IRIs in the text resolve against, unless the text declares a BASE
    base: str | None = None
    # another store to answer from, by its path: a release's (see release_archive); None for the store's own
    store: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A triple pattern over the default graph (the union of the named graphs), or a quad pattern
    over one named graph or any, and which of its matches to send: what a Triple Pattern Fragment
    asks of the store. A term left None matches anything; `graph` is `DefaultGraph()` for the union."""
    subject: ox.NamedNode | ox.BlankNode | None = None
    predicate: ox.NamedNode | None = None
    object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None
    graph: ox.NamedNode | ox.DefaultGraph | None = ox.DefaultGraph()
    offset: int = 0
    limit: int = 100

    @property
    def text(self) -> str:
        """The pattern as one line, for the logs."""
        terms = (self.subject, self.predicate, self.object, self.graph)
        return " ".join("?" if term is None else str(term) for term in terms)  # DefaultGraph prints as DEFAULT


@dataclass(frozen=True)
class Matches:
    """How many triples (or quads) match a pattern, and the page of them asked for, in a fixed order."""
    count: int
    quads: list[ox.Quad]


def _iri_order(row: bytes) -> list[bytes]:
    """A TSV row's sort key: its IRIs without their angle brackets, so that `<a>` comes before
    `<a#b>` as the IRIs themselves do (the bracket sorts after `#`)."""
    return [cell.removeprefix(b"<").removesuffix(b">") for cell in row.split(b"\t")]


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Capabilities:
    """What an engine does itself, so that the service knows what it must do in its place."""
    own_timeout: str | None = None  # the request parameter that bounds a query's run time at the engine
    union_default_graph: bool = False  # takes the union of the named graphs as the default graph when asked
    graph_store: bool = False  # reads and replaces graphs whole (SPARQL 1.1 Graph Store Protocol)
    bytes_limit: bool = False  # stops writing an answer at a size it is given


class Store(Protocol):
    """What every reader of the data (query workers, start-up, dumps, the dataset description,
    search, reconciliation) asks of a store; `EmbeddedStore` and `remote_store.RemoteStore` answer it."""
    capabilities: Capabilities

    def answer(self, query: Query) -> Answer: ...

    def matches(self, pattern: Pattern) -> Matches: ...

    def select(self, text: str, prefixes: Mapping[str, str]) -> list[dict]: ...

    def graph_names(self) -> list[str]: ...

    def quads(self) -> Iterator[ox.Quad]: ...

    def __len__(self) -> int: ...


def written(outcome: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], query: Query) -> Answer:
    """An engine's outcome written as the query asks, within its limits: the one writer of answers,
    whichever engine evaluated the query, so that engines answer alike byte for byte."""
    if isinstance(outcome, (ox.QueryBoolean, ox.QuerySolutions)):
        sink = results.CappedBuffer(query.max_bytes)
        outcome.serialize(sink, format=BY_TYPE[query.media_type].results)
        body = sink.value()
        if isinstance(outcome, ox.QuerySolutions):
            results.check_rows(body, query.media_type, query.max_rows)
            if query.sorted_rows and query.media_type == results.TSV:
                header, _, rows = body.partition(b"\n")
                body = b"\n".join([header, *sorted(rows.splitlines(), key=_iri_order), b""])
        return Answer(query.media_type, body)
    triples = {}  # a CONSTRUCT may yield a triple more than once; each is written once
    for triple in outcome:
        triples[triple] = None
        if len(triples) > query.max_rows:
            raise results.TooManyRows(query.max_rows)
    # one block per subject, in an order of the triples alone: any engine's answer is written alike
    grouped = sorted(triples, key=lambda triple: (str(triple.subject), str(triple.predicate), str(triple.object)))
    syntax = BY_TYPE[query.media_type].graphs
    if query.json_ld_context is not None and syntax == ox.RdfFormat.JSON_LD:
        body = json.dumps(compacted(expanded(grouped), dict(query.json_ld_context)), ensure_ascii=False).encode("utf-8")
        if len(body) > query.max_bytes:
            raise results.TooLarge(query.max_bytes)
        return Answer(query.media_type, body)
    sink = results.CappedBuffer(query.max_bytes)
    ox.serialize(grouped, sink, format=syntax, prefixes=dict(query.prefixes))
    return Answer(query.media_type, sink.value())


def sorted_matches(quads: Iterable[ox.Quad], union: bool) -> list[ox.Quad]:
    """A pattern's matches in the order fragments page through them (N-Triples' text, code points):
    over the union, each triple once however many named graphs hold it; else each quad of a named graph."""
    if union:
        unique = {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads}
        return [ox.Quad(*triple) for triple in sorted(unique, key=str)]
    return sorted((quad for quad in quads if not isinstance(quad.graph_name, ox.DefaultGraph)), key=str)


def iri_term(iri: str) -> str:
    """`<iri>` for a query's text, once the engine's IRI parser has accepted it: no character that
    could end the term passes that parser. Raises ValueError for anything that is not an IRI."""
    return str(ox.NamedNode(iri))


def fingerprint(settings: Settings) -> str:
    """Changes whenever anything that goes into the store changes: the sources, and the code that
    reads them, derives from them and writes the graphs (BUILD_CODE)."""
    digest = hashlib.sha256(f"{__version__}\n{settings.base}\n".encode())
    sources = [
        *sorted(settings.ontology_dir.rglob("*.ttl")), *sorted(settings.ontology_dir.rglob("*.rq")),
        *sorted(settings.data_dir.rglob("*.ttl")), *sorted(settings.shapes_dir.rglob("*.ttl")),
    ]
    for path in sources:
        digest.update(str(path.relative_to(settings.root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in BUILD_CODE:
        digest.update(f"service/{name}".encode() + b"\0" + (Path(__file__).parent / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def store_path(settings: Settings) -> Path:
    return settings.store_dir / fingerprint(settings)


def materialise(settings: Settings, graphs: Mapping[str, Graph], summary: Mapping[str, object]) -> Path:
    """Write the named graphs (rdflib graphs by name) into a fresh on-disk store; return its path.

    Only called with data that passed validation, under the build lock. The store is written in a
    temporary folder and renamed into place (`durable.written`) with the marker written last, so a
    store without it is never served. The marker records the size of every data file, for
    `check_store`.
    """
    target = store_path(settings)
    with durable.written(target) as building:
        store = ox.Store(str(building))
        for name, graph in graphs.items():
            data = graph.serialize(format="nt", encoding="utf-8")
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(settings.graph_iri(name)))
        store.optimize()
        store.flush()
        del store
        record = {**summary, "files": _data_files(building)}
        (building / MARKER).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return target


def load_quads(target: Path, quads: bytes) -> Path:
    """A fresh on-disk store at `target` holding the N-Quads `quads` as they are (a release's data,
    rebuilt from its history and validated when it was released); written as `materialise` writes."""
    with durable.written(target) as building:
        store = ox.Store(str(building))
        store.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
        store.optimize()
        store.flush()
        record = {"triples": len(store)}
        del store
        record["files"] = _data_files(building)
        (building / MARKER).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return target


def _data_files(path: Path) -> dict[str, int]:
    """The size of each of the engine's files; its info log (`LOG…`) and `LOCK` hold no data."""
    return {child.name: child.stat().st_size for child in sorted(path.iterdir())
            if child.name != MARKER and not child.name.startswith(("LOG", "LOCK"))}


def check_store(path: Path) -> None:
    """Raise `Damaged` (`Missing` when there is none) unless the store at `path` can be served.

    Cheap at any size, as start-up runs it every time (counting a large store's quads takes
    seconds): the marker must be sane, every file it lists must have the size it records, and the
    engine must open the store — a truncated or garbled data file, a missing `CURRENT` or an empty
    `MANIFEST` already stop it there — and read a quad through each index.
    """
    if not (path / MARKER).is_file():
        if path.is_dir() and any(path.iterdir()):
            raise durable.Damaged(f"it has no {MARKER}")
        raise durable.Missing("there is none for these sources yet")
    try:
        record = json.loads((path / MARKER).read_text(encoding="utf-8"))
        triples, files = record["triples"], record.get("files", {})
        sizes = {str(name): int(size) for name, size in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise durable.Damaged(f"its {MARKER} is unreadable") from None
    if not isinstance(triples, int) or triples < 0:
        raise durable.Damaged(f"its {MARKER} records no count of triples")
    for name, size in sizes.items():
        try:
            found = (path / name).stat().st_size
        except FileNotFoundError:
            raise durable.Damaged(f"its file {name} is missing") from None
        if found != size:
            raise durable.Damaged(f"its file {name} is {found} bytes, {MARKER} says {size}")
    try:
        store = ox.Store.read_only(str(path))
        first = next(iter(store.quads_for_pattern(None, None, None)), None)
        if first is None:
            if triples:
                raise durable.Damaged(f"it holds no quad, {MARKER} says {triples}")
            return
        for pattern in ((first.subject, None, None), (None, first.predicate, None), (None, None, first.object),
                        (None, None, None, first.graph_name)):
            if next(iter(store.quads_for_pattern(*pattern)), None) is None:
                raise durable.Damaged("its indexes disagree")
    except (OSError, RuntimeError) as problem:
        raise durable.Damaged(f"the engine cannot read it: {' '.join(str(problem).split())}") from None


def graphs_as_ntriples(path: Path, union_as: str | None = None) -> dict[str, tuple[bytes, int]]:
    """The store's named graphs, by IRI, each as N-Triples with its count of triples, to load elsewhere;
    with `union_as`, the union of them as one graph of that name instead (a release's data)."""
    store = ox.Store.read_only(str(path))
    names = [None] if union_as else [graph.value for graph in store.named_graphs()]
    loaded = {}
    for name in sorted(names, key=str):
        quads = store.quads_for_pattern(None, None, None, None if name is None else ox.NamedNode(name))
        triples = sorted({quad.triple for quad in quads if not isinstance(quad.graph_name, ox.DefaultGraph)}, key=str)
        loaded[union_as or name] = ("".join(f"{triple} .\n" for triple in triples).encode("utf-8"), len(triples))
    return loaded


def stored_quads(path: Path) -> int:
    """The store's size as its build recorded it (counting a large store on disk takes seconds)."""
    try:
        return int(json.loads((path / MARKER).read_text(encoding="utf-8"))["triples"])
    except (OSError, ValueError, KeyError, TypeError):
        return len(ox.Store.read_only(str(path)))


class EmbeddedStore:
    """An Oxigraph store opened read-only: nothing a query says can change it.

    A store of up to `in_memory_quads` quads is also copied into memory: Oxigraph answers several
    times faster from memory than through its on-disk index. With `warm_in_background` the copy is
    made by a thread while queries are answered from disk, and replaces the disk store when done,
    so opening takes no longer for a large store than for a small one. Larger stores stay on disk,
    so memory stays bounded.
    """

    capabilities = Capabilities(union_default_graph=True, bytes_limit=True)

    def __init__(self, path: Path, in_memory_quads: int = 0, warm_in_background: bool = False):
        self._store = ox.Store.read_only(str(path))
        self._matched: dict[tuple, list[ox.Quad]] = {}  # see `matches`
        self._others: dict[str, ox.Store] = {}  # releases' stores, opened when first asked: see `Query.store`
        if in_memory_quads and stored_quads(path) <= in_memory_quads:
            if warm_in_background:
                threading.Thread(target=self._copy_to_memory, name="warm-up", daemon=True).start()
            else:
                self._copy_to_memory()

    def _copy_to_memory(self) -> None:
        memory = ox.Store()
        # quads, not a parsed dump: blank nodes keep their identifiers, which fragments name them by
        memory.bulk_extend(self._store.quads_for_pattern(None, None, None))
        self._store = memory  # queries already running keep the store they started on

    def answer(self, query: Query) -> Answer:
        options: dict = {"prefixes": dict(query.prefixes)}
        if query.base is not None:
            options["base_iri"] = query.base
        if query.bindings:
            options["substitutions"] = {ox.Variable(name): ox.Literal(value) if isinstance(value, int) else ox.NamedNode(value)
                                        for name, value in query.bindings.items()}
        if query.default_graphs or query.named_graphs:  # the protocol's dataset replaces the query's
            options["default_graph"] = [ox.NamedNode(g) for g in query.default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in query.named_graphs]
        elif not query.own_dataset:
            options["use_default_graph_as_union"] = True
        try:
            outcome = self._engine(query.store).query(query.text, **options)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from None
        return written(outcome, query)

    def _engine(self, other: str | None) -> ox.Store:
        """This store, or another one on disk (opened read-only once, then kept)."""
        if other is None:
            return self._store
        if other not in self._others:
            self._others[other] = ox.Store.read_only(other)
        return self._others[other]

    def matches(self, pattern: Pattern) -> Matches:
        """The count and a page of the matches of a pattern, sorted (N-Triples' text, code points),
        each triple of the default graph once however many named graphs hold it. The sorted
        matches of the last few patterns are kept: a client pages through one after another."""
        key = (pattern.subject, pattern.predicate, pattern.object, pattern.graph)
        found = self._matched.get(key)
        if found is None:
            union = isinstance(pattern.graph, ox.DefaultGraph)
            found = sorted_matches(self._store.quads_for_pattern(pattern.subject, pattern.predicate, pattern.object,
                                                                 None if union else pattern.graph), union)
            self._matched[key] = found
            if len(self._matched) > KEPT_PATTERNS:
                self._matched.pop(next(iter(self._matched)))
        return Matches(len(found), found[pattern.offset:pattern.offset + pattern.limit])

    def select(self, text: str, prefixes: Mapping[str, str]) -> list[dict]:
        """The rows of a SELECT as SPARQL JSON bindings: for commands that read the store directly."""
        answer = self.answer(Query(text, "application/sparql-results+json", prefixes))
        return json.loads(answer.body)["results"]["bindings"]

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None))

    def __len__(self) -> int:
        return len(self._store)
