"""The home page: what the dataset is, and a link to every door."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request, Response

from ..views.releases import state_of_the_data
from ..views.responses import negotiated
from ..views.shell import html_page

router = APIRouter()


@router.api_route("/", methods=["GET", "HEAD"])
async def home(request: Request) -> Response:
    stats = request.app.state.statistics
    examples = (("id/organisation/cma", "Coordination of Azawad Movements"),
                ("id/organisation/mnla", "National Movement for the Liberation of Azawad"),
                ("id/person/bilal-ag-cherif", "Bilal Ag Chérif"), ("id/place/kidal", "Kidal"),
                ("id/event/2023-11-15-kidal-capture", "The capture of Kidal, 15 November 2023"),
                ("id/work/desgrais-guichaoua-lebovich-2018", "Desgrais, Guichaoua and Lebovich (2018)"))
    releases = list(request.app.state.releases)
    said = state_of_the_data(request.app.state.current_release, releases[-1] if releases else None)
    entries = "".join(f'<li><a href="{path}">{escape(label)}</a></li>' for path, label in examples)
    main = f"""<h1>conflict-ld</h1>
<p class="lead">A research profile of the <strong>Coordination of Azawad Movements (CMA)</strong>, the armed coalition of
northern Mali, published as Linked Data: its organisations and their splits, mergers, alliances and rivalries
over time, the people and their roles, places, dated events, ideology, tactics and arsenal. Every claim says
which work it comes from (with the page where the profile gives one) and how certain it is.
{stats.triples:,} triples about {stats.entities:,} entities.</p>
<h2>Start from</h2>
<ul>{entries}</ul>
<h2>Browse</h2>
<p><a href="organisations">Organisations</a> · <a href="people">People</a> · <a href="places">Places</a> ·
<a href="events">Timeline of events</a> · <a href="network">Network of organisations</a> ·
<a href="works">Works cited</a> · <a href="concepts">Concepts</a> · <a href="ontology">Ontology</a></p>
<h2>Ways in</h2>
<ul>
<li><a href="sparql">SPARQL endpoint and query editor</a> — and the <a href="queries">example research questions</a></li>
<li><a href="fragments">Triple pattern fragments</a>: the triples that match a pattern, page by page, for
client-side query engines such as Comunica and for following links by hand</li>
<li><a href="dumps/">Dumps</a> (N-Quads, N-Triples, Turtle, JSON-LD; gzipped; SHA-256 sums)</li>
<li><a href="releases">Releases</a>: every dated version of the data, what changed between them (as RDF Patch), and
an <a href="changes.atom">Atom feed</a> of new ones. {escape(said)}</li>
<li><a href=".well-known/void">Dataset description</a> (VoID and DCAT)</li>
<li><a href="sources">Sources</a>: the profile and the works it cites, as references and as BibTeX, RIS and CSL-JSON</li>
<li>From Wikidata: <code>wikidata/Q…</code>, e.g. <a href="wikidata/Q853699">wikidata/Q853699</a></li>
<li><a href="reconcile">Reconciliation service</a> for OpenRefine and other clients</li>
</ul>
"""
    page = html_page("", "the Coordination of Azawad Movements as Linked Data", main)
    return negotiated(page.encode("utf-8"), "text/html")
