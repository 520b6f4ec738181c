"""Virtuoso as the external engine (Debian's `virtuoso-opensource` 7.2): `conflict-ld load --into`
loads it as it loads Oxigraph server, and what it answers to the example queries is compared with
the embedded store's, query by query. The differences are Virtuoso's, each named below; the README's
*An external engine* lists them for people choosing an engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from service.namespaces import prefixes
from service.query_text import analyse
from service.remote_store import Endpoints, EngineFailed, RemoteStore
from service.store import EmbeddedStore, Query

from .conftest import ROOT
from .test_remote_store import BASE, GRAPHS, RELEASES, served, triples_per_graph  # noqa: F401 (a fixture)
from .engines import start_virtuoso

pytestmark = pytest.mark.slow

PREFIXES = prefixes(BASE)
SAME, ORDER, LANGUAGE, DIFFERENT, REFUSED = ("same", "same rows in another order", "same but for language tags",
                                            "different", "refused")
# What Virtuoso 7.2.5 answers to each example query, beside the embedded store (Oxigraph):
EXPECTED = {
    "01-cma-members-over-time": SAME, "04-org-chart": SAME, "06-did-mnla-ally-with-ansar-dine": SAME,
    "09-ideology-aims-and-methods": SAME, "13-events-per-year-per-actor": SAME, "14-figures": SAME,
    "15-causes-and-effects": SAME, "18-wikidata-ids": SAME, "19-claims-by-certainty": SAME,
    "24-notes-and-what-cites-them": SAME, "25-wikidata-style-memberships": SAME,
    # ORDER BY leaves ties (SPARQL leaves their order to the engine)
    "08-ethnic-composition": ORDER,
    # GROUP_CONCAT of labels in one language: Oxigraph keeps the language tag, Virtuoso gives a
    # simple literal, as SPARQL 1.1 (§18.5.1.7) says
    "03-organisation-lineage": LANGUAGE, "05-relationships-in-2012": LANGUAGE, "07-who-supported-whom": LANGUAGE,
    "10-strength-figures": LANGUAGE, "11-arsenal-and-arms-sources": LANGUAGE, "20-hedged-claims": LANGUAGE,
    # FILTER NOT EXISTS over rdfs:subClassOf+ (a place's or an event's most specific kind): Virtuoso
    # finds other kinds (a city is also "Place", an armed conflict also "event", or no kind at all)
    "12-timeline-of-events": DIFFERENT, "17-places-with-coordinates": DIFFERENT,
    "22-everything-citing-desgrais-2018": DIFFERENT,
    # xsd:duration values are written as seconds ("172800.0"^^xsd:duration, not "P2D")
    "16-relative-dates": DIFFERENT,
    # GROUP_CONCAT over no value: Virtuoso gives "" where Oxigraph leaves the variable unbound
    "21-claims-with-sources-and-pages": DIFFERENT, "26-claims-by-sentence": DIFFERENT,
    # its cost estimator refuses before running ("exceeds the limit of 400 (sec)")
    "02-leaders-and-terms": REFUSED, "23-bibliography": REFUSED,
}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def loaded(virtuoso, store_dir, served):  # noqa: F811 (the fixture imported above)
    env = {**os.environ, "CONFLICT_LD_STORE": str(store_dir), "CONFLICT_LD_DUMPS": str(store_dir / "dumps")}
    finished = subprocess.run([sys.executable, "-m", "service.cli", "load", "--into", virtuoso.sparql,
                               "--graph-store", virtuoso.graph_store], capture_output=True, text=True, env=env,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout


def test_load_fills_every_graph(loaded, virtuoso, served):  # noqa: F811
    expected = {**triples_per_graph(served), **{f"{BASE}release/{v}": n for v, n in RELEASES.items()}}
    store = RemoteStore(Endpoints.of(virtuoso.sparql, graph_store=virtuoso.graph_store), GRAPHS)
    assert {graph: store.count(graph) for graph in expected} == expected
    assert loaded.rstrip().endswith(f"loaded 7 graphs into {virtuoso.graph_store}, each count checked")


def test_each_example_query_as_virtuoso_answers_it(loaded, virtuoso, served):  # noqa: F811
    embedded = EmbeddedStore(served.store)
    remote = RemoteStore(Endpoints.of(virtuoso.sparql, graph_store=virtuoso.graph_store), GRAPHS)
    found = {}
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        media_type = "text/turtle" if analyse(text).returns_graph else "text/tab-separated-values"
        query = Query(text, media_type, PREFIXES, base="http://127.0.0.1/sparql")
        mine = re.sub(rb"_:\w+", b"_:b", embedded.answer(query).body)
        try:
            theirs = re.sub(rb"_:\w+", b"_:b", remote.answer(query).body)
        except EngineFailed as problem:
            found[path.stem] = REFUSED if "exceeds the limit" in str(problem) else str(problem)
            continue
        untagged = [sorted(re.sub(rb"@[a-z]+(?=\t|$)", b"", body, flags=re.MULTILINE).splitlines())
                    for body in (mine, theirs)]
        found[path.stem] = (SAME if mine == theirs else ORDER if sorted(mine.splitlines()) == sorted(theirs.splitlines())
                            else LANGUAGE if untagged[0] == untagged[1] else DIFFERENT)
    assert found == EXPECTED
