"""The works as bibliographic records: FaBiO types by rule, one record per work built from the RDF,
and the BibTeX, RIS and CSL-JSON writers, each read back with a real parser."""

import json
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from service.bibliography import KINDS, OTHER, WORKS, bibtex, csl_json, records, ris
from service.namespaces import FABIO, SCHEMA, prefixes

from .references import BASE, KIND_EXAMPLES, check_bibtex, check_csl, check_ris, expected_works

ROOT = Path(__file__).resolve().parent.parent
RULE = (ROOT / "ontology" / "rules" / "bibliography.rq").read_text(encoding="utf-8")
ID = Namespace(BASE + "id/work/")


@pytest.fixture(scope="module")
def namespaces(settings):
    return prefixes(settings.base)


@pytest.fixture(scope="module")
def works_graph(graph, namespaces) -> Graph:
    """The graph the service builds its records from, here from the shipped dataset."""
    works = Graph()
    for triple in graph.query(WORKS, initNs=namespaces):
        works.add(triple)
    return works


@pytest.fixture(scope="module")
def shipped(works_graph, settings):
    return records(works_graph, settings.base)


@pytest.fixture(scope="module")
def expected(graph, namespaces):
    return expected_works(graph, namespaces)


def derived_types(turtle: str) -> set[tuple[str, str]]:
    imports = (ROOT / "ontology" / "imports.ttl").read_text(encoding="utf-8")
    source = Graph().parse(data=imports, format="turtle").parse(data=turtle, format="turtle", publicID=BASE)
    source.bind("fabio", FABIO)
    return {(str(s).rsplit("/", 1)[-1], source.namespace_manager.normalizeUri(o)) for s, _, o in source.query(RULE)
            if (s, RDF.type, o) not in source}


def test_the_rule_types_articles_by_what_they_appear_in():
    found = derived_types("""
        @prefix bibo: <http://purl.org/ontology/bibo/> . @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix schema: <https://schema.org/> .
        <id/work/j> a bibo:Journal . <id/work/w> a bibo:Website , schema:WebSite . <id/work/p> a bibo:Periodical .
        <id/work/paper> a bibo:AcademicArticle , schema:ScholarlyArticle ; dcterms:isPartOf <id/work/j> .
        <id/work/news> a bibo:Article , schema:NewsArticle ; dcterms:isPartOf <id/work/w> .
        <id/work/post> a bibo:Article , schema:BlogPosting ; dcterms:isPartOf <id/work/w> .
        <id/work/item> a bibo:Article ; dcterms:isPartOf <id/work/p> .
    """)
    assert {("paper", "fabio:JournalArticle"), ("news", "fabio:NewsItem"), ("post", "fabio:BlogPost"),
            ("item", "fabio:PeriodicalItem"), ("j", "fabio:Journal"), ("w", "fabio:WebSite")} <= found
    assert ("post", "fabio:NewsItem") not in found
    # schema.org types only where a record names none: the periodical and its article
    assert {kind for _, kind in found if kind.startswith("schema:")} == {"schema:Periodical", "schema:Article"}


def test_the_rule_adds_a_schema_org_type_where_none_is_given():
    found = derived_types("""@prefix bibo: <http://purl.org/ontology/bibo/> .
        <id/work/report> a bibo:Report . <id/work/chapter> a bibo:Chapter .""")
    assert found == {("report", "fabio:ReportDocument"), ("report", "schema:Report"),
                     ("chapter", "fabio:BookChapter"), ("chapter", "schema:Chapter")}


def test_every_work_of_the_profile_has_a_fabio_type(graph):
    works = set(graph.subjects(Namespace(BASE + "ontology#").worksCitedNumber)) | {ID["cma-profile"]}
    fabio = {work: {t for t in graph.objects(work, RDF.type) if str(t).startswith(str(FABIO))} for work in works}
    assert all(len(types) == 1 for types in fabio.values()), fabio
    assert all(any(str(t).startswith(str(SCHEMA)) for t in graph.objects(work, RDF.type)) for work in works)


def test_one_record_per_work_the_profile_first_then_in_the_order_of_the_list(shipped):
    assert len(shipped) == 27
    assert shipped[0].key == "cma-profile" and shipped[0].number is None
    assert [r.number for r in shipped[1:]] == list(range(1, 27))
    assert len({r.key for r in shipped}) == 27  # BibTeX keys: the slugs, unique
    assert all(r.iri == str(ID[r.key]) for r in shipped)


def test_every_work_cited_is_a_complete_record(shipped):
    for record in shipped[1:]:
        assert record.kind in KINDS and record.kind is not OTHER, record.key
        assert record.title and record.authors and record.issued and record.container, record.key
        if record.kind.csl in ("article-journal", "chapter"):
            assert record.pages, record.key
        if record.kind.csl == "article-journal":
            assert record.volume and record.issue, record.key
        if record.kind.bibtex == "online":
            assert record.url, record.key


def test_records_follow_the_rdf(shipped, expected):
    for record in shipped:
        want = expected[record.key]
        assert [a.family or a.name for a in record.authors] == want["authors"]
        assert (record.title, record.container, record.publisher, record.issued) == \
               (want["title"], want["container"], want["publisher"], want["issued"])
        assert (record.volume, record.issue, record.pages, record.url) == \
               (want["volume"], want["issue"], want["pages"], want["url"])


def test_kinds_in_each_format(shipped):
    kinds = {r.key: (r.kind.bibtex, r.kind.ris, r.kind.csl) for r in shipped}
    assert {key: kinds[key] for key in KIND_EXAMPLES} == KIND_EXAMPLES


def test_bibtex_parses_back_field_by_field(shipped, expected):
    text = bibtex(shipped)
    check_bibtex(text, expected)
    assert "journal = {Small Wars \\& Insurgencies}" in text  # LaTeX's specials are escaped
    assert "author = {{AFP}}" in text  # an organisation stays one name
    assert "author = {Desgrais, N. and Guichaoua, Y. and Lebovich, A.}" in text
    assert "pages = {654--679}" in text and "date = {2023-09-11}" in text


def test_ris_parses_back_field_by_field(shipped, expected):
    text = ris(shipped)
    check_ris(text, expected)
    assert text.startswith("TY  - ELEC\n") and text.count("TY  - ") == text.count("ER  - ") == 27
    assert "DA  - 2023/09/11" in text


def test_csl_json_parses_back_and_renders_in_a_standard_style(shipped, expected):
    text = csl_json(shipped)
    check_csl(text, expected)
    item = {i["id"]: i for i in json.loads(text)}["bencherif-campana-stockemer-2023"]
    assert item["author"][2] == {"family": "Stockemer", "given": "D."}
    assert item["issued"] == {"date-parts": [[2023]]} and item["language"] == "en"


def test_one_work_alone(shipped, expected):
    anders = [r for r in shipped if r.key == "anders-2015"]
    want = {"anders-2015": expected["anders-2015"]}
    check_bibtex(bibtex(anders), want)
    check_ris(ris(anders), want)
    check_csl(csl_json(anders), want)
