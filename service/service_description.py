"""The SPARQL 1.1 Service Description of the endpoint, limits included."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from .config import Limits, Settings
from .formats import BY_TYPE, W3C_FORMATS
from .namespaces import SCHEMA, prefixes

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace(W3C_FORMATS)


def describe(endpoint: str, settings: Settings, limits: Limits, graph_names: list[str], triples: int,
             offers: tuple[str, ...]) -> Graph:
    """`offers`: the media types the endpoint answers in; those the W3C's registry names are listed."""
    graph = Graph()
    for prefix, namespace in prefixes(settings.base).items():
        graph.bind(prefix, namespace)
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if limits.service_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for media_type in offers:
        if BY_TYPE[media_type].w3c:
            graph.add((service, SD.resultFormat, FORMATS[BY_TYPE[media_type].w3c]))
    dataset, default = BNode("dataset"), BNode("default")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, URIRef("http://rdfs.org/ns/void#triples"), Literal(triples)))
    for name in graph_names:
        named = BNode(f"graph-{name.rsplit('/', 1)[-1]}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    for label, value, unit in (
        ("query timeout", limits.query_timeout, "SEC"),
        ("maximum result rows or triples", limits.max_rows, "C62"),
        ("maximum result size", limits.max_result_bytes, "AD"),
        ("maximum request body", limits.max_body, "AD"),
        ("maximum query length in a GET URL", limits.max_query_length, "C62"),
        ("concurrent queries", limits.workers, "C62"),
        ("concurrent queries per client", limits.client_queries, "C62"),
        ("query workers kept for clients with no query running", limits.reserved_workers, "C62"),
        ("memory a query may use", limits.query_memory, "AD"),
    ):
        limit = BNode(f"limit-{label.replace(' ', '-')}")
        graph.add((service, SCHEMA.additionalProperty, limit))
        graph.add((limit, RDF.type, SCHEMA.PropertyValue))
        graph.add((limit, SCHEMA.name, Literal(label, lang="en")))
        datatype = XSD.decimal if isinstance(value, float) else XSD.integer
        graph.add((limit, SCHEMA.value, Literal(value, datatype=datatype)))
        graph.add((limit, SCHEMA.unitCode, Literal(unit)))
    for endpoint_allowed in limits.service_allow:
        graph.add((service, SCHEMA.isRelatedTo, URIRef(endpoint_allowed)))
    return graph
