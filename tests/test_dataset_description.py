"""The VoID + DCAT description at /.well-known/void: complete, exact, and agreeing with what is served."""

import json
from collections import Counter, defaultdict
from dataclasses import replace

import httpx
import pyoxigraph as ox
import pytest
import yaml
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from service.build import ensure_store
from service.config import Settings
from service.dataset_description import describe_releases, edition, statistics
from service.release_archive import Published
from service.releases import Record

from .conftest import ROOT
from .projects import small_project

pytestmark = pytest.mark.slow

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CAO = Namespace("https://w3id.org/conflict-ld/ontology#")
DOCO = Namespace("http://purl.org/spar/doco/")
DATASET = URIRef("https://w3id.org/conflict-ld/.well-known/void#dataset")


@pytest.fixture(scope="module")
def void(live_server):
    response = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


@pytest.fixture(scope="module")
def published(live_server) -> Dataset:
    """The published quads, from the N-Quads dump as a harvester downloads it."""
    listing = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    (entry,) = [e for e in listing["files"] if e["url"].endswith("conflict-ld.nq")]
    dataset = Dataset()
    dataset.parse(data=httpx.get(f"{live_server.url}/dumps/{entry['url']}").text, format="nquads")
    return dataset


def test_the_description_is_written_without_a_warning(void, live_server):
    """rdflib warned of `dcat:version` (a DCAT 3 term its DCAT 2 namespace lacks) on every description."""
    assert (None, URIRef("http://www.w3.org/ns/dcat#version"), None) in void
    pages = [(path, accept) for path in ("/.well-known/void", "/release/1.1.0") for accept in ("text/html", "text/turtle")]
    for path, accept in pages + [("/releases", "text/html")]:
        response = httpx.get(live_server.url + path, headers={"Accept": accept})
        assert response.status_code == 200, (path, accept)
    assert "UserWarning" not in live_server.log()


def test_statistics_are_exact(void, published):
    """VoID's figures (https://www.w3.org/TR/void/#statistics) over the union of the graphs, counted
    here in Python from the N-Quads dump: every class and property has its partition, with its
    exact count, and nothing else has one."""
    triples = {(s, p, o) for s, p, o, _ in published.quads()}
    entities_of: dict = defaultdict(set)
    triples_of: Counter = Counter()
    for s, p, o in triples:
        triples_of[p] += 1
        if p == RDF.type:
            entities_of[o].add(s)
    assert void.value(DATASET, VOID.triples) == Literal(len(triples))
    assert void.value(DATASET, VOID.distinctSubjects) == Literal(len({s for s, _, _ in triples}))
    assert void.value(DATASET, VOID.distinctObjects) == Literal(len({o for _, _, o in triples}))
    assert void.value(DATASET, VOID.classes) == Literal(len(entities_of))
    assert void.value(DATASET, VOID.properties) == Literal(len(triples_of))
    assert void.value(DATASET, VOID.entities) == Literal(len(
        {s for s, p, _ in triples if p == RDF.type and str(s).startswith("https://w3id.org/conflict-ld/id/")}))
    classes = {void.value(part, VOID["class"]): void.value(part, VOID.entities).toPython()
               for part in void.objects(DATASET, VOID.classPartition)}
    assert classes == {cls: len(members) for cls, members in entities_of.items()}
    properties = {void.value(part, VOID.property): void.value(part, VOID.triples).toPython()
                  for part in void.objects(DATASET, VOID.propertyPartition)}
    assert properties == dict(triples_of)
    # the figures the profile fixes: its 26 works cited, 11 notes and 220 sentences
    assert classes[CAO.Note] == 11 and classes[DOCO.Sentence] == 220
    assert properties[CAO.worksCitedNumber] == 26


def test_each_named_graph_is_a_subset_with_its_triples_counted_apart(void, published, settings):
    """What was asserted and what RDFS entailment inferred, apart: a VoID subset per named graph with
    its exact count, counted here from the N-Quads dump."""
    per_graph = Counter(str(g) for _, _, _, g in published.quads())
    subsets = {str(void.value(subset, URIRef("http://www.w3.org/ns/sparql-service-description#name"))):
               int(void.value(subset, VOID.triples)) for subset in void.objects(DATASET, VOID.subset)}
    assert subsets == dict(per_graph)
    assert set(subsets) == {settings.graph_iri(name) for name in ("ontology", "data", "derived", "wikidata", "inferred")}
    described = {str(void.value(s, URIRef("http://www.w3.org/ns/sparql-service-description#name"))).rsplit("/", 1)[-1]:
                 void.value(s, DCTERMS.description) for s in void.objects(DATASET, VOID.subset)}
    assert all(text is not None and text.language == "en" for text in described.values()), described
    assert "RDFS entailment" in described["inferred"] and "as they are written" in described["data"]


