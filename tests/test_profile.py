"""The profile's facts, asked of the shipped graph by SPARQL: who, what, when, where, and on whose word."""

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/conflict-ld/"


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def test_the_aguelhok_attack_who_when_where(ask):
    rows = ask("""SELECT ?date ?place ?agent WHERE {
        evt:2012-01-18-aguelhok-attack a cao:Attack ; cao:date ?date ; cao:place ?place ; cao:agent ?agent }""")
    assert {r[0] for r in rows} == {Literal("2012-01-18", datatype=XSD.date)}
    assert {r[1] for r in rows} == {iri("id/place/aguelhok")}
    assert {r[2] for r in rows} == {iri("id/organisation/mnla"), iri("id/organisation/ansar-dine")}


def test_kidal_was_captured_by_the_army_with_wagner_on_15_november_2023(ask):
    rows = ask("""SELECT ?date WHERE {
        evt:2023-11-15-kidal-capture a/rdfs:subClassOf* cao:Capture ; cao:date ?date ;
            cao:place plc:kidal ; cao:agent grp:malian-armed-forces ; cao:supportingActor grp:wagner }""")
    assert rows == [(Literal("2023-11-15", datatype=XSD.date),)]


def test_the_hcua_merger_with_its_source_and_pages(ask):
    originals = ask("SELECT ?o WHERE { evt:2013-05-hcua-founding org:originalOrganization ?o }")
    assert {r[0] for r in originals} == {iri("id/organisation/hca"), iri("id/organisation/mia")}
    rows = ask("SELECT ?type ?date WHERE { evt:2013-05-hcua-founding a ?type ; "
               "org:resultingOrganization grp:hcua ; cao:date ?date }")
    assert {r[1] for r in rows} == {Literal("2013-05", datatype=XSD.gYearMonth)}
    assert iri("ontology#Merger") in {r[0] for r in rows}
    pages = ask("""SELECT ?page WHERE { evt:2013-05-hcua-founding prov:qualifiedDerivation
        [ prov:entity wrk:bencherif-campana-2017 ; cao:page ?page ] }""")
    assert {str(r[0]) for r in pages} == {"125", "129"}


def test_jnim_came_from_a_2017_merger_of_four_groups(ask):
    rows = ask("SELECT ?o WHERE { evt:2017-jnim-founding org:originalOrganization ?o ; cao:date '2017'^^xsd:gYear }")
    assert {r[0] for r in rows} == {
        iri(f"id/organisation/{g}") for g in ("ansar-dine", "aqim", "mojwa", "al-mourabitoun")
    }


def test_a_relative_date_is_kept_as_a_relation(ask):
    rows = ask("""SELECT ?anchor ?offset ?anchorDate WHERE {
        evt:2012-maa-founding cao:dateRelativeTo ?anchor ; cao:dateOffset ?offset .
        ?anchor cao:date ?anchorDate .
        FILTER NOT EXISTS { evt:2012-maa-founding cao:date ?any } }""")
    assert rows == [(iri("id/event/2012-04-06-independence-declaration"),
                     Literal("P2D", datatype=XSD.duration), Literal("2012-04-06", datatype=XSD.date))]


def test_mnla_strength_is_an_unverified_claim_of_the_mnla(ask):
    rows = ask("""SELECT ?min ?max ?certainty ?by ?work WHERE {
        clm:mnla-strength-2012 rdf:subject grp:mnla ; rdf:predicate cao:strength ;
            rdf:object [ cao:measures qk:fighters ; schema:minValue ?min ; schema:maxValue ?max ] ;
            cao:certainty ?certainty ; cao:claimedBy ?by ; prov:qualifiedDerivation/prov:entity ?work }""")
    assert rows == [(Literal(9000), Literal(10000), iri("id/concept/certainty/unverified"),
                     iri("id/organisation/mnla"), iri("id/work/france24-2012a"))]


