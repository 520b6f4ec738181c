"""`/sources` and the works' own bibliographic records over HTTP, the "Cited for" section of a
work's page, CITATION.cff and the DataCite-style fields of the dataset description."""

import json
import re
import tomllib
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from service import __version__
from service.releases import History
from service.dataset_description import CREATOR, KEYWORDS, TITLE
from service.namespaces import prefixes

from .references import BASE, check_bibtex, check_csl, check_ris, expected_works

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).parent / "fixtures" / "citation-file-format" / "schema-1.2.0.json"
DATASET = URIRef(BASE + ".well-known/void#dataset")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD_DATE, XSD_ANYURI = (URIRef("http://www.w3.org/2001/XMLSchema#" + t) for t in ("date", "anyURI"))
BIBTEX, RIS, CSL = "application/x-bibtex", "application/x-research-info-systems", "application/vnd.citationstyles.csl+json"
# media type, suffix, format= name, check
EXPORTS = [(BIBTEX, "bib", "bibtex", check_bibtex), (RIS, "ris", "ris", check_ris), (CSL, "csl.json", "csl", check_csl)]
ASKS = pytest.mark.parametrize("media_type, suffix, name, check", EXPORTS, ids=["bibtex", "ris", "csl-json"])


@pytest.fixture(scope="module")
def expected(graph, settings):
    return expected_works(graph, prefixes(settings.base))


def _type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@ASKS
def test_all_works_by_accept_suffix_and_format(live_server, expected, media_type, suffix, name, check):
    sources = f"{live_server.url}/sources"
    for response in (httpx.get(sources, headers={"Accept": media_type}), httpx.get(f"{sources}.{suffix}"),
                     httpx.get(sources, params={"format": name})):
        assert response.status_code == 200 and _type(response) == media_type
        assert response.headers["vary"].startswith("Accept")
        assert response.headers["content-location"] == f"{sources}.{suffix}"
        check(response.text, expected)


@ASKS
def test_each_work_by_accept_and_suffix(live_server, expected, media_type, suffix, name, check):
    with httpx.Client(timeout=30) as client:
        for key, want in expected.items():
            work = f"{live_server.url}/id/work/{key}"
            for response in (client.get(work, headers={"Accept": media_type}), client.get(f"{work}.{suffix}")):
                assert response.status_code == 200 and _type(response) == media_type, key
                assert response.headers["vary"].startswith("Accept")
                check(response.text, {key: want})


