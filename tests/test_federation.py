"""SERVICE is refused unless allow-listed, and a refused endpoint is never contacted."""


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


def test_an_allow_listed_endpoint_is_called(store_dir, listener):
    endpoint, contacts = listener
    server = start_server(store_dir, service_allow=endpoint)
    try:
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        response = httpx.get(server.sparql, params={"query": query}, timeout=30)
        assert contacts, "the allow-listed endpoint was not contacted"
        assert response.status_code in (200, 502, 503)
        other = httpx.get(server.sparql, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }"})
        assert other.status_code == 403
    finally:
        stop_server(server)
