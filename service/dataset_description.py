"""The dataset's VoID + DCAT description: what it is, where it comes from, how to get it, how big it is."""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, XSD

from .bibliography import DATASET, Author, Record as Reference
from .config import Settings
from .dumps import SUMS, DumpFile
from .release_archive import Published
from .releases import release_iri
from .store import EmbeddedStore, Store
from .fragments import search_form
from .oxigraph_rdflib import rdflib_triple
from .namespaces import STANDARD_PREFIXES, prefixes

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
# DCAT 3's; rdflib's DCAT namespace is DCAT 2's, which lacks them
DCAT_VERSION, DCAT_SERIES, DCAT_IN_SERIES = (URIRef(str(DCAT) + name) for name in ("version", "DatasetSeries", "inSeries"))
DCAT_FIRST, DCAT_LAST, DCAT_PREV = (URIRef(str(DCAT) + name) for name in ("first", "last", "prev"))
DCAT_PREVIOUS_VERSION, DCAT_HAS_VERSION, DCAT_CURRENT = (
    URIRef(str(DCAT) + name) for name in ("previousVersion", "hasVersion", "hasCurrentVersion"))
MEDIA = "https://www.iana.org/assignments/media-types/"
GRAPH_DESCRIPTIONS = {
    "ontology": "The conflict-actor ontology and the axioms of the vocabularies it reuses.",
    "data": "The profile's facts as they are written in data/ttl: what is asserted.",
    "derived": "The standard shapes of the same facts that the rules in ontology/rules derive "
               "(OWL-Time intervals, PROV derivations, ORG memberships, plain statements).",
    "wikidata": "The Wikidata-shaped view (Wikibase RDF) of the facts about linked Wikidata items.",
    "inferred": "What RDFS entailment adds for named resources: their types up the class hierarchy "
                "and their statements up the property hierarchy (ontology/rules/entailment).",
}
VOCABULARIES = ("org", "prov", "sem", "schema", "time", "skos", "dcterms", "foaf", "bibo", "fabio", "doco", "deo", "cito", "po", "wgs", "owl")
TITLE = "conflict-ld: the Coordination of Azawad Movements (CMA) as Linked Data"
CREATOR = "conflict-ld contributors"  # the project's maintainers, as CITATION.cff names them too
ABSTRACT = ("A research profile of the Coordination of Azawad Movements (CMA), the mainly secular Tuareg and "
            "Arab separatist coalition of northern Mali, published as validated Linked Data: its organisations and "
            "their splits, mergers, alliances and rivalries over time, the people and their roles, places, dated "
            "events, ideology, tactics and arsenal. Every claim carries the work it comes from, with page numbers "
            "where the profile gives them, and how certain it is; the 26 works cited are published as "
            "bibliographic records too (BibTeX, RIS, CSL-JSON).")  # CITATION.cff's abstract
KEYWORDS = ("Linked Data", "armed groups", "conflict data", "Mali", "Sahel", "Azawad", "Tuareg",
            "Coordination of Azawad Movements", "CMA", "MNLA")
EXAMPLES = ("id/organisation/cma", "id/organisation/mnla", "id/person/bilal-ag-cherif", "id/place/kidal",
            "id/event/2023-11-15-kidal-capture", "id/work/desgrais-guichaoua-lebovich-2018")


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    subjects: int
    objects: int
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    graphs: list[tuple[str, int]]  # each named graph and its triples: the inferred ones apart from the rest


def statistics(store: Path, settings: Settings, engine: Store | None = None) -> Statistics:
    """Exact counts over the union of the named graphs (the default graph the endpoint queries),
    asked of `engine` (the embedded store at `store` when none is given).

    A store never changes, so its counts are kept beside it (`<store>.statistics.json`) the first
    time they are made, and a restart reads them instead of counting again. The file is written
    under another name and renamed, so a crash cannot leave half of it; one that cannot be read
    is counted again.
    """
    kept = store.with_name(store.name + ".statistics.json")
    try:
        found = json.loads(kept.read_text(encoding="utf-8"))
        return Statistics(**{**found, "classes": [tuple(c) for c in found["classes"]],
                             "properties": [tuple(p) for p in found["properties"]],
                             "graphs": [tuple(g) for g in found["graphs"]]})
    except (OSError, ValueError, KeyError, TypeError):
        pass
    counted = _count(engine or EmbeddedStore(store), settings)
    writing = kept.with_name(f"{kept.name}.{os.getpid()}")
    try:
        writing.write_text(json.dumps(asdict(counted)), encoding="utf-8")
        writing.replace(kept)
    except OSError:  # a store served from a read-only place is counted at each start
        with suppress(OSError):
            writing.unlink()
    return counted


