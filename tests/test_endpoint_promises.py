"""What the README's "The SPARQL endpoint", "Limits" and "HTTP, on every route" promise that no other
module pins: the limits as published in the service description, with their defaults and as set;
every `format=` name; the default graph; the predeclared prefixes; DESCRIBE; each HTTP limit read
from its setting; long requests by POST; how one client's share is queued or refused; a request
whose worker is killed; a memory limit of 0. Against real servers: the session's, or servers of the
small project with their own settings."""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import signal
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from .conftest import start_server, stop_server
from .projects import conflict_ld, demoted, small_project, workers_of
from .waiting import wait_until

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/conflict-ld/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Namespace("https://schema.org/")
LABELS = "SELECT ?label WHERE { grp:mnla rdfs:label ?label }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = "SELECT ?label WHERE { grp:alpha rdfs:label ?label }"
# seconds of work on the small project (more than the one after which a query is demoted): every
# pair of its statements, twelve times over
PAIRS_TWELVE_TIMES = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?k { 1 2 3 4 5 6 7 8 9 10 11 12 } ?a ?b ?c . ?d ?e ?f }"
A64 = "a" * 64
# a 100 MB string, built in under a second: far past a small memory limit, well within the machine's
GROWN = (f'SELECT (STRLEN(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE("{"a" * 100}", "a", "{A64}"), "a", "{A64}"), '
         f'"a", "{A64}"), "a", "aa"), "a", "aa")) AS ?n) {{}}')


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """The small project, built once: a server started on it comes up in seconds."""
    folder = tmp_path_factory.mktemp("project")
    home, var = small_project(folder / "home"), folder / "var"
    done = conflict_ld("build", home=home, var=var)
    assert done.returncode == 0, done.stdout + done.stderr
    return home, var


def serve(project, *arguments: str, **limits: str):
    home, var = project
    return start_server(var, *arguments, home=str(home), **limits)


def published_limits(server) -> dict[str, tuple[object, str, URIRef]]:
    """The service description's limits by name: (value, unit code, datatype)."""
    response = httpx.get(server.sparql)  # no query and no Accept: the description, in Turtle
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(server.sparql)
    assert (service, RDF.type, SD.Service) in graph
    limits = {}
    for limit in graph.objects(service, SCHEMA.additionalProperty):
        value = graph.value(limit, SCHEMA.value)
        limits[str(graph.value(limit, SCHEMA.name))] = (value.toPython(), str(graph.value(limit, SCHEMA.unitCode)),
                                                         value.datatype)
    return limits


def description(server) -> Graph:
    return Graph().parse(data=httpx.get(server.sparql, headers={"Accept": "text/turtle"}).text, format="turtle")


# --- the limits in the service description ---------------------------------------------------------------


def test_the_service_description_publishes_the_limits_as_set(project):
    """Each limit set to a value of its own (none a default), then read back from the description."""
    allowed = ("https://query.wikidata.org/sparql", "http://127.0.0.1:9/sparql")
    server = serve(project, query_timeout="7.5", max_rows="1234", max_result_bytes="56789", max_body="4321",
                   max_query_length="5432", workers="3", client_queries="3", reserved_workers="0",
                   query_memory="123456789", service_allow=" ".join(allowed))
    try:
        limits, graph = published_limits(server), description(server)
    finally:
        stop_server(server)
    assert limits == {
        "query timeout": (Decimal("7.5"), "SEC", XSD.decimal),
        "maximum result rows or triples": (1234, "C62", XSD.integer),
        "maximum result size": (56789, "AD", XSD.integer),
        "maximum request body": (4321, "AD", XSD.integer),
        "maximum query length in a GET URL": (5432, "C62", XSD.integer),
        "concurrent queries": (3, "C62", XSD.integer),
        "concurrent queries per client": (3, "C62", XSD.integer),
        "query workers kept for clients with no query running": (0, "C62", XSD.integer),
        "memory a query may use": (123456789, "AD", XSD.integer),
    }
    service = URIRef(server.sparql)
    assert set(graph.objects(service, SCHEMA.isRelatedTo)) == {URIRef(endpoint) for endpoint in allowed}
    assert (service, SD.feature, SD.BasicFederatedQuery) in graph
    assert "INFO pool query pool workers=3 network=allowed" in server.log()


