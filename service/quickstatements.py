"""Facts a Wikidata editor could contribute, as QuickStatements (version 1 text format).

Read from the Wikidata-shaped view: each statement about a linked item whose value Wikidata can
hold (an item, a date with its precision), with its start and end qualifiers, one line per cited
work carrying that work as the reference: its URL (S854) or, without one, its title (S1476) and
date (S577), and the page(s) (S304). Our works have no verified Wikidata item, so "stated in"
(S248) is never written. Statements without a source (coordinates, types) are left out. With an
endpoint, statements whose value Wikidata already holds are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .namespaces import WD
from .store import Store
from .wikidata_check import WikidataClient

STATEMENTS = """SELECT ?item ?statement ?pid ?value ?precision WHERE {
  ?item ?claimProperty ?statement . ?statement a wikibase:Statement .
  FILTER (STRSTARTS(STR(?claimProperty), STR(p:)) && STRSTARTS(STR(?item), STR(wd:)))
  BIND (STRAFTER(STR(?claimProperty), STR(p:)) AS ?pid)
  ?statement ?statementProperty ?value . FILTER (?statementProperty = IRI(CONCAT(STR(ps:), ?pid)))
  OPTIONAL { ?statement ?valueProperty ?node . FILTER (?valueProperty = IRI(CONCAT(STR(psv:), ?pid)))
             ?node wikibase:timePrecision ?precision }
} ORDER BY ?item ?pid ?statement"""

QUALIFIERS = """SELECT ?statement ?pid ?value ?precision WHERE {
  VALUES ?pid { "P580" "P582" }
  ?statement ?qualifier ?node . FILTER (?qualifier = IRI(CONCAT(STR(pqv:), ?pid)))
  ?node wikibase:timeValue ?value ; wikibase:timePrecision ?precision .
}"""

REFERENCES = """SELECT ?statement ?work ?page ?url ?title ?issued WHERE {
  ?statement prov:wasDerivedFrom ?reference . ?reference pr:P248 ?work .
  OPTIONAL { ?reference pr:P304 ?page }
  OPTIONAL { ?reference pr:P854 ?url }
  OPTIONAL { ?work dcterms:title ?title }
  OPTIONAL { ?work dcterms:issued ?issued }
} ORDER BY ?statement ?work ?page"""

PRECISIONS = {"9": 4, "10": 7, "11": 10}  # Wikibase precision → how many characters of a date it fixes


@dataclass
class Reference:
    url: str | None = None
    title: tuple[str, str] | None = None  # (language, text)
    issued: str | None = None
    pages: list[str] = field(default_factory=list)


@dataclass
class Statement:
    item: str  # Q-ID
    pid: str
    value: str  # a Q-ID, or a date as YYYY-MM-DD
    precision: int | None = None
    qualifiers: list[tuple[str, str, int]] = field(default_factory=list)  # (P580/P582, YYYY-MM-DD, precision)
    references: dict[str, Reference] = field(default_factory=dict)  # by work IRI


def statements(store: Store, prefixes: dict) -> list[Statement]:
    """Every exportable statement of the view, with its qualifiers and references."""
    found: dict[str, Statement] = {}
    for row in store.select(STATEMENTS, prefixes):
        value, precision = row["value"], row.get("precision")
        if value["type"] == "uri" and value["value"].startswith(str(WD)):
            exported = value["value"][len(str(WD)):]
        elif precision is not None:
            exported = value["value"][:10]
        else:
            continue  # one of our IRIs, or a value QuickStatements cannot carry here
        found[row["statement"]["value"]] = Statement(row["item"]["value"][len(str(WD)):], row["pid"]["value"], exported,
                                                     int(precision["value"]) if precision else None)
    for row in store.select(QUALIFIERS, prefixes):
        statement = found.get(row["statement"]["value"])
        if statement is not None:
            statement.qualifiers.append((row["pid"]["value"], row["value"]["value"][:10], int(row["precision"]["value"])))
    for row in store.select(REFERENCES, prefixes):
        statement = found.get(row["statement"]["value"])
        if statement is None:
            continue
        reference = statement.references.setdefault(row["work"]["value"], Reference())
        if "url" in row:
            reference.url = row["url"]["value"]
        if "title" in row:
            reference.title = (row["title"].get("xml:lang") or "und", row["title"]["value"])
        if "issued" in row:
            reference.issued = row["issued"]["value"]
        if "page" in row and row["page"]["value"] not in reference.pages:
            reference.pages.append(row["page"]["value"])
    return [s for s in found.values() if any(_source(r) for r in s.references.values())]


def _string(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\t", " ").replace("\n", " ") + '"'


def _time(date: str, precision: int) -> str:
    """A QuickStatements time: +YYYY-MM-DDT00:00:00Z/precision (unknown parts written as 01)."""
    whole = (date + "-01-01")[:10] if len(date) < 10 else date
    return f"+{whole}T00:00:00Z/{precision}"


def _source(reference: Reference) -> list[str]:
    parts: list[str] = []
    if reference.url:
        parts += ["S854", _string(reference.url)]
    elif reference.title:
        language, text = reference.title
        parts += ["S1476", f"{language}:{_string(text)}"]
        if reference.issued:
            parts += ["S577", _time(reference.issued, {4: 9, 7: 10}.get(len(reference.issued), 11))]
    if parts and reference.pages:
        parts += ["S304", _string(", ".join(reference.pages))]
    return parts


def lines(exported: Iterable[Statement]) -> list[str]:
    """One line per statement and cited work: item, property, value, qualifiers, then the source."""
    out = []
    for statement in exported:
        value = _time(statement.value, statement.precision) if statement.precision else statement.value
        head = [statement.item, statement.pid, value]
        for pid, date, precision in statement.qualifiers:
            head += [pid, _time(date, precision)]
        for work in sorted(statement.references):
            source = _source(statement.references[work])
            if source:
                out.append("\t".join(head + source))
    return out


def drop_known(exported: list[Statement], client: WikidataClient) -> list[Statement]:
    """The statements whose value the endpoint does not already hold for that item and property."""
    held: dict[tuple[str, str], list[str]] = {}
    items = sorted({s.item for s in exported})
    pids = sorted({s.pid for s in exported})
    for start in range(0, len(items), 50):
        text = ("SELECT ?item ?property ?value WHERE { VALUES ?item { %s } VALUES ?property { %s } ?item ?property ?value }"
                % (" ".join(f"wd:{q}" for q in items[start:start + 50]), " ".join(f"wdt:{p}" for p in pids)))
        for row in client.select(text):
            key = (row["item"].rsplit("/", 1)[-1], row["property"].rsplit("/", 1)[-1])
            held.setdefault(key, []).append(row["value"])
    return [s for s in exported if not any(_same(s, value) for value in held.get((s.item, s.pid), []))]


def _same(statement: Statement, held: str) -> bool:
    if statement.precision is None:
        return held.rsplit("/", 1)[-1] == statement.value
    width = PRECISIONS[str(statement.precision)]
    return held.lstrip("+")[:width] == statement.value[:width]