def _count(engine: Store, settings: Settings) -> Statistics:
    def rows(query: str, name: str) -> list[tuple[str, int]]:
        """Each row's `?name` and its count `?n`."""
        return [(row[name]["value"], int(row["n"]["value"])) for row in engine.select(query, {})]

    def number(query: str) -> int:
        return int(engine.select(query, {})[0]["n"]["value"])

    ns = settings.base + "id/"
    return Statistics(
        triples=number("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"),
        entities=number(f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER (STRSTARTS(STR(?s), "{ns}")) }}'),
        subjects=number("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        objects=number("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        classes=rows("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c", "c"),
        properties=rows("SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } "
                        "GROUP BY ?p ORDER BY ?p", "p"),
        graphs=rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", "g"),
    )


def new_graph(settings: Settings) -> Graph:
    """An empty graph with the prefixes the dataset's description is written with."""
    graph = Graph()
    for prefix, namespace in {**prefixes(settings.base), "void": str(VOID), "dcat": str(DCAT), "spdx": str(SPDX),
                              "dcmitype": str(DCMITYPE)}.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def describe(settings: Settings, stats: Statistics, dumps: Path, files: Iterable[DumpFile], site: str,
             releases: Mapping[str, Published] | None = None, current: str | None = None) -> Graph:
    """VoID + DCAT for the data served now (its dumps in `dumps`, their `files`), and the series of its
    `releases`, `current` the one it is; `site` is the root URL of the answering service."""
    graph = new_graph(settings)
    base = settings.base
    dataset = URIRef(base + ".well-known/void#dataset")
    release = dumps.name
    add = graph.add
    for kind in (VOID.Dataset, DCAT.Dataset):
        add((dataset, RDF.type, kind))
    add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    add((dataset, DCTERMS.title, Literal("conflict-ld : la Coordination des mouvements de l'Azawad (CMA) en données liées", lang="fr")))
    add((dataset, DCTERMS.description, Literal(ABSTRACT, lang="en")))
    add((dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    releases = releases or {}
    version, released, identifier = edition(base, dumps, releases, current)
    # DataCite's mandatory properties: identifier, creator (with a name), title, publisher,
    # publication year (the date of this release) and resource type; and a citation built from them
    maintainers = URIRef(base + ".well-known/void#maintainers")
    add((maintainers, RDF.type, FOAF.Organization))
    add((maintainers, FOAF.name, Literal(CREATOR)))
    add((dataset, DCTERMS.creator, maintainers))
    add((dataset, DCTERMS.publisher, maintainers))
    add((dataset, DCTERMS.identifier, Literal(base, datatype=XSD.anyURI)))
    add((dataset, DCTERMS.type, DCMITYPE.Dataset))
    add((dataset, DCTERMS.issued, Literal(released, datatype=XSD.date)))
    add((dataset, DCTERMS.bibliographicCitation, Literal(citation(version, released, identifier))))
    for keyword in KEYWORDS:
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    add((dataset, DCTERMS.source, URIRef(base + "id/work/cma-profile")))
    add((dataset, OWL.versionInfo, Literal(version)))
    add((dataset, DCAT_VERSION, Literal(version)))
    add((dataset, DCTERMS.modified, Literal(released, datatype=XSD.date)))
    add((dataset, VOID.uriSpace, Literal(base + "id/")))
    add((dataset, VOID.sparqlEndpoint, URIRef(site + "sparql")))
    service = URIRef(site + "sparql")
    add((dataset, DCAT.accessService, service))
    add((service, RDF.type, DCAT.DataService))
    add((service, DCAT.endpointURL, service))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    # the Triple Pattern Fragments interface: its search form, and the look-up of a URI's triples
    fragments = URIRef(site + "fragments")
    add((dataset, VOID.uriLookupEndpoint, URIRef(site + "fragments?subject=")))
    for triple in search_form(ox.NamedNode(str(dataset)), str(fragments)):
        add(rdflib_triple(ox.Triple(*triple), {}))
    add((dataset, DCAT.accessService, fragments))
    add((fragments, RDF.type, DCAT.DataService))
    add((fragments, DCAT.endpointURL, fragments))
    add((fragments, DCTERMS.conformsTo, URIRef("https://linkeddatafragments.org/specification/triple-pattern-fragments/")))
    add((dataset, FOAF.homepage, URIRef(site)))
    for example in EXAMPLES:
        add((dataset, VOID.exampleResource, URIRef(base + example)))
    add((dataset, VOID.vocabulary, URIRef(base + "ontology#")))
    for prefix in VOCABULARIES:
        add((dataset, VOID.vocabulary, URIRef(STANDARD_PREFIXES[prefix])))
    for name, value in (("triples", stats.triples), ("entities", stats.entities), ("distinctSubjects", stats.subjects),
                        ("distinctObjects", stats.objects), ("classes", len(stats.classes)),
                        ("properties", len(stats.properties))):
        add((dataset, VOID[name], Literal(value)))
    for iri, count in stats.graphs:  # the named graphs: what is asserted, derived and inferred, counted apart
        name = iri.rsplit("/", 1)[-1]
        subset = URIRef(f"{base}.well-known/void#graph-{name}")
        add((dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, SD.name, URIRef(iri)))
        add((subset, VOID.triples, Literal(count)))
        if name in GRAPH_DESCRIPTIONS:
            add((subset, DCTERMS.description, Literal(GRAPH_DESCRIPTIONS[name], lang="en")))
    for index, (cls, count) in enumerate(stats.classes):
        partition = URIRef(f"{base}.well-known/void#class-{index}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], URIRef(cls)))
        add((partition, VOID.entities, Literal(count)))
    for index, (prop, count) in enumerate(stats.properties):
        partition = URIRef(f"{base}.well-known/void#property-{index}")
        add((dataset, VOID.propertyPartition, partition))
        add((partition, VOID.property, URIRef(prop)))
        add((partition, VOID.triples, Literal(count)))
    for entry in files:
        _distribution(graph, dataset, URIRef(f"{site}dumps/{release}/{entry.name}"), entry, f"checksum-{entry.name}")
    if releases:
        series = URIRef(base + ".well-known/void#releases")
        add((dataset, DCAT_IN_SERIES, series))
        for published in releases.values():
            add((dataset, DCAT_HAS_VERSION, URIRef(release_iri(base, published.record.version))))
        if current is not None:
            add((dataset, DCAT_CURRENT, URIRef(release_iri(base, current))))
        describe_releases(graph, settings, site, releases)
    return graph


def edition(base: str, dumps: Path, releases: Mapping[str, Published], current: str | None) -> tuple[str, str, str]:
    """The version, date and identifier of the data served now: those of the release it is, or for a
    working state, the newest release's number marked as unreleased with the dumps' folder (SemVer
    build metadata), the day its dumps were written and the dataset's own IRI."""
    if current is not None:
        return current, releases[current].record.date, release_iri(base, current)
    newest = list(releases)[-1] if releases else "0.0.0"
    return f"{newest}+unreleased.{dumps.name}", _date_of(dumps / SUMS), base


def describe_releases(graph: Graph, settings: Settings, site: str, releases: Mapping[str, Published]) -> URIRef:
    """The releases as a DCAT dataset series, each a dataset of its own; returns the series."""
    base, add = settings.base, graph.add
    series = URIRef(base + ".well-known/void#releases")
    add((series, RDF.type, DCAT_SERIES))
    add((series, DCTERMS.title, Literal(f"{TITLE}: its releases", lang="en")))
    versions = [URIRef(release_iri(base, version)) for version in releases]
    add((series, DCAT_FIRST, versions[0]))
    add((series, DCAT_LAST, versions[-1]))
    for published in releases.values():
        describe_release(graph, settings, site, published)
    return series


def describe_release(graph: Graph, settings: Settings, site: str, published: Published) -> URIRef:
    """One release: a dataset in the series, with its version, date, notes, predecessor, dumps and citation."""
    base, add, record = settings.base, graph.add, published.record
    this = URIRef(release_iri(base, record.version))
    for kind in (DCAT.Dataset, VOID.Dataset):
        add((this, RDF.type, kind))
    add((this, DCTERMS.title, Literal(f"{TITLE}, release {record.version}", lang="en")))
    add((this, DCAT_IN_SERIES, URIRef(base + ".well-known/void#releases")))
    add((this, DCAT_VERSION, Literal(record.version)))
    add((this, OWL.versionInfo, Literal(record.version)))
    add((this, DCTERMS.issued, Literal(record.date, datatype=XSD.date)))
    add((this, DCTERMS.identifier, Literal(record.id, datatype=XSD.anyURI)))
    if record.notes:
        add((this, DCTERMS.description, Literal(record.notes, lang="en")))
    maintainers = URIRef(base + ".well-known/void#maintainers")
    add((maintainers, RDF.type, FOAF.Organization))
    add((maintainers, FOAF.name, Literal(CREATOR)))
    add((this, DCTERMS.creator, maintainers))
    add((this, DCTERMS.publisher, maintainers))
    add((this, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    add((this, VOID.triples, Literal(record.quads)))  # quads: a triple held in two graphs counts twice
    add((this, DCTERMS.bibliographicCitation, Literal(citation(record.version, record.date, str(this)))))
    add((this, FOAF.page, URIRef(f"{site}release/{record.version}")))
    if record.previous:
        before = URIRef(release_iri(base, record.previous))
        for link in (PROV.wasRevisionOf, DCAT_PREV, DCAT_PREVIOUS_VERSION):
            add((this, link, before))
    for name, entry in published.files.items():
        if name != SUMS:
            _distribution(graph, this, URIRef(f"{site}dumps/{record.version}/{name}"), entry,
                          f"checksum-{record.version}-{name}")
    return this


def _distribution(graph: Graph, dataset: URIRef, url: URIRef, entry: DumpFile, checksum_label: str) -> None:
    """A dump of `dataset` as a DCAT distribution and a VoID data dump, with its SHA-256 (SPDX)."""
    add = graph.add
    add((dataset, VOID.dataDump, url))
    add((dataset, DCAT.distribution, url))
    add((url, RDF.type, DCAT.Distribution))
    add((url, DCAT.downloadURL, url))
    add((url, DCAT.mediaType, URIRef(MEDIA + entry.media_type)))
    add((url, DCAT.byteSize, Literal(entry.size, datatype=XSD.nonNegativeInteger)))
    add((url, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    if entry.encoding == "gzip":
        add((url, DCAT.compressFormat, URIRef(MEDIA + "application/gzip")))
    checksum = BNode(checksum_label)
    add((url, SPDX.checksum, checksum))
    add((checksum, RDF.type, SPDX.Checksum))
    add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    add((checksum, SPDX.checksumValue, Literal(entry.sha256, datatype=XSD.hexBinary)))


def reference(settings: Settings, published: Published) -> Reference:
    """A release as a bibliographic record (BibTeX, RIS, CSL-JSON): the data set, its version and date."""
    record = published.record
    return Reference(release_iri(settings.base, record.version), f"conflict-ld-{record.version}", DATASET, TITLE,
                     (Author(CREATOR),), publisher=CREATOR, issued=record.date,
                     url=release_iri(settings.base, record.version), language="en", version=record.version)


def citation(version: str, released: str, identifier: str) -> str:
    """The dataset as a reference, in DataCite's recommended order: creator (year), title, version,
    resource type, identifier (a release's IRI, or the dataset's for a working state)."""
    return f"{CREATOR} ({released[:4]}). {TITLE}. Version {version} [Data set]. {identifier}"


def _date_of(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date().isoformat()
