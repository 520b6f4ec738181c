"""What the README's "Settings" table promises that no other module pins: the canonical base as
served, where each folder is by default, how proxies are listed, which stores are copied into the
workers' memory, and the document cache's bound."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from fastapi import Response
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from service.app import create_app
from service.config import Limits, Settings

from .conftest import ROOT, start_server, stop_server
from .projects import conflict_ld, small_project, store_in, workers_of
from .waiting import wait_until

FOLDERS = ("CONFLICT_LD_HOME", "CONFLICT_LD_STORE", "CONFLICT_LD_DUMPS", "CONFLICT_LD_BASE")


def test_the_folders_default_to_the_checkout(monkeypatch):
    for variable in FOLDERS:
        monkeypatch.delenv(variable, raising=False)
    settings = Settings.from_env()
    assert settings.base == "https://w3id.org/conflict-ld/"
    assert (settings.ontology_dir, settings.data_dir, settings.shapes_dir) == \
           (ROOT / "ontology", ROOT / "data" / "ttl", ROOT / "shapes")
    assert (settings.store_dir, settings.dumps_dir) == (ROOT / "var" / "store", ROOT / "var" / "dumps")


def test_home_moves_the_sources_and_the_default_folders(monkeypatch, tmp_path):
    for variable in FOLDERS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CONFLICT_LD_HOME", str(tmp_path))
    settings = Settings.from_env()
    assert (settings.ontology_dir, settings.data_dir, settings.shapes_dir) == \
           (tmp_path / "ontology", tmp_path / "data" / "ttl", tmp_path / "shapes")
    assert (settings.store_dir, settings.dumps_dir) == (tmp_path / "var" / "store", tmp_path / "var" / "dumps")


def test_trusted_proxies_are_separated_by_spaces_or_commas(monkeypatch):
    monkeypatch.setenv("CONFLICT_LD_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8 ::1,192.0.2.7")
    assert Limits.from_env().trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1", "192.0.2.7")


def test_the_document_cache_keeps_no_more_than_its_setting(monkeypatch):
    """The rendered documents kept, and as many bytes again of sorted links, each within the setting."""
    monkeypatch.setenv("CONFLICT_LD_DOCUMENT_CACHE", "1000")
    state = create_app(Settings()).state
    state.documents.keep("first", Response(b"a" * 600))
    assert state.documents.get("first") is not None
    state.documents.keep("second", Response(b"b" * 600))
    assert state.documents.get("first") is None and state.documents.get("second") is not None
    state.link_lists.keep("links", ["x"], 1001)
    assert state.link_lists.get("links") is None


# --- with a server -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_base_names_every_iri_served(tmp_path):
    """Relative IRIs in the sources resolve against CONFLICT_LD_BASE (its trailing slash added)."""
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    var.mkdir()
    server = start_server(var, home=str(home), base="https://example.org/cld")
    try:
        response = httpx.get(server.url + "/id/organisation/alpha", headers={"Accept": "text/turtle"})
        elsewhere = httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o FILTER (STRSTARTS(STR(?s), "
                                                               "'https://w3id.org/conflict-ld/')) }"})
    finally:
        stop_server(server)
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef("https://example.org/cld/id/organisation/alpha"), RDF.type,
            URIRef("https://example.org/cld/ontology#ArmedGroup")) in graph
    assert elsewhere.json()["boolean"] is False


def store_files_open(server, store: Path) -> dict[int, int]:
    """For each query worker, how many files of the store it holds open."""
    counts = {}
    for pid in workers_of(server):
        try:
            targets = [os.readlink(link) for link in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        counts[pid] = sum(1 for target in targets if target.startswith(str(store) + "/"))
    return counts


@pytest.mark.slow
def test_stores_up_to_in_memory_quads_are_copied_into_the_workers(tmp_path):
    """A store of that many quads is copied into each worker, which then holds none of its files
    open; one quad more and it is queried on disk."""
    home, var = small_project(tmp_path / "home"), tmp_path / "var"
    assert conflict_ld("build", home=home, var=var).returncode == 0
    store = store_in(var)
    quads = json.loads((store / "validated.json").read_text(encoding="utf-8"))["triples"]
    copied = start_server(var, home=str(home), in_memory_quads=str(quads), workers="2")
    try:
        wait_until(lambda: (files := store_files_open(copied, store)) and not any(files.values()),
                   "the workers to copy the store into memory")
        assert httpx.get(copied.sparql, params={"query": "ASK { grp:alpha ?p ?o }"}).json()["boolean"] is True
    finally:
        stop_server(copied)
    on_disk = start_server(var, home=str(home), in_memory_quads=str(quads - 1), workers="2")
    try:
        assert httpx.get(on_disk.sparql, params={"query": "ASK { grp:alpha ?p ?o }"}).json()["boolean"] is True
        files = store_files_open(on_disk, store)
    finally:
        stop_server(on_disk)
    assert len(files) == 2 and all(files.values()), files
