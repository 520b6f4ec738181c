"""Releases as the service serves them: the index, each release's dumps, page, description and
references, the changes between releases and their feed, entities as of a release, what is gone,
SPARQL over a release, and how pages cite what they show; on a server of the project of
release_project.py, whose data is release 2.0.0, and on one whose data changed since."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import feedparser
import httpx
import pytest
import rdflib
import yaml
from SPARQLWrapper import JSON, SPARQLWrapper

from service.namespaces import prefixes
from service.rdf_patch import apply, parse
from service.releases import History, checksum

from .conftest import ROOT, start_server, stop_server
from .release_project import BASE, ID, cut_two_releases, lines


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    return cut_two_releases(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="module")
def served(two_releases, tmp_path_factory):
    home = two_releases[0]
    server = start_server(tmp_path_factory.mktemp("served"), home=str(home))
    yield server
    stop_server(server)


def test_the_index_lists_every_release_and_says_which_is_served(served, two_releases):
    home = two_releases[0]
    listed = httpx.get(f"{served.url}/releases", headers={"Accept": "application/json"}).json()
    assert listed["current"] == {"release": "2.0.0", "unreleased": False, "newest": "2.0.0",
                                 "says": "The data served now is release 2.0.0."}
    records = History(home / "releases").by_version
    assert [(r["version"], r["date"], r["sha256"], r["previous"]) for r in listed["releases"]] == [
        ("2.0.0", "2026-02-03", records["2.0.0"].sha256, "1.0.0"), ("1.0.0", "2026-01-02", records["1.0.0"].sha256, None)]
    assert listed["releases"][0]["changes"] == f"{served.url}/changes/1.0.0/2.0.0"
    page = httpx.get(f"{served.url}/releases").text
    assert "The data served now is release 2.0.0." in page and f'href="{served.url}/changes.atom"' in page
    assert "The data served now is release 2.0.0." in httpx.get(f"{served.url}/").text


def test_each_release_has_its_dumps_kept_for_good(served, two_releases):
    home, first_dump, second_dump, *_ = two_releases
    for version, dump in (("1.0.0", first_dump), ("2.0.0", second_dump)):
        answer = httpx.get(f"{served.url}/dumps/{version}/conflict-ld.nq")
        assert answer.status_code == 200 and answer.text == dump
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        sums = httpx.get(f"{served.url}/dumps/{version}/SHA256SUMS").text
        assert f"{History(home / 'releases').by_version[version].sha256}  conflict-ld.nq\n" in sums
        listing = httpx.get(f"{served.url}/dumps/{version}/", headers={"Accept": "application/json"}).json()
        assert listing["release"] == version and "conflict-ld.nq.gz" in {f["name"] for f in listing["files"]}
    latest = httpx.get(f"{served.url}/dumps/latest/conflict-ld.ttl.gz")
    assert (latest.status_code, latest.headers["location"]) == (302, f"{served.url}/dumps/2.0.0/conflict-ld.ttl.gz")
    assert latest.headers["cache-control"] == "no-cache"
    assert httpx.get(f"{served.url}/dumps/latest/").headers["location"] == f"{served.url}/dumps/2.0.0/"
    current = httpx.get(f"{served.url}/dumps", headers={"Accept": "application/json"}).json()
    assert current["release"] == "2.0.0" and current["releases"] == ["1.0.0/", "2.0.0/"]


def test_the_changes_between_releases_by_type_and_suffix(served, two_releases):
    home = two_releases[0]
    kept = (home / "releases" / "2.0.0.rdfp").read_text(encoding="utf-8")
    by_suffix = httpx.get(f"{served.url}/changes/1.0.0/2.0.0.rdfp")
    assert by_suffix.headers["content-type"] == "application/rdf-patch; charset=utf-8" and by_suffix.text == kept
    assert httpx.get(f"{served.url}/changes/1.0.0/2.0.0", headers={"Accept": "application/rdf-patch"}).text == kept
    summary = httpx.get(f"{served.url}/changes/1.0.0/2.0.0.json").json()
    rows = kept.splitlines()
    assert summary["statements"] == {"deleted": sum(row.startswith("D ") for row in rows),
                                     "added": sum(row.startswith("A ") for row in rows)}
    names = prefixes(BASE)
    assert {"entity": f"{ID}organisation/alpha",
            "properties": sorted([names["org"] + "changedBy", names["skos"] + "altLabel"])} in summary["entities"]["changed"]
    assert summary["entities"]["added"] == [f"{ID}organisation/gamma", f"{ID}person/someone-cherif"]
    assert summary["entities"]["removed"] == [f"{ID}event/merger", f"{ID}person/someone"]
    assert {"claim": f"{ID}event/attack", "removed": [{"work": f"{ID}work/book", "pages": ["12", "13-14"]}],
            "added": [{"work": f"{ID}work/book", "pages": ["13-14", "15"]}]} in summary["claimsWithChangedSources"]
    page = httpx.get(f"{served.url}/changes/1.0.0/2.0.0", headers={"Accept": "text/html"}).text
    assert "<h2>Entities removed: 2</h2>" in page and f'href="{served.url}/id/person/someone"' in page


@pytest.mark.parametrize("path, message", [
    ("/changes/2.0.0/1.0.0", "Not Found: the changes go from an older release to a newer one; 2.0.0 does not come before 1.0.0."),
    ("/changes/1.0.0/3.0.0", "Not Found: no release '3.0.0' (the releases: 1.0.0, 2.0.0); see /releases."),
    ("/release/0.1.0", "Not Found: no release '0.1.0' (the releases: 1.0.0, 2.0.0); see /releases."),
    ("/dumps/0.1.0/conflict-ld.nq", "Not Found: no release '0.1.0' (the releases: 1.0.0, 2.0.0); see /releases."),
    ("/changes/1.0.0/2.0.0.xml", "Not Found: no release '2.0.0.xml' (the releases: 1.0.0, 2.0.0); see /releases."),
])
def test_what_is_not_there_is_a_404_that_says_so(served, path, message):
    answer = httpx.get(served.url + path)
    assert (answer.status_code, answer.text) == (404, message + "\n")


def test_a_harvester_polls_the_feed_fetches_the_patch_and_checks_the_result(served, two_releases):
    home = two_releases[0]
    records = History(home / "releases").by_version
    feed = feedparser.parse(httpx.get(f"{served.url}/changes.atom").content)
    assert not feed.bozo and feed.feed.id == f"{BASE}changes"
    assert [(entry.id, entry.title, entry.updated) for entry in feed.entries] == [
        (records["2.0.0"].id, "Release 2.0.0", "2026-02-03T00:00:00Z"), (records["1.0.0"].id, "Release 1.0.0", "2026-01-02T00:00:00Z")]
    newest = feed.entries[0]
    [patch_link] = [link.href for link in newest.links if link.get("type") == "application/rdf-patch"]
    [enclosure] = [link for link in newest.links if link.rel == "enclosure"]
    assert enclosure.href == f"{served.url}/dumps/2.0.0/conflict-ld.nq.gz"
    assert not [link for link in feed.entries[1].links if link.get("type") == "application/rdf-patch"]
    # the harvester holds release 1.0.0 already; it fetches only the patch
    held = httpx.get(f"{served.url}/dumps/1.0.0/conflict-ld.nq").text
    patched = apply(lines(held), parse(httpx.get(patch_link).text))
    assert checksum(patched) == records["2.0.0"].sha256
    assert hashlib.sha256(gzip.decompress(httpx.get(enclosure.href).content)).hexdigest() == records["2.0.0"].sha256


@pytest.fixture(scope="module")
def working_state(two_releases, tmp_path_factory):
    """A server on the fixture's project with its data changed since the newest release."""
    folder = tmp_path_factory.mktemp("working")
    changed_home = folder / "home"
    shutil.copytree(two_releases[0], changed_home)
    with open(changed_home / "data" / "ttl" / "world.ttl", "a", encoding="utf-8") as world:
        world.write('\ngrp:alpha skos:altLabel "AL"@en .\n')
    (folder / "var").mkdir()
    server = start_server(folder / "var", home=str(changed_home))
    yield server
    stop_server(server)


