"""Releases and the patches between them: two releases cut with `conflict-ld release` from the small
fixture and a change to it (see release_project.py); and the releases the repository ships."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pyoxigraph as ox
import pytest

from service.changes import summarise
from service.namespaces import prefixes
from service.rdf_patch import Patch, PatchError, apply, parse
from service.releases import History, ReleaseError, checksum, release_iri

from .conftest import ROOT
from .projects import conflict_ld, small_project
from .release_project import BASE, CAO, ID, cut_two_releases, lines, said


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    return cut_two_releases(tmp_path_factory.mktemp("releases"))


def dataset(text: str) -> ox.Dataset:
    return ox.Dataset(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def isomorphic(one: ox.Dataset, other: ox.Dataset) -> bool:
    for each in (one, other):
        each.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(map(str, one)) == set(map(str, other))


def test_each_release_has_a_record_and_the_newest_alone_is_kept_whole(two_releases):
    home, first_dump, second_dump, first, second, _ = two_releases
    folder = home / "releases"
    assert sorted(path.name for path in folder.iterdir()) == ["1.0.0.json", "2.0.0.json", "2.0.0.nq.gz", "2.0.0.rdfp"]
    records = [json.loads((folder / f"{version}.json").read_text(encoding="utf-8")) for version in ("1.0.0", "2.0.0")]
    assert [(r["version"], r["date"], r["notes"], r["previous"]) for r in records] == [
        ("1.0.0", "2026-01-02", "First.", None), ("2.0.0", "2026-02-03", "Second.", "1.0.0")]
    for record, dump in zip(records, (first_dump, second_dump)):
        assert record["quads"] == len(lines(dump)) and record["sha256"] == checksum(lines(dump))
        assert record["id"].startswith("urn:uuid:")
    assert gzip.decompress((folder / "2.0.0.nq.gz").read_bytes()).decode("utf-8") == second_dump
    assert first.stdout == (f"released 1.0.0 (2026-01-02): {records[0]['quads']} quads, SHA-256 {records[0]['sha256']}\n")
    assert second.stdout.endswith(", patched from 1.0.0\n")


def test_a_version_smaller_than_the_change_is_refused(two_releases):
    *_, refused = two_releases
    assert refused.returncode == 1
    assert said(refused).startswith("cannot release 1.1.0: the change from 1.0.0 is a major one (2 entities removed")
    assert said(refused).endswith("the version must be at least 2.0.0")


@pytest.mark.parametrize("version, message", [
    ("2.0.0", "2.0.0 does not follow the newest release, 2.0.0"),
    ("1.9.9", "1.9.9 does not follow the newest release, 2.0.0"),
    ("2.1", "'2.1' is not a version of the form MAJOR.MINOR.PATCH"),
    ("02.1.0", "'02.1.0' is not a version of the form MAJOR.MINOR.PATCH"),
])
def test_a_version_that_does_not_follow_is_refused(two_releases, tmp_path, version, message):
    home = two_releases[0]
    before = {path.name: path.read_bytes() for path in (home / "releases").iterdir()}
    refused = conflict_ld("release", version, home=home, var=tmp_path / "var")
    assert refused.returncode == 1 and said(refused).startswith(f"cannot release {version}: {message}")
    assert {path.name: path.read_bytes() for path in (home / "releases").iterdir()} == before


def test_the_patch_applied_to_the_first_release_gives_the_second_and_reversed_gives_it_back(two_releases):
    home, first_dump, second_dump, *_ = two_releases
    patch = parse((home / "releases" / "2.0.0.rdfp").read_text(encoding="utf-8"))
    records = History(home / "releases").by_version
    assert (patch.id, patch.prev) == (records["2.0.0"].id, records["1.0.0"].id)
    forward = apply(lines(first_dump), patch)
    assert "".join(forward) == second_dump and checksum(forward) == records["2.0.0"].sha256
    assert isomorphic(dataset("".join(forward)), dataset(second_dump))
    backward = apply(forward, patch.reversed())
    assert "".join(backward) == first_dump and checksum(backward) == records["1.0.0"].sha256


def test_the_patch_is_the_difference_of_the_two_releases(two_releases):
    home, first_dump, second_dump, *_ = two_releases
    text = (home / "releases" / "2.0.0.rdfp").read_text(encoding="utf-8")
    rows = text.splitlines()
    assert rows[:3] == [f"H id <{History(home / 'releases').by_version['2.0.0'].id}> .",
                        f"H prev <{History(home / 'releases').by_version['1.0.0'].id}> .", "TX ."]
    assert rows[-1] == "TC ."
    first, second = set(lines(first_dump)), set(lines(second_dump))
    assert [row[2:] + "\n" for row in rows if row.startswith("D ")] == sorted(first - second)
    assert [row[2:] + "\n" for row in rows if row.startswith("A ")] == sorted(second - first)
    # what the fixture's change says, among the rows
    assert f"D <{ID}person/someone> <{CAO}militaryRank> \"Colonel\" <{BASE}graph/data> ." in rows
    assert f"A <{ID}person/someone-cherif> <{CAO}militaryRank> \"Colonel\" <{BASE}graph/data> ." in rows
    assert f"A <{ID}organisation/gamma> <http://www.w3.org/2000/01/rdf-schema#label> \"Gamma\"@en <{BASE}graph/data> ." in rows


def test_a_past_release_is_rebuilt_from_the_current_data_and_the_patches(two_releases):
    home, first_dump, second_dump, *_ = two_releases
    history = History(home / "releases")
    assert "".join(history.lines("1.0.0", lines(second_dump))) == first_dump
    assert history.lines("2.0.0", lines(second_dump)) == lines(second_dump)
    # without the current data (or when it has changed since), from the newest release kept whole
    assert "".join(history.lines("1.0.0")) == first_dump
    assert "".join(history.lines("1.0.0", lines(second_dump)[1:])) == first_dump


def test_the_summary_says_what_the_change_did(two_releases):
    home, *_ = two_releases
    summary = History(home / "releases").summary("1.0.0", "2.0.0", BASE)
    assert summary.entities_added == (f"{ID}organisation/gamma", f"{ID}person/someone-cherif")
    # a tombstone (an IRI whose only statement says what replaced it) is no longer a description
    assert summary.entities_removed == (f"{ID}event/merger", f"{ID}person/someone")
    names = prefixes(BASE)
    changed = {entity: set(properties) for entity, properties in summary.entities_changed.items()}
    # its label, and what the rules derived from the merger (org:changedBy) is gone with it
    assert changed[f"{ID}organisation/alpha"] == {names["skos"] + "altLabel", names["org"] + "changedBy"}
    assert names["cao"] + "victim" in changed[f"{ID}event/attack"]
    assert {names["cao"] + "statedIn", names["prov"] + "qualifiedDerivation"} <= changed[f"{ID}claim/statement"]
    assert changed[f"{ID}organisation/beta"] == {names["org"] + "changedBy", names["org"] + "resultedFrom"}  # the merger
    assert f"{ID}place/country" not in changed
    sources = {change.claim: (change.removed, change.added) for change in summary.sources_changed}
    book, profile = f"{ID}work/book", f"{ID}work/cma-profile"
    assert {claim: ([(s.work, s.pages) for s in removed], [(s.work, s.pages) for s in added])
            for claim, (removed, added) in sources.items()} == {
        f"{ID}claim/statement": ([(book, ())], [(profile, ())]),
        f"{ID}event/attack": ([(book, ("12", "13-14"))], [(book, ("13-14", "15"))]),
    }
    assert summary.bump == "major"


def test_a_patch_that_does_not_fit_the_data_is_refused():
    line = "<http://a.example/s> <http://a.example/p> <http://a.example/o> ."
    other = "<http://a.example/s> <http://a.example/p> \"x\" ."
    with pytest.raises(PatchError) as refused:
        apply([line + "\n"], Patch("urn:x:2", "urn:x:1", (other,), ()))
    assert str(refused.value) == f"1 deleted statement(s) are not in the data, the first: {other}"
    with pytest.raises(PatchError) as refused:
        apply([line + "\n"], Patch("urn:x:2", "urn:x:1", (), (line,)))
    assert str(refused.value) == f"1 added statement(s) are already in the data, the first: {line}"
    assert apply([line + "\n"], Patch("urn:x:2", "urn:x:1", (line,), (other,))) == [other + "\n"]


HEADERS = "H id <urn:x:2> .\nH prev <urn:x:1> .\n"
LONG = "X <http://a.example/a-subject-longer-than-forty-characters> ."


@pytest.mark.parametrize("text, message", [
    (HEADERS + "TX .\nA <s> .\nTC .\n", "line 4: not an N-Quads statement: "),
    (HEADERS + f"TX .\n{LONG}\nTC .\n", f"line 4: unexpected {LONG[:40]!r}"),
    (HEADERS + "TX .\n", "the patch ends before its transaction is committed (TC .)"),
    ("H id <urn:x:2> .\nTX .\nTC .\n", "the patch has no prev header"),
    ("TX .\nTC .\n", "the patch has no id or prev header"),
    ("H id urn:x:2 .\nTX .\nTC .\n", "line 1: a header's value must be an IRI followed by ' .'"),
    ("H id <urn:x:2 .\nTX .\nTC .\n", "line 1: a header's value must be an IRI followed by ' .'"),
    (HEADERS + "Q .\nTX .\nTC .\n", "line 3: unexpected 'Q .'"),
    (HEADERS + "TX .\nZ .\nTC .\n", "line 4: unexpected 'Z .'"),
    (HEADERS + "TX .\nTC .\nA <http://a.example/s> <http://a.example/p> <http://a.example/o> .\n",
     "line 5: unexpected 'A <http://a.example/s> <http://a.example'"),
])
def test_a_patch_that_does_not_parse_is_refused_with_its_line(text, message):
    with pytest.raises(PatchError) as refused:
        parse(text)
    assert str(refused.value).startswith(message) and (message.endswith(": ") or str(refused.value) == message)


def test_blank_lines_between_rows_are_allowed():
    row = "A <http://a.example/s> <http://a.example/p> <http://a.example/o> ."
    assert parse(f"\n{HEADERS}\nTX .\n\n{row}\n\nTC .\n\n").added == (row[2:],)


def test_a_patch_reads_back_as_written():
    patch = Patch("urn:x:2", "urn:x:1", ("<http://a.example/s> <http://a.example/p> \"d\" .",),
                  ("<http://a.example/s> <http://a.example/p> \"a\"@en <http://a.example/g> .",))
    assert parse(patch.text()) == patch
    assert patch.reversed().reversed() == patch and patch.reversed().added == patch.deleted


def refused_by(action) -> str:
    with pytest.raises(ReleaseError) as refused:
        action()
    return str(refused.value)


def test_a_damaged_history_is_refused_with_the_reason(two_releases, tmp_path):
    home, *_ = two_releases
    folder = tmp_path / "releases"
    shutil.copytree(home / "releases", folder)
    record = json.loads((folder / "2.0.0.json").read_text(encoding="utf-8"))

    def recorded(name: str, changes: dict | None, text: str | None = None) -> None:
        (folder / name).write_text(text if text is not None else json.dumps({**record, **changes}), encoding="utf-8")

    recorded("2.0.0.json", {"previous": "0.9.0"})
    assert refused_by(lambda: History(folder)) == "release 2.0.0 follows 0.9.0, but the release before it is 1.0.0"
    first = json.loads((folder / "1.0.0.json").read_text(encoding="utf-8"))
    recorded("2.0.0.json", {})
    (folder / "1.0.0.json").write_text(json.dumps({**first, "previous": "0.9.0"}), encoding="utf-8")
    assert refused_by(lambda: History(folder)) == "release 1.0.0 follows 0.9.0, but the release before it is none"
    (folder / "1.0.0.json").write_text(json.dumps(first), encoding="utf-8")
    recorded("2.0.0.json", None, "{")
    assert refused_by(lambda: History(folder)).startswith(f"{folder / '2.0.0.json'}: not a release record (")
    recorded("2.0.0.json", {"version": "2.0.1"})
    assert refused_by(lambda: History(folder)) == f"{folder / '2.0.0.json'}: records version 2.0.1"
    recorded("2.0.0.json", {})
    (folder / "1.0.0.json").write_text(json.dumps({**first, "version": "0.9.9"}), encoding="utf-8")
    assert refused_by(lambda: History(folder)) == f"{folder / '1.0.0.json'}: records version 0.9.9"
    (folder / "1.0.0.json").write_text(json.dumps(first), encoding="utf-8")
    recorded("2.0.0.json", {})
    assert refused_by(lambda: History(folder).lines("3.0.0")) == "no release 3.0.0"
    patch = (folder / "2.0.0.rdfp").read_text(encoding="utf-8")
    (folder / "2.0.0.rdfp").write_text(patch.replace('"Gamma"@en', '"Gamma!"@en'), encoding="utf-8")
    assert refused_by(lambda: History(folder).lines("1.0.0")).startswith(
        "the patch to 2.0.0 does not undo: 1 deleted statement(s) are not in the data, the first: ")
    (folder / "2.0.0.rdfp").write_text(patch.replace("TC .", ""), encoding="utf-8")
    assert refused_by(lambda: History(folder).lines("1.0.0")) == (
        "the patch to release 2.0.0 cannot be read: the patch ends before its transaction is committed (TC .)")
    (folder / "2.0.0.rdfp").write_text(patch, encoding="utf-8")
    (folder / "1.0.0.json").write_text(json.dumps({**first, "sha256": "0" * 64}), encoding="utf-8")
    assert refused_by(lambda: History(folder).lines("1.0.0")) == "release 1.0.0 rebuilt does not have its recorded SHA-256"
    (folder / "1.0.0.json").write_text(json.dumps(first), encoding="utf-8")
    kept = (folder / "2.0.0.nq.gz").read_bytes()
    (folder / "2.0.0.nq.gz").write_bytes(gzip.compress(b""))
    assert refused_by(lambda: History(folder).lines("1.0.0")) == "2.0.0.nq.gz does not have the SHA-256 its record gives"
    (folder / "2.0.0.nq.gz").unlink()
    assert refused_by(lambda: History(folder).lines("1.0.0")).startswith(f"release 2.0.0 is not kept whole in {folder}: ")
    (folder / "2.0.0.nq.gz").write_bytes(kept)
    assert "".join(History(folder).lines("1.0.0")) == two_releases[1]  # mended, it gives the release again


def test_a_release_s_files_read_well_in_review(two_releases, tmp_path):
    """The record keeps its notes' letters as they are; the data kept whole is gzipped without a time,
    so the same data gives the same bytes; a release's IRI is the one the README gives."""
    home = tmp_path / "home"
    shutil.copytree(two_releases[0], home)
    made = conflict_ld("release", "2.0.1", "--notes", "Chérif's name, in the notes.", home=home, var=tmp_path / "var")
    assert made.returncode == 0, made.stderr
    assert '"notes": "Chérif\'s name, in the notes."' in (home / "releases" / "2.0.1.json").read_text(encoding="utf-8")
    kept = (home / "releases" / "2.0.1.nq.gz").read_bytes()
    assert kept[4:8] == b"\0\0\0\0"  # RFC 1952 MTIME: none
    assert release_iri("https://w3id.org/conflict-ld/", "1.0.0") == "https://w3id.org/conflict-ld/release/1.0.0"