@pytest.mark.parametrize("accept, expected", [
    ("application/x-bibtex;q=0.5, application/x-research-info-systems", RIS),
    ("text/html;q=0.2, application/vnd.citationstyles.csl+json;q=0.9, text/turtle;q=0.5", CSL),
    ("application/x-bibtex;q=0, */*", "text/html"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
    ("application/*;q=0.1, application/x-bibtex", BIBTEX),
])
def test_q_values_choose_among_the_offers(live_server, accept, expected):
    for path in ("sources", "id/work/lecocq-klute-2013"):
        response = httpx.get(f"{live_server.url}/{path}", headers={"Accept": accept})
        assert response.status_code == 200 and _type(response) == expected, (path, accept)


@pytest.mark.parametrize("path", ["id/place/kidal", "id/organisation/mnla", "id/work/website-reuters",
                                  "id/claim/mnla-strength-2012"])
def test_only_works_offer_references(live_server, path):
    for response in (httpx.get(f"{live_server.url}/{path}", headers={"Accept": BIBTEX}),
                     httpx.get(f"{live_server.url}/{path}.ris"), httpx.get(f"{live_server.url}/{path}", params={"format": "csl"})):
        assert response.status_code == 406 and response.headers["vary"].startswith("Accept")
        offered = response.text.split("Available here:")[1].split()
        assert offered == ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
    turtle = httpx.get(f"{live_server.url}/{path}", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and BIBTEX not in turtle.headers["link"]


def test_a_work_keeps_its_rdf_and_html_and_links_its_references(live_server):
    work = f"{live_server.url}/id/work/anders-2015"
    turtle = httpx.get(work, headers={"Accept": "text/turtle"})
    assert _type(turtle) == "text/turtle" and turtle.headers["content-location"] == f"{work}.ttl"
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(BASE + "id/work/anders-2015"), RDF.type, URIRef("http://purl.org/spar/fabio/BookChapter")) in graph
    assert f'<{work}.bib>; rel="alternate"; type="{BIBTEX}"' in turtle.headers["link"]
    page = httpx.get(work, headers={"Accept": "text/html"}).text
    assert f'href="{work}.csl.json"' in page and f'type="{RIS}" href="{work}.ris"' in page
    ris = httpx.get(f"{work}.ris")
    assert f'<{work}.ttl>; rel="alternate"; type="text/turtle"' in ris.headers["link"]


def test_the_sources_page(live_server, expected):
    response = httpx.get(f"{live_server.url}/sources", headers={"Accept": "text/html"})
    assert response.status_code == 200 and _type(response) == "text/html"
    page = response.text
    for key in expected:
        assert f'href="{live_server.url}/id/work/{key}"' in page and f'href="{live_server.url}/id/work/{key}.bib"' in page
    assert page.count("<li id=") == 27
    assert ("Desgrais, N., Guichaoua, Y. and Lebovich, A. (2018) ‘Unity is the exception. Alliance formation and "
            "de-formation among armed actors in Northern Mali’, <i>Small Wars &amp; Insurgencies</i>, 29(4), "
            "pp. 654–679.") in page
    assert "in <i>Small Arms Survey 2015: Weapons and the World</i>, pp. 170–185. Cambridge University Press." in page
    for suffix in ("bib", "ris", "csl.json", "ttl"):
        assert f'href="{live_server.url}/sources.{suffix}"' in page
    assert 'href="sources"' in httpx.get(live_server.url + "/").text  # the home page leads here


@pytest.mark.parametrize("suffix, rdflib_format", [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_the_works_as_rdf(live_server, suffix, rdflib_format):
    graph = Graph().parse(data=httpx.get(f"{live_server.url}/sources.{suffix}").text, format=rdflib_format)
    cao = Namespace(BASE + "ontology#")
    assert len(set(graph.subjects(cao.worksCitedNumber))) == 26
    desgrais = URIRef(BASE + "id/work/desgrais-guichaoua-lebovich-2018")
    container = graph.value(desgrais, DCTERMS.isPartOf)
    assert str(graph.value(container, DCTERMS.title)) == "Small Wars & Insurgencies"
    assert httpx.get(f"{live_server.url}/sources.xml").status_code == 404


CITED_FOR = re.compile(r'<h2 id="cited-for">.*?</ol>', re.S)
ITEM = re.compile(r'<li><a href="([^"]+)">.*?<span class="pages">([^<]*)</span></li>')
CITING = """SELECT ?citing ?page WHERE {
  ?citing prov:qualifiedDerivation ?d . ?d prov:entity <%s> . OPTIONAL { ?d cao:page ?page } }"""


def _cited_for(live_server, key: str) -> dict[str, set[str]]:
    """Every item of the work's "Cited for" sections, across the pages of its description."""
    found, url = {}, f"{live_server.url}/id/work/{key}"
    while url:
        response = httpx.get(url, headers={"Accept": "text/html"}, timeout=30)
        section = CITED_FOR.search(response.text).group(0)
        for href, pages in ITEM.findall(section):
            found[href.replace(live_server.url + "/", BASE)] = set(pages.removeprefix("p. ").split(", ")) - {"no page given"}
        url = response.links.get("next", {}).get("url")
    return found


@pytest.mark.parametrize("key", ["bencherif-campana-2017", "desgrais-guichaoua-lebovich-2018", "anders-2015", "cma-profile"])
def test_cited_for_names_every_citing_claim_with_its_pages_for_this_work(live_server, key):
    rows = httpx.get(live_server.sparql, params={"query": CITING % (BASE + "id/work/" + key)}).json()["results"]["bindings"]
    expected: dict[str, set[str]] = {}
    for row in rows:
        expected.setdefault(row["citing"]["value"], set()).update([row["page"]["value"]] if "page" in row else [])
    assert len(expected) > 5
    assert _cited_for(live_server, key) == expected


def test_cited_for_on_the_page_of_a_work(live_server):
    page = httpx.get(f"{live_server.url}/id/work/bencherif-campana-2017", headers={"Accept": "text/html"}).text
    section = CITED_FOR.search(page).group(0)
    assert f'<a href="{live_server.url}/id/event/2013-05-hcua-founding">' in section
    hcua = section.split("2013-05-hcua-founding")[1].split("</li>")[0]
    assert '<span class="pages">p. 125, 129</span>' in hcua
    assert "Cited for" not in httpx.get(f"{live_server.url}/id/place/kidal", headers={"Accept": "text/html"}).text


def test_citation_cff_is_valid_and_agrees_with_the_project():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(citation)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # the code has its version (pyproject.toml); the dataset CITATION.cff describes is at its newest release
    assert citation["cff-version"] == "1.2.0" and project["version"] == __version__
    assert citation["version"] == History(ROOT / "releases").latest.version
    assert citation["title"] == TITLE and [a["name"] for a in citation["authors"]] == [CREATOR]
    assert set(citation["license"]) == {"CC-BY-4.0", "MIT"} and citation["url"] == BASE
    assert citation["keywords"] == list(KEYWORDS)
    assert citation["references"][0]["identifiers"][0]["value"] == BASE + "id/work/cma-profile"


def test_the_dataset_description_has_datacite_fields(live_server):
    void = Graph().parse(data=httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/turtle"}).text,
                         format="turtle")
    value = lambda predicate: void.value(DATASET, predicate)  # noqa: E731
    assert value(DCTERMS.identifier) == Literal(BASE, datatype=XSD_ANYURI)
    assert value(DCTERMS.type) == URIRef("http://purl.org/dc/dcmitype/Dataset")
    for role in (DCTERMS.creator, DCTERMS.publisher):
        assert str(void.value(value(role), FOAF.name)) == CREATOR
    issued = value(DCTERMS.issued)
    assert issued.datatype == XSD_DATE and issued == value(DCTERMS.modified)
    version = str(value(DCAT.version))
    assert version == History(ROOT / "releases").latest.version  # the data served is the newest release
    citation = str(value(DCTERMS.bibliographicCitation))
    assert citation == f"{CREATOR} ({str(issued)[:4]}). {TITLE}. Version {version} [Data set]. {BASE}release/{version}"
    assert {str(k) for k in void.objects(DATASET, DCAT.keyword)} == set(KEYWORDS)
