"""The HTML page of one entity: labels, types, statements, the claims about it with their time,
sources and certainty, incoming links, Wikidata, alternate formats and embedded JSON-LD; for a
work, what cites it and at which pages ("Cited for"), and its reference in BibTeX, RIS and CSL-JSON.

Works without JavaScript and reads on a phone. Built from the entity's description graph only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import CITO, PROV, STANDARD_PREFIXES, WD
from ..negotiation import BIBLIOGRAPHY_TYPES
from .citation_map import PROFILE, pinpoint_href

PAGE_VIEW = URIRef(STANDARD_PREFIXES["hydra"] + "PartialCollectionView")

ALTERNATES = (("ttl", "text/turtle", "Turtle"), ("jsonld", "application/ld+json", "JSON-LD"),
              ("nt", "application/n-triples", "N-Triples"), ("rdf", "application/rdf+xml", "RDF/XML"))
EXPORTS = (("bib", "BibTeX"), ("ris", "RIS"), ("csl.json", "CSL-JSON"))
HIDDEN = {RDFS.label, SKOS.prefLabel, RDF.type, OWL.sameAs, SKOS.exactMatch}


@dataclass(frozen=True)
class LinkPages:
    """Which page of the resources linking to an entity a document shows, and where the others are."""

    document: str  # the entity's document URL on this host; page 1 has no query string
    number: int
    total: int
    per_page: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @staticmethod
    def query(number: int) -> str:
        return f"?page={number}" if number > 1 else ""

    def url(self, number: int) -> str:
        return self.document + self.query(number)

    def neighbours(self) -> dict[str, str]:
        """Link relations (RFC 8288) to the other pages; none when everything fits on one."""
        if self.last == 1:
            return {}
        rels = {"first": 1, "prev": self.number - 1, "next": self.number + 1, "last": self.last}
        return {rel: self.url(n) for rel, n in rels.items() if 1 <= n <= self.last}

    def bindings(self) -> dict[str, str | int]:
        """What the description query needs to describe this page as a Hydra partial view."""
        names = {"first": "first", "prev": "previous", "next": "next", "last": "last"}
        found = {names[rel]: url for rel, url in self.neighbours().items()}
        return {"page": self.url(self.number), "total": self.total, **found} if found else {}

    def html(self) -> str:
        if self.last == 1:
            return ""
        low = (self.number - 1) * self.per_page + 1
        high = min(self.total, self.number * self.per_page)
        words = {"first": "first", "prev": "‹ previous", "next": "next ›", "last": "last"}
        links = " · ".join(f'<a rel="{rel}" href="{escape(url)}">{words[rel]}</a>' for rel, url in self.neighbours().items())
        return (f'<nav class="pages" aria-label="pages of links"><p>Claims and links {low}–{high} of {self.total} '
                f'(page {self.number} of {self.last}): {links}</p></nav>')


def reading_order(part: URIRef) -> list[tuple[int, int | str]]:
    """Sort key for parts of the profile: `…/s/3.10.2` after `…/s/3.9.4`, notes (`n7.1`) last."""
    return [(0, int(n)) if n.isdigit() else (1, n) for n in str(part).rsplit("/s/", 1)[-1].split(".")]


class Page:
    def __init__(self, graph: Graph, this: URIRef, base: str, root: str):
        self.g, self.this, self.base, self.root = graph, this, base, root
        self.cao = Namespace(base + "ontology#")

    # --- words ---------------------------------------------------------------------------------
    def label(self, node, lang: str = "en") -> str:
        if isinstance(node, Literal):
            return str(node)
        for predicate in (RDFS.label, SKOS.prefLabel):
            values = list(self.g.objects(node, predicate))
            for value in values:
                if getattr(value, "language", None) == lang:
                    return str(value)
            if values:
                return str(values[0])
        if isinstance(node, URIRef):
            try:
                return self.g.namespace_manager.normalizeUri(node)
            except Exception:  # an IRI rdflib cannot shorten
                return str(node)
        return "[ ]"

    def href(self, node: URIRef) -> str:
        """Our IRIs link to this host's page for them (a part of the profile: its place on the
        profile's citation map); others to themselves."""
        text = str(node)
        if text.startswith(self.base + PROFILE + "/s/"):
            return pinpoint_href(self.root, node)
        return self.root + text[len(self.base):] if text.startswith(self.base) else text

    def link(self, node) -> str:
        if isinstance(node, URIRef):
            return f'<a href="{escape(self.href(node))}">{escape(self.label(node))}</a>'
        if isinstance(node, Literal):
            lang = f' <span class="lang">{node.language}</span>' if node.language else ""
            return escape(str(node)) + lang
        return escape(self.label(node))

    # --- parts ---------------------------------------------------------------------------------
    def statements(self) -> str:
        rows = []
        for predicate, value in sorted(self.g.predicate_objects(self.this), key=lambda pv: (self.label(pv[0]), str(pv[1]))):
            if predicate in HIDDEN or isinstance(value, BNode):
                continue
            rows.append(f"<tr><th>{self.link(predicate)}</th><td>{self.link(value)}</td></tr>")
        return "<table>" + "".join(rows) + "</table>" if rows else "<p>No further statements.</p>"

    def when(self, claim) -> str:
        cao = self.cao
        parts = []
        for predicate, qualifier, word in ((cao.date, cao.dateQualifier, ""), (cao.start, cao.startQualifier, "from "),
                                           (cao.end, cao.endQualifier, "until ")):
            value = self.g.value(claim, predicate)
            hedge = self.g.value(claim, qualifier)
            if value is not None or hedge is not None:
                hedge_text = f"{self.label(hedge)} " if hedge is not None else ""
                parts.append(f"{word}{hedge_text}{escape(str(value)) if value is not None else ''}".strip())
        relative = self.g.value(claim, cao.dateRelativeTo)
        if relative is not None:
            offset = self.g.value(claim, cao.dateOffset)
            parts.append(f"{escape(str(offset)) + ' ' if offset else ''}after {self.link(relative)}")
        return ", ".join(parts) or "undated"

    def sources(self, claim) -> str:
        items = []
        for derivation in self.g.objects(claim, PROV.qualifiedDerivation):
            work = self.g.value(derivation, PROV.entity)
            pages = sorted(str(p) for p in self.g.objects(derivation, self.cao.page))
            where = f", p. {', '.join(pages)}" if pages else ""
            items.append(f"{self.link(work)}{escape(where)}")
        return "; ".join(sorted(items)) or "none"

    def pinpoints(self, claim) -> str:
        """Where in the profile the claim is stated, each place linked to the citation map."""
        stated = sorted(self.g.objects(claim, self.cao.statedIn), key=reading_order)
        return "; ".join(f'<a href="{escape(self.href(s))}">Profile, {escape(self.label(s))}</a>' for s in stated)

    def kinds(self, node) -> str:
        return ", ".join(sorted(self.label(t) for t in self.g.objects(node, RDF.type)))

    def in_time(self, claim) -> tuple[str, str]:
        """Sort key: by date (undated last), then by label."""
        return str(self.g.value(claim, self.cao.date) or self.g.value(claim, self.cao.start) or "9999"), self.label(claim)

    def cited_for(self, pager: str = "") -> str:
        """What rests on this work: each claim, event or note citing it (among the links on this page,
        `pager` says which), with the pages given for it."""
        citing: dict = {}
        for derivation in self.g.subjects(PROV.entity, self.this):
            for claim in self.g.subjects(PROV.qualifiedDerivation, derivation):
                citing.setdefault(claim, set()).update(str(p) for p in self.g.objects(derivation, self.cao.page))
        sentences = self.citing_sentences()
        if not citing:
            return sentences
        items = []
        for claim in sorted(citing, key=self.in_time):
            kinds = f' <span class="kind">({escape(self.kinds(claim))})</span>' if self.kinds(claim) else ""
            pages = sorted(citing[claim], key=lambda p: (int(re.match(r"\d*", p).group() or 0), p))
            where = f"p. {', '.join(pages)}" if pages else "no page given"
            items.append(f'<li><a href="{escape(self.href(claim))}">{escape(self.label(claim))}</a>{kinds} — '
                         f'<span class="pages">{escape(where)}</span></li>')
        return (sentences + '<h2 id="cited-for">Cited for</h2><p>The claims, events and notes that cite this work, with the '
                f"pages given for it.</p>{pager}<ol class='cited-for'>" + "".join(items) + "</ol>")

    def citing_sentences(self) -> str:
        """The sentences of the profile whose in-text citation names this work, with the pages."""
        cited = []
        for citation in self.g.subjects(CITO.hasCitedEntity, self.this):
            for sentence in self.g.objects(citation, CITO.hasCitingEntity):
                pages = sorted(str(p) for p in self.g.objects(citation, self.cao.page))
                cited.append((sentence, pages))
        if not cited:
            return ""
        items = "".join(f'<li><a href="{escape(self.href(s))}">{escape(self.label(s))}</a>'
                        f'{escape(", p. " + ", ".join(pages)) if pages else ""}</li>'
                        for s, pages in sorted(cited, key=lambda c: self.href(c[0])))
        return ('<h2 id="cited-in">Cited in the profile</h2><p>The sentences of the profile whose in-text citation '
                f"names this work.</p><ol class='cited-in'>{items}</ol>")

    def claims(self) -> str:
        cao = self.cao
        claims = sorted({s for s, _ in self.g.subject_objects(cao.certainty) if s != self.this}, key=self.in_time)
        if not claims:
            return "<p>No claims about this entity.</p>"
        items = []
        for claim in claims:
            kinds = self.kinds(claim)
            others = sorted({o for p, o in self.g.predicate_objects(claim)
                             if isinstance(o, URIRef) and o != self.this and p not in {RDF.type, cao.certainty}
                             and str(o).startswith(self.base + "id/") and "#" not in str(o)
                             and not str(o).startswith((self.base + "id/concept/", self.base + "id/work/"))},
                            key=self.label)
            comment = self.g.value(claim, RDFS.comment)
            pinpoints = self.pinpoints(claim)
            items.append(
                f'<li><a href="{escape(self.href(claim))}">{escape(self.label(claim))}</a> '
                f'<span class="kind">({escape(kinds)})</span>'
                f'<dl><dt>when</dt><dd>{self.when(claim)}</dd>'
                f'<dt>certainty</dt><dd>{self.link(self.g.value(claim, cao.certainty))}</dd>'
                f'<dt>sources</dt><dd>{self.sources(claim)}</dd>'
                + (f"<dt>stated in</dt><dd>{pinpoints}</dd>" if pinpoints else "")
                + (f"<dt>with</dt><dd>{', '.join(self.link(o) for o in others)}</dd>" if others else "")
                + (f"<dt>note</dt><dd>{escape(str(comment))}</dd>" if comment else "")
                + "</dl></li>")
        return "<ol class='claims'>" + "".join(items) + "</ol>"

    def incoming(self) -> str:
        rows = sorted({(self.label(s), self.label(p), s, p) for s, p in self.g.subject_predicates(self.this)
                       if not isinstance(s, BNode) and self.g.value(s, self.cao.certainty) is None
                       and (s, RDF.type, PAGE_VIEW) not in self.g})
        if not rows:
            return "<p>No other resource links here.</p>"
        return "<table>" + "".join(f"<tr><td>{self.link(s)}</td><td>{self.link(p)}</td></tr>" for _, _, s, p in rows) + "</table>"

    def wikidata(self) -> str:
        items = [o for o in list(self.g.objects(self.this, OWL.sameAs)) + list(self.g.objects(self.this, SKOS.exactMatch))
                 if str(o).startswith(str(WD))]
        return "".join(f'<p class="wikidata">Wikidata: <a href="{escape(str(o))}">{escape(str(o).rsplit("/", 1)[-1])}</a></p>'
                       for o in items)

    def json_ld(self) -> str:
        own = Graph()
        for p, o in self.g.predicate_objects(self.this):
            own.add((self.this, p, o))
        text = own.serialize(format="json-ld", auto_compact=True)
        return text.replace("</", "<\\/")