def test_the_shipped_releases_rebuild_with_their_checksums():
    """The first release is the data as published before the sources were attributed by sentence;
    the next holds that correction."""
    history = History(ROOT / "releases")
    assert [record.version for record in history.records][:2] == ["1.0.0", "1.1.0"]
    first = history.lines("1.0.0")
    assert checksum(first) == history.by_version["1.0.0"].sha256 and len(first) == history.by_version["1.0.0"].quads
    stated_in = f"<{CAO}statedIn>"
    assert not any(stated_in in line for line in first)
    assert any(stated_in in line for line in history.lines("1.1.0"))


def test_a_harvester_applies_the_patch_with_text_tools(two_releases, tmp_path):
    """What the README says a harvester may do: drop the D lines, add the A lines, sort by code point."""
    home, first_dump, second_dump, *_ = two_releases
    (tmp_path / "old.nq").write_text(first_dump, encoding="utf-8")
    script = (f"cd {tmp_path} && sed -n 's/^D //p' {home}/releases/2.0.0.rdfp > deleted && "
              f"sed -n 's/^A //p' {home}/releases/2.0.0.rdfp > added && "
              "{ grep -vxF -f deleted old.nq; cat added; } | LC_ALL=C sort > new.nq && sha256sum new.nq")
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split()[0] == History(home / "releases").by_version["2.0.0"].sha256
    assert (tmp_path / "new.nq").read_text(encoding="utf-8") == second_dump


