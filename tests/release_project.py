"""The project the release tests share: the small valid fixture released as 1.0.0, then changed (an
entity renamed, one removed, one added, a label changed, sources moved) and released as 2.0.0."""

from __future__ import annotations

from service.config import Settings

from .projects import conflict_ld, of_a_release, release_in, small_project

BASE = Settings().base
ID = BASE + "id/"
CAO = BASE + "ontology#"
# The fixture's change, each part by itself: the person renamed (their old IRI left as a tombstone
# saying what replaced it, and the attack naming the new one), the merger removed, an armed group added,
# an alternative label changed, a claim moved to a sentence no work is cited for (so its source is the
# profile's own), and a citation's page corrected with the claim it covers.
CHANGES = (
    ('per:someone a foaf:Person ;', 'per:someone dcterms:isReplacedBy per:someone-cherif .\nper:someone-cherif a foaf:Person ;'),
    ("    cao:victim per:someone ;\n", "    cao:victim per:someone-cherif ;\n"),
    ('evt:merger a cao:Merger ; rdfs:label "Merger"@en , "Fusion"@fr ;\n'
     '    org:originalOrganization grp:alpha , grp:beta ; org:resultingOrganization grp:beta ;\n'
     '    cao:date "2023-02"^^xsd:gYearMonth ; cao:certainty cert:stated ; cao:statedIn sen:1.2.1 ; '
     'prov:qualifiedDerivation [ a prov:Derivation ; prov:entity wrk:book ] .\n', ""),
    ('grp:beta a cao:Coalition ;', 'grp:gamma a cao:ArmedGroup ; rdfs:label "Gamma"@en , "Gamma"@fr .\ngrp:beta a cao:Coalition ;'),
    ('skos:altLabel "ALF"@en', 'skos:altLabel "AF"@en'),
    ('rdf:object ideo:secularism ;\n    cao:certainty cert:stated ; cao:statedIn sen:1.2.1 ; '
     'prov:qualifiedDerivation [ a prov:Derivation ; prov:entity wrk:book ] .',
     'rdf:object ideo:secularism ;\n    cao:certainty cert:stated ; cao:statedIn sen:1.3.1 ; '
     'prov:qualifiedDerivation [ a prov:Derivation ; prov:entity wrk:cma-profile ] .'),
    ('cito:hasCitedEntity wrk:book ; cao:page "12" , "13-14" ]', 'cito:hasCitedEntity wrk:book ; cao:page "15" , "13-14" ]'),
    ('prov:entity wrk:book ; cao:page "12" , "13-14" ]', 'prov:entity wrk:book ; cao:page "15" , "13-14" ]'),
)


def changed(text: str) -> str:
    for old, new in CHANGES:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def cut_two_releases(folder):
    """The fixture released as 1.0.0 in `folder`, then changed and released as 2.0.0 (after a refused
    1.1.0): the project, each release's quads dump as built, and the three commands' results."""
    home, var = small_project(folder / "home"), folder / "var"
    first = conflict_ld("release", "1.0.0", "--date", "2026-01-02", "--notes", "First.", home=home, var=var)
    assert first.returncode == 0, first.stderr
    built = release_in(var)
    world = home / "data" / "ttl" / "world.ttl"
    world.write_text(changed(world.read_text(encoding="utf-8")), encoding="utf-8")
    refused = conflict_ld("release", "1.1.0", "--notes", "Too small a step.", home=home, var=var)
    second = conflict_ld("release", "2.0.0", "--date", "2026-02-03", "--notes", "Second.", home=home, var=var)
    assert second.returncode == 0, second.stderr
    [rebuilt] = [child for child in (var / "dumps").iterdir() if child != built and not of_a_release(child)]
    dumps = [(path / "conflict-ld.nq").read_text(encoding="utf-8") for path in (built, rebuilt)]
    return home, *dumps, first, second, refused


def said(result) -> str:
    """The command's last line on standard error (the build logs come before it)."""
    return result.stderr.splitlines()[-1]


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)
