"""The works cited as bibliographic records, and those records as BibTeX, RIS and CSL-JSON.

Records are read from the graph that `queries/works.rq` builds (the works cited, the profile,
their authors in order, containers and publishers): for all works at once for `/sources`, for one
work for its own page, so that a page does not wait on the whole list in a large store. The kind
of a work is its FaBiO type, derived from its BIBO type by `ontology/rules/bibliography.rq`;
`KINDS` says what each kind is called in the three formats. The writers only lay out records:
BibTeX with bibtexparser (biblatex entry types and fields, UTF-8), RIS with rispy, CSL-JSON as the
CSL-JSON schema describes it.
"""

from __future__ import annotations

import json
import sys
from string import Template
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

from .namespaces import BIBO, FABIO, SCHEMA
from .oxigraph_rdflib import ntriples_graph
from .store import Query, iri_term

WORKS_OF = Template((Path(__file__).resolve().parent / "queries" / "works.rq").read_text(encoding="utf-8"))
WORKS = WORKS_OF.substitute(only="")

BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"
CSL_JSON = "application/vnd.citationstyles.csl+json"


@dataclass(frozen=True)
class Kind:
    """A FaBiO type and what BibTeX (biblatex), RIS and CSL call it."""

    fabio: str
    bibtex: str
    ris: str
    csl: str


# In order of preference, should a work have more than one FaBiO type.
KINDS = (
    Kind("JournalArticle", "article", "JOUR", "article-journal"),
    Kind("PeriodicalItem", "article", "JOUR", "article-journal"),
    Kind("MagazineArticle", "article", "MGZN", "article-magazine"),
    Kind("NewspaperArticle", "article", "NEWS", "article-newspaper"),
    Kind("NewsItem", "online", "NEWS", "article-newspaper"),
    Kind("BlogPost", "online", "BLOG", "post-weblog"),
    Kind("WebPage", "online", "ELEC", "webpage"),
    Kind("BookChapter", "incollection", "CHAP", "chapter"),
    Kind("Book", "book", "BOOK", "book"),
    Kind("ReportDocument", "techreport", "RPRT", "report"),
)
OTHER = Kind("Expression", "misc", "GEN", "document")
DATASET = Kind("Dataset", "dataset", "DATA", "dataset")  # this dataset's own releases, not a work cited

# The BibTeX field that names the container, by entry type.
CONTAINER_FIELDS = {"article": "journal", "incollection": "booktitle", "online": "organization"}
# The entry types whose publisher BibTeX records (a report's as its institution).
PUBLISHED = ("book", "incollection", "techreport", "dataset")


@dataclass(frozen=True)
class Author:
    name: str  # as written
    family: str | None = None  # persons only
    given: str | None = None

    @property
    def inverted(self) -> str:
        """`Family, Given` for a person, the name as it is for an organisation."""
        return f"{self.family}, {self.given}" if self.family and self.given else self.family or self.name


@dataclass(frozen=True)
class Record:
    iri: str
    key: str  # the work's slug: stable, unique, usable as a BibTeX key
    kind: Kind
    title: str
    authors: tuple[Author, ...] = ()
    container: str | None = None
    publisher: str | None = None
    issued: str | None = None  # ISO 8601 at the precision recorded: 2017, 2014-05 or 2023-09-11
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # a range with a hyphen, "654-679"
    url: str | None = None
    language: str | None = None  # ISO 639-1
    number: int | None = None  # place in the profile's list of works cited; None for the profile
    version: str | None = None  # a dataset's release

    @property
    def year(self) -> str | None:
        return self.issued[:4] if self.issued else None

    @property
    def date_parts(self) -> list[int]:
        return [int(part) for part in self.issued.split("-")] if self.issued else []

    @property
    def first_and_last_page(self) -> tuple[str, str | None]:
        first, _, last = (self.pages or "").partition("-")
        return first, last or None


# --- from RDF -----------------------------------------------------------------------------------

