"""The HTML page of one entity. First what a person reads (views/profile.py: names, key facts,
the chronology of claims); for a work, what cites it and at which pages ("Cited for"), and its
reference in BibTeX, RIS and CSL-JSON; then, folded away, the raw statements, claims and incoming
links of this page of the entity's description, the alternate formats and embedded JSON-LD.

Works without JavaScript and reads on a phone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..formats import BIBLIOGRAPHY, BY_TYPE
from ..json_ld import compacted, context, expanded
from ..namespaces import CITO, PROV, STANDARD_PREFIXES
from .map import MAP_SCRIPTS
from .network import network_figure
from .profile import Profile
from .responses import RDFLIB_FORMATS, format_links
from .shell import html_page
from .timeline import TIMELINE_SCRIPTS, timeline_head
from .words import Words

PAGE_VIEW = URIRef(STANDARD_PREFIXES["hydra"] + "PartialCollectionView")

HIDDEN = {RDFS.label, SKOS.prefLabel, RDF.type, OWL.sameAs, SKOS.exactMatch}


@dataclass(frozen=True)
class LinkPages:
    """Which page of the resources linking to an entity a document shows, and where the others are."""

    document: str  # the entity's document URL on this host; page 1 has no query string
    number: int
    total: int
    per_page: int
    suffix: str = ""  # the format's suffix as the request gave it ("" or ".jsonld"): the pages keep it
    version: str | None = None  # the release described (`?version=`), which the pages keep too

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def query(self, number: int) -> str:
        asked = ([f"version={self.version}"] if self.version else []) + ([f"page={number}"] if number > 1 else [])
        return "?" + "&".join(asked) if asked else ""

    def url(self, number: int) -> str:
        return self.document + self.suffix + self.query(number)

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

    def html(self, where: str) -> str:
        """The links to the other pages; `where` on the page they stand, which names them apart."""
        if self.last == 1:
            return ""
        low = (self.number - 1) * self.per_page + 1
        high = min(self.total, self.number * self.per_page)
        words = {"first": "first", "prev": "‹ previous", "next": "next ›", "last": "last"}
        links = " · ".join(f'<a rel="{rel}" href="{escape(url)}">{words[rel]}</a>' for rel, url in self.neighbours().items())
        return (f'<nav class="pages" aria-label="pages of links, {where}"><p>Claims and links {low}–{high} of {self.total} '
                f'(page {self.number} of {self.last}): {links}</p></nav>')


class Page(Words):
    def __init__(self, graph: Graph, this: URIRef, base: str, root: str):
        super().__init__(graph, base, root)
        self.this = this

    # --- parts ---------------------------------------------------------------------------------
    def statements(self) -> str:
        rows = []
        for predicate, value in sorted(self.g.predicate_objects(self.this), key=lambda pv: (self.label(pv[0]), str(pv[1]))):
            if predicate in HIDDEN or isinstance(value, BNode):
                continue
            rows.append(f"<tr><th>{self.link(predicate)}</th><td>{self.link(value)}</td></tr>")
        return "<table>" + "".join(rows) + "</table>" if rows else "<p>No further statements.</p>"

    def in_time(self, claim) -> tuple:
        """Sort key: by the date the claim resolves to (undated last), then by label."""
        found = self.date_of(claim)
        return found is None, found or (0, 0, 0), self.label(claim)

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

    def json_ld(self, base: str) -> str:
        """The entity's own statements as one JSON-LD node object with the dataset's context, for
        clients that read the data embedded in the page."""
        own = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in self.g.triples((self.this, None, None)))
        own += "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for b in self.g.objects(self.this) if isinstance(b, BNode)
                       for s, p, o in self.g.triples((b, None, None)))
        triples = ox.parse(own.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        document = compacted(expanded(triples), context(base))
        return json.dumps(document, ensure_ascii=False).replace("</", "<\\/")


def entity_page(graph: Graph, this: URIRef, base: str, root: str, pages: LinkPages, exports: bool = False,
                citation_map: str = "", profile: Graph | None = None, reference: str = "", notice: str = "",
                citation: str | None = None) -> str:
    """`exports`: the entity is a work with a reference to offer (BibTeX, RIS, CSL-JSON), and
    `reference` is that reference, formatted; `notice`: what the page shows first (HTML), such as
    which release it describes, and `citation` how to cite that release;
    `citation_map`: the profile's citation map, shown on the profile's own page; `profile`: what
    the summary and chronology are made from (on the first page; later pages show the statements)."""
    page = Page(graph, this, base, root)
    document, query = pages.document, pages.query(pages.number)
    references = BIBLIOGRAPHY if exports else ()
    english, french = page.label(this, "en"), page.label(this, "fr")
    head = "".join(f'<link rel="alternate" type="{media}" href="{escape(document)}.{BY_TYPE[media].suffix}{query}">'
                   for media in RDFLIB_FORMATS)
    as_of = f"?version={pages.version}" if pages.version else ""  # a reference as the release shown has it
    head += "".join(f'<link rel="alternate" type="{media}" href="{escape(document)}.{BY_TYPE[media].suffix}{as_of}">'
                    for media in references)
    head += "".join(f'<link rel="{rel}" href="{escape(url)}">' for rel, url in pages.neighbours().items())
    head += f'<script type="application/ld+json">{page.json_ld(base)}</script>'
    formats = format_links(lambda suffix: f"{document}.{suffix}{query}")
    if references:
        formats += "; as a reference: " + format_links(lambda suffix: f"{document}.{suffix}{as_of}", BIBLIOGRAPHY)
    top = Profile(profile, this, base, root) if profile is not None else None
    summary = top.summary() + top.map(root) + top.timeline() if top else ""
    if top is not None and top.kind == "organisation" and top.related():
        summary += network_figure(root, str(this)[len(base) + len("id/"):])
    chronology = top.chronology() if top else ""
    statements = f"""<h2 id="statements">Statements</h2>
{page.statements()}
<h2 id="claims">Claims</h2>
{pages.html("above the claims")}
{page.claims()}
<h2 id="linked-from">Linked from</h2>
{page.incoming()}
{pages.html("below the links")}"""
    if top:  # on the first page, the raw statements are there for whoever wants them
        statements = f'<details id="all-statements"><summary>All statements, claims and links, as data</summary>{statements}</details>'
    main = f"""<h1>{escape(english)}</h1>
{f'<p class="notice">{notice}</p>' if notice else ""}
{f'<p lang="fr">{escape(french)}</p>' if french != english else ""}
{f'<p class="reference lead">{reference}</p>' if reference else ""}
{summary}
{citation_map}
{page.cited_for(pages.html("above what cites the work"))}
{chronology}
{statements}
<p>This page as data: {formats} · <code>{escape(str(this))}</code> · <a href="{escape(document)}/history">its history</a></p>
"""
    drawn = top is not None and 'class="timeline"' in summary
    mapped = top is not None and 'class="map"' in summary
    return html_page(root, english, main, head=head + (timeline_head(root) if drawn else ""),
                     scripts=(TIMELINE_SCRIPTS if drawn else ()) + (MAP_SCRIPTS if mapped else ()), citation=citation)
