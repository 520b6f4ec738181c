import re
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from service.build import build
from service.validation import SH, load_shapes

from .conftest import FIXTURES, VALID_WORLD

INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def expectation(path: Path) -> tuple[str, str]:
    header = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.+)$", header, re.M).group(1)
    focus = re.search(r"^# focus: (.+)$", header, re.M).group(1)
    return expect, focus


def test_the_valid_world_conforms_without_warnings(settings):
    report = build(settings, [VALID_WORLD]).report
    assert report.conforms, "\n".join(map(str, report.issues))
    assert report.issues == ()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_each_broken_fixture_is_rejected_with_its_message(settings, fixture):
    expect, focus = expectation(fixture)
    report = build(settings, [VALID_WORLD, fixture]).report
    assert not report.conforms
    matching = [issue for issue in report.violations if expect in issue.message]
    assert matching, f"expected {expect!r}, got:\n" + "\n".join(map(str, report.issues))
    assert any(issue.focus == focus for issue in matching), [str(i) for i in matching]
    assert any(issue.focus == focus and issue.file == fixture for issue in matching)


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
    assert report.conforms
    assert [i.focus for i in report.warnings] == ["evt:undated"]
    assert "no date" in report.warnings[0].message


@pytest.mark.slow
def test_the_shipped_data_conforms(profile):
    assert profile.report.conforms, "\n".join(map(str, profile.report.violations))
