"""The format registry: each entry's facts agree with the engine's own registry of formats (media
type, file extension, W3C format IRI) and with rdflib's; and what is one entry there reaches every
route that offers its kind of format."""

import re

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Graph

from service.formats import BY_TYPE, FORMATS, W3C_FORMATS, names

ENGINE_FORMATS = [f for f in FORMATS if f.graphs is not None or f.results is not None]


def test_every_media_type_and_suffix_is_one_formats():
    assert len(BY_TYPE) == len(FORMATS)
    suffixes = [f.suffix for f in FORMATS]
    assert len(suffixes) == len(set(suffixes))


@pytest.mark.parametrize("entry", ENGINE_FORMATS, ids=lambda f: f.media_type)
def test_the_engine_names_each_format_as_the_registry_does(entry):
    if entry.media_type == "application/json":  # not a format of its own: results or JSON-LD
        assert (entry.graphs, entry.results) == (ox.RdfFormat.JSON_LD, ox.QueryResultsFormat.JSON)
        return
    engine = entry.graphs or entry.results
    assert engine.media_type.split(";")[0] == entry.media_type
    assert engine.file_extension == entry.suffix
    assert engine.iri.rsplit("/", 1)[-1] == entry.w3c  # the W3C registry's name (http://www.w3.org/ns/formats/)
    assert (W3C_FORMATS + entry.w3c).startswith("http://www.w3.org/ns/formats/")


@pytest.mark.parametrize("entry", [f for f in FORMATS if f.rdflib], ids=lambda f: f.media_type)
def test_rdflib_writes_what_the_engine_reads_in_each_format(entry):
    holder = rdflib.Dataset() if entry.rdflib in ("nquads", "trig") else Graph()  # rdflib writes graphs of a dataset
    graph = holder.graph(rdflib.URIRef("http://example.org/g")) if isinstance(holder, rdflib.Dataset) else holder
    graph.add((rdflib.URIRef("http://example.org/s"), rdflib.URIRef("http://example.org/p"), rdflib.Literal("é")))
    written = holder.serialize(format=entry.rdflib, encoding="utf-8")
    read = list(ox.parse(written, format=entry.graphs))
    assert [(q.subject.value, q.object.value) for q in read] == [("http://example.org/s", "é")]


def test_format_names_include_every_suffix_and_shared_names_prefer_results():
    known = names()
    assert all(known[f.suffix][0] == f.media_type for f in FORMATS if f.suffix not in ("json", "xml"))
    assert known["json"] == ("application/sparql-results+json", "application/ld+json", "application/json")
    assert known["xml"] == ("application/sparql-results+xml", "application/rdf+xml")


@pytest.mark.parametrize("entry", [f for f in FORMATS if f.graphs is not None], ids=lambda f: f.media_type)
def test_every_graph_syntax_answers_a_construct_and_is_in_the_service_description(live_server, entry):
    """TriG was one new entry: the endpoint answers CONSTRUCT in it and its description lists it."""
    response = httpx.get(live_server.sparql, params={"query": "CONSTRUCT WHERE { grp:mnla a ?t }"},
                         headers={"Accept": entry.media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == entry.media_type
    assert len(list(ox.parse(response.content, format=entry.graphs))) > 0
    if entry.w3c:
        description = httpx.get(live_server.sparql, headers={"Accept": "application/n-triples"}).text
        assert f"<http://www.w3.org/ns/sparql-service-description#resultFormat> <{W3C_FORMATS}{entry.w3c}>" in description


# The formats by the names people know them by (the W3C's, IANA's and the citation tools'), as the
# README lists them: what the query form without JavaScript offers, and what each option answers.
EDITOR_OPTIONS = [("srj", "SPARQL results in JSON", "application/sparql-results+json"),
                  ("srx", "SPARQL results in XML", "application/sparql-results+xml"),
                  ("csv", "CSV", "text/csv"), ("tsv", "TSV", "text/tab-separated-values"),
                  ("ttl", "Turtle (CONSTRUCT, DESCRIBE)", "text/turtle"),
                  ("jsonld", "JSON-LD (CONSTRUCT, DESCRIBE)", "application/ld+json"),
                  ("nt", "N-Triples (CONSTRUCT, DESCRIBE)", "application/n-triples"),
                  ("rdf", "RDF/XML (CONSTRUCT, DESCRIBE)", "application/rdf+xml"),
                  ("nq", "N-Quads (CONSTRUCT, DESCRIBE)", "application/n-quads"),
                  ("trig", "TriG (CONSTRUCT, DESCRIBE)", "application/trig")]


def test_the_query_form_offers_every_answer_format_by_name_and_each_answers_in_it(live_server):
    page = httpx.get(live_server.sparql, headers={"Accept": "text/html"}).text
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', page.split('<select id="format"', 1)[1].split("</select>")[0])
    assert options == [(value, label) for value, label, _ in EDITOR_OPTIONS]
    for value, label, media_type in EDITOR_OPTIONS:
        query = "CONSTRUCT WHERE { grp:mnla a ?t }" if "CONSTRUCT" in label else "SELECT ?t WHERE { grp:mnla a ?t }"
        answer = httpx.get(live_server.sparql, params={"query": query, "format": value})
        assert answer.headers["content-type"] == f"{media_type}; charset=utf-8", value


def test_documents_name_their_formats_as_people_know_them(live_server):
    page = httpx.get(live_server.url + "/id/work/mcgregor-2017", headers={"Accept": "text/html"}).text
    document = live_server.url + "/id/work/mcgregor-2017"
    shown = " · ".join(f'<a href="{document}.{suffix}">{label}</a>' for suffix, label in (
        ("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML")))
    assert f"This page as data: {shown}" in page
    references = " · ".join(f'<a href="{document}.{suffix}">{label}</a>' for suffix, label in (
        ("bib", "BibTeX"), ("ris", "RIS"), ("csl.json", "CSL-JSON")))
    assert f"as a reference: {references}" in page
