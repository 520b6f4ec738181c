"""A triple pattern fragment for people: the form that asks for one, the count, the page of matching
triples (each term a link to the fragments it takes part in, and our entities to their pages), and
the links to the other pages."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import pyoxigraph as ox

from ..fragments import PAGE_SIZE, POSITIONS, Fragment, explicit
from ..json_ld import Compactor, context
from .shell import html_page

LABELS = {"subject": "Subject", "predicate": "Predicate", "object": "Object", "graph": "Graph"}


def fragment_page(fragment: Fragment, root: str) -> str:
    request, base = fragment.request, fragment.base
    short = Compactor(context(base)).iri

    def cell(term, position: str) -> str:
        if isinstance(term, ox.Literal):
            suffix = f"@{term.language}" if term.language else (
                "" if term.datatype.value.endswith("#string") else f" ^^{short(term.datatype.value)}")
            value = f'"{term.value}"' + suffix
            return f'<td><a href="fragments?object={quote(explicit(term), safe="")}">{escape(value)}</a></td>'
        link = f'<a href="fragments?{position}={quote(term.value, safe="")}">{escape(short(term.value))}</a>'
        if term.value.startswith(base + "id/"):
            link += f' <a class="aside" href="{escape(root + term.value[len(base):])}">page</a>'
        return f"<td>{link}</td>"

    data = fragment.data()
    graph_column = request.quads
    rows = "".join(
        "<tr>" + cell(quad.subject, "subject") + cell(quad.predicate, "predicate") + cell(quad.object, "object")
        + (cell(quad.graph_name, "graph") if graph_column else "") + "</tr>" for quad in data)
    heads = "".join(f"<th>{LABELS[name]}</th>" for name in (*POSITIONS, *(("graph",) if graph_column else ())))
    fields = "".join(
        f'<p><label for="tpf-{name}">{LABELS[name]}</label> <input id="tpf-{name}" name="{name}" '
        f'value="{escape(request.values.get(name, ""))}" placeholder="{escape(_hint(name))}"></p>'
        for name in (*POSITIONS, "graph"))
    count = fragment.matches.count
    low = (request.page - 1) * PAGE_SIZE + 1
    shown = (f"{count:,} {'quad' if request.quads else 'triple'}{'' if count == 1 else 's'} match "
             f"<code>{escape(fragment.describe())}</code>"
             + (f"; these are {low:,}–{low + len(data) - 1:,}, page {request.page} of {fragment.last}." if data else "."))
    words = {"first": "first", "previous": "‹ previous", "next": "next ›", "last": "last"}
    pages = " · ".join(f'<a rel="{"prev" if rel == "previous" else rel}" href="{escape(url)}">{words[rel]}</a>'
                       for rel, url in fragment.neighbours().items()) if fragment.last > 1 else ""
    table = (f'<div class="scroll"><table class="fragment"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table></div>'
             if data else "")
    main = f"""<h1>Triple pattern fragments</h1>
<p class="lead">The dataset as pages of the triples that match one pattern: leave a position empty to match
anything. Client-side query engines such as <a href="https://comunica.dev/">Comunica</a> answer SPARQL from these
pages alone (<code>comunica-sparql {escape(fragment.interface)} 'SELECT …'</code>); machines get Turtle, TriG,
N-Quads, JSON-LD or N-Triples with the
<a href="https://linkeddatafragments.org/specification/triple-pattern-fragments/">Hydra controls</a> that say how.</p>
<form method="get" action="fragments" class="fragment">
{fields}
<p><button type="submit">Find triples</button></p>
</form>
<p>{shown}</p>
{table}
{f'<nav class="pages" aria-label="pages of this fragment"><p>{pages}</p></nav>' if pages else ""}
<p class="aside">Blank nodes appear as IRIs under <code>{escape(base)}.well-known/genid/</code>, which a pattern may
name; they hold while this release is served.</p>
"""
    return html_page("", f"Triples matching {fragment.describe()}", main)


def _hint(name: str) -> str:
    return {"subject": "an IRI, or empty for any", "predicate": "an IRI, or empty for any",
            "object": 'an IRI or a literal ("Kidal"@en), or empty for any',
            "graph": "empty: the default graph; a named graph's IRI; ?g: any named graph"}[name]
