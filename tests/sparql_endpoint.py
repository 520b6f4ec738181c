"""A SPARQL 1.1 Protocol endpoint on loopback over a pyoxigraph store.

It stands in for Wikidata's query service, which tests cannot reach: the project's own clients
(SPARQLWrapper in the Wikidata tools, Oxigraph's SERVICE in federated queries) talk to it over real
HTTP. It records each request's User-Agent so tests can check how politely they were asked.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

RESULT_FORMATS = {"application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "application/sparql-results+json": ox.QueryResultsFormat.JSON}


class SparqlEndpoint:
    def __init__(self, turtle: Path):
        self.store = ox.Store()
        self.store.load(path=str(turtle), format=ox.RdfFormat.TURTLE)
        self.agents: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self._answer(parse_qs(urlsplit(self.path).query).get("query", [""])[0])

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                    self._answer(body)
                else:
                    self._answer(parse_qs(body).get("query", [""])[0])

            def _answer(self, query: str):
                endpoint.agents.append(self.headers.get("User-Agent", ""))
                accept = self.headers.get("Accept", "")
                media_type = next((t for t in RESULT_FORMATS if t in accept), "application/sparql-results+json")
                try:
                    results = endpoint.store.query(query)
                    body = results.serialize(format=RESULT_FORMATS[media_type])
                except (SyntaxError, ValueError) as problem:
                    self.send_response(400)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(str(problem).encode("utf-8"))
                    return
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
