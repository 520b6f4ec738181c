"""SERVICE cannot be smuggled past the query analysis: against the real server, every way of hiding
a SERVICE call from a lexer is refused before the engine runs, and the endpoint it names (a real
HTTP server on loopback) is never contacted. Nor is an IRI named in FROM ever fetched.

These hold whether or not the query workers also run without network access: each is checked
against the usual server (workers denied the network) and against one whose workers keep it (an
allow-list names another endpoint), where only the analysis stands in the way.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from .conftest import start_server, stop_server

pytestmark = pytest.mark.slow


class _Recording(BaseHTTPRequestHandler):
    """Records every connection, and answers any request with an empty SPARQL result."""

    def setup(self):
        self.server.contacts.append(self.client_address)
        super().setup()

    def _answer(self):
        body = b'{"head": {"vars": []}, "results": {"bindings": [{}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *arguments):  # the test reads `contacts`, not standard error
        pass


@pytest.fixture
def endpoint():
    """A SPARQL endpoint on 127.0.0.1 (a free port) that records whoever connects to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    server.contacts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def networked_server(store_dir):
    """A server whose query workers keep the network, as they do once any endpoint is allow-listed."""
    server = start_server(store_dir, service_allow="https://query.wikidata.org/sparql")
    yield server
    stop_server(server)


@pytest.fixture(params=["workers without network", "workers with network"])
def server(request, live_server):
    return live_server if request.param == "workers without network" else request.getfixturevalue("networked_server")


def bypasses(url: str) -> list[str]:
    """Queries whose SERVICE a lexer that misreads strings, comments, names or escapes would miss."""
    return [
        # `\'` is an escape (PN_LOCAL_ESC) in a prefixed name, not the start of a string
        f"SELECT * WHERE {{ BIND(cao:x\\' AS ?z) SERVICE <{url}> {{ ?a ?b ?c }} }} #'",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ BIND(cao:x\\' AS ?z) SERVICE <{url}> {{ ?a ?b ?c }} }} }} #'",
        f"SELECT * WHERE {{ ?s cao:a\\# ?o . SERVICE <{url}> {{ ?a ?b ?c }} }}",
        f"select * where {{ service <{url}> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?a ?b ?c }} }}",  # SPARQL 1.1 §19.2: escapes first
        f"SELECT * WHERE {{ ?s ?p ?o # \\u000A SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
        f"SELECT * WHERE {{ {{ SELECT ?a WHERE {{ {{ SELECT ?a WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }} }} }} }}",
        f"SELECT * WHERE {{ ?s <urn:x#SERVICE> ?o . SERVICE SILENT <{url}> {{ ?a ?b ?c }} }}",
        # Oxigraph reads `\u0027` in a string as a quote inside it: the SERVICE is code
        f"SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }} #'''",
        # after an operand, `<` is less-than: no IRI `<'>` that would let a string hide the SERVICE
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<'>')SERVICE<{url}>{{?a ?b ?c}}#'\n}}",
        # keywords need no word boundary in Oxigraph's parser
        f"PREFIX loop: <{url[:-len('sparql')]}> SELECT * WHERE {{ SERVICEloop:sparql {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?a ?b ?c }} }}",
    ]


def send(server, text: str, method: str) -> httpx.Response:
    if method == "GET":
        return httpx.get(server.sparql, params={"query": text}, timeout=30)
    if method == "form":
        return httpx.post(server.sparql, data={"query": text}, timeout=30)
    return httpx.post(server.sparql, content=text.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-query"}, timeout=30)


@pytest.mark.parametrize("method", ["GET", "form", "sparql-query"])
def test_no_hidden_service_reaches_its_endpoint(server, endpoint, method):
    url = f"http://127.0.0.1:{endpoint.server_address[1]}/sparql"
    for text in bypasses(url):
        response = send(server, text, method)
        assert response.status_code in (400, 403), (text, response.status_code, response.text)
        assert "Traceback" not in response.text
    assert endpoint.contacts == []
    assert "refused" in server.log() and "reason=service" in server.log()


def test_a_long_query_is_read_to_its_end(server, endpoint):
    """A text of a few hundred kilobytes (read off the event loop) hides nothing at its end either."""
    url = f"http://127.0.0.1:{endpoint.server_address[1]}/sparql"
    text = "SELECT * WHERE { " + "?s ?p ?o . " * 20_000 + f"BIND(cao:x\\' AS ?z) SERVICE <{url}> {{ ?a ?b ?c }} }} #'"
    response = send(server, text, "sparql-query")
    assert response.status_code == 403 and url in response.text
    assert endpoint.contacts == []


def test_the_listener_answers_when_called(endpoint):
    """The endpoint above does record a connection (so an empty record means none was made)."""
    response = httpx.get(f"http://127.0.0.1:{endpoint.server_address[1]}/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200 and len(endpoint.contacts) == 1


def test_a_remote_graph_in_from_is_never_fetched(server, endpoint):
    """FROM names a graph of our dataset; an IRI that names none is an empty graph, not a download."""
    url = f"http://127.0.0.1:{endpoint.server_address[1]}/graph.ttl"
    for query in (f"SELECT (COUNT(*) AS ?n) FROM <{url}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT (COUNT(*) AS ?n) FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        response = httpx.get(server.sparql, params={"query": query}, timeout=30)
        assert response.status_code == 200
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert endpoint.contacts == []