def test_a_working_state_that_is_not_a_release_is_marked_so(working_state, two_releases):
    """Data changed since the newest release: every release is still served, rebuilt from the one kept whole."""
    first_dump = two_releases[1]
    listed = httpx.get(f"{working_state.url}/releases", headers={"Accept": "application/json"}).json()
    assert listed["current"]["release"] is None and listed["current"]["unreleased"] is True
    assert listed["current"]["says"] == ("The data served now is a working state with changes not yet "
                                         "released: it is not release 2.0.0.")
    assert httpx.get(f"{working_state.url}/dumps/1.0.0/conflict-ld.nq").text == first_dump
    assert httpx.get(f"{working_state.url}/dumps", headers={"Accept": "application/json"}).json()["release"] is None
    assert listed["current"]["says"] in httpx.get(f"{working_state.url}/").text  # the home page says so too


def test_the_shipped_releases_are_served(live_server):
    history = History(ROOT / "releases")
    listed = httpx.get(f"{live_server.url}/releases", headers={"Accept": "application/json"}).json()
    assert [r["version"] for r in listed["releases"]][-2:] == ["1.1.0", "1.0.0"]
    for version in ("1.0.0", "1.1.0"):
        sums = httpx.get(f"{live_server.url}/dumps/{version}/SHA256SUMS").text
        assert f"{history.by_version[version].sha256}  conflict-ld.nq\n" in sums


