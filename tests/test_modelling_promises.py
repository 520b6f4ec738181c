"""What docs/modelling.md promises of the data as published that no other module pins: readable
lower-case slugs, relative IRIs with no base declared in the sources, and the inverse links the
build adds to the profile's citation structure."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/conflict-ld/id/"
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
MINTED = re.compile(rf"(?:organisation|person|place|event|claim|work|agent|scheme)/{SLUG}|note/[1-9][0-9]*"
                    rf"|concept/{SLUG}/{SLUG}|work/cma-profile/s/n?[1-9][0-9]*(?:\.c?[1-9][0-9]*)*")


def rows(server, query: str) -> list[dict]:
    response = httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


@pytest.mark.slow
def test_every_minted_iri_is_a_readable_lower_case_slug(live_server):
    """`grp:maa-d`, `evt:2012-01-18-aguelhok-attack`, `note:7`, `sen:3.4.4`, `sen:n7.1`: lower-case
    ASCII words joined by hyphens, or the profile's numbering."""
    minted = {row["e"]["value"] for row in rows(live_server, f"""SELECT DISTINCT ?e WHERE {{
        {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} FILTER (isIRI(?e) && STRSTARTS(STR(?e), "{ID}")) }}""")}
    assert len(minted) > 1000
    assert [iri for iri in sorted(minted) if not MINTED.fullmatch(iri[len(ID):].split("#")[0])] == []


def test_the_sources_write_relative_iris_and_declare_no_base():
    offenders = []
    for path in sorted((ROOT / "data" / "ttl").rglob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?im)^\s*(@base|base)\s*<", text) or "<https://w3id.org/conflict-ld/" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.slow
def test_the_build_adds_the_inverse_links_of_the_citation_structure(live_server):
    """`po:contains` for every `dcterms:isPartOf` among the profile's parts, and `cito:cites` from
    each citing sentence to exactly the works its citations name."""
    assert rows(live_server, """SELECT ?part WHERE { ?part a ?kind ; dcterms:isPartOf ?whole
        VALUES ?kind { doco:Section doco:Paragraph doco:Sentence deo:Caption }
        FILTER NOT EXISTS { ?whole po:contains ?part } }""") == []
    assert rows(live_server, "SELECT ?part WHERE { ?whole po:contains ?part FILTER NOT EXISTS "
                             "{ ?part dcterms:isPartOf ?whole } }") == []
    cited = {(row["s"]["value"], row["w"]["value"]) for row in rows(
        live_server, "SELECT ?s ?w WHERE { ?s cao:citation/cito:hasCitedEntity ?w }")}
    cites = {(row["s"]["value"], row["w"]["value"]) for row in rows(live_server, "SELECT ?s ?w WHERE { ?s cito:cites ?w }")}
    assert len(cited) > 50 and cites == cited
