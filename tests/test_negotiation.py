"""Content negotiation against RFC 9110: q-values, wildcards, specificity, exclusions, overrides."""

import pytest

from service import negotiation
from service.negotiation import NotAcceptable, choose, parse_accept, quality

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
PAGE = ["text/html", *GRAPHS]


@pytest.mark.parametrize("accept, offers, expected", [
    (None, RESULTS, "application/sparql-results+json"),
    ("", RESULTS, "application/sparql-results+json"),
    ("*/*", GRAPHS, "text/turtle"),
    ("text/csv", RESULTS, "text/csv"),
    ("text/*", RESULTS, "text/csv"),
    ("text/*;q=0.5, text/tab-separated-values", RESULTS, "text/tab-separated-values"),
    ("application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.8", RESULTS,
     "application/sparql-results+xml"),
    ("*/*;q=0.1, application/n-triples", GRAPHS, "application/n-triples"),
    ("text/turtle;q=0, */*", GRAPHS, "application/n-triples"),
    ("application/ld+json;profile=\"http://www.w3.org/ns/json-ld#expanded\"", GRAPHS, "application/ld+json"),
    ("TEXT/TURTLE", GRAPHS, "text/turtle"),
    ("text/turtle; charset=utf-8", GRAPHS, "text/turtle"),
    # browsers
    ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", PAGE, "text/html"),
    # rdflib's Graph.parse
    ("application/rdf+xml, text/rdf;q=0.9, application/xhtml+xml;q=0.3, text/html;q=0.2, text/n3;q=1.0, "
     "text/turtle;q=1.0, application/n-triples;q=1.0, application/n-quads;q=0.9, application/trig;q=0.9, "
     "application/ld+json;q=0.9", PAGE, "text/turtle"),
    # SPARQLWrapper asking for JSON
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", RESULTS,
     "application/sparql-results+json"),
    # Comunica
    ("application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7,text/csv;q=0.5,"
     "text/tab-separated-values;q=0.5", RESULTS, "application/sparql-results+json"),
    # curl
    ("*/*", PAGE, "text/html"),
])
def test_choose(accept, offers, expected):
    assert choose(accept, offers) == expected


def test_most_specific_range_wins_even_with_lower_q():
    ranges = parse_accept("text/*;q=1, text/csv;q=0.2")
    assert quality(ranges, "text/csv") == 0.2
    assert quality(ranges, "text/tab-separated-values") == 1.0


def test_exclusion_by_q_zero_is_honoured():
    with pytest.raises(NotAcceptable) as caught:
        choose("text/turtle;q=0", ["text/turtle"])
    assert caught.value.offers == ["text/turtle"]


@pytest.mark.parametrize("accept", ["image/png", "application/json;q=0, image/*", "text/plain"])
def test_nothing_acceptable_lists_the_offers(accept):
    with pytest.raises(NotAcceptable) as caught:
        choose(accept, GRAPHS)
    assert caught.value.offers == GRAPHS


def test_malformed_members_are_ignored_not_fatal():
    assert choose("garbage, text/turtle;q=abc, application/n-triples", GRAPHS) == "application/n-triples"
    for q in ("\u0661", "nan", "1e-0", "0.0001", "1.5", "-0", "1.001", ".5"):  # not a qvalue of RFC 9110 §12.4.2
        assert choose(f"text/turtle;q={q}, application/n-triples;q=0.5", GRAPHS) == "application/n-triples", q
    assert choose("*/json", GRAPHS + ["application/json"]) == "text/turtle"  # '*/json' is invalid: absent header


@pytest.mark.parametrize("requested, expected", [("ttl", "text/turtle"), ("JSONLD", "application/ld+json"),
                                                 ("application/n-triples", "application/n-triples")])
def test_format_parameter_overrides_accept(requested, expected):
    assert choose("text/html", PAGE, requested_format=requested) == expected


def test_format_that_is_not_offered_is_not_acceptable():
    with pytest.raises(NotAcceptable):
        choose(None, RESULTS, requested_format="ttl")


def test_long_accept_headers_are_never_kept():
    """120 distinct 1 MB Accept headers, each kept as a cache key, grew the web process by 107 MB for good."""
    choose("text/turtle", GRAPHS)
    kept = negotiation._best.cache_info().currsize
    for i in range(50):
        accept = f"text/x-{i}, " + "a/b, " * negotiation.CACHED_ACCEPT + "application/n-triples"
        assert choose(accept, GRAPHS) == "application/n-triples"
    assert negotiation._best.cache_info().currsize == kept
