"""A work as a reference people read, in an author–date style, from its bibliographic record."""

from __future__ import annotations

from html import escape

from ..bibliography import Record
from .words import MONTHS



def _names(record: Record) -> str:
    names = [a.inverted for a in record.authors]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def reference(record: Record) -> str:
    """One reference as HTML, in an author–date style: who, when, what, where, which pages, at what address."""
    quoted = record.kind.bibtex != "book"
    title = f"‘{escape(record.title)}’" if quoted else f"<i>{escape(record.title)}</i>"
    parts = [f"{escape(_names(record))} ({record.year or 'n.d.'}) {title}" if record.authors
             else f"{title} ({record.year or 'n.d.'})"]
    if record.container:
        parts.append(("in " if record.kind.bibtex == "incollection" else "") + f"<i>{escape(record.container)}</i>")
    if record.volume:
        parts.append(escape(record.volume) + (f"({escape(record.issue)})" if record.issue else ""))
    if record.pages:
        parts.append("pp. " + escape(record.pages.replace("-", "–")))
    if len(record.date_parts) == 3:
        parts.append(f"{record.date_parts[2]} {MONTHS[record.date_parts[1] - 1]}")
    text = ", ".join(parts) + "."
    if record.publisher and record.publisher not in (record.container, *(a.name for a in record.authors)):
        text += f" {escape(record.publisher)}."
    if record.url:
        text += f' Available at: <a href="{escape(record.url)}">{escape(record.url)}</a>.'
    return text