def test_the_description_s_own_resources_are_hash_iris_of_its_document(void, live_server):
    """The partitions, the graphs' subsets and the maintainers are named inside the description
    (`…/.well-known/void#…`), so a client that looks one up fetches the description and finds it."""
    own = [*void.objects(DATASET, VOID.classPartition), *void.objects(DATASET, VOID.propertyPartition),
           *void.objects(DATASET, VOID.subset), *void.objects(DATASET, DCTERMS.creator)]
    assert len(own) > 100
    assert [str(node) for node in own if not str(node).startswith(str(DATASET).split("#")[0] + "#")] == []
    fetched = Graph().parse(data=httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"}).text,
                            format="turtle")
    assert all((node, None, None) in fetched for node in own)


def test_every_dump_is_listed_with_size_and_checksum(void, live_server):
    listing = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(listing["files"]) == 8
    for entry in listing["files"]:
        url = URIRef(f"{live_server.url}/dumps/{entry['url']}")
        assert url in distributions and (DATASET, VOID.dataDump, url) in void
        assert void.value(url, DCAT.byteSize) == Literal(entry["size"], datatype=XSD.nonNegativeInteger)  # DCAT 3
        checksum = void.value(url, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == entry["sha256"]
        assert httpx.head(str(url)).status_code == 200


def test_example_resources_dereference(void, live_server):
    for example in void.objects(DATASET, VOID.exampleResource):
        local = live_server.url + "/" + str(example).removeprefix("https://w3id.org/conflict-ld/")
        assert httpx.get(local, headers={"Accept": "text/turtle"}).status_code == 200


@pytest.mark.parametrize("media_type, rdflib_format", [("application/ld+json", "json-ld"),
                                                        ("application/n-triples", "nt"),
                                                        ("application/rdf+xml", "xml")])
def test_other_syntaxes(live_server, media_type, rdflib_format):
    response = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": media_type})
    assert (DATASET, RDF.type, VOID.Dataset) in Graph().parse(data=response.text, format=rdflib_format)


def test_a_weak_validator_revalidates_the_description(live_server):
    """If-None-Match compares weakly (RFC 9110 §13.1.2): `W/"…"` of the current tag is a 304, as is `*`."""
    url, accept = live_server.url + "/.well-known/void", {"Accept": "text/turtle"}
    etag = httpx.get(url, headers=accept).headers["etag"]
    for held in (f"W/{etag}", f'"x", W/{etag}', "*"):
        assert httpx.get(url, headers={**accept, "If-None-Match": held}).status_code == 304, held
    head = httpx.head(url, headers=accept)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


def test_the_citation_properties_agree_with_citation_cff(void, live_server):
    """CITATION.cff and VoID name the same title, creator and keywords; VoID adds DataCite's other
    mandatory properties (identifier, publisher, publication year, resource type) and a citation in
    DataCite's order: Creator (PublicationYear). Title. Version. ResourceType. Identifier."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    version = cff["version"]  # the data served is the newest release, which CITATION.cff names
    (creator,) = void.objects(DATASET, DCTERMS.creator)
    assert [str(name) for name in void.objects(creator, FOAF.name)] == [author["name"] for author in cff["authors"]]
    assert (creator, RDF.type, FOAF.Organization) in void
    assert set(void.objects(DATASET, DCTERMS.publisher)) == {creator}
    assert set(void.objects(DATASET, DCTERMS.title)) == {
        Literal(cff["title"], lang="en"),
        Literal("conflict-ld : la Coordination des mouvements de l'Azawad (CMA) en données liées", lang="fr")}
    assert set(void.objects(DATASET, DCAT.keyword)) == {Literal(word, lang="en") for word in cff["keywords"]}
    assert set(void.objects(DATASET, DCTERMS.description)) == {Literal(cff["abstract"], lang="en")}
    assert set(void.objects(DATASET, DCTERMS.identifier)) == {Literal(cff["url"], datatype=XSD.anyURI)}
    assert set(void.objects(DATASET, DCTERMS.type)) == {URIRef("http://purl.org/dc/dcmitype/Dataset")}
    assert void.value(DATASET, OWL.versionInfo) == Literal(version)
    issued = void.value(DATASET, DCTERMS.issued)
    assert issued.datatype == XSD.date and void.value(DATASET, DCTERMS.modified) == issued
    assert str(issued) == cff["date-released"]  # the release's date
    assert str(void.value(DATASET, DCTERMS.bibliographicCitation)) == (
        f"{cff['authors'][0]['name']} ({str(issued)[:4]}). {cff['title']}. Version {version} [Data set]. "
        f"{cff['url']}release/{version}")


def test_the_endpoint_is_a_data_service(void, live_server):
    """DCAT 3 §6.9: the dataset's access service, its endpoint URL and the protocol it conforms to."""
    endpoint, fragments = URIRef(live_server.sparql), URIRef(live_server.url + "/fragments")
    assert set(void.objects(DATASET, DCAT.accessService)) == {endpoint, fragments}
    for service, specification in ((endpoint, "https://www.w3.org/TR/sparql11-protocol/"),
                                   (fragments, "https://linkeddatafragments.org/specification/triple-pattern-fragments/")):
        assert (service, RDF.type, DCAT.DataService) in void
        assert void.value(service, DCAT.endpointURL) == service
        assert void.value(service, DCTERMS.conformsTo) == URIRef(specification)
    assert set(void.objects(DATASET, FOAF.homepage)) == {URIRef(live_server.url + "/")}


def test_every_download_is_licensed_and_checksummed_as_spdx_says(void):
    """Each distribution: CC BY 4.0, and an spdx:Checksum whose algorithm is SHA-256 and whose value is hex."""
    for url in void.objects(DATASET, DCAT.distribution):
        assert (url, RDF.type, DCAT.Distribution) in void and void.value(url, DCAT.downloadURL) == url
        assert void.value(url, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        checksum = void.value(url, SPDX.checksum)
        assert (checksum, RDF.type, SPDX.Checksum) in void
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = void.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and len(str(value)) == 64


# --- the counts kept beside a store --------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """The small valid fixture's store, in a folder of the module's own."""
    folder = tmp_path_factory.mktemp("small")
    settings = replace(Settings(root=small_project(folder / "home")), store_dir=folder / "store")
    return settings, ensure_store(settings)


def distinct_triples(store) -> set:
    return {(quad.subject, quad.predicate, quad.object) for quad in ox.Store.read_only(str(store))}


def test_the_counts_are_kept_beside_the_store_and_read_at_the_next_start(small_store):
    settings, store = small_store
    kept = store.with_name(store.name + ".statistics.json")
    kept.unlink(missing_ok=True)
    distinct = distinct_triples(store)
    assert statistics(store, settings).triples == len(distinct)
    assert json.loads(kept.read_text(encoding="utf-8"))["triples"] == len(distinct)
    kept.write_text(kept.read_text(encoding="utf-8").replace(f'"triples": {len(distinct)}', '"triples": 7'),
                    encoding="utf-8")
    assert statistics(store, settings).triples == 7  # read, not counted: a store never changes


@pytest.mark.parametrize("damage", ["{not json", '{"triples": 1}', '{"triples": 1, "entities": 1, "subjects": 1, '
                                    '"objects": 1, "classes": 5, "properties": []}'])
def test_counts_that_cannot_be_read_are_counted_again_and_kept(small_store, damage):
    settings, store = small_store
    kept = store.with_name(store.name + ".statistics.json")
    kept.write_text(damage, encoding="utf-8")
    distinct = distinct_triples(store)
    counted = statistics(store, settings)
    assert counted.triples == len(distinct) and counted.subjects == len({s for s, _, _ in distinct})
    assert json.loads(kept.read_text(encoding="utf-8"))["triples"] == len(distinct)
    assert [path.name for path in store.parent.iterdir() if ".statistics.json." in path.name] == []


def test_counts_that_cannot_be_kept_are_counted_at_each_start(small_store):
    """A store served from a place it cannot write to: counted, nothing half-written left behind."""
    settings, store = small_store
    kept = store.with_name(store.name + ".statistics.json")
    kept.unlink(missing_ok=True)
    kept.mkdir()  # what stands in the way of the file
    try:
        distinct = distinct_triples(store)
        assert statistics(store, settings).triples == len(distinct)
        assert [path.name for path in store.parent.iterdir() if ".statistics.json." in path.name] == []
    finally:
        kept.rmdir()


def test_the_newest_of_many_releases_is_the_last_and_numbers_a_working_state(settings, tmp_path):
    """With three releases, the series ends with the third, and a working state is numbered after it;
    before any release, after 0.0.0."""
    dumps = tmp_path / "f00d-4"
    dumps.mkdir()
    (dumps / "SHA256SUMS").write_text("", encoding="utf-8")
    releases = {version: Published(Record(version, "2026-01-0" + version[0], "", None, 1, "0" * 64, "urn:x"),
                                   tmp_path, tmp_path, {})
                for version in ("1.0.0", "2.0.0", "3.0.0")}
    assert edition(settings.base, dumps, releases, None)[0] == "3.0.0+unreleased.f00d-4"
    assert edition(settings.base, dumps, {}, None)[0] == "0.0.0+unreleased.f00d-4"
    assert edition(settings.base, dumps, releases, "2.0.0") == ("2.0.0", "2026-01-02", settings.base + "release/2.0.0")
    graph = Graph()
    series = describe_releases(graph, settings, "http://localhost/", releases)
    assert graph.value(series, URIRef("http://www.w3.org/ns/dcat#last")) == URIRef(settings.base + "release/3.0.0")
    assert graph.value(series, URIRef("http://www.w3.org/ns/dcat#first")) == URIRef(settings.base + "release/1.0.0")
