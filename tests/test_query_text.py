import pytest

from service.query_text import analyse


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://ex/select#>\n# CONSTRUCT in a comment\nask { ?s ?p 'SELECT' }", "ASK"),
    ("BASE <http://ex/> PREFIX a: <x#> CONSTRUCT { ?s a:p ?o } WHERE { ?s a:p ?o }", "CONSTRUCT"),
    ("describe <http://ex/a>", "DESCRIBE"),
    ('SELECT ?x WHERE { ?x rdfs:label """has SERVICE and\nINSERT inside""" FILTER (?a < ?b) }', "SELECT"),
])
def test_query_form(text, form):
    result = analyse(text)
    assert result.form == form and result.update is None and result.services == ()


@pytest.mark.parametrize("text, keyword", [
    ("INSERT DATA { <a> <b> <c> }", "INSERT"),
    ("PREFIX x: <y#> DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("DROP GRAPH <g>", "DROP"),
    ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
])
def test_updates_are_recognised(text, keyword):
    assert analyse(text).update == keyword
    assert analyse(text).form is None


def test_service_endpoints_are_found_outside_strings_and_comments():
    text = """# SERVICE <http://commented.example/>
    SELECT * WHERE {
      ?s rdfs:label "SERVICE <http://quoted.example/>" .
      SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o }
      service ?endpoint { ?a ?b ?c }
      ?s ex:service ?x .
    }"""
    assert analyse(text).services == ("https://query.wikidata.org/sparql", "?endpoint")


def test_names_that_contain_keywords_are_not_keywords():
    assert analyse("SELECT ?insert WHERE { ?insert ex:delete ?load }").update is None


@pytest.mark.parametrize("text, form, update", [
    ("BASE <http://ex/select/>\n# INSERT, in a comment\nprefix delete: <http://ex/ask#>\nPREFIX : <x#> CONSTRUCT {} WHERE {}",
     "CONSTRUCT", None),
    ("PREFIX s: <http://ex/> PREFIX t:<http://ex/t#>#no space\nDROP ALL", None, "DROP"),
])
def test_the_prologue_is_read_past_whatever_its_iris_and_names_say(text, form, update):
    assert (analyse(text).form, analyse(text).update) == (form, update)


def test_a_prefix_named_service_calls_nothing_and_a_later_service_is_still_found():
    assert analyse("PREFIX service: <http://ex/> SELECT * { ?s service:p ?o }").services == ()
    assert analyse("PREFIX a: <http://ex/>\nSELECT * { SERVICE <http://b.example/sparql> { ?s a:p ?o } }").services == \
        ("http://b.example/sparql",)
