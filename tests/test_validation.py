import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from service.build import build
from service.config import Settings
from service.dataset import parse_turtle
from service.namespaces import prefixes
from service.validation import SH, ShapesError, load_shapes

from .conftest import FIXTURES, VALID_WORLD
from .projects import small_project

INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def expectation(path: Path) -> tuple[str, str, tuple[str, ...]]:
    """`# also:` names what the same mistake unavoidably trips as well, so nothing else may appear."""
    header = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.+)$", header, re.M).group(1)
    focus = re.search(r"^# focus: (.+)$", header, re.M).group(1)
    also = tuple(re.findall(r"^# also: (.+)$", header, re.M))
    return expect, focus, also


def test_the_valid_world_conforms_without_warnings(settings):
    report = build(settings, [VALID_WORLD]).report
    assert report.conforms, "\n".join(map(str, report.issues))
    assert report.issues == ()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_each_broken_fixture_is_rejected_with_its_message(settings, fixture):
    """A fixture that broke a second rule would still be rejected if its own rule stopped working."""
    expect, focus, also = expectation(fixture)
    report = build(settings, [VALID_WORLD, fixture]).report
    assert not report.conforms
    matching = [issue for issue in report.violations if expect in issue.message]
    assert matching, f"expected {expect!r}, got:\n" + "\n".join(map(str, report.issues))
    assert any(issue.focus == focus for issue in matching), [str(i) for i in matching]
    assert any(issue.focus == focus and issue.file == fixture for issue in matching)
    unexpected = [str(issue) for issue in report.issues
                  if not any(message in issue.message for message in (expect, *also))]
    assert unexpected == [], "issues neither expected nor listed as `# also:`:\n" + "\n".join(unexpected)
    assert [message for message in also if not any(message in issue.message for issue in report.issues)] == []


