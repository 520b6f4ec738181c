"""Dumps a harvester can trust: reproducible, checksummed, faithful to the store, served with HTTP caching."""

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from email.utils import formatdate
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Graph

from service.build import ensure_store
from service.config import Settings
from service import durable
from service.dumps import _sorted_lines, check, quad_lines, write_dumps

from .conftest import ROOT
from .projects import of_a_release, small_project

pytestmark = pytest.mark.slow

SHA256SUMS = "SHA256SUMS"  # the file's published name, which harvesters fetch
MEDIA_TYPES = {"nq": "application/n-quads", "nt": "application/n-triples", "ttl": "text/turtle",
               "jsonld": "application/ld+json"}  # RFC 8081 registrations / the RDF 1.1 and JSON-LD 1.1 specifications


@pytest.fixture(scope="module", params=["profile", "small"])
def release(request, settings, tmp_path_factory):
    """A validated store and its dumps, in a folder of the test's own: of the profile, and of the
    small valid fixture (which builds in seconds, for the mutation runs of service/dumps.py)."""
    folder = tmp_path_factory.mktemp("release")
    if request.param == "small":
        settings = Settings(root=small_project(folder / "home"))
    mine = replace(settings, store_dir=folder / "store", dumps_dir=folder / "dumps")
    store = ensure_store(mine)
    return mine, store, write_dumps(mine, store)


def dumps_in(folder):
    """The release's dump files, checked (SHA256SUMS left out)."""
    return [entry for name, entry in check(folder).items() if name != SHA256SUMS]