def test_leaders_and_their_terms(ask):
    rows = ask("""SELECT ?role WHERE { clm:bilal-ag-cherif-mnla-secretary-general org:member per:bilal-ag-cherif ;
                  org:organization grp:mnla ; org:role ?role }""")
    assert rows == [(iri("id/concept/role/secretary-general"),)]
    rows = ask("""SELECT ?start WHERE { clm:ibrahim-ould-handa-cma-president org:member per:ibrahim-ould-handa ;
                  org:organization grp:cma ; org:role role:president ; cao:start ?start }""")
    assert rows == [(Literal("2023-07", datatype=XSD.gYearMonth),)]


def test_the_cma_core_members_from_2014(ask):
    rows = ask("""SELECT ?member ?start WHERE {
        VALUES ?claim { clm:mnla-member-of-cma clm:hcua-member-of-cma clm:maa-d-member-of-cma }
        ?claim org:member ?member ; org:organization grp:cma ; cao:start ?start }""")
    assert {r[0] for r in rows} == {iri("id/organisation/" + g) for g in ("mnla", "hcua", "maa-d")}
    assert {str(r[1])[:4] for r in rows} == {"2014"}


def test_the_shoot_down_weapon_rests_on_unconfirmed_reports(ask):
    rows = ask("""SELECT DISTINCT ?claim WHERE {
        ?claim cao:certainty cert:unconfirmed ; prov:qualifiedDerivation/prov:entity wrk:abdul-2023 .
        ?claim (rdf:object|rdfs:label|cao:weapon|rdf:subject)* ?x . FILTER (?x = wpn:fim-43-redeye) }""")
    assert rows


def test_works_cited_are_numbered_one_to_twenty_six(ask):
    numbers = sorted(int(r[0]) for r in ask("SELECT ?n WHERE { ?w cao:worksCitedNumber ?n }"))
    assert numbers == list(range(1, 27))


def test_every_work_and_note_supports_some_claim(ask):
    unused_works = ask("""SELECT ?w WHERE { ?w cao:worksCitedNumber ?n .
        FILTER NOT EXISTS { ?c prov:qualifiedDerivation/prov:entity ?w } }""")
    assert unused_works == []
    unused_notes = ask("SELECT ?n WHERE { ?n a cao:Note FILTER NOT EXISTS { ?c cao:note ?n } }")
    assert unused_notes == []


def test_a_journal_article_is_a_full_record(ask):
    rows = ask("""SELECT ?title ?journal ?volume ?issue ?start ?end ?issued WHERE {
        wrk:bencherif-campana-2017 dcterms:title ?title ; dcterms:isPartOf/dcterms:title ?journal ;
            bibo:volume ?volume ; bibo:issue ?issue ; bibo:pageStart ?start ; bibo:pageEnd ?end ;
            dcterms:issued ?issued }""")
    assert len(rows) == 1
    title, journal, volume, issue, start, end, issued = rows[0]
    assert "Alliances of convenience" in str(title) and str(journal) == "Mediterranean Politics"
    assert (str(volume), str(issue), str(start), str(end), str(issued)) == ("22", "1", "115", "134", "2017")


def test_authors_keep_their_order(ask):
    rows = ask("""SELECT ?family WHERE { wrk:desgrais-guichaoua-lebovich-2018 bibo:authorList ?list .
        ?list rdf:rest* ?cell . ?cell rdf:first/foaf:familyName ?family }""")
    assert [str(r[0]) for r in rows] == ["Desgrais", "Guichaoua", "Lebovich"]


def test_names_keep_their_diacritics(ask):
    labels = {str(r[0]) for r in ask("SELECT ?l WHERE { ?s rdfs:label|skos:prefLabel ?l }")}
    assert {"Bilal Ag Chérif", "Ménaka", "Songhaï"} <= labels


def test_every_claim_is_sourced_and_has_one_certainty(ask):
    assert ask("""SELECT ?c WHERE { ?c a/rdfs:subClassOf* cao:Claim .
        FILTER NOT EXISTS { ?c prov:qualifiedDerivation/prov:entity ?w } }""") == []
    assert ask("""SELECT ?c WHERE { ?c a/rdfs:subClassOf* cao:Claim ; cao:certainty ?a , ?b FILTER (?a != ?b) }""") == []
