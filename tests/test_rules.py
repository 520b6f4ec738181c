from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from service.config import Settings
from service.dataset import DERIVED, WIKIDATA, load
from service.namespaces import ORG, PROV, TIME
from service.rules import derive

from .conftest import VALID_WORLD

BASE = "https://w3id.org/conflict-ld/"
CAO = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")


WD = Namespace("http://www.wikidata.org/entity/")


def derived(graph: str = DERIVED):
    dataset = load(Settings(), [VALID_WORLD])
    derive(dataset)
    return dataset.graph(graph)


def test_a_dated_event_gets_an_owl_time_instant_at_its_precision():
    g = derived()
    instant = URIRef(ID["event/attack"] + "#time")
    assert (ID["event/attack"], TIME.hasTime, instant) in g
    assert (instant, RDF.type, TIME.Instant) in g
    assert (instant, TIME.inXSDDate, Literal("2012-01-18", datatype=XSD.date)) in g


def test_a_span_gets_a_proper_interval_with_typed_bounds():
    g = derived()
    claim = ID["claim/membership"]
    interval = URIRef(claim + "#time")
    assert (interval, RDF.type, TIME.ProperInterval) in g
    assert (URIRef(claim + "#start"), TIME.inXSDgYear, Literal("2014", datatype=XSD.gYear)) in g
    assert (URIRef(claim + "#end"), TIME.inXSDgYearMonth, Literal("2023-02", datatype=XSD.gYearMonth)) in g
    assert (claim, ORG.memberDuring, interval) in g


def test_an_open_span_has_no_invented_end():
    g = derived()
    claim = ID["claim/alliance"]
    assert (URIRef(claim + "#time"), TIME.hasBeginning, URIRef(claim + "#start")) in g
    assert (URIRef(claim + "#time"), TIME.hasEnd, None) not in g


def test_qualified_derivations_imply_was_derived_from():
    g = derived()
    assert (ID["event/attack"], PROV.wasDerivedFrom, ID["work/book"]) in g


def test_memberships_and_changes_give_org_shortcuts():
    g = derived()
    assert (ID["organisation/alpha"], ORG.memberOf, ID["organisation/beta"]) in g
    assert (ID["organisation/beta"], ORG.resultedFrom, ID["event/founding"]) in g
    assert (ID["organisation/alpha"], ORG.changedBy, ID["event/merger"]) in g


def test_a_statement_is_also_asserted_as_a_plain_triple():
    g = derived()
    assert (ID["organisation/alpha"], CAO.ideology, ID["concept/ideology/secularism"]) in g


def test_a_relative_date_is_not_turned_into_a_guessed_date():
    g = derived()
    assert (ID["event/founding"], TIME.hasTime, None) not in g


def test_the_wikidata_view_goes_to_its_own_graph():
    """Alpha is linked to wd:Q853699: its names are written on the item, in the wikidata graph only
    (users take or leave that view as a whole)."""
    view, derived_graph = derived(WIKIDATA), derived()
    names = {(WD.Q853699, RDFS.label, Literal("Alpha", lang="en")), (WD.Q853699, RDFS.label, Literal("Alpha", lang="fr")),
             (WD.Q853699, SKOS.altLabel, Literal("ALF", lang="en"))}
    assert names <= set(view)
    assert (WD.Q853699, None, None) not in derived_graph
    assert (ID["organisation/alpha"], CAO.ideology, None) not in view
