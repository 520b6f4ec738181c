"""Content negotiation against RFC 9110: q-values, wildcards, specificity, exclusions, overrides."""

import pytest

from service import negotiation
from service.negotiation import (BIBLIOGRAPHY_TYPES, SUFFIX_TYPES, NotAcceptable, choose, parse_accept, quality,
                                 split_suffix, suffix_of)

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
    for accept in ("text/", "/turtle"):  # a media range's type and subtype are tokens: never empty
        assert choose(accept, GRAPHS) == "text/turtle", accept


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


def test_an_absent_or_unusable_header_accepts_anything_at_full_quality():
    for accept in (None, "", "garbage"):
        assert quality(parse_accept(accept), "image/png") == 1.0


def test_precedence_of_ranges_rfc_9110_example():
    """RFC 9110 §12.5.1: the most specific range that matches sets the quality, whatever the order."""
    ranges = parse_accept("text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
                          "text/plain;format=fixed;q=0.4, */*;q=0.5")
    assert quality(ranges, "text/plain;format=flowed") == 1.0
    assert quality(ranges, "text/plain") == 0.7
    assert quality(ranges, "text/html") == 0.3
    assert quality(ranges, "image/jpeg") == 0.5
    assert quality(ranges, "text/plain;format=fixed") == 0.4
    assert quality(parse_accept("*/*;q=0.9, text/*;q=0.5"), "text/csv") == 0.5


def test_parameter_values_compare_unquoted_and_exactly():
    """RFC 9110 §5.6.6: a parameter value is the same as a token or as a quoted string."""
    assert quality(parse_accept('text/plain;format="flowed";q=0.5'), "text/plain;format=flowed") == 0.5
    assert quality(parse_accept('text/plain;format="X";q=0.5'), "text/plain;format=XX") == 0
    assert choose('text/turtle;x="a=b", application/n-triples;q=0.5', GRAPHS) == "text/turtle"


def test_a_member_with_a_malformed_parameter_still_excludes_with_q_zero():
    assert choose("text/turtle;charset;q=0, application/n-triples;q=0.5", GRAPHS) == "application/n-triples"


# format= short names → the media type of the format each names: the file extensions registered with
# each media type (Turtle .ttl, N-Triples .nt, N-Quads .nq, TriG .trig, JSON-LD .jsonld, RDF/XML .rdf,
# SPARQL results .srj and .srx, .csv, .tsv), the formats' own names, OWL's RDF/XML exchange syntax, and
# the bibliography formats the README names.
FORMAT_NAMES = {
    "html": "text/html", "srj": "application/sparql-results+json", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "nq": "application/n-quads",
    "nquads": "application/n-quads", "trig": "application/trig", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json", "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml", "owl": "application/rdf+xml", "bib": "application/x-bibtex",
    "bibtex": "application/x-bibtex", "ris": "application/x-research-info-systems",
    "csl": "application/vnd.citationstyles.csl+json", "csljson": "application/vnd.citationstyles.csl+json",
    "csl-json": "application/vnd.citationstyles.csl+json", "csl.json": "application/vnd.citationstyles.csl+json",
}
EVERY_TYPE = sorted({*FORMAT_NAMES.values(), "application/json"})


@pytest.mark.parametrize("name, media_type", FORMAT_NAMES.items())
def test_each_format_name_gives_its_format(name, media_type):
    assert choose("*/*", EVERY_TYPE, requested_format=name) == media_type


@pytest.mark.parametrize("offers, expected", [(RESULTS, "application/sparql-results+json"),
                                              (GRAPHS, "application/ld+json"),
                                              (["text/html", "application/json"], "application/json")])
def test_json_is_whichever_json_the_route_gives(offers, expected):
    assert choose(None, offers, requested_format="json") == expected


@pytest.mark.parametrize("offers, expected", [(RESULTS, "application/sparql-results+xml"),
                                              (GRAPHS, "application/rdf+xml")])
def test_xml_is_whichever_xml_the_route_gives(offers, expected):
    assert choose(None, offers, requested_format="xml") == expected


def test_several_formats_the_first_available_wins():
    assert choose("text/turtle", RESULTS, requested_format="ttl,tsv, csv") == "text/tab-separated-values"
    assert choose("text/turtle", RESULTS, requested_format=["ttl", "csv"]) == "text/csv"


# Document suffixes (README: `/id/place/kidal.ttl`, `.jsonld`, `.nt`, `.rdf`, `.html`; `/sources.bib`, `.ris`,
# `.csl.json`) and the types they name.
SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
            "rdf": "application/rdf+xml", "html": "text/html"}
BIBLIOGRAPHY_SUFFIXES = {"bib": "application/x-bibtex", "ris": "application/x-research-info-systems",
                         "csl.json": "application/vnd.citationstyles.csl+json"}


@pytest.mark.parametrize("suffix, media_type", [*SUFFIXES.items(), *BIBLIOGRAPHY_SUFFIXES.items()])
def test_each_suffix_names_its_type(suffix, media_type):
    mapping = SUFFIX_TYPES if suffix in SUFFIXES else BIBLIOGRAPHY_TYPES
    assert split_suffix(f"/id/place/kidal.{suffix}", mapping) == ("/id/place/kidal", suffix)
    assert suffix_of(media_type) == suffix


def test_a_path_without_a_document_name_before_the_suffix_has_none():
    assert split_suffix("/id/place/kidal", SUFFIX_TYPES) == ("/id/place/kidal", None)
    assert split_suffix("/id/place/.ttl", SUFFIX_TYPES) == ("/id/place/.ttl", None)
    assert split_suffix(".ttl", SUFFIX_TYPES) == (".ttl", None)
    assert split_suffix("/id/place/kidalttl", SUFFIX_TYPES) == ("/id/place/kidalttl", None)


def test_the_longest_suffix_is_taken():
    assert split_suffix("/sources.csl.json", {"json": "application/json", **BIBLIOGRAPHY_TYPES}) == ("/sources",
                                                                                                    "csl.json")