def machine_memory() -> int:
    """The machine's memory, or its control group's limit when lower (the README's "half the
    machine's memory (or its control group's limit)")."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = Path("/sys/fs/cgroup/memory.max")
    text = limit.read_text().strip() if limit.exists() else "max"
    return min(total, int(text)) if text.isdigit() else total


def test_the_service_description_publishes_the_default_limits(project):
    """The README's defaults, with no setting given; the workers start without the network."""
    server = serve(project)
    try:
        limits, graph = published_limits(server), description(server)
    finally:
        stop_server(server)
    assert {name: value for name, (value, _, _) in limits.items()} == {
        "query timeout": 30,
        "maximum result rows or triples": 100_000,
        "maximum result size": 256 * 2**20,
        "maximum request body": 2**20,
        "maximum query length in a GET URL": 16_384,
        "concurrent queries": 4,
        "concurrent queries per client": 2,
        "query workers kept for clients with no query running": 1,
        "memory a query may use": machine_memory() // 2 // 4,  # half the memory, shared by the 4 workers
    }
    assert (URIRef(server.sparql), SD.feature, SD.BasicFederatedQuery) not in graph
    assert set(graph.objects(URIRef(server.sparql), SCHEMA.isRelatedTo)) == set()
    assert "INFO pool query pool workers=4 network=denied" in server.log()


# --- formats, the default graph, prefixes, DESCRIBE ------------------------------------------------------


