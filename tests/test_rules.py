from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from service.config import Settings
from service.dataset import DATA, DERIVED, INFERRED, WIKIDATA, load
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


def test_types_and_properties_are_entailed_up_the_hierarchy_for_named_resources_only():
    """RDFS: a cao:ArmedGroup is an org:FormalOrganization, an org:Organization, a foaf:Agent (the ORG
    and FOAF axioms the ontology restates); a victim is a target; a blank node (a source with its
    pages) gets nothing, since a triple about it in another graph would be about another node."""
    dataset = load(Settings(), [VALID_WORLD])
    derive(dataset)
    graph = dataset.graph(INFERRED)
    FOAF = Namespace("http://xmlns.com/foaf/0.1/")
    for above in (ORG.FormalOrganization, ORG.Organization, FOAF.Agent):
        assert (ID["organisation/alpha"], RDF.type, above) in graph
        # inferred apart: the data and the other derived views hold what was asserted and derived
        assert (ID["organisation/alpha"], RDF.type, above) not in dataset.union([DATA, DERIVED, WIKIDATA])
    assert (ID["event/attack"], RDF.type, CAO.Event) in graph
    assert (ID["event/attack"], CAO.target, ID["person/someone"]) in graph
    assert not [s for s in graph.subjects() if not isinstance(s, URIRef)]


def test_the_endpoint_answers_naive_type_queries_with_every_instance(live_server, settings):
    """`?s a org:Organization` found nothing, though the ontology says every armed group is one: now
    it finds exactly what the asserted types and the class hierarchy give (written with the property
    path users had to know), organisations and media alike; `?s a foaf:Agent` every one of them and
    every person."""
    import httpx

    def ask(query: str) -> set[str]:
        answer = httpx.get(live_server.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        return {row["s"]["value"] for row in answer.json()["results"]["bindings"]}

    data = settings.graph_iri("data")
    for cls in ("org:Organization", "foaf:Agent", "schema:Place", "sem:Event"):
        naive = ask(f"SELECT ?s WHERE {{ ?s a {cls} }}")
        expected = ask(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{data}> {{ ?s a ?c }} ?c rdfs:subClassOf* {cls} }}")
        assert naive == expected and len(naive) > 15, cls
    agents = ask("SELECT ?s WHERE { ?s a foaf:Agent }")
    assert ask("SELECT ?s WHERE { ?s a org:Organization }") < agents
    people = f'FILTER (STRSTARTS(STR(?s), "{settings.base}id/person/") && !CONTAINS(STR(?s), "#"))'
    assert ask(f"SELECT DISTINCT ?s WHERE {{ ?s a ?t {people} }}") < agents