def test_a_release_from_a_dump_built_elsewhere(two_releases, tmp_path):
    home, first_dump, *_ = two_releases
    (tmp_path / "built-elsewhere.nq").write_text(first_dump, encoding="utf-8")
    fresh = small_project(tmp_path / "fresh")
    made = conflict_ld("release", "1.0.0", "--data", str(tmp_path / "built-elsewhere.nq"), home=fresh, var=tmp_path / "var")
    assert made.returncode == 0, made.stderr
    assert History(fresh / "releases").latest.sha256 == History(home / "releases").by_version["1.0.0"].sha256
    assert not (tmp_path / "var").exists()  # nothing was built: the data came from the file
    (tmp_path / "unsorted.nq").write_text("".join(reversed(lines(first_dump))), encoding="utf-8")
    refused = conflict_ld("release", "1.1.0", "--data", str(tmp_path / "unsorted.nq"), home=fresh, var=tmp_path / "var")
    assert refused.returncode == 1 and said(refused) == (
        "cannot release 1.1.0: the data is not canonical N-Quads: its lines must be unique, sorted and ended")


def test_a_version_says_as_much_as_the_change(two_releases, tmp_path):
    """Unchanged data may be a new patch number (new notes); added statements need a new minor one."""
    home = tmp_path / "home"
    shutil.copytree(two_releases[0], home)
    notes_only = conflict_ld("release", "2.0.1", "--notes", "Notes only.", home=home, var=tmp_path / "var")
    assert notes_only.returncode == 0, notes_only.stderr
    patch = parse((home / "releases" / "2.0.1.rdfp").read_text(encoding="utf-8"))
    assert (patch.deleted, patch.added) == ((), ())
    with open(home / "data" / "ttl" / "world.ttl", "a", encoding="utf-8") as world:
        world.write('\ngrp:alpha skos:altLabel "AL"@en .\n')
    refused = conflict_ld("release", "2.0.2", home=home, var=tmp_path / "var")
    assert refused.returncode == 1
    # two quads: the label as written, and as rdfs:label in the inferred graph (skos:altLabel is one)
    assert said(refused) == ("cannot release 2.0.2: the change from 2.0.1 is a minor one (0 entities removed, "
                             "0 statements deleted, 2 added): the version must be at least 2.1.0")


def test_blank_nodes_are_compared_by_what_they_say_even_in_a_cycle():
    """Their labels differ from one release to the next; two that say the same are the same."""
    base = "http://a.example/"
    old = [f"<{base}x> <{base}p> _:b1 .\n", f"_:b1 <{base}q> _:b2 .\n", f"_:b2 <{base}q> _:b1 .\n",
           f"_:b1 <{base}r> \"one\" .\n"]
    relabelled = [line.replace("_:b1", "_:c9").replace("_:b2", "_:c8") for line in old]
    summary = summarise(old, relabelled, base)
    assert (summary.entities_changed, summary.entities_added, summary.entities_removed) == ({}, (), ())
    changed = summarise(old, [line.replace('"one"', '"two"') for line in relabelled], base)
    assert changed.entities_changed == {f"{base}x": (f"{base}p",)}