@pytest.mark.parametrize("query, name, media_type", [
    *((query, name, media_type) for query in (LABELS, "ASK { grp:mnla a ?type }") for name, media_type in (
        ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"), ("tsv", "text/tab-separated-values"))),
    *(("CONSTRUCT { grp:mnla rdfs:label ?label } WHERE { grp:mnla rdfs:label ?label }", name, media_type)
      for name, media_type in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("nq", "application/n-quads"),
                               ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"))),
])
def test_format_forces_each_type_the_readme_names(live_server, query, name, media_type):
    """`format=` wins over an Accept header that asks for something else."""
    response = httpx.get(live_server.sparql, params={"query": query, "format": name}, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


def test_the_default_graph_is_the_union_of_the_four_named_graphs(live_server, settings):
    """The named graphs are exactly the four, and a query without a dataset sees every statement of
    every one of them."""
    def rows(query: str) -> list[dict]:
        response = httpx.get(live_server.sparql, params={"query": query})
        assert response.status_code == 200, response.text
        return response.json()["results"]["bindings"]

    named = {row["g"]["value"] for row in rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert named == {settings.graph_iri(name) for name in ("ontology", "data", "derived", "wikidata", "inferred")}
    default = rows("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    union = rows("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert int(default[0]["n"]["value"]) == int(union[0]["n"]["value"]) > 0


# The README's list (and `fabio:`, from "Bibliography"); the namespaces of our own are docs/modelling.md's.
OURS = {"cao": "ontology#", "grp": "id/organisation/", "per": "id/person/", "plc": "id/place/", "evt": "id/event/",
        "clm": "id/claim/", "wrk": "id/work/", "agt": "id/agent/", "note": "id/note/", "scheme": "id/scheme/"}
CONCEPTS = ("cert", "dq", "qk", "role", "ideo", "obj", "tac", "wpn", "eth")
STANDARD = ("rdf rdfs owl xsd skos dcterms foaf org prov sem schema time bibo wgs sh hydra geo "
            "wd wdt wikibase p ps psv pq pqv pr fabio").split()


def test_the_documented_prefixes_are_predeclared(live_server):
    names = [*OURS, *CONCEPTS, *STANDARD]
    pairs = " ".join(f'("{name}" {name}:)' for name in names)
    query = f"SELECT ?name ?namespace WHERE {{ VALUES (?name ?namespace) {{ {pairs} }} }}"
    response = httpx.get(live_server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    declared = {row["name"]["value"]: row["namespace"]["value"] for row in response.json()["results"]["bindings"]}
    assert set(declared) == set(names) and len(set(declared.values())) == len(names)
    assert {name: declared[name] for name in OURS} == {name: BASE + path for name, path in OURS.items()}
    assert all(declared[name].startswith(BASE + "id/concept/") for name in CONCEPTS)


def statements(live_server, query: str) -> Graph:
    response = httpx.get(live_server.sparql, params={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="nt")


def test_describe_follows_blank_nodes_and_leaves_out_incoming_links(live_server):
    claim = URIRef(BASE + "id/claim/mnla-strength-2012")
    described = statements(live_server, "DESCRIBE clm:mnla-strength-2012")
    figure = described.value(claim, RDF.object)
    assert (figure, SCHEMA.minValue, Literal(9000)) in described and (figure, SCHEMA.maxValue, Literal(10000)) in described
    source = described.value(claim, URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"))
    assert described.value(source, URIRef("http://www.w3.org/ns/prov#entity")) == URIRef(BASE + "id/work/france24-2012a")
    mnla = URIRef(BASE + "id/organisation/mnla")
    assert set(statements(live_server, "DESCRIBE grp:mnla").subjects(None, mnla)) == set()
    incoming = statements(live_server, "CONSTRUCT { ?s ?p grp:mnla } WHERE { ?s ?p grp:mnla }")
    assert len(incoming) > 100 and set(incoming.objects()) == {mnla}


# --- each HTTP limit from its setting ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(project):
    """A server whose HTTP limits are small, set by the README's variables."""
    server = serve(project, max_path_length="100", max_query_length="300", max_parameters="5", max_header_field="1000",
                   max_headers="3000", max_body="2000", max_rows="3", workers="1")
    yield server
    stop_server(server)


def test_the_path_limit_is_its_setting(limited):
    path = "/id/organisation/"
    assert httpx.get(limited.url + path + "a" * (100 - len(path))).status_code == 404  # unknown, but read
    longer = httpx.get(limited.url + path + "a" * (101 - len(path)))
    assert longer.status_code == 414 and "the path exceeds 100 characters" in longer.text


def test_the_query_string_limit_is_its_setting(limited):
    assert httpx.get(limited.url + "/organisations?x=" + "a" * 298).status_code == 200
    longer = httpx.get(limited.url + "/organisations?x=" + "a" * 299)
    assert longer.status_code == 414 and "the query string exceeds 300 characters" in longer.text
    sparql = httpx.get(limited.sparql, params={"query": "ASK {} #" + "a" * 300})
    assert sparql.status_code == 414


def test_the_parameter_limit_is_its_setting(limited):
    assert httpx.get(limited.url + "/organisations?" + "&".join(f"p{i}=" for i in range(5))).status_code == 200
    more = httpx.get(limited.url + "/organisations?" + "&".join(f"p{i}=" for i in range(6)))
    assert more.status_code == 400 and "more than 5 parameters" in more.text


def test_the_header_limits_are_their_settings(limited):
    assert httpx.get(limited.url + "/", headers={"X-Long": "a" * 900}).status_code == 200
    field = httpx.get(limited.url + "/", headers={"X-Long": "a" * 1100})
    assert field.status_code == 431 and "the 'X-Long' field exceeds 1000 bytes" in field.text
    assert httpx.get(limited.url + "/", headers={f"X-Part-{i}": "a" * 800 for i in range(2)}).status_code == 200
    fields = httpx.get(limited.url + "/", headers={f"X-Part-{i}": "a" * 800 for i in range(4)})
    assert fields.status_code == 431 and "the header fields exceed 3000 bytes" in fields.text


def test_the_body_limit_is_its_setting(limited):
    def post(size: int) -> httpx.Response:
        body = "ASK {} #" + "a" * (size - len("ASK {} #"))
        return httpx.post(limited.sparql, content=body, headers={"Content-Type": "application/sparql-query"})

    assert post(2000).status_code == 200
    larger = post(2001)
    assert larger.status_code == 413 and "limited to 2000 bytes" in larger.text


def test_the_rows_limit_counts_triples_too(limited):
    """A CONSTRUCT past the limit is refused, as a SELECT is, never cut short."""
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT %d"
    assert len(Graph().parse(data=httpx.get(limited.sparql, params={"query": construct % 3}).text, format="turtle")) == 3
    refused = httpx.get(limited.sparql, params={"query": construct % 4})
    assert refused.status_code == 400 and "more than 3 rows" in refused.text and "LIMIT" in refused.text


def test_sparql_and_reconcile_take_longer_requests_by_post(live_server):
    """What the query string's 16 384 characters refuse by GET goes through by POST."""
    long_query = LABELS + " #" + "a" * 20_000
    assert httpx.get(live_server.sparql, params={"query": long_query}).status_code == 414
    for response in (httpx.post(live_server.sparql, data={"query": long_query}),
                     httpx.post(live_server.sparql, content=long_query, headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 2
    batch = json.dumps({f"q{i}": {"query": "Mouvement national de libération de l'Azawad",
                                  "type": "http://www.w3.org/ns/org#Organization", "type_strict": "should"}
                        for i in range(100)})
    assert httpx.get(live_server.url + "/reconcile", params={"queries": batch}).status_code == 414
    answered = httpx.post(live_server.url + "/reconcile", data={"queries": batch}, timeout=60)
    assert answered.status_code == 200
    assert {found["result"][0]["id"] for found in answered.json().values()} == {"organisation/mnla"}


# --- one client's share; a worker killed; no memory limit ---------------------------------------------------


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def test_a_client_over_its_share_waits_while_its_query_is_short_and_is_refused_once_it_is_long(project):
    """With two workers a client may run one query. A second, sent while the first is young, waits
    for it (here until its time limit ends it) and is answered; a third, sent once the first has
    run a second, is refused at once with 429."""
    server = serve(project, workers="2", query_timeout="4", queue_wait="60")
    try:
        idle = {pid: cpu_ticks(pid) for pid in workers_of(server)}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runaway = pool.submit(httpx.get, server.sparql, params={"query": RUNAWAY}, timeout=60)
            wait_until(lambda: any(cpu_ticks(pid) > ticks for pid, ticks in idle.items()), "the runaway to start")
            waiting = pool.submit(httpx.get, server.sparql, params={"query": SIMPLE}, timeout=60)
            wait_until(lambda: demoted(server), "the runaway to run for a second")
            refused = httpx.get(server.sparql, params={"query": SIMPLE}, timeout=60)
            outcomes = [future.result().status_code for future in (runaway, waiting)]
    finally:
        stop_server(server)
    assert refused.status_code == 429 and refused.headers["retry-after"].isdigit()
    assert outcomes == [503, 200]
    # after start_server's own query: the refusal came while the second query still waited
    assert re.findall(r" outcome=(\w+)", server.log())[1:] in (["refused", "ok", "timeout"], ["refused", "timeout", "ok"])


def test_a_query_whose_worker_is_killed_is_answered_by_another(project):
    server = serve(project, workers="2", query_timeout="120")
    try:
        statements = httpx.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        count = int(statements.json()["results"]["bindings"][0]["n"]["value"])
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            asked = pool.submit(httpx.get, server.sparql, params={"query": PAIRS_TWELVE_TIMES}, timeout=300)
            running = wait_until(lambda: demoted(server), "the query to run for a second")
            os.kill(running, signal.SIGKILL)
            answer = asked.result()
    finally:
        stop_server(server)
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == 12 * count * count
    assert f"pid={running}" in server.log() and "signal=SIGKILL" in server.log()


def test_a_memory_limit_of_zero_is_no_limit(project):
    """The same query is stopped under a small limit and answered with none."""
    for limit, status in ((str(8 * 2**20), 400), ("0", 200)):
        # run past a second, it only gets the CPU other work leaves: ample time for a machine under load
        server = serve(project, workers="1", query_memory=limit, query_timeout="300")
        try:
            response = httpx.get(server.sparql, params={"query": GROWN}, timeout=360)
        finally:
            stop_server(server)
        assert response.status_code == status, (limit, response.text)
    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(100 * 64**3 * 4)