# --- entities over time, and SPARQL over a release --------------------------------------------------------

def test_an_entity_as_of_a_release_in_every_format(served):
    alpha = f"{served.url}/id/organisation/alpha"
    for suffix, syntax in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        old = rdflib.Graph().parse(data=httpx.get(f"{alpha}.{suffix}?version=1.0.0").text, format=syntax)
        new = rdflib.Graph().parse(data=httpx.get(f"{alpha}.{suffix}").text, format=syntax)
        labels = lambda graph: {str(o) for o in graph.objects(rdflib.URIRef(f"{ID}organisation/alpha"), rdflib.SKOS.altLabel)}  # noqa: E731
        assert (labels(old), labels(new)) == ({"ALF"}, {"AF"}), suffix
    page = httpx.get(f"{alpha}?version=1.0.0", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "ALF" in page.text
    assert "ALF" not in httpx.get(alpha, headers={"Accept": "text/html"}).text
    assert f'This is the description as of release <a href="{served.url}/release/1.0.0">1.0.0</a> of 2026-01-02' in page.text


def test_the_versions_of_an_entity_link_each_other(served):
    alpha = f"{served.url}/id/organisation/alpha"

    def versions(url):
        links = httpx.get(url, headers={"Accept": "text/turtle"}).headers["link"].split(", ")
        return sorted(link for link in links if "version" in link.split(";")[1])
    assert versions(f"{alpha}?version=1.0.0") == sorted([
        f'<{alpha}/history>; rel="version-history"', f'<{alpha}?version=2.0.0>; rel="successor-version"',
        f'<{alpha}>; rel="latest-version"'])
    assert versions(f"{alpha}?version=2.0.0") == sorted([
        f'<{alpha}/history>; rel="version-history"', f'<{alpha}?version=1.0.0>; rel="predecessor-version"',
        f'<{alpha}>; rel="latest-version"'])
    # the data served now is release 2.0.0: its predecessor is 1.0.0
    assert versions(alpha) == sorted([f'<{alpha}/history>; rel="version-history"',
                                      f'<{alpha}?version=1.0.0>; rel="predecessor-version"'])


def test_a_removed_entity_is_gone_with_its_last_version_linked(served):
    merger = f"{served.url}/id/event/merger"
    answer = httpx.get(merger, headers={"Accept": "text/turtle"})
    assert answer.status_code == 410
    assert f'<{merger}?version=1.0.0>; rel="predecessor-version"' in answer.headers["link"]
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert (rdflib.URIRef(f"{ID}event/merger"), rdflib.RDFS.seeAlso, rdflib.URIRef(f"{merger}?version=1.0.0")) in graph
    assert not list(graph.objects(None, rdflib.DCTERMS.isReplacedBy))
    old = httpx.get(f"{merger}.ttl?version=1.0.0")
    assert old.status_code == 200 and "Merger" in old.text
    page = httpx.get(merger, headers={"Accept": "text/html"})
    assert page.status_code == 410 and f'<a href="{merger}?version=1.0.0">release 1.0.0</a>' in page.text


def test_a_replaced_entity_is_gone_and_names_its_successor(served):
    someone = f"{served.url}/id/person/someone"
    answer = httpx.get(someone, headers={"Accept": "text/turtle"})
    assert answer.status_code == 410
    assert f'<{ID}person/someone-cherif>; rel="http://purl.org/dc/terms/isReplacedBy"' in answer.headers["link"]
    assert f'<{someone}?version=1.0.0>; rel="predecessor-version"' in answer.headers["link"], answer.headers["link"]
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert list(graph.objects(rdflib.URIRef(f"{ID}person/someone"), rdflib.DCTERMS.isReplacedBy)) == [
        rdflib.URIRef(f"{ID}person/someone-cherif")]
    page = httpx.get(someone, headers={"Accept": "text/html"}).text
    assert f'It was replaced by <a href="{served.url}/id/person/someone-cherif">' in page


@pytest.mark.parametrize("path, status, message", [
    ("/id/event/merger?version=2.0.0", 404, f"Not Found: no entity <{ID}event/merger> in release 2.0.0."),
    ("/id/event/merger?version=3.0.0", 404, "Not Found: no release '3.0.0' (the releases: 1.0.0, 2.0.0); see /releases."),
    ("/id/organisation/alpha?version=1.0.0&version=2.0.0", 400, "Bad Request: give 'version' once."),
    ("/id/organisation/nobody", 404, f"Not Found: no entity <{ID}organisation/nobody> in this dataset."),
    ("/id/organisation/nobody/history", 404, f"Not Found: no release describes <{ID}organisation/nobody>."),
])
def test_what_no_release_holds_is_said_so(served, path, status, message):
    answer = httpx.get(served.url + path, headers={"Accept": "text/turtle, */*;q=0.1"})
    assert (answer.status_code, answer.text) == (status, message + "\n")


def test_an_entity_s_history_lists_the_releases_that_changed_it(served):
    def history(path):
        return [(step["release"], step["change"], step.get("properties"))
                for step in httpx.get(f"{served.url}/id/{path}/history", headers={"Accept": "application/json"}).json()["releases"]]
    names = prefixes(BASE)
    assert history("organisation/alpha") == [
        ("1.0.0", "described", None), ("2.0.0", "changed", sorted([names["org"] + "changedBy", names["skos"] + "altLabel"]))]
    assert history("person/someone") == [("1.0.0", "described", None), ("2.0.0", "removed", None)]
    assert history("person/someone-cherif") == [("2.0.0", "described", None)]
    assert history("place/country") == [("1.0.0", "described", None)]
    page = httpx.get(f"{served.url}/id/organisation/alpha/history").text
    assert f'<a href="{served.url}/id/organisation/alpha?version=2.0.0">2.0.0</a>' in page


def test_a_query_over_each_release_gives_that_release_s_answer(served):
    """A researcher reruns a published query against the release they cited."""
    def labels(*release):
        client = SPARQLWrapper(f"{served.url}/sparql")
        client.setQuery(f"SELECT ?label WHERE {{ <{ID}organisation/alpha> <http://www.w3.org/2004/02/skos/core#altLabel> ?label }}")
        client.setReturnFormat(JSON)
        for version in release:
            client.addDefaultGraph(f"{BASE}release/{version}")
        return [row["label"]["value"] for row in client.query().convert()["results"]["bindings"]]
    assert (labels("1.0.0"), labels("2.0.0"), labels()) == (["ALF"], ["AF"], ["AF"])
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    quads = {version: int(httpx.get(f"{served.url}/sparql", params={"query": count, "default-graph-uri": f"{BASE}release/{version}"},
                                    headers={"Accept": "text/csv"}).text.split()[1]) for version in ("1.0.0", "2.0.0")}
    records = History(Path(served.env["CONFLICT_LD_HOME"]) / "releases").by_version
    assert quads == {"1.0.0": records["1.0.0"].quads, "2.0.0": records["2.0.0"].quads}
    refused = httpx.get(f"{served.url}/sparql", params={"query": "ASK {}", "default-graph-uri": [f"{BASE}release/1.0.0",
                                                                                                f"{BASE}graph/data"]})
    assert (refused.status_code, refused.text) == (400, "Bad Request: a release is queried alone: give its IRI as the "
                                                        "only default-graph-uri, and no named-graph-uri (its own named "
                                                        "graphs are those of the data).\n")


# --- the releases described and cited ---------------------------------------------------------------------

DCAT3 = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def void_of(server) -> rdflib.Graph:
    return rdflib.Graph().parse(data=httpx.get(f"{server.url}/.well-known/void", headers={"Accept": "text/turtle"}).text,
                                format="turtle")


def test_void_describes_the_releases_as_a_series(served, two_releases):
    """DCAT 3 §6.x: a dataset series, each release a dataset in it with its version, date, predecessor
    (also as a PROV revision) and dumps with their checksums."""
    records = History(two_releases[0] / "releases").by_version
    void = void_of(served)
    dataset, series = rdflib.URIRef(f"{BASE}.well-known/void#dataset"), rdflib.URIRef(f"{BASE}.well-known/void#releases")
    first, second = (rdflib.URIRef(f"{BASE}release/{version}") for version in ("1.0.0", "2.0.0"))
    assert (series, rdflib.RDF.type, DCAT3.DatasetSeries) in void
    assert (void.value(series, DCAT3.first), void.value(series, DCAT3.last)) == (first, second)
    title = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["title"]
    series_title = void.value(series, rdflib.DCTERMS.title)
    assert series_title.startswith(title + ":") and series_title.language == "en"
    assert void.value(dataset, DCAT3.inSeries) == series and void.value(dataset, DCAT3.hasCurrentVersion) == second
    assert set(void.objects(dataset, DCAT3.hasVersion)) == {first, second}
    for release, version in ((first, "1.0.0"), (second, "2.0.0")):
        assert (release, rdflib.RDF.type, DCAT3.Dataset) in void and void.value(release, DCAT3.inSeries) == series
        assert str(void.value(release, DCAT3.version)) == version
        assert str(void.value(release, rdflib.DCTERMS.issued)) == records[version].date
        assert void.value(release, rdflib.DCTERMS.description) == rdflib.Literal(records[version].notes, lang="en")
        # the release's creators are the dataset's
        assert void.value(release, rdflib.DCTERMS.creator) == void.value(dataset, rdflib.DCTERMS.creator)
        nquads = rdflib.URIRef(f"{served.url}/dumps/{version}/conflict-ld.nq")
        assert nquads in set(void.objects(release, DCAT3.distribution))
        checksum = void.value(nquads, rdflib.URIRef("http://spdx.org/rdf/terms#checksum"))
        assert str(void.value(checksum, rdflib.URIRef("http://spdx.org/rdf/terms#checksumValue"))) == records[version].sha256
    assert void.value(second, rdflib.PROV.wasRevisionOf) == first and void.value(second, DCAT3.prev) == first
    assert void.value(second, DCAT3.previousVersion) == first and void.value(first, rdflib.PROV.wasRevisionOf) is None
    assert str(void.value(dataset, rdflib.OWL.versionInfo)) == "2.0.0"
    assert str(void.value(dataset, rdflib.DCTERMS.issued)) == "2026-02-03"


def test_each_release_is_described_and_cited_at_its_iri(served):
    release = f"{served.url}/release/1.0.0"
    described = rdflib.Graph().parse(data=httpx.get(release, headers={"Accept": "text/turtle"}).text, format="turtle")
    this = rdflib.URIRef(f"{BASE}release/1.0.0")
    cited = ("conflict-ld contributors (2026). conflict-ld: the Coordination of Azawad Movements (CMA) as Linked Data. "
             f"Version 1.0.0 [Data set]. {BASE}release/1.0.0")
    assert str(described.value(this, rdflib.DCTERMS.bibliographicCitation)) == cited
    assert str(described.value(this, DCAT3.version)) == "1.0.0"
    # the title, creators and licence CITATION.cff gives the dataset, and the release's own size and record
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    record = History(Path(served.env["CONFLICT_LD_HOME"]) / "releases").by_version["1.0.0"]
    assert set(described.objects(this, rdflib.DCTERMS.title)) == {rdflib.Literal(f"{cff['title']}, release 1.0.0", lang="en")}
    assert str(described.value(this, rdflib.OWL.versionInfo)) == "1.0.0"
    assert str(described.value(this, rdflib.DCTERMS.identifier)) == record.id
    assert described.value(this, rdflib.DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    for role in (rdflib.DCTERMS.creator, rdflib.DCTERMS.publisher):
        assert [str(name) for name in described.objects(described.value(this, role), rdflib.FOAF.name)] == [
            author["name"] for author in cff["authors"]]
    assert int(described.value(this, rdflib.URIRef("http://rdfs.org/ns/void#triples"))) == record.quads
    assert described.value(this, rdflib.FOAF.page) == rdflib.URIRef(release)
    assert rdflib.URIRef(f"{served.url}/dumps/1.0.0/conflict-ld.nq.gz") in set(
        described.objects(this, rdflib.URIRef("http://rdfs.org/ns/void#dataDump")))
    bibtex = httpx.get(f"{release}.bib").text
    assert bibtex.startswith("@dataset{conflict-ld-1.0.0,") and "version = {1.0.0}" in bibtex and "date = {2026-01-02}" in bibtex
    [item] = httpx.get(f"{release}.csl.json").json()
    assert (item["type"], item["version"], item["issued"], item["URL"]) == (
        "dataset", "1.0.0", {"date-parts": [[2026, 1, 2]]}, f"{BASE}release/1.0.0")
    assert (item["title"], item["author"], item["publisher"], item["language"]) == (
        cff["title"], [{"literal": cff["authors"][0]["name"]}], cff["authors"][0]["name"], "en")
    ris = httpx.get(release, headers={"Accept": "application/x-research-info-systems"}).text
    assert "TY  - DATA" in ris and "ET  - 1.0.0" in ris
    assert f"Cite as: {cited}" in httpx.get(release).text
    # a page of the data served now cites the release it is; a page of an older release, that one
    assert "Version 2.0.0 [Data set]" in httpx.get(f"{served.url}/").text
    assert "Version 1.0.0 [Data set]" in httpx.get(f"{served.url}/id/organisation/alpha?version=1.0.0").text


def test_a_working_state_is_versioned_and_cited_as_unreleased(working_state):
    void = void_of(working_state)
    folder = httpx.get(f"{working_state.url}/dumps", headers={"Accept": "application/json"}).json()["version"]
    dataset = rdflib.URIRef(f"{BASE}.well-known/void#dataset")
    assert str(void.value(dataset, rdflib.OWL.versionInfo)) == f"2.0.0+unreleased.{folder}"
    assert void.value(dataset, DCAT3.hasCurrentVersion) is None
    assert str(void.value(dataset, rdflib.DCTERMS.bibliographicCitation)).endswith(
        f"Version 2.0.0+unreleased.{folder} [Data set]. {BASE}")


def test_citation_cff_names_the_newest_release():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    newest = History(ROOT / "releases").latest
    assert (cff["version"], cff["date-released"]) == (newest.version, newest.date)
    assert f"{cff['url']}release/{newest.version}" in {identifier["value"] for identifier in cff["identifiers"]}


def test_a_history_that_cannot_be_rebuilt_leaves_the_data_served(two_releases, tmp_path):
    """The releases are refused with a 503 that says why; the data served now is not held back."""
    damaged = tmp_path / "home"
    shutil.copytree(two_releases[0], damaged)
    patch = damaged / "releases" / "2.0.0.rdfp"
    patch.write_text(patch.read_text(encoding="utf-8").replace('"Gamma"@en', '"Gamma!"@en'), encoding="utf-8")
    (tmp_path / "var").mkdir()
    server = start_server(tmp_path / "var", home=str(damaged))
    try:
        for path in ("/releases", "/changes.atom"):
            answer = httpx.get(server.url + path)
            assert answer.status_code == 503
            assert answer.text.startswith("Service Unavailable: the releases cannot be served: the patch to 2.0.0 does not undo")
        assert httpx.get(f"{server.url}/id/organisation/alpha.ttl").status_code == 200
        assert "releases not served" in server.log()
    finally:
        stop_server(server)


def test_a_work_s_reference_as_of_a_release(served):
    """The bibliographic formats are among the formats of an entity as of a release."""
    book = f"{served.url}/id/work/book"
    answer = httpx.get(f"{book}.bib?version=1.0.0")
    assert answer.status_code == 200 and answer.text.startswith("@book{book,")
    assert f'<{book}.ris?version=1.0.0>; rel="alternate"' in answer.headers["link"]
    assert answer.headers["content-location"] == f"{book}.bib?version=1.0.0"
    page = httpx.get(f"{book}?version=1.0.0", headers={"Accept": "text/html"}).text
    assert f'href="{book}.csl.json?version=1.0.0"' in page
    assert f'<{book}.bib?version=1.0.0>; rel="alternate"' in httpx.get(f"{book}.ttl?version=1.0.0").headers["link"]
