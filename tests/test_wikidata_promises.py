"""What the README's "Wikidata" section promises that no other module pins: the ontology's terms
naming Wikidata properties, the labels, qualifiers, precisions and reference URLs of the
Wikidata-shaped view as served, and the pause `verify` makes between its requests."""

from __future__ import annotations

import os
import re
import subprocess
import time

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef

from .conftest import FIXTURES, ROOT
from .projects import COMMAND
from .sparql_endpoint import SparqlEndpoint

pytestmark = pytest.mark.slow

CAO = Namespace("https://w3id.org/conflict-ld/ontology#")
WDT = "http://www.wikidata.org/prop/direct/"
VIEW = "https://w3id.org/conflict-ld/graph/wikidata"


def rows(server, query: str) -> list[dict]:
    response = httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_the_ontologys_terms_name_the_wikidata_properties_they_match(live_server):
    ontology = Graph().parse(data=httpx.get(live_server.url + "/ontology.ttl").text, format="turtle")
    matches = {(term, match) for term, match in ontology.subject_objects(URIRef("http://www.w3.org/2004/02/skos/core#closeMatch"))
               if str(match).startswith(WDT)}
    assert {(CAO.Membership, URIRef(WDT + "P463")), (CAO.Founding, URIRef(WDT + "P571")),
            (CAO.date, URIRef(WDT + "P585")), (CAO.place, URIRef(WDT + "P276"))} <= matches
    assert all(re.fullmatch(r"P\d+", str(match)[len(WDT):]) for _, match in matches)


def test_each_linked_item_carries_our_labels_names_and_alternative_labels(live_server):
    def values(query: str) -> dict[tuple[str, str], set]:
        found: dict[tuple[str, str], set] = {}
        for row in rows(live_server, query):
            found.setdefault((row["item"]["value"], row["kind"]["value"]), set()).add(
                (row["value"]["value"], row["value"].get("xml:lang")))
        return found

    view = values(f"""SELECT ?item ?kind ?value WHERE {{ GRAPH <{VIEW}> {{ ?item ?p ?value
        VALUES (?p ?kind) {{ (rdfs:label "label") (schema:name "name") (skos:altLabel "alt") }} }} }}""")
    ours = values("""SELECT ?item ?kind ?value WHERE { GRAPH <https://w3id.org/conflict-ld/graph/data> {
        ?entity owl:sameAs|skos:exactMatch ?item ; ?p ?value
        VALUES (?p ?kind) { (rdfs:label "label") (skos:prefLabel "label") (skos:altLabel "alt") } }
        FILTER (STRSTARTS(STR(?item), STR(wd:))) }""")
    items = {item for item, _ in ours}
    assert len(items) == 67
    for item in items:
        assert view[item, "label"] == view[item, "name"] == ours[item, "label"], item
        assert view.get((item, "alt")) == ours.get((item, "alt")), item


def test_dates_keep_their_precision_with_unknown_months_and_days_at_01(live_server):
    found = rows(live_server, f"""SELECT ?precision ?time WHERE {{ GRAPH <{VIEW}> {{
        ?value wikibase:timePrecision ?precision ; wikibase:timeValue ?time }} }}""")
    shapes = {"9": r"\d{4}-01-01T00:00:00Z", "10": r"\d{4}-\d\d-01T00:00:00Z", "11": r"\d{4}-\d\d-\d\dT00:00:00Z"}
    assert {row["precision"]["value"] for row in found} == set(shapes)  # years, months and days all occur
    for row in found:
        assert re.fullmatch(shapes[row["precision"]["value"]], row["time"]["value"]), row
        assert row["time"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"


def test_start_and_end_qualifiers_carry_their_precision(live_server):
    found = rows(live_server, f"""SELECT ?statement ?qualifier ?time ?precision WHERE {{ GRAPH <{VIEW}> {{
        VALUES (?qualifier ?valued) {{ (pq:P580 pqv:P580) (pq:P582 pqv:P582) }}
        ?statement ?qualifier ?time . OPTIONAL {{ ?statement ?valued ?node . ?node wikibase:timeValue ?time ;
                                                   wikibase:timePrecision ?precision }} }} }}""")
    assert {row["qualifier"]["value"].rsplit("/", 1)[1] for row in found} == {"P580", "P582"}
    assert all("precision" in row for row in found), [row for row in found if "precision" not in row][:3]


def test_a_reference_gives_the_works_url_where_it_has_one(live_server):
    found = rows(live_server, f"""SELECT ?reference ?url ?given WHERE {{ GRAPH <{VIEW}> {{ ?reference pr:P248 ?work
        OPTIONAL {{ ?reference pr:P854 ?given }} }} OPTIONAL {{ ?work schema:url ?url }} }}""")
    assert sum(1 for row in found if "url" in row) > 10
    for row in found:
        assert row.get("given", {}).get("value") == row.get("url", {}).get("value"), row


def test_verify_pauses_between_its_requests(store_dir):
    """67 items are asked 50 at a time: two requests, a second (the default pause) apart at least."""
    endpoint = SparqlEndpoint(FIXTURES / "wikidata-sample.ttl")
    asked = []
    endpoint.agents = Stamped(asked)
    try:
        env = {**os.environ, "CONFLICT_LD_STORE": str(store_dir), "CONFLICT_LD_DUMPS": str(store_dir / "dumps")}
        done = subprocess.run([str(COMMAND), "wikidata", "verify", "--endpoint", endpoint.url], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        endpoint.close()
    assert done.returncode == 1 and f"67 linked entities checked against {endpoint.url}" in done.stdout, done.stderr
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.0


class Stamped(list):
    """The stand-in's record of User-Agents, noting in `times` when each request came."""

    def __init__(self, times: list[float]):
        super().__init__()
        self.times = times

    def append(self, agent: str) -> None:
        self.times.append(time.monotonic())
        super().append(agent)
