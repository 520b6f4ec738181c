"""The ontology's documentation page, generated from the ontology graph: every term has an anchor,
so a term IRI (`…/ontology#ArmedGroup`) opened in a browser lands on its entry."""

from __future__ import annotations

from html import escape

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from .responses import format_links
from .shell import html_page


def _text(graph: Graph, node, predicate, lang="en") -> str:
    values = list(graph.objects(node, predicate))
    for value in values:
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return str(values[0]) if values else ""


def _name(graph: Graph, node, namespace: str) -> str:
    text = str(node)
    if text.startswith(namespace):
        local = text[len(namespace):]
        return f'<a href="#{escape(local)}">cao:{escape(local)}</a>'
    try:
        short = graph.namespace_manager.normalizeUri(node)
    except Exception:  # an IRI rdflib cannot shorten
        short = text
    return f'<a href="{escape(text)}">{escape(short)}</a>'


def _entry(graph: Graph, term: URIRef, namespace: str) -> str:
    local = str(term)[len(namespace):]
    rows = [("French", escape(_text(graph, term, RDFS.label, "fr")))]
    for label, predicate in (("subclass of", RDFS.subClassOf), ("subproperty of", RDFS.subPropertyOf),
                             ("domain", RDFS.domain), ("range", RDFS.range), ("close match", SKOS.closeMatch)):
        values = sorted(graph.objects(term, predicate), key=str)
        if values:
            rows.append((label, ", ".join(_name(graph, v, namespace) for v in values)))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return (f'<section id="{escape(local)}"><h3>{escape(_text(graph, term, RDFS.label))} '
            f'<code>cao:{escape(local)}</code></h3><p>{escape(_text(graph, term, SKOS.definition))}</p>'
            f"<dl>{details}</dl></section>")


def ontology_page(graph: Graph, ontology: URIRef, namespace: str, root: str) -> str:
    title = _text(graph, ontology, DCTERMS.title)
    classes = sorted((t for t in graph.subjects(RDF.type, OWL.Class) if str(t).startswith(namespace)), key=str)
    properties = sorted((t for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                         for t in graph.subjects(RDF.type, kind) if str(t).startswith(namespace)), key=str)
    toc = lambda terms: " · ".join(f'<a href="#{escape(str(t)[len(namespace):])}">{escape(str(t)[len(namespace):])}</a>' for t in terms)  # noqa: E731
    formats = format_links(lambda suffix: f"ontology.{suffix}")
    head = """<link rel="alternate" type="text/turtle" href="ontology.ttl">
<style>main section { border-top: 1px solid #d6d6d6; } main dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; }
main dt { color: #555; } main dd { margin: 0; overflow-wrap: anywhere; }</style>"""
    main = f"""<h1>{escape(title)}</h1>
<p>{escape(_text(graph, ontology, DCTERMS.description))}</p>
<dl><dt>IRI</dt><dd><code>{escape(str(ontology))}</code></dd>
<dt>namespace</dt><dd><code>{escape(namespace)}</code> (prefix <code>cao:</code>)</dd>
<dt>version</dt><dd>{escape(_text(graph, ontology, OWL.versionInfo))}</dd>
<dt>licence</dt><dd><a href="{escape(_text(graph, ontology, DCTERMS.license))}">{escape(_text(graph, ontology, DCTERMS.license))}</a></dd>
<dt>creators</dt><dd>{escape(_text(graph, ontology, DCTERMS.creator))}</dd>
<dt>as data</dt><dd>{formats}</dd>
<dt>shapes</dt><dd><a href="{escape(root)}shapes">the SHACL shapes the data must meet</a></dd></dl>
<h2>Classes ({len(classes)})</h2><p>{toc(classes)}</p>
{"".join(_entry(graph, t, namespace) for t in classes)}
<h2>Properties ({len(properties)})</h2><p>{toc(properties)}</p>
{"".join(_entry(graph, t, namespace) for t in properties)}
"""
    return html_page(root, title, main, head=head)