def test_every_shape_message_has_a_broken_fixture(settings):
    shapes = load_shapes(settings.shapes_dir, settings.base)
    messages = {str(m) for m in shapes.objects(None, SH.message)}
    severities = {shapes.value(s, SH.severity) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert SH.Warning in severities  # the warning shape is covered by the test below instead
    warning_messages = {
        str(shapes.value(s, SH.message)) for s in shapes.subjects(SH.severity, SH.Warning)
    }
    expected = {expectation(path)[0] for path in INVALID}
    uncovered = [m for m in messages - warning_messages if not any(e in m for e in expected)]
    assert uncovered == []


def test_an_undated_event_is_a_warning_not_a_violation(settings, tmp_path):
    undated = tmp_path / "undated.ttl"
    prologue = VALID_WORLD.read_text(encoding="utf-8").split("\n# Concept schemes")[0]
    undated.write_text(prologue + """
evt:undated a cao:Protest ; rdfs:label "Protest"@en , "Manifestation"@fr ;
    cao:certainty cert:stated ; cao:statedIn sen:1.2.1 ; prov:qualifiedDerivation [ a prov:Derivation ; prov:entity wrk:book ] .
""", encoding="utf-8")
    report = build(settings, [VALID_WORLD, undated]).report
    assert report.conforms and report.violations == []
    assert [i.focus for i in report.warnings] == ["evt:undated"]
    assert "no date" in report.warnings[0].message
    assert str(report.warnings[0]).startswith(f"{undated}: Warning: evt:undated")
    # with violations beside it, they come first, each file's in order of focus node and message
    weapon, label = (FIXTURES / "invalid" / f"{name}.ttl" for name in ("direct-weapon-not-a-weapon",
                                                                       "statement-tactic-not-a-tactic"))
    report = build(settings, [VALID_WORLD, undated, weapon, label]).report
    assert not report.conforms
    shown = [(issue.severity, issue.file.name, issue.focus, issue.message) for issue in report.issues]
    assert [kind for kind, *_ in shown] == ["Violation"] * (len(shown) - 1) + ["Warning"]
    assert [i.focus for i in report.warnings] == ["evt:undated"] and len(report.violations) == len(shown) - 1
    assert shown[:-1] == sorted(shown[:-1])
    assert {file for _, file, *_ in shown[:-1]} == {weapon.name, label.name, VALID_WORLD.name}


@pytest.mark.slow
def test_the_shipped_data_conforms(profile):
    assert profile.report.conforms, "\n".join(map(str, profile.report.violations))


def issues_of(settings, name: str) -> tuple[Path, list[str]]:
    fixture = FIXTURES / "invalid" / f"{name}.ttl"
    return fixture, [str(issue) for issue in build(settings, [VALID_WORLD, fixture]).report.issues]


def test_an_issue_reads_file_severity_focus_path_message_and_value(settings):
    """What `conflict-ld validate` prints, one line per issue: the file, the severity, the focus node
    and property as the data's prefixes write them, the message and the offending value."""
    fixture, lines = issues_of(settings, "direct-weapon-not-a-weapon")
    assert lines == [f"{fixture}: Violation: grp:gamma cao:weapon: cao:weapon must point to a weapon concept "
                     "(value: ideo:secularism)"]
    fixture, lines = issues_of(settings, "label-without-language")
    assert lines == [f"{fixture}: Violation: grp:gamma rdfs:label: rdfs:label must carry a language tag (value: Gamma)"]


def test_a_value_already_shown_is_not_repeated(settings):
    """A value that is the focus node itself, or that the message already names, is not shown again."""
    fixture, lines = issues_of(settings, "claim-missing-a-page")
    assert lines == [f"{fixture}: Violation: clm:broken: lacks page 13-14 of https://w3id.org/conflict-ld/id/work/book, "
                     "which the citation covering its sentence https://w3id.org/conflict-ld/id/work/cma-profile/s/1.1.1 "
                     "gives"]


def test_a_path_that_is_not_one_property_is_named_as_such(settings):
    fixture, lines = issues_of(settings, "event-agent-not-an-actor")
    assert (f"{fixture}: Violation: evt:broken (property path): participants (cao:agent, cao:target, cao:participant, "
            "cao:supportingActor) must be actors (value: plc:town)") in lines


def test_a_blank_node_is_shown_through_the_node_that_holds_it(settings):
    fixture, lines = issues_of(settings, "figure-two-values")
    assert f"{fixture}: Violation: evt:broken → [ ] schema:value: a figure has at most one schema:value" in lines


@pytest.mark.parametrize("constraint, reason", [
    ('sh:message "m" ; sh:select """SELECT $this\nWHERE { $this ?p ?o ] }"""',
     "the SPARQL query of <https://example.org/shapes#Broken> does not parse: Expected SelectQuery (line 2, column 21)"),
    ('sh:message "m"', "SPARQLConstraintComponent value for sh:select must have at least one sh:select predicate."),
], ids=["query-that-does-not-parse", "constraint-without-a-query"])
def test_shapes_that_cannot_be_applied_are_said_once(tmp_path, caplog, constraint, reason):
    """The shape and the place in its own query text (line 2, column 21 is the stray `]`), as one
    ShapesError: pyshacl, which logs what it raises to a stderr handler of its own, logs nothing."""
    home = small_project(tmp_path / "home")
    (home / "shapes" / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/shapes#> .\n"
        f"ex:Broken a sh:NodeShape ; sh:targetNode ex:x ; sh:sparql [ {constraint} ] .\n", encoding="utf-8")
    with pytest.raises(ShapesError) as refused:
        build(Settings(root=home))
    assert str(refused.value) == reason
    assert [record.getMessage() for record in caplog.records if record.name.startswith("pyshacl")] == []


def test_the_published_shapes_declare_our_namespaces_for_every_query(settings):
    """SHACL §5.2.1: a SPARQL-based constraint's prefixes come from the sh:declare entries of its
    sh:prefixes, each an sh:prefix and an xsd:anyURI sh:namespace. Ours depend on the base, so the
    shapes as published (at /shapes) must declare them where every constraint and target points."""
    shapes = load_shapes(settings.shapes_dir, settings.base)
    declarations = URIRef(settings.base + "shapes#prefixes")
    declared = {str(shapes.value(entry, SH.prefix)): shapes.value(entry, SH.namespace)
                for entry in shapes.objects(declarations, SH.declare)}
    ours = {prefix: namespace for prefix, namespace in prefixes(settings.base).items()
            if namespace.startswith(settings.base)}
    assert len(ours) > 10
    for prefix, namespace in {**ours, "id": settings.base + "id/"}.items():
        assert declared.get(prefix) == Literal(namespace, datatype=XSD.anyURI), prefix
    holders = set(shapes.subjects(SH.select, None))
    assert holders and {shapes.value(holder, SH.prefixes) for holder in holders} == {declarations}


def test_each_sparql_constraint_runs_on_the_nodes_its_own_query_selects(settings):
    """Validation stays within a minute on the profile because each SPARQL constraint sits on a shape
    of its own whose SPARQL target is the constraint's query, with its prefixes and severity: the
    query runs once over the data, then once per node it found, not once per node of a class.
    A shape written with a SPARQL target of its own keeps it."""
    source = Graph()
    for path in sorted(settings.shapes_dir.glob("*.ttl")):
        source += parse_turtle(path, settings.base)  # the files as written, under the base
    written = {str(source.value(c, SH.select)): (shape, source.value(shape, SH.severity))
               for shape, c in source.subject_objects(SH.sparql)}
    shapes = load_shapes(settings.shapes_dir, settings.base)
    moved = list(shapes.subject_objects(SH.sparql))
    assert len(moved) == len(written) > 20
    for holder, constraint in moved:
        if (holder, SH.target, None) in source:
            continue
        query = shapes.value(constraint, SH.select)
        (target,) = shapes.objects(holder, SH.target)
        assert (target, RDF.type, SH.SPARQLTarget) in shapes and shapes.value(target, SH.select) == query
        assert shapes.value(target, SH.prefixes) == shapes.value(constraint, SH.prefixes)
        original, severity = next(value for text, value in written.items() if str(query).endswith(text))
        assert holder != original and shapes.value(holder, SH.severity) == severity


def test_blank_nodes_are_shown_through_what_holds_them():
    """A report names a blank node by the named node holding it, `[ ]` when nothing does, and a
    blank value as `[blank node]`: never rdflib's generated label, which differs at each run."""
    from rdflib import BNode

    from service.validation import _show, _show_focus

    graph = Graph()
    graph.bind("grp", "https://w3id.org/conflict-ld/id/organisation/")
    held, orphan = BNode(), BNode()
    graph.add((URIRef("https://w3id.org/conflict-ld/id/organisation/mnla"), URIRef("https://w3id.org/conflict-ld/ontology#strength"), held))
    assert _show_focus(held, graph) == "grp:mnla → [ ]"
    assert _show_focus(orphan, graph) == "[ ]"
    assert _show(held, graph) == "[blank node]"
    assert _show(Literal("9000"), graph) == "9000"
