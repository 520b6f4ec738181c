"""The build's in-memory Oxigraph copy gives back the graph's own terms: IRIs, blank nodes, plain,
language-tagged and typed literals, as rdflib holds them."""

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from service.oxigraph_rdflib import OxigraphCopy, ntriples_graph

EX = "https://example.org/"


def sample() -> tuple[Graph, BNode]:
    graph, source = Graph(), BNode()
    thing = URIRef(EX + "thing")
    graph.add((thing, RDFS.label, Literal("Kidal")))
    graph.add((thing, RDFS.label, Literal("Kidal", lang="fr")))
    graph.add((thing, URIRef(EX + "founded"), Literal("2014-06", datatype=XSD.gYearMonth)))
    graph.add((thing, URIRef(EX + "source"), source))
    graph.add((source, URIRef(EX + "page"), Literal("659")))
    return graph, source


def test_a_construct_of_every_triple_is_the_graph_itself():
    graph, source = sample()
    copied = Graph()
    for triple in OxigraphCopy(graph).construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        copied.add(triple)
    assert set(copied) == set(graph)  # the same terms, the blank node included, not merely isomorphic
    assert (None, None, source) in copied


def test_a_select_gives_one_variable_and_leaves_unbound_values_out():
    graph, source = sample()
    copy = OxigraphCopy(graph)
    query = "SELECT ?this WHERE { ?x ?p ?this OPTIONAL { ?this <https://example.org/none> ?y } }"
    assert set(copy.select(query, "this")) == set(graph.objects())
    assert list(copy.select("SELECT ?this WHERE { OPTIONAL { ?a <https://example.org/none> ?this } }", "this")) == []


def test_relative_iris_resolve_against_the_base_given():
    graph, source = sample()
    assert list(OxigraphCopy(graph).select("SELECT ?this { <thing> <source> ?this }", "this", base=EX)) == [source]
    made = list(OxigraphCopy(graph).construct("CONSTRUCT { <made> <is> ?l } WHERE { <thing> ?p ?l FILTER (LANG(?l) = 'fr') }",
                                              base=EX))
    assert made == [(URIRef(EX + "made"), URIRef(EX + "is"), Literal("Kidal", lang="fr"))]


def test_a_blank_node_a_construct_makes_is_one_new_node_per_label():
    graph, source = sample()
    made = list(OxigraphCopy(graph).construct("CONSTRUCT { _:b <https://example.org/of> ?s . _:b a <https://example.org/Note> } "
                                              "WHERE { ?s <https://example.org/page> ?page }"))
    assert len(made) == 2 and made[0][0] == made[1][0] and isinstance(made[0][0], BNode)
    assert made[0][0] != source and {made[0][2], made[1][2]} == {source, URIRef(EX + "Note")}


def test_n_triples_are_read_as_rdflib_reads_them():
    graph, _ = sample()
    body = graph.serialize(format="nt", encoding="utf-8")
    read = ntriples_graph(body, {"ex": EX})
    assert isomorphic(read, Graph().parse(data=body.decode("utf-8"), format="nt"))  # blank nodes are new ones
    assert read.namespace_manager.normalizeUri(URIRef(EX + "thing")) == "ex:thing"


def test_rows_come_in_the_order_of_the_variables_with_none_where_unbound():
    graph, source = sample()
    rows = OxigraphCopy(graph).rows("SELECT ?page ?label { ?s ex:page ?page OPTIONAL { ?s rdfs:label ?label } }",
                                    {"ex": EX, "rdfs": str(RDFS)})
    assert rows == [(Literal("659"), None)]