def canonical(dataset: ox.Dataset) -> set[str]:
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def test_the_same_data_gives_the_same_bytes(release, tmp_path):
    """A rebuild from the same sources, in another process and another store (whose blank nodes
    the engine labels anew), publishes the same bytes in every file."""
    settings, _, first = release
    env = {**os.environ, "CONFLICT_LD_HOME": str(settings.root), "CONFLICT_LD_STORE": str(tmp_path / "store"),
           "CONFLICT_LD_DUMPS": str(tmp_path / "dumps")}
    built = subprocess.run([sys.executable, "-m", "service.cli", "build"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (second,) = [folder for folder in (tmp_path / "dumps").iterdir() if not of_a_release(folder)]
    assert second.name == first.name
    assert (first / SHA256SUMS).read_bytes() == (second / SHA256SUMS).read_bytes()
    for entry in dumps_in(first):
        assert (first / entry.name).read_bytes() == (second / entry.name).read_bytes(), entry.name


def test_every_file_matches_its_checksum(release):
    _, _, folder = release
    entries = dumps_in(folder)
    assert {e.name for e in entries} == {f"conflict-ld.{s}{gz}" for s in ("nq", "nt", "ttl", "jsonld")
                                         for gz in ("", ".gz")}
    for entry in entries:
        assert hashlib.sha256((folder / entry.name).read_bytes()).hexdigest() == entry.sha256
        if entry.encoding == "gzip":
            plain = folder / entry.name.removesuffix(".gz")
            assert gzip.decompress((folder / entry.name).read_bytes()) == plain.read_bytes()


def test_the_quads_dump_is_read_line_by_line_as_summed(release):
    """`quad_lines`, which the build, `conflict-ld release` and the changes read a release by: its lines,
    each with its end, are the bytes SHA256SUMS names for the N-Quads dump."""
    _, _, folder = release
    lines = quad_lines(folder)
    summed = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert hashlib.sha256("".join(lines).encode("utf-8")).hexdigest() == summed["conflict-ld.nq"]
    assert len(lines) > 10 and all(line.endswith(" .\n") for line in lines)


def test_the_quads_dump_is_the_store(release):
    _, store, folder = release
    served = ox.Dataset(ox.Store.read_only(str(store)))
    dumped = ox.Dataset(ox.parse(path=str(folder / "conflict-ld.nq"), format=ox.RdfFormat.N_QUADS))
    assert canonical(dumped) == canonical(served)


def test_the_quads_dump_is_the_store_canonicalized_whole(release):
    """Only the statements with blank nodes are canonicalized, apart: the labels must be those the
    whole dataset gets, line for line."""
    _, store, folder = release
    whole = sorted(canonical(ox.Dataset(ox.Store.read_only(str(store)))))
    assert any("_:c14n" in line for line in whole)
    assert (folder / "conflict-ld.nq").read_text(encoding="utf-8").splitlines() == [f"{line} ." for line in whole]


@pytest.mark.parametrize("suffix, syntax", [("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE),
                                             ("jsonld", ox.RdfFormat.JSON_LD)])
def test_each_triples_dump_is_the_union_of_the_store(release, suffix, syntax):
    _, store, folder = release
    union = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in ox.Store.read_only(str(store)))
    dumped = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                        for t in ox.parse(path=str(folder / f"conflict-ld.{suffix}"), format=syntax))
    assert canonical(dumped) == canonical(union)


@pytest.mark.parametrize("name, rdflib_format", [("conflict-ld.ttl", "turtle"), ("conflict-ld.jsonld", "json-ld"),
                                                  ("conflict-ld.nt", "nt")])
def test_rdflib_reads_every_dump(release, name, rdflib_format):
    _, store, folder = release
    distinct = len({(q.subject, q.predicate, q.object) for q in ox.Store.read_only(str(store))})
    assert len(Graph().parse(folder / name, format=rdflib_format)) == distinct


def test_the_json_ld_dump_is_compacted_and_expands_to_the_store(release):
    settings, store, folder = release
    document = json.loads((folder / "conflict-ld.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["grp"] == "https://w3id.org/conflict-ld/id/organisation/"
    organisation = "grp:mnla" if settings.root == ROOT else "grp:alpha"  # the profile's, the small fixture's
    assert organisation in {node.get("@id") for node in document["@graph"]}
    quads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    expanded = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                          for t in ox.parse(quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    union = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in ox.Store.read_only(str(store)))
    assert canonical(expanded) == canonical(union)


def test_the_release_folder_is_named_after_the_store(release):
    settings, store, folder = release
    assert folder.parent == settings.dumps_dir and folder.name.startswith(f"{store.name}-")


def test_the_triples_dumps_are_sorted_by_code_point_without_repeats(release):
    _, _, folder = release
    for name in ("conflict-ld.nq", "conflict-ld.nt"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        assert lines == sorted(set(lines)), name  # Python orders strings by code point, as UTF-8 bytes sort


def test_a_triple_in_several_graphs_is_one_line_of_the_triples_dumps(settings, tmp_path):
    """The N-Triples, Turtle and JSON-LD dumps are the union of the graphs: a statement two graphs
    share is written once there, and once per graph in the N-Quads dump."""
    shared = ox.Triple(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("x"))
    store = ox.Store(str(tmp_path / "store"))
    store.extend([ox.Quad(*shared, ox.NamedNode(f"https://example.org/graph/{name}")) for name in ("one", "two")])
    store.flush()
    del store
    folder = write_dumps(replace(settings, dumps_dir=tmp_path / "dumps"), tmp_path / "store")
    assert len((folder / "conflict-ld.nq").read_text(encoding="utf-8").splitlines()) == 2
    assert (folder / "conflict-ld.nt").read_text(encoding="utf-8") == f"{shared} .\n"


def test_sha256sum_verifies_every_file(release):
    """`sha256sum -c` (GNU coreutils) reads SHA256SUMS as a harvester does."""
    _, _, folder = release
    checked = subprocess.run(["sha256sum", "--check", "--strict", SHA256SUMS], cwd=folder, capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
    assert sorted(checked.stdout.splitlines()) == sorted(f"conflict-ld.{s}{gz}: OK" for s in ("nq", "nt", "ttl", "jsonld")
                                                         for gz in ("", ".gz"))


def test_the_gzip_headers_carry_no_name_and_no_time(release):
    """RFC 1952 §2.3: flags (byte 3) without FNAME, MTIME (bytes 4-7) zero, so the bytes depend on the data alone."""
    _, _, folder = release
    for path in folder.glob("*.gz"):
        header = path.read_bytes()[:10]
        assert header[:3] == b"\x1f\x8b\x08" and header[3] == 0 and header[4:8] == bytes(4), path.name


def test_a_failed_sort_raises_its_own_reason(tmp_path):
    """A full disk or a missing file: the OSError says what sort said, for `conflict-ld build`'s message."""
    absent = tmp_path / "absent.nq"
    with pytest.raises(OSError) as failure:
        _sorted_lines(absent, tmp_path / "sorted.nq")
    assert str(failure.value) == f"sort: cannot read: {absent}: No such file or directory"


# --- checking a release before it is served ----------------------------------------------------------

@pytest.fixture
def copy(release, tmp_path):
    """A copy of the release, each file with its modification time, to damage."""
    _, _, folder = release
    return Path(shutil.copytree(folder, tmp_path / folder.name))


def test_check_lists_each_file_with_its_media_type_size_and_digest(copy):
    record = json.loads((copy / "release.json").read_text(encoding="utf-8"))
    reordered = {SHA256SUMS: record.pop(SHA256SUMS), **record}  # a JSON object's order means nothing
    (copy / "release.json").write_text(json.dumps(reordered), encoding="utf-8")
    files = check(copy)
    assert list(files)[-1] == SHA256SUMS
    assert sorted(files) == sorted([SHA256SUMS] + [f"conflict-ld.{s}{gz}" for s in MEDIA_TYPES for gz in ("", ".gz")])
    for name, entry in files.items():
        plain = name.removesuffix(".gz")
        media_type = "text/plain; charset=utf-8" if name == SHA256SUMS else MEDIA_TYPES[plain.rsplit(".")[-1]]
        assert (entry.name, entry.media_type, entry.encoding) == (name, media_type,
                                                                  "gzip" if name.endswith(".gz") else None)
        assert entry.size == (copy / name).stat().st_size
        assert entry.sha256 == hashlib.sha256((copy / name).read_bytes()).hexdigest()


def test_check_reads_again_a_file_whose_time_changed(copy):
    """A file touched but unchanged is served; one changed to the same size is refused."""
    os.utime(copy / "conflict-ld.ttl")
    assert check(copy)["conflict-ld.ttl"].mtime_ns == (copy / "conflict-ld.ttl").stat().st_mtime_ns
    data = bytearray((copy / "conflict-ld.nt").read_bytes())
    data[:10] = bytes(byte ^ 0xFF for byte in data[:10])
    (copy / "conflict-ld.nt").write_bytes(bytes(data))
    with pytest.raises(durable.Damaged, match="^conflict-ld.nt does not match its SHA-256$"):
        check(copy)


def _record_of(copy, change):
    record = json.loads((copy / "release.json").read_text(encoding="utf-8"))
    change(record)
    (copy / "release.json").write_text(json.dumps(record), encoding="utf-8")


def test_check_says_why_a_release_cannot_be_served(copy):
    def refused(reason: str, kind=durable.Damaged):
        with pytest.raises(durable.Damaged) as damage:
            check(copy)
        assert type(damage.value) is kind and str(damage.value) == reason

    size = (copy / "conflict-ld.nt").stat().st_size
    os.truncate(copy / "conflict-ld.nt", 10)
    refused(f"conflict-ld.nt is 10 bytes, release.json says {size}")
    (copy / "conflict-ld.nq").unlink()
    refused("conflict-ld.nq is missing")
    for change in (lambda record: record.pop(SHA256SUMS), lambda record: record.update({"README": record[SHA256SUMS]}),
                   lambda record: record.update({"../conflict-ld.ttl": record["conflict-ld.ttl"]})):
        saved = (copy / "release.json").read_text(encoding="utf-8")
        _record_of(copy, change)
        refused("its release.json does not list the files of a release")
        (copy / "release.json").write_text(saved, encoding="utf-8")
    (copy / "release.json").write_text("{not json", encoding="utf-8")
    refused("its release.json is unreadable")
    (copy / "release.json").unlink()
    refused("it has no release.json")
    shutil.rmtree(copy)
    refused("there are none for this store yet", durable.Missing)


# --- over HTTP ---------------------------------------------------------------------------------------

def test_listing_and_downloads_agree_with_the_checksums(live_server):
    index = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    sums = httpx.get(f"{live_server.url}/dumps/{index['version']}/{SHA256SUMS}").text
    assert len(index["files"]) == 8
    for entry in index["files"]:
        body = httpx.get(f"{live_server.url}/dumps/{entry['url']}").content
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert f"{entry['sha256']}  {entry['name']}" in sums
        assert len(body) == entry["size"]


def test_head_and_content_headers(live_server):
    head = httpx.head(live_server.url + "/dumps/conflict-ld.nt.gz")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in head.headers
    assert int(head.headers["content-length"]) > 0
    assert head.headers["accept-ranges"] == "bytes"
    plain = httpx.head(live_server.url + "/dumps/conflict-ld.ttl")
    assert plain.headers["content-type"].startswith("text/turtle")


def test_conditional_get_answers_304(live_server):
    url = live_server.url + "/dumps/conflict-ld.nq.gz"
    first = httpx.get(url)
    assert first.headers["cache-control"] == "no-cache"
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    since = httpx.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    stale = httpx.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    older = httpx.get(url, headers={"If-Modified-Since": formatdate(0, usegmt=True)})
    assert older.status_code == 200


def test_byte_ranges(live_server):
    url = live_server.url + "/dumps/conflict-ld.nt"
    whole = httpx.get(url).content
    part = httpx.get(url, headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.content == whole[10:110]
    assert part.headers["content-range"] == f"bytes 10-109/{len(whole)}"


@pytest.mark.parametrize("unit", ["items=0-5", "ITEMS=0-5", "none", "x-bytes=0-5", "pages=1"])
def test_a_range_unit_we_do_not_know_is_ignored(live_server, unit):
    """RFC 9110 §14.2: an unknown range unit is ignored, so the whole file comes (Starlette answered 400)."""
    url = live_server.url + "/dumps/conflict-ld.nt"
    response = httpx.get(url, headers={"Range": unit})
    assert response.status_code == 200 and "content-range" not in response.headers
    assert response.content == httpx.get(url).content
    assert httpx.get(url, headers={"Range": "Bytes=0-4"}).status_code == 206  # the unit is case-insensitive


def test_if_none_match_is_weak_and_a_list(live_server):
    url = live_server.url + "/dumps/conflict-ld.nt.gz"
    etag = httpx.head(url).headers["etag"]
    for held in (f"W/{etag}", f'"other", {etag}', f'W/"other",W/{etag}', "*"):
        response = httpx.get(url, headers={"If-None-Match": held})
        assert response.status_code == 304 and response.content == b"", held
    assert httpx.get(url, headers={"If-None-Match": etag.strip('"')}).status_code == 200  # unquoted: no tag


def test_versioned_urls_are_cached_for_long(live_server):
    version = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()["version"]
    response = httpx.head(f"{live_server.url}/dumps/{version}/conflict-ld.ttl.gz")
    assert "immutable" in response.headers["cache-control"]


@pytest.mark.parametrize("path", ["/dumps/nothing.ttl", "/dumps/0000000000000000/conflict-ld.ttl",
                                  "/dumps/..%2F..%2Fpyproject.toml", "/dumps/%2E%2E/README.md",
                                  "/dumps/x/..%2F..%2Fservice%2Fapp.py"])
def test_unknown_names_and_traversal_are_404(live_server, path):
    response = httpx.get(live_server.url + path)
    assert response.status_code == 404
    assert "[tool" not in response.text and "FastAPI" not in response.text


def test_the_index_page_for_people(live_server):
    page = httpx.get(live_server.url + "/dumps/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "SHA-256" in page.text and "conflict-ld.nt.gz" in page.text


def test_the_context_is_published(live_server):
    response = httpx.get(live_server.url + "/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json()["@context"]["cao"] == "https://w3id.org/conflict-ld/ontology#"