def _text(graph: Graph, node, predicate, lang: str | None = None) -> str | None:
    values = list(graph.objects(node, predicate))
    preferred = [v for v in values if lang and isinstance(v, Literal) and v.language == lang]
    return str((preferred or values)[0]) if values else None


def _author(graph: Graph, agent) -> Author:
    name = _text(graph, agent, FOAF.name) or _text(graph, agent, RDFS.label, "en") or str(agent)
    return Author(name, _text(graph, agent, FOAF.familyName), _text(graph, agent, FOAF.givenName))


def _record(graph: Graph, work: URIRef, cao: Namespace) -> Record:
    types = set(graph.objects(work, RDF.type))
    kind = next((k for k in KINDS if FABIO[k.fabio] in types), OTHER)
    author_list = graph.value(work, BIBO.authorList)
    authors = tuple(_author(graph, a) for a in Collection(graph, author_list)) if author_list else ()
    container, publisher = graph.value(work, DCTERMS.isPartOf), graph.value(work, DCTERMS.publisher)
    start, end = _text(graph, work, BIBO.pageStart), _text(graph, work, BIBO.pageEnd)
    language = graph.value(work, DCTERMS.language)
    number = graph.value(work, cao.worksCitedNumber)
    return Record(
        iri=str(work), key=str(work).rsplit("/", 1)[-1], kind=kind,
        title=_text(graph, work, DCTERMS.title, "en") or str(work),
        authors=authors,
        container=_text(graph, container, DCTERMS.title) if container is not None else None,
        publisher=_text(graph, publisher, FOAF.name) if publisher is not None else None,
        issued=_text(graph, work, DCTERMS.issued),
        volume=_text(graph, work, BIBO.volume), issue=_text(graph, work, BIBO.issue),
        pages=_text(graph, work, BIBO.pages) or (f"{start}-{end}" if start and end else start),
        url=_text(graph, work, SCHEMA.url),
        language=str(language).rstrip("/").rsplit("/", 1)[-1] if language is not None else None,
        number=int(number) if number is not None else None,
    )


def records(graph: Graph, base: str) -> list[Record]:
    """The records of the works in `graph` (as `queries/works.rq` builds it): the citing profile
    first, then the works cited in the order of its list."""
    cao = Namespace(base + "ontology#")
    cited = set(graph.subjects(cao.worksCitedNumber))
    citing = {s for s, o in graph.subject_objects(DCTERMS.references) if o in cited and str(s).startswith(base + "id/work/")}
    found = [_record(graph, work, cao) for work in citing | cited]
    return sorted(found, key=lambda r: (r.number is not None, r.number or 0, r.key))


async def _works_graph(state, only: str = "", store: str | None = None) -> Graph:
    # the service's own read: the row limit on users' answers does not apply
    query = Query(WORKS_OF.substitute(only=only), "application/n-triples", state.prefixes, max_rows=sys.maxsize,
                  store=store)
    answer = await state.pool.answer(query)
    return ntriples_graph(answer.body)


async def cited_works(state) -> dict[str, Record]:
    """The records by IRI, read from the running service's store once (the store never changes
    while the service runs)."""
    if getattr(state, "bibliography", None) is None:
        graph = await _works_graph(state)
        state.bibliography = {r.iri: r for r in records(graph, state.settings.base)}
    return state.bibliography


async def cited_work(state, iri: str, version: str | None = None) -> Record | None:
    """The record of the work `iri` names (as release `version` has it, if given), or None when it
    names no work cited nor the profile. A record found is kept in `state.work_records` (at most one
    per work and release): a work's page asks for it on every request, its document cached or not."""
    if not iri.startswith(state.prefixes["wrk"]):
        return None
    record = state.work_records.get((version, iri))
    if record is None:
        store = str(state.releases[version].store) if version else None
        graph = await _works_graph(state, f"VALUES ?work {{ {iri_term(iri)} }}", store)
        if (URIRef(iri), None, None) not in graph:
            return None
        record = _record(graph, URIRef(iri), Namespace(state.settings.base + "ontology#"))
        state.work_records[(version, iri)] = record
    return record


