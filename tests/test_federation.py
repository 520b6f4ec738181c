"""SERVICE is refused unless allow-listed, and a refused endpoint is never contacted."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .conftest import start_server, stop_server

pytestmark = pytest.mark.slow


def test_service_is_refused_by_default_without_a_connection(live_server, listener):
    endpoint, contacts = listener
    for query in (f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}",
                  "SELECT * WHERE { BIND(<%s> AS ?e) SERVICE ?e { ?s ?p ?o } }" % endpoint):
        response = httpx.get(live_server.sparql, params={"query": query})
        assert response.status_code == 403
        assert "not allowed" in response.text
    assert contacts == []


REMOTE_ANSWER = {"head": {"vars": ["name"]},
                 "results": {"bindings": [{"name": {"type": "literal", "value": "from the remote endpoint"}}]}}


@pytest.fixture
def remote_endpoint():
    """A SPARQL endpoint on loopback standing in for a remote one: it answers every query with one
    solution (SPARQL 1.1 Protocol, JSON results) and records the queries it was sent."""
    received = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            received.append(parse_qs(body.decode("utf-8")).get("query", [body.decode("utf-8")])[0])
            self._answer()

        def do_GET(self):
            received.append(parse_qs(urlsplit(self.path).query).get("query", [""])[0])
            self._answer()

        def _answer(self):
            payload = json.dumps(REMOTE_ANSWER).encode("utf-8")
            self.send_response(200)
            self.send_header("content-type", "application/sparql-results+json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", received
    server.shutdown()
    thread.join()


def test_an_allow_listed_endpoint_is_called_and_its_answer_joined(store_dir, remote_endpoint, listener):
    """An allow-listed endpoint answers (200, its solution in ours); one that accepts the connection
    and closes it gives no answer (502 Bad Gateway: RFC 9110 §15.6.3); any other is refused (403)."""
    endpoint, received = remote_endpoint
    silent, contacts = listener
    server = start_server(store_dir, service_allow=f"{endpoint} {silent}")
    try:
        query = f"SELECT ?name WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?name }} }}"
        response = httpx.get(server.sparql, params={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"] == REMOTE_ANSWER["results"]["bindings"]
        assert len(received) == 1 and "?name" in received[0]
        closed = httpx.get(server.sparql, params={"query": f"SELECT * WHERE {{ SERVICE <{silent}> {{ ?s ?p ?o }} }}"},
                           timeout=30)
        assert contacts, "the allow-listed endpoint was not contacted"
        assert closed.status_code == 502, closed.text
        other = httpx.get(server.sparql, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }"})
        assert other.status_code == 403
    finally:
        stop_server(server)
