"""The profile's citation map: its sections, paragraphs, captions and notes, each sentence by
number with the citation that ends it, the citation that covers it (the attribution rule of
docs/modelling.md) and the claims taken from it, so a reader can check any claim's pinpoint.

Also where a sentence sits on that map (`anchor`), for the pinpoints on entity pages.
"""

from __future__ import annotations

from html import escape

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..namespaces import CITO, DOCO

PROFILE = "id/work/cma-profile"
SCHEMA_POSITION = URIRef("https://schema.org/position")


def anchor(sentence: URIRef) -> str:
    """The map's anchor for a part of the profile: `s-3.4.4` for `…/cma-profile/s/3.4.4`."""
    return "s-" + str(sentence).rsplit("/s/", 1)[-1]


def pinpoint_href(root: str, sentence: URIRef) -> str:
    return f"{root}{PROFILE}#{anchor(sentence)}"


class CitationMap:
    def __init__(self, graph: Graph, base: str, root: str):
        self.g, self.base, self.root = graph, base, root
        self.cao = Namespace(base + "ontology#")
        self.profile = URIRef(base + PROFILE)

    def label(self, node) -> str:
        labels = list(self.g.objects(node, RDFS.label))
        english = [str(v) for v in labels if getattr(v, "language", None) == "en"]
        return english[0] if english else (str(labels[0]) if labels else str(node))

    def href(self, node: URIRef) -> str:
        text = str(node)
        return self.root + text[len(self.base):] if text.startswith(self.base) else text

    def parts(self, whole) -> list:
        return sorted(self.g.subjects(DCTERMS.isPartOf, whole),
                      key=lambda part: int(self.g.value(part, SCHEMA_POSITION) or 0))

    def citation(self, sentence) -> str:
        cited = []
        for citation in self.g.objects(sentence, self.cao.citation):
            work = self.g.value(citation, CITO.hasCitedEntity)
            pages = sorted(str(p) for p in self.g.objects(citation, self.cao.page))
            where = f", p. {', '.join(pages)}" if pages else ""
            cited.append(f'<a href="{escape(self.href(work))}">{escape(self.label(work))}</a>{escape(where)}')
        return "; ".join(sorted(cited))

    def sentence(self, sentence, number: int) -> str:
        bits = []
        cites = self.citation(sentence)
        if cites:
            bits.append(f'<span class="cites">cites {cites}</span>')
        else:
            covering = self.g.value(sentence, self.cao.coveredBy)
            if covering is not None:
                bits.append(f'<span class="covered">covered by the citation of <a href="#{anchor(covering)}">'
                            f'sentence {int(self.g.value(covering, SCHEMA_POSITION))}</a>: {self.citation(covering)}</span>')
            else:
                bits.append('<span class="own">no citation: the profile\'s own</span>')
        notes = sorted(self.g.objects(sentence, self.cao.refersToNote), key=lambda n: int(str(n).rsplit("/", 1)[-1]))
        if notes:
            bits.append("note " + ", ".join(f'<a href="#note-{str(n).rsplit("/", 1)[-1]}">{str(n).rsplit("/", 1)[-1]}</a>'
                                            for n in notes))
        claims = sorted(self.g.subjects(self.cao.statedIn, sentence), key=self.label)
        listed = "".join(f'<li><a href="{escape(self.href(c))}">{escape(self.label(c))}</a></li>' for c in claims)
        taken = f'<ul class="taken">{listed}</ul>' if claims else ""
        return (f'<li id="{anchor(sentence)}"><a href="{escape(self.href(sentence))}">sentence {number}</a> — '
                + " · ".join(bits) + taken + "</li>")

    def block(self, block) -> str:
        caption = (block, RDF.type, URIRef("http://purl.org/spar/deo/Caption")) in self.g
        sentences = "".join(self.sentence(s, i) for i, s in enumerate(self.parts(block), 1))
        name = self.label(block).rsplit(", ", 1)[-1]
        return (f'<li id="{anchor(block)}"><span class="block">{escape(name)}{" (a figure caption)" if caption else ""}'
                f'</span><ol class="sentences">{sentences}</ol></li>')

    def section(self, section, depth: int) -> str:
        inner = []
        blocks = [p for p in self.parts(section) if (p, RDF.type, DOCO.Section) not in self.g]
        if blocks:
            inner.append('<ol class="blocks">' + "".join(self.block(b) for b in blocks) + "</ol>")
        inner += [self.section(s, depth + 1) for s in self.parts(section) if (s, RDF.type, DOCO.Section) in self.g]
        heading = min(depth, 6)
        title = self.g.value(section, DCTERMS.title) or self.label(section)
        return f'<section id="{anchor(section)}"><h{heading}>{escape(str(title))}</h{heading}>{"".join(inner)}</section>'

    def html(self) -> str:
        sections = [s for s in self.parts(self.profile) if (s, RDF.type, DOCO.Section) in self.g]
        notes = sorted((n for n in self.parts(self.profile) if (n, RDF.type, self.cao.Note) in self.g),
                       key=lambda n: int(self.g.value(n, self.cao.noteNumber) or 0))
        note_html = "".join(
            f'<section id="note-{int(self.g.value(n, self.cao.noteNumber))}"><h4>{escape(self.label(n))}</h4>'
            f'<ol class="sentences">{"".join(self.sentence(s, i) for i, s in enumerate(self.parts(n), 1))}</ol></section>'
            for n in notes)
        return ('<h2 id="citation-map">Citation map</h2><p>The profile part by part: each sentence by number, the '
                "citation that ends it or the one that covers it (a citation covers its own sentence and the uncited "
                "sentences before it in the same paragraph; a sentence after a paragraph's last citation is the "
                "profile's own), and the claims taken from it. Sentence texts are not reproduced: open the profile "
                "beside this map.</p>" + "".join(self.section(s, 3) for s in sections)
                + (f'<h3 id="notes">Notes</h3>{note_html}' if notes else ""))
