"""Pages for the releases: the index, one release, and what changed between two.

Links start from `root`, the service's base URL. An entity of the dataset links to this host's
page for it; a property is written with the dataset's prefixes.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Mapping, Sequence

from fastapi import Response

from ..changes import Source, Summary
from ..dumps import SUMS
from ..release_archive import Published
from .responses import error


def state_of_the_data(current: str | None, newest: str | None) -> str:
    """One sentence: which release the data served now is, or that it has changed since the newest."""
    if current is not None:
        return f"The data served now is release {current}."
    if newest is None:
        return "No release has been made yet: the data served now is a working state, not a release."
    return f"The data served now is a working state with changes not yet released: it is not release {newest}."


def unknown_release(releases: Mapping[str, Published], version: str) -> Response:
    known = ", ".join(releases) or "none yet"
    return error(404, f"Not Found: no release {version!r} (the releases: {known}); see /releases.")


def index(root: str, releases: Sequence[Published], current: str | None) -> str:
    rows = "\n".join(
        f'<tr><td class="term"><a href="{root}release/{r.record.version}">{r.record.version}</a></td>'
        f'<td class="term">{r.record.date}</td>'
        f'<td class="number">{r.record.quads:,}</td><td class="notes">{escape(r.record.notes)}</td>'
        f'<td class="term"><a href="{root}dumps/{r.record.version}/">dumps</a>'
        + (f'<br><a href="{root}changes/{r.record.previous}/{r.record.version}">changes from {r.record.previous}</a>'
           if r.record.previous else "") + "</td></tr>"
        for r in reversed(releases))
    newest = releases[-1].record.version if releases else None
    return f"""<h1>Releases</h1>
<p class="lead">{state_of_the_data(current, newest)}</p>
<p>Each release is the whole dataset as it stood on its date, kept for good: its dumps never change, and
the changes from the release before are published as an RDF Patch and summed up for people.
Follow them with the <a href="{root}changes.atom">Atom feed</a>.</p>
<div class="scroll"><table><thead><tr><th class="term">version</th><th class="term">date</th><th>quads</th><th>notes</th><th>files</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
"""


def release(root: str, published: Published, later: str | None) -> str:
    record = published.record
    files = "\n".join(
        f'<tr><td><a href="{root}dumps/{record.version}/{escape(name)}">{escape(name)}</a></td>'
        f'<td class="number">{entry.size:,}</td><td><code>{entry.sha256}</code></td></tr>'
        for name, entry in published.files.items() if name != SUMS)
    changes = (f'<p>Changes from the release before: <a href="{root}changes/{record.previous}/{record.version}">'
               f'from {record.previous} to {record.version}</a> (<a href="{root}changes/{record.previous}/'
               f'{record.version}.rdfp">RDF Patch</a>).</p>') if record.previous else \
        "<p>The first release.</p>"
    successor = f'<p>The next release is <a href="{root}release/{later}">{later}</a>.</p>' if later else ""
    return f"""<h1>Release {record.version}</h1>
<dl class="facts">
<dt>date</dt><dd>{record.date}</dd>
<dt>notes</dt><dd>{escape(record.notes) or "none"}</dd>
<dt>quads</dt><dd>{record.quads:,}</dd>
<dt>SHA-256 of its canonical N-Quads</dt><dd><code>{record.sha256}</code></dd>
<dt>identifier</dt><dd><code>{record.id}</code></dd>
</dl>
{changes}
{successor}
<h2>Dumps</h2>
<p>They never change (<a href="{root}dumps/{record.version}/{SUMS}">SHA-256 sums</a>).</p>
<div class="scroll"><table><thead><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{files}
</tbody></table></div>
"""


def changes(root: str, older: str, newer: str, summary: Summary, short: Callable[[str], str],
            local: Callable[[str], str]) -> str:
    """`short` writes an IRI with the dataset's prefixes; `local` gives this host's page for it."""
    def entity(iri: str) -> str:
        return f'<a href="{escape(local(iri))}">{escape(short(iri))}</a>'

    def listed(title: str, items: list[str]) -> str:
        if not items:
            return f"<h2>{title}: none</h2>"
        return (f"<h2>{title}: {len(items):,}</h2>\n<details><summary>the list</summary><ul>"
                + "".join(f"<li>{item}</li>" for item in items) + "</ul></details>")

    def sources(listed_sources: Sequence[Source]) -> str:
        return ", ".join(entity(source.work) + (f" p. {escape(', '.join(source.pages))}" if source.pages else "")
                         for source in listed_sources) or "none"

    changed = [f"{entity(iri)}: " + ", ".join(escape(short(p)) for p in properties)
               for iri, properties in summary.entities_changed.items()]
    moved = [f"{entity(change.claim)}: {sources(change.removed)} → {sources(change.added)}"
             for change in summary.sources_changed]
    return f"""<h1>Changes from {older} to {newer}</h1>
<p class="lead">{summary.deleted:,} statements removed and {summary.added:,} added
(<a href="{root}changes/{older}/{newer}.rdfp">the RDF Patch</a>, <a href="{root}changes/{older}/{newer}.json">as JSON</a>).
From <a href="{root}release/{older}">release {older}</a> to <a href="{root}release/{newer}">release {newer}</a>.</p>
{listed("Entities added", [entity(iri) for iri in summary.entities_added])}
{listed("Entities removed", [entity(iri) for iri in summary.entities_removed])}
{listed("Entities changed, with the properties whose statements changed", changed)}
{listed("Claims whose sources changed (removed → added)", moved)}
"""
