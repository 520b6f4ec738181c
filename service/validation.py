"""The validation gate: SHACL shapes (pyshacl) over ontology + data + derived triples.

Results are turned into `Issue`s that name the focus node, the path, the message and the file the
focus node was written in, so an editor can go straight to the mistake.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyparsing import ParseBaseException
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from .dataset import ProfileDataset, parse_turtle
from .namespaces import STANDARD_PREFIXES, prefixes
from .oxigraph_rdflib import OxigraphCopy

SH = Namespace("http://www.w3.org/ns/shacl#")
# pyshacl logs a shape it cannot load as an error and then raises it, which is reported once, as ShapesError
logging.getLogger("pyshacl-validate").addFilter(lambda record: record.levelno < logging.ERROR)


@dataclass(frozen=True)
class Issue:
    severity: str
    focus: str
    path: str | None
    message: str
    value: str | None
    file: Path | None

    def summary(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = self.value if self.value not in (None, self.focus) and self.value not in self.message else None
        value = f" (value: {value})" if value else ""
        return f"{self.severity}: {self.focus}{path}: {self.message}{value}"

    def __str__(self) -> str:
        return f"{self.file}: {self.summary()}" if self.file else self.summary()


@dataclass(frozen=True)
class Report:
    issues: tuple[Issue, ...]

    @property
    def conforms(self) -> bool:
        return not any(issue.severity == "Violation" for issue in self.issues)

    @property
    def violations(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "Violation"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity != "Violation"]


class ShapesError(Exception):
    """The shapes cannot be applied (a malformed shape or constraint query): a fault of the project."""


@lru_cache(maxsize=8)
def load_shapes(shapes_dir: Path, base: str) -> Graph:
    """All shapes, with every prefix their SPARQL constraints use declared.

    Our own namespaces depend on the base, so they are added here: as sh:declare entries (for any
    SHACL engine reading the published shapes) and as PREFIX lines in each query (for the
    embedded engine, which does not receive sh:prefixes). Loaded once per process: the shapes do
    not change while it runs, and the same query texts let prepared queries be reused.
    """
    shapes = _written_shapes(shapes_dir, base)
    namespaces = {**prefixes(base), "id": base + "id/"}
    declarations = URIRef(base + "shapes#prefixes")
    for prefix, namespace in namespaces.items():
        if prefix in STANDARD_PREFIXES:
            continue
        declaration = BNode()
        shapes.add((declarations, SH.declare, declaration))
        shapes.add((declaration, SH.prefix, Literal(prefix)))
        shapes.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(namespaces.items()))
    for node, query in list(shapes.subject_objects(SH.select)):
        shapes.set((node, SH.select, Literal(prologue + str(query))))
    _target_sparql_constraints(shapes)
    return shapes


def _written_shapes(shapes_dir: Path, base: str) -> Graph:
    shapes = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        shapes += parse_turtle(path, base)
    return shapes


def _unparsable(shapes_dir: Path, base: str) -> ShapesError:
    """The shape whose query rdflib refused, and the place in the query as written (rdflib counts
    lines from our prologue): read again from the files, only once a query has failed."""
    from rdflib.plugins.sparql.parser import parseQuery

    shapes = _written_shapes(shapes_dir, base)
    for node, query in shapes.subject_objects(SH.select):
        try:
            parseQuery(str(query))
        except ParseBaseException as problem:
            shape = next(shapes.subjects(SH.sparql, node), node)
            return ShapesError(f"the SPARQL query of {_show(shape, shapes)} does not parse: {problem.msg} "
                               f"(line {problem.lineno}, column {problem.col})")
    return ShapesError("a SPARQL query of the shapes does not parse")


def _target_sparql_constraints(shapes: Graph) -> None:
    """Evaluate each SPARQL constraint only on the nodes its own query selects.

    pyshacl runs a SPARQL constraint once per focus node and rdflib parses the query each time,
    which costs minutes on the whole dataset. A constraint's query, run once with `$this` unbound,
    returns exactly the nodes that can violate it, so each constraint moves to a shape of its own
    whose SPARQL target (SHACL Advanced Features) is that query: one run over the data, then one
    per offending node. Shapes that already have a SPARQL target are left alone.
    """
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        if (shape, SH.target, None) in shapes or (constraint, SH.select, None) not in shapes:
            continue  # one without a query is left for pyshacl to refuse
        targeted = URIRef(f"{shape}-{len(list(shapes.objects(shape, SH.sparql)))}")
        while (targeted, None, None) in shapes:
            targeted = URIRef(f"{targeted}'")
        target = BNode()
        shapes.add((targeted, RDF.type, SH.NodeShape))
        shapes.add((targeted, SH.target, target))
        shapes.add((target, RDF.type, SH.SPARQLTarget))
        shapes.add((target, SH.select, shapes.value(constraint, SH.select)))
        for declared in shapes.objects(constraint, SH.prefixes):
            shapes.add((target, SH.prefixes, declared))
        for severity in shapes.objects(shape, SH.severity):
            shapes.add((targeted, SH.severity, severity))
        shapes.add((targeted, SH.sparql, constraint))
        shapes.remove((shape, SH.sparql, constraint))


def _resolve_sparql_targets(shapes: Graph, data: Graph) -> Graph:
    """The shapes, with each SPARQL target replaced by the nodes its query selects (`sh:targetNode`),
    found by Oxigraph (see `oxigraph_rdflib`): a target is exactly the nodes its query returns, so
    listing them changes nothing else."""
    targets = [(shape, target) for shape, target in shapes.subject_objects(SH.target)
               if (target, RDF.type, SH.SPARQLTarget) in shapes and (target, SH.select, None) in shapes]
    if not targets:
        return shapes
    copy = OxigraphCopy(data)
    resolved = Graph()
    resolved += shapes
    for shape, target in targets:
        for node in copy.select(str(shapes.value(target, SH.select)), "this"):
            resolved.add((shape, SH.targetNode, node))
        resolved.remove((shape, SH.target, target))
        resolved.remove((target, None, None))
    return resolved


def validate(dataset: ProfileDataset) -> Report:
    # imported here: pyshacl and rdflib's SPARQL grammar take half a second to load, and a service
    # starting from a store already built (and validated) never needs them
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ReportableRuntimeError

    from . import prepared_queries

    prepared_queries.install()
    data = dataset.union()
    shapes = load_shapes(dataset.settings.shapes_dir, dataset.settings.base)
    try:
        shapes = _resolve_sparql_targets(shapes, data)
        _, results, _ = shacl_validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    except ReportableRuntimeError as problem:  # a shape pyshacl cannot load, such as a constraint without a query
        raise ShapesError(problem.message) from None
    except (ParseBaseException, SyntaxError):  # rdflib's, or Oxigraph's for a target's query
        raise _unparsable(dataset.settings.shapes_dir, dataset.settings.base) from None
    if not isinstance(results, Graph):  # pyshacl's ValidationFailure: the shapes themselves are broken
        raise ShapesError(str(getattr(results, "message", results)))
    issues = {_issue(results, result, dataset, data) for result in results.subjects(RDF.type, SH.ValidationResult)}
    ordered = sorted(issues, key=lambda i: (i.severity != "Violation", str(i.file or ""), i.focus, i.message))
    return Report(tuple(ordered))


def _issue(results: Graph, result, dataset: ProfileDataset, data: Graph) -> Issue:
    def one(predicate):
        return results.value(result, predicate)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    value = one(SH.value)
    severity = one(SH.resultSeverity)
    return Issue(
        severity=str(severity).rsplit("#", 1)[-1],
        focus=_show_focus(focus, data),
        path=_show(path, data) if isinstance(path, URIRef) else ("(property path)" if path is not None else None),
        message=str(one(SH.resultMessage) or "does not conform to the shape"),
        value=_show(value, data) if value is not None else None,
        file=dataset.file_of(focus, data),
    )


def _show_focus(node, graph: Graph) -> str:
    """A blank node is shown through the named node that holds it, e.g. `evt:x → [ ]`."""
    if isinstance(node, BNode):
        holder = next(graph.subjects(object=node), None)
        return f"{_show_focus(holder, graph)} → [ ]" if holder is not None else "[ ]"
    return _show(node, graph)


def _show(node, graph: Graph) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib cannot shorten some IRIs; show them whole
            return f"<{node}>"
    if isinstance(node, BNode):
        return "[blank node]"
    return str(node)
