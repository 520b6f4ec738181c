"""SPARQL 1.1 query results in JSON, XML, CSV and TSV, written row by row.

The endpoint writes results itself rather than through the engine's serializer so that it can
stop at the row limit while writing, instead of materialising an unbounded result first.
Formats: https://www.w3.org/TR/sparql11-results-json/, /rdf-sparql-XMLres/, /sparql11-results-csv-tsv/.
"""

from __future__ import annotations

import io
import json
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

JSON, XML, CSV, TSV = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
PLAIN_JSON = "application/json"  # what many clients ask for; answered with SPARQL results JSON
MEDIA_TYPES = (JSON, XML, CSV, TSV, PLAIN_JSON)


class TooManyRows(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"the result has more than {limit} rows")


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {
            "subject": _json_term(term.subject), "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_field(term) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, BlankNode) else (str(term) if isinstance(term, Triple) else term.value)
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def _tsv_field(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype.value in (XSD_STRING, RDF_LANG_STRING):
        body = term.value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        body = '"' + body.replace('"', '\\"') + '"'
        return body + (f"@{term.language}" if term.language else "")
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write_solutions(variables: Sequence[str], rows: Iterable, media_type: str, max_rows: int) -> bytes:
    """Serialise solutions (sequences of terms or None, in `variables` order), refusing more than `max_rows`."""
    out = io.StringIO()
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            if count > max_rows:
                raise TooManyRows(max_rows)
            yield row

    if media_type in (JSON, PLAIN_JSON):
        out.write(json.dumps({"head": {"vars": list(variables)}})[:-1] + ', "results": {"bindings": [')
        for index, row in enumerate(counted()):
            binding = {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            out.write(("," if index else "") + json.dumps(binding, ensure_ascii=False))
        out.write("]}}")
    elif media_type == XML:
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.write("".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>")
        for row in counted():
            out.write("<result>" + "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row, strict=True) if t is not None
            ) + "</result>")
        out.write("</results></sparql>")
    elif media_type == CSV:
        out.write(",".join(variables) + "\r\n")
        for row in counted():
            out.write(",".join(_csv_field(t) for t in row) + "\r\n")
    elif media_type == TSV:
        out.write("\t".join(f"?{v}" for v in variables) + "\n")
        for row in counted():
            out.write("\t".join(_tsv_field(t) for t in row) + "\n")
    else:
        raise ValueError(f"no solution format {media_type}")
    return out.getvalue().encode("utf-8")


def write_boolean(answer: bool, media_type: str) -> bytes:
    if media_type in (JSON, PLAIN_JSON):
        return json.dumps({"head": {}, "boolean": answer}).encode()
    if media_type == XML:
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if answer else 'false'}</boolean></sparql>").encode()
    if media_type in (CSV, TSV):
        return ("true" if answer else "false").encode()
    raise ValueError(f"no boolean format {media_type}")