def entity_page(graph: Graph, this: URIRef, base: str, root: str, pages: LinkPages, exports: bool = False,
                citation_map: str = "") -> str:
    """`exports`: the entity is a work with a reference to offer (BibTeX, RIS, CSL-JSON);
    `citation_map`: the profile's citation map, shown on the profile's own page."""
    page = Page(graph, this, base, root)
    document, query = pages.document, pages.query(pages.number)
    references = EXPORTS if exports else ()
    english, french = page.label(this, "en"), page.label(this, "fr")
    types = ", ".join(sorted(page.link(t) for t in graph.objects(this, RDF.type)))
    alternates = "".join(f'<link rel="alternate" type="{media}" href="{escape(document)}.{suffix}{query}">'
                         for suffix, media, _ in ALTERNATES)
    alternates += "".join(f'<link rel="alternate" type="{BIBLIOGRAPHY_TYPES[suffix]}" href="{escape(document)}.{suffix}">'
                          for suffix, _ in references)
    alternates += "".join(f'<link rel="{rel}" href="{escape(url)}">' for rel, url in pages.neighbours().items())
    formats = " · ".join(f'<a href="{escape(document)}.{suffix}{query}">{name}</a>' for suffix, _, name in ALTERNATES)
    if references:
        formats += "; as a reference: " + " · ".join(f'<a href="{escape(document)}.{s}">{name}</a>' for s, name in references)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(english)} — conflict-ld</title>
<link rel="icon" href="data:,">
{alternates}
<link rel="describedby" href="{escape(root)}.well-known/void">
<script type="application/ld+json">{page.json_ld()}</script>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.4; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; vertical-align: top; padding: .2rem .4rem; border-bottom: 1px solid #ddd; }}
th {{ width: 30%; font-weight: 500; }} .lang, .kind {{ color: #666; font-size: .85em; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; margin: .2rem 0 .8rem; }} dt {{ color: #555; }}
code {{ word-break: break-all; }}
</style>
</head>
<body>
<nav><a href="{escape(root)}">conflict-ld</a> · <a href="{escape(root)}sparql">SPARQL</a> · <a href="{escape(root)}dumps/">dumps</a></nav>
<h1>{escape(english)}</h1>
<p lang="fr">{escape(french)}</p>
<p>{types}</p>
<p><code>{escape(str(this))}</code></p>
{page.wikidata()}
<h2>Statements</h2>
{page.statements()}
{citation_map}
{page.cited_for(pages.html())}
<h2>Claims</h2>
{pages.html()}
{page.claims()}
<h2>Linked from</h2>
{page.incoming()}
{pages.html()}
<p>This page as data: {formats}</p>
</body>
</html>
"""
