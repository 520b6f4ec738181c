"""Every format the service writes, once: its media type, its names (the file suffix first, then
the other names `format=` takes), its label, and how the engine, rdflib and the W3C's format
registry name it. All of them are text, sent as UTF-8. Negotiation, the routes, the dumps, the service description and the fragments
read these facts from here, so a new format is one entry; which formats a route offers, and in
which order of preference, stays the route's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    media_type: str
    label: str
    names: tuple[str, ...]  # the file suffix first; each is also a name `format=` takes
    graphs: ox.RdfFormat | None = None  # how the engine writes a graph (CONSTRUCT, DESCRIBE) in it
    results: ox.QueryResultsFormat | None = None  # how the engine writes query results (SELECT, ASK) in it
    rdflib: str | None = None  # rdflib's name for it, where rdflib writes it
    w3c: str | None = None  # its name in the W3C's registry of formats (http://www.w3.org/ns/formats/)

    @property
    def suffix(self) -> str:
        return self.names[0]

    @property
    def quads(self) -> bool:
        """An RDF syntax that holds named graphs (TriG, N-Quads, JSON-LD)."""
        return self.graphs is not None and self.graphs.supports_datasets


# In this order, a name several formats share (`json`, `xml`) stands for the first of them that a
# route offers: SPARQL results before an RDF syntax, since a query's form decides between them.
FORMATS = (
    Format("text/html", "HTML", ("html",)),
    Format("application/sparql-results+json", "SPARQL results in JSON", ("srj", "json"),
           results=ox.QueryResultsFormat.JSON, w3c="SPARQL_Results_JSON"),
    Format("application/sparql-results+xml", "SPARQL results in XML", ("srx", "xml"),
           results=ox.QueryResultsFormat.XML, w3c="SPARQL_Results_XML"),
    Format("text/csv", "CSV", ("csv",), results=ox.QueryResultsFormat.CSV, w3c="SPARQL_Results_CSV"),
    Format("text/tab-separated-values", "TSV", ("tsv",), results=ox.QueryResultsFormat.TSV, w3c="SPARQL_Results_TSV"),
    Format("text/turtle", "Turtle", ("ttl", "turtle", "n3"), graphs=ox.RdfFormat.TURTLE, rdflib="turtle", w3c="Turtle"),
    Format("application/ld+json", "JSON-LD", ("jsonld", "json-ld", "json"), graphs=ox.RdfFormat.JSON_LD,
           rdflib="json-ld", w3c="JSON-LD"),
    Format("application/n-triples", "N-Triples", ("nt", "ntriples"), graphs=ox.RdfFormat.N_TRIPLES, rdflib="nt",
           w3c="N-Triples"),
    Format("application/rdf+xml", "RDF/XML", ("rdf", "rdfxml", "rdf+xml", "owl", "xml"), graphs=ox.RdfFormat.RDF_XML,
           rdflib="xml", w3c="RDF_XML"),
    Format("application/n-quads", "N-Quads", ("nq", "nquads"), graphs=ox.RdfFormat.N_QUADS, rdflib="nquads",
           w3c="N-Quads"),
    Format("application/trig", "TriG", ("trig",), graphs=ox.RdfFormat.TRIG, rdflib="trig", w3c="TriG"),
    # what many clients ask for: SPARQL results JSON for a SELECT or ASK, JSON-LD for a graph
    Format("application/json", "JSON", ("json",), graphs=ox.RdfFormat.JSON_LD, results=ox.QueryResultsFormat.JSON),
    Format("application/x-bibtex", "BibTeX", ("bib", "bibtex")),
    Format("application/x-research-info-systems", "RIS", ("ris",)),
    Format("application/vnd.citationstyles.csl+json", "CSL-JSON", ("csl.json", "csl", "csljson", "csl-json")),
)
BY_TYPE: Mapping[str, Format] = {f.media_type: f for f in FORMATS}

# What a document offers (an entity, the ontology): a page, and the RDF syntaxes rdflib writes too
DOCUMENT_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
BIBLIOGRAPHY = ("application/x-bibtex", "application/x-research-info-systems", "application/vnd.citationstyles.csl+json")


def suffixes(media_types) -> dict[str, str]:
    """File suffix → media type, for the given media types, in their order."""
    return {BY_TYPE[media_type].suffix: media_type for media_type in media_types}


def names() -> dict[str, tuple[str, ...]]:
    """Each name `format=` takes → the media types it may stand for, in the order of FORMATS."""
    found: dict[str, tuple[str, ...]] = {}
    for entry in FORMATS:
        for name in entry.names:
            found[name] = found.get(name, ()) + (entry.media_type,)
    return found
