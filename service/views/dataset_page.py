"""`/.well-known/void` for people: the dataset description read from the same VoID and DCAT graph
machines get — what the dataset is, how to cite it, its statistics, its dumps with sizes and
checksums, the endpoint and example resources."""

from __future__ import annotations

from html import escape

from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ..dataset_description import DCAT_VERSION, SD, SPDX, VOID
from .responses import format_links
from .shell import html_page
from .words import Words

SHOWN = 15  # classes and properties listed by size; the data formats hold them all


def dataset_page(graph: Graph, base: str, root: str, labels: dict[str, str]) -> str:
    """`labels`: the English labels of the dataset's entities, for the example resources and the source."""
    words = Words(graph, base, root)
    for node in set(graph.objects(None, VOID.exampleResource)) | set(graph.objects(None, DCTERMS.source)):
        if str(node) in labels:
            graph.add((node, RDFS.label, Literal(labels[str(node)], lang="en")))
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))

    def one(predicate) -> str:
        values = [v for v in graph.objects(dataset, predicate) if getattr(v, "language", "en") in (None, "en")]
        return str(values[0]) if values else ""

    def count(predicate) -> str:
        return f"{int(graph.value(dataset, VOID[predicate])):,}"

    def partitions(kind, what, size) -> str:
        rows = sorted(((int(graph.value(p, size)), graph.value(p, what)) for p in graph.objects(dataset, kind)),
                      key=lambda row: (-row[0], str(row[1])))
        body = "".join(f"<tr><td>{words.link(term)}</td><td><code>{escape(str(term))}</code></td>"
                       f'<td class="number">{number:,}</td></tr>' for number, term in rows[:SHOWN])
        return f'<div class="scroll"><table><thead><tr><th>term</th><th>IRI</th><th>count</th></tr></thead><tbody>{body}</tbody></table></div>'

    dumps = []
    for url in sorted(graph.objects(dataset, DCAT.distribution), key=str):
        checksum = graph.value(graph.value(url, SPDX.checksum), SPDX.checksumValue)
        media = str(graph.value(url, DCAT.mediaType)).rsplit("media-types/", 1)[-1]
        gzip = " (gzip)" if graph.value(url, DCAT.compressFormat) is not None else ""
        dumps.append(f'<tr><td><a href="{escape(str(url))}">{escape(str(url).rsplit("/", 1)[-1])}</a></td>'
                     f'<td>{escape(media)}{gzip}</td><td class="number">{int(graph.value(url, DCAT.byteSize)):,}</td>'
                     f"<td><code>{escape(str(checksum))}</code></td></tr>")
    subsets = sorted(graph.objects(dataset, VOID.subset), key=lambda node: str(graph.value(node, SD.name)))
    graphs = ('<div class="scroll"><table><thead><tr><th>graph</th><th>what it holds</th><th>triples</th></tr></thead><tbody>'
              + "".join(f"<tr><td><code>{escape(str(graph.value(node, SD.name)))}</code></td>"
                        f"<td>{escape(str(graph.value(node, DCTERMS.description) or ''))}</td>"
                        f'<td class="number">{int(graph.value(node, VOID.triples)):,}</td></tr>' for node in subsets)
              + "</tbody></table></div>")
    examples = "".join(f"<li>{words.link(e)}</li>" for e in sorted(graph.objects(dataset, VOID.exampleResource), key=str))
    formats = format_links(lambda suffix: f"{root}.well-known/void?format={suffix}")
    endpoint = str(graph.value(dataset, VOID.sparqlEndpoint))
    licence = str(graph.value(dataset, DCTERMS.license))
    main = f"""<h1>{escape(one(DCTERMS.title))}</h1>
<p class="lead">{escape(one(DCTERMS.description))}</p>
<dl class="facts">
<dt>Version</dt><dd>{escape(one(DCAT_VERSION))}, released {escape(one(DCTERMS.issued))}</dd>
<dt>Licence</dt><dd><a href="{escape(licence)}">{escape(licence)}</a></dd>
<dt>Source</dt><dd>{words.link(graph.value(dataset, DCTERMS.source))}</dd>
<dt>SPARQL endpoint</dt><dd><a href="{escape(endpoint)}">{escape(endpoint)}</a></dd>
<dt>IRIs</dt><dd><code>{escape(one(VOID.uriSpace))}</code>…</dd>
<dt>This description as data</dt><dd>{formats}</dd>
</dl>
<h2 id="cite">How to cite</h2>
<p class="citation">{escape(one(DCTERMS.bibliographicCitation))}</p>
<h2 id="statistics">Statistics</h2>
<dl class="facts">
<dt>Triples</dt><dd>{count("triples")}</dd><dt>Entities</dt><dd>{count("entities")}</dd>
<dt>Distinct subjects</dt><dd>{count("distinctSubjects")}</dd><dt>Distinct objects</dt><dd>{count("distinctObjects")}</dd>
<dt>Classes</dt><dd>{count("classes")}</dd><dt>Properties</dt><dd>{count("properties")}</dd>
</dl>
<h3>Graphs</h3>{graphs}
<h3>The {SHOWN} largest classes</h3>{partitions(VOID.classPartition, VOID["class"], VOID.entities)}
<h3>The {SHOWN} most used properties</h3>{partitions(VOID.propertyPartition, VOID.property, VOID.triples)}
<h2 id="dumps">Dumps</h2>
<div class="scroll"><table><thead><tr><th>file</th><th>type</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>{"".join(dumps)}</tbody></table></div>
<h2 id="examples">Example resources</h2>
<ul>{examples}</ul>
"""
    return html_page(root, "About the dataset", main)

