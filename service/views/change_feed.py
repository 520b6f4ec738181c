"""The Atom feed of releases (RFC 4287): one entry per release, newest first, linking its page, its
RDF Patch from the release before and its dumps, so a harvester can poll it and fetch only the patch."""

from __future__ import annotations

from typing import Sequence
from xml.etree.ElementTree import Element, SubElement, tostring

from ..dumps import STEM
from ..rdf_patch import MEDIA_TYPE as PATCH, SUFFIX
from ..release_archive import Published

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"


def _day(date: str) -> str:
    return f"{date}T00:00:00Z"


def _link(parent: Element, rel: str, media_type: str, href: str, **more: str) -> None:
    SubElement(parent, "link", {"rel": rel, "type": media_type, "href": href, **more})


def feed(root: str, feed_id: str, releases: Sequence[Published]) -> bytes:
    top = Element("feed", {"xmlns": ATOM})
    SubElement(top, "id").text = feed_id
    SubElement(top, "title").text = "conflict-ld: releases of the CMA profile"
    SubElement(top, "updated").text = _day(max((r.record.date for r in releases), default="1970-01-01"))
    SubElement(SubElement(top, "author"), "name").text = "conflict-ld"
    _link(top, "self", MEDIA_TYPE, f"{root}changes.atom")
    _link(top, "alternate", "text/html", f"{root}releases")
    for published in reversed(releases):
        record = published.record
        entry = SubElement(top, "entry")
        SubElement(entry, "id").text = record.id
        SubElement(entry, "title").text = f"Release {record.version}"
        SubElement(entry, "updated").text = _day(record.date)
        SubElement(entry, "published").text = _day(record.date)
        _link(entry, "alternate", "text/html", f"{root}release/{record.version}")
        if record.previous:
            _link(entry, "related", PATCH, f"{root}changes/{record.previous}/{record.version}.{SUFFIX}",
                  title=f"RDF Patch from release {record.previous}")
        dump = published.files[f"{STEM}.nq.gz"]
        _link(entry, "enclosure", "application/gzip", f"{root}dumps/{record.version}/{dump.name}",
              length=str(dump.size), title=f"N-Quads of release {record.version}, gzipped")
        said = f"{record.quads:,} quads, SHA-256 {record.sha256} (canonical N-Quads)."
        SubElement(entry, "summary").text = f"{record.notes} {said}".strip()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(top, encoding="utf-8", xml_declaration=False) + b"\n"