# --- BibTeX -------------------------------------------------------------------------------------

LATEX_SPECIALS = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                                "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                                "^": r"\textasciicircum{}"})


def _latex(text: str) -> str:
    return text.translate(LATEX_SPECIALS)


def _bibtex_name(author: Author) -> str:
    # an organisation's name is braced whole, so that it is not split into given and family names
    return _latex(author.inverted) if author.family else "{" + _latex(author.name) + "}"


def bibtex_entry(record: Record) -> Entry:
    kind = record.kind.bibtex
    publisher = "institution" if kind == "techreport" else "publisher"
    fields = {
        "author": " and ".join(_bibtex_name(a) for a in record.authors) or None,
        "title": _latex(record.title),
        CONTAINER_FIELDS.get(kind, "howpublished"): _latex(record.container) if record.container else None,
        "volume": record.volume, "number": record.issue,
        "pages": record.pages.replace("-", "--") if record.pages else None,
        "year": record.year,
        "date": record.issued if record.issued and len(record.issued) > 4 else None,
        publisher: _latex(record.publisher) if record.publisher and kind in PUBLISHED else None,
        "version": record.version,
        "url": record.url,
    }
    return Entry(kind, record.key, [Field(k, v) for k, v in fields.items() if v])


def bibtex(records: Iterable[Record]) -> str:
    layout = bibtexparser.BibtexFormat()
    layout.block_separator = "\n"
    library = bibtexparser.Library([bibtex_entry(r) for r in records])
    return bibtexparser.write_string(library, bibtex_format=layout)


# --- RIS ----------------------------------------------------------------------------------------

class _Writer(rispy.RisWriter):
    """RIS as reference managers write it: no numbered line before each reference."""

    def set_header(self, count: int) -> str:
        return ""


def ris_reference(record: Record) -> dict:
    first, last = record.first_and_last_page
    fields = {
        "type_of_reference": record.kind.ris, "id": record.key,
        "authors": [a.inverted for a in record.authors], "title": record.title,
        "secondary_title": record.container, "volume": record.volume, "number": record.issue,
        "start_page": first or None, "end_page": last, "year": record.year,
        "date": record.issued.replace("-", "/") if record.issued and len(record.issued) > 4 else None,
        "publisher": record.publisher, "urls": [record.url] if record.url else [], "language": record.language,
        "edition": record.version,  # RIS has no version; reference managers read a dataset's from ET
    }
    return {k: v for k, v in fields.items() if v}


def ris(records: Iterable[Record]) -> str:
    return rispy.dumps([ris_reference(r) for r in records], implementation=_Writer)


# --- CSL-JSON -----------------------------------------------------------------------------------

def csl_item(record: Record) -> dict:
    item = {
        "id": record.key, "type": record.kind.csl, "citation-key": record.key, "title": record.title,
        "author": [{"family": a.family, "given": a.given} if a.family else {"literal": a.name} for a in record.authors],
        "container-title": record.container, "volume": record.volume, "issue": record.issue, "page": record.pages,
        "issued": {"date-parts": [record.date_parts]} if record.issued else None,
        "publisher": record.publisher, "URL": record.url, "language": record.language, "version": record.version,
    }
    return {k: v for k, v in item.items() if v}


def csl_json(records: Iterable[Record]) -> str:
    return json.dumps([csl_item(r) for r in records], ensure_ascii=False, indent=2) + "\n"


WRITERS = {BIBTEX: bibtex, RIS: ris, CSL_JSON: csl_json}


def write(media_type: str, records: Iterable[Record]) -> bytes:
    """The records in one of the three formats, as UTF-8."""
    return WRITERS[media_type](records).encode("utf-8")
