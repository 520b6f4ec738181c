"""What the README's "Dumps" section promises that no other module pins: how long each URL may be
cached, and a release folder that holds every byte the service sends (what lets a static server
answer for it)."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from service.dumps import SUMS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def listing(live_server) -> dict:
    return httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()


def test_a_release_is_cached_for_a_year_and_the_current_names_are_revalidated(live_server, listing):
    release = listing["version"]
    for entry in [*listing["files"], {"name": SUMS}]:
        versioned = httpx.head(f"{live_server.url}/dumps/{release}/{entry['name']}")
        current = httpx.head(f"{live_server.url}/dumps/{entry['name']}")
        assert versioned.status_code == current.status_code == 200, entry["name"]
        assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert current.headers["cache-control"] == "no-cache" and current.headers["last-modified"]
        if "sha256" in entry:
            assert current.headers["etag"] == f'"{entry["sha256"]}"'


def test_the_release_folder_holds_every_byte_served(live_server, listing, store_dir):
    folder = store_dir / "dumps" / listing["version"]  # CONFLICT_LD_DUMPS of the session's server
    for name in [*(entry["name"] for entry in listing["files"]), SUMS]:
        served = httpx.get(f"{live_server.url}/dumps/{name}").content
        assert (folder / name).read_bytes() == served, name
    sums = (folder / SUMS).read_text(encoding="utf-8")
    for entry in listing["files"]:
        assert f"{hashlib.sha256((folder / entry['name']).read_bytes()).hexdigest()}  {entry['name']}\n" in sums


def test_the_quads_dump_keeps_the_named_graphs(live_server, settings):
    """The README names ontology, data and derived; the Wikidata-shaped view is a named graph too."""
    quads = httpx.get(live_server.url + "/dumps/conflict-ld.nq").text.splitlines()
    graphs = {line.rsplit(" ", 2)[-2] for line in quads}
    assert graphs == {f"<{settings.graph_iri(name)}>" for name in ("ontology", "data", "derived", "wikidata", "inferred")}
