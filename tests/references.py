"""What a reference to each work must say, read from the RDF, and checks that parse a BibTeX, RIS or
CSL-JSON export back with a real parser (bibtexparser, rispy, citeproc-py) and compare it field by
field. Shared by test_bibliography.py (the mapping alone) and test_sources.py (over HTTP)."""

from __future__ import annotations

import json
import warnings

import bibtexparser
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pylatexenc.latex2text import LatexNodes2Text
from rdflib import Graph, URIRef
from rdflib.collection import Collection

BASE = "https://w3id.org/conflict-ld/"
CAO = BASE + "ontology#"

# What each format calls a work of each kind, shown on one work of each kind in the data.
KIND_EXAMPLES = {
    "desgrais-guichaoua-lebovich-2018": ("article", "JOUR", "article-journal"),
    "mcgregor-2017": ("article", "JOUR", "article-journal"),
    "adf-2023": ("article", "MGZN", "article-magazine"),
    "afp-2012": ("online", "NEWS", "article-newspaper"),
    "mcgregor-2016": ("online", "BLOG", "post-weblog"),
    "icg-2024": ("online", "ELEC", "webpage"),
    "cma-profile": ("online", "ELEC", "webpage"),
    "anders-2015": ("incollection", "CHAP", "chapter"),
}

FIELDS = """SELECT ?work ?title ?container ?publisher ?issued ?volume ?issue ?pages ?url WHERE {
  { ?work cao:worksCitedNumber ?n } UNION { VALUES ?work { wrk:cma-profile } }
  ?work dcterms:title ?title .
  OPTIONAL { ?work dcterms:isPartOf/dcterms:title ?container }
  OPTIONAL { ?work dcterms:publisher/foaf:name ?publisher }
  OPTIONAL { ?work dcterms:issued ?issued }
  OPTIONAL { ?work bibo:volume ?volume }
  OPTIONAL { ?work bibo:issue ?issue }
  OPTIONAL { ?work bibo:pages ?pages }
  OPTIONAL { ?work schema:url ?url }
}"""


def expected_works(graph: Graph, namespaces: dict) -> dict[str, dict]:
    """Slug → the fields a reference to the work must carry, straight from the data."""
    works = {}
    for row in graph.query(FIELDS, initNs=namespaces):
        fields = {name: (str(row[name]) if row[name] is not None else None)
                  for name in ("title", "container", "publisher", "volume", "issue", "pages", "url")}
        fields["year"] = str(row["issued"])[:4] if row["issued"] is not None else None
        fields["issued"] = str(row["issued"]) if row["issued"] is not None else None
        authors = graph.value(row["work"], URIRef("http://purl.org/ontology/bibo/authorList"))
        fields["authors"] = [_family_or_name(graph, a) for a in Collection(graph, authors)] if authors else []
        works[str(row["work"]).rsplit("/", 1)[-1]] = fields
    return works


def _family_or_name(graph: Graph, agent) -> str:
    foaf = "http://xmlns.com/foaf/0.1/"
    return str(graph.value(agent, URIRef(foaf + "familyName")) or graph.value(agent, URIRef(foaf + "name")))


def _plain(latex: str) -> str:
    return LatexNodes2Text().latex_to_text(latex)


def _compare(found: dict[str, dict], expected: dict[str, dict], kind: int) -> None:
    """`found`: key → the fields read back from one format, named as in `expected_works`, plus its
    `type`, which must be the format's name for the kind (`kind`: its place in KIND_EXAMPLES)."""
    assert sorted(found) == sorted(expected)
    for key, want in expected.items():
        fields = found[key]
        named = fields.pop("type")
        assert key not in KIND_EXAMPLES or named == KIND_EXAMPLES[key][kind], key
        assert fields == {name: want[name] for name in fields}, key


def check_bibtex(text: str, expected: dict[str, dict]) -> None:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert library.failed_blocks == []
    found = {}
    for entry in library.entries:
        fields = {field.key: field.value for field in entry.fields}
        container = fields.get("journal") or fields.get("booktitle") or fields.get("organization")
        found[entry.key] = {
            "type": entry.entry_type, "authors": [" ".join(name.last).strip("{}") for name in fields.get("author", [])],
            "title": _plain(fields["title"]), "container": _plain(container) if container else None,
            "volume": fields.get("volume"), "issue": fields.get("number"),
            "pages": fields["pages"].replace("--", "-") if "pages" in fields else None,
            "year": fields.get("year"), "url": fields.get("url")}
    _compare(found, expected, 0)


def check_ris(text: str, expected: dict[str, dict]) -> None:
    found = {reference["id"]: {
        "type": reference["type_of_reference"], "authors": [a.split(",")[0] for a in reference.get("authors", [])],
        "title": reference["title"], "container": reference.get("secondary_title"),
        "volume": reference.get("volume"), "issue": reference.get("number"),
        "pages": "-".join(filter(None, (reference.get("start_page"), reference.get("end_page")))) or None,
        "year": reference.get("year"), "url": reference.get("urls", [None])[0], "publisher": reference.get("publisher"),
    } for reference in rispy.loads(text)}
    _compare(found, expected, 1)


def check_csl(text: str, expected: dict[str, dict]) -> None:
    items = json.loads(text)
    found = {item["id"]: {
        "type": item["type"], "authors": [a.get("family", a.get("literal")) for a in item.get("author", [])],
        "title": item["title"], "container": item.get("container-title"),
        "volume": item.get("volume"), "issue": item.get("issue"), "pages": item.get("page"), "url": item.get("URL"),
        "issued": "-".join(f"{part:02d}" for part in item["issued"]["date-parts"][0]) if "issued" in item else None,
    } for item in items}
    _compare(found, expected, 2)
    for item, rendered in zip(items, render_csl(items)):
        check_rendered(rendered, expected[item["id"]])


def render_csl(items: list[dict]) -> list[str]:
    """A bibliography of `items` in the Harvard style that citeproc-py ships, one string per item in order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py does not know CSL 1.0.2's citation-key
        source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False),
                                              source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = {item.key: str(text) for item, text in zip(bibliography.items, bibliography.bibliography())}
    return [rendered[item["id"]] for item in items]


def check_rendered(text: str, want: dict) -> None:
    """A rendered reference names the authors in order, the year, title, container, volume(issue) and pages."""
    positions = [text.index(author) for author in want["authors"]]
    assert positions == sorted(positions), text
    assert want["title"] in text and (want["year"] or "no date") in text, text
    for part in (want["container"], want["url"]):
        assert part is None or part in text, text
    if want["volume"]:
        assert f"{want['volume']}({want['issue']})" in text, text
    if want["pages"]:
        assert want["pages"].replace("-", "–") in text, text
