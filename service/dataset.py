"""Reading the Turtle sources into named graphs, remembering which file said what.

Files hold relative IRIs; they are resolved here against the configured canonical base, so the
same files publish under any base. Parse errors become `TurtleError` with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from .config import Settings
from .namespaces import prefixes

ONTOLOGY, DATA, DERIVED, WIKIDATA, INFERRED = "ontology", "data", "derived", "wikidata", "inferred"


class TurtleError(Exception):
    """A Turtle file that does not parse, located by file and line."""

    def __init__(self, path: Path, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def parse_turtle(path: Path, base: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle", publicID=base)
    except BadSyntax as error:
        raise TurtleError(path, error.lines + 1, error._why) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise TurtleError(path, None, str(error)) from None
    return graph


@dataclass
class ProfileDataset:
    """The dataset as named graphs, plus the file each subject was written in."""

    settings: Settings
    graphs: dict[str, Graph] = field(default_factory=dict)
    origin: dict[URIRef | BNode, Path] = field(default_factory=dict)

    def add_file(self, path: Path, graph_name: str) -> None:
        parsed = parse_turtle(path, self.settings.base)
        target = self.graphs.setdefault(graph_name, self._new_graph())
        target += parsed
        for subject in parsed.subjects(unique=True):
            self.origin.setdefault(subject, path)

    def _new_graph(self) -> Graph:
        graph = Graph()
        for prefix, namespace in prefixes(self.settings.base).items():
            graph.bind(prefix, namespace, replace=True)
        return graph

    def graph(self, name: str) -> Graph:
        return self.graphs.setdefault(name, self._new_graph())

    def union(self, names: Iterable[str] | None = None) -> Graph:
        """One graph holding every triple of the named graphs (all of them by default)."""
        merged = self._new_graph()
        for name in names or list(self.graphs):
            merged += self.graphs.get(name, Graph())
        return merged

    def file_of(self, node: URIRef | BNode, graph: Graph | None = None) -> Path | None:
        """The file a node was written in; a blank node is traced to the subject that holds it."""
        seen: set = set()
        while node not in self.origin and isinstance(node, BNode) and graph is not None and node not in seen:
            seen.add(node)
            holder = next(graph.subjects(object=node), None)
            if holder is None:
                return None
            node = holder
        return self.origin.get(node)


def source_files(settings: Settings, data_paths: Iterable[Path] | None = None) -> list[tuple[Path, str]]:
    """The ontology always; then the given data files (or folders), or all of data/ttl/."""
    files = [(p, ONTOLOGY) for p in sorted(settings.ontology_dir.glob("*.ttl"))]
    roots = list(data_paths) if data_paths else [settings.data_dir]
    for root in roots:
        root = Path(root)
        found = sorted(root.rglob("*.ttl")) if root.is_dir() else [root]
        files.extend((p, DATA) for p in found)
    return files


def load(settings: Settings, data_paths: Iterable[Path] | None = None) -> ProfileDataset:
    dataset = ProfileDataset(settings)
    for path, graph_name in source_files(settings, data_paths):
        dataset.add_file(path, graph_name)
    return dataset
