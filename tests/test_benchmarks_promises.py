"""What the README's "Benchmarks" section promises of the tools it gives: a synthetic store that
`conflict-ld serve --store` serves, the options of the suite, and nginx locations, as written
there, that answer for the dumps from a release folder while the service keeps the rest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, start_server, stop_server
from .projects import small_project
from .waiting import wait_until

pytestmark = pytest.mark.slow

ID = "https://w3id.org/conflict-ld/id/"


def test_a_synthetic_store_is_the_data_replicated_and_served_with_store(tmp_path):
    home, target = small_project(tmp_path / "home"), tmp_path / "synthetic"
    env = {**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(tmp_path / "var"),
           "CONFLICT_LD_DUMPS": str(tmp_path / "var" / "dumps")}
    done = subprocess.run([sys.executable, "-m", "bench.synthetic", "3", str(target)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"{re.escape(str(target))}: [\d,]+ quads at 3x in \d+ s\n", done.stdout), done.stdout
    (tmp_path / "served").mkdir()
    server = start_server(tmp_path / "served", "--store", str(target), home=str(home))
    try:
        def values(query: str) -> set[str]:
            response = httpx.get(server.sparql, params={"query": query})
            assert response.status_code == 200, response.text
            return {row["v"]["value"] for row in response.json()["results"]["bindings"]}

        organisations = values("SELECT ?v WHERE { ?v a cao:ArmedGroup }")
        labels = values(f"SELECT ?v WHERE {{ <{ID}organisation/alpha-r2> rdfs:label ?v }}")
        towns = values("SELECT ?v WHERE { ?v a schema:City }")
        linked = values("SELECT ?v WHERE { ?v owl:sameAs wd:Q853699 }")
    finally:
        stop_server(server)
    assert organisations == {f"{ID}organisation/alpha", f"{ID}organisation/alpha-r1", f"{ID}organisation/alpha-r2"}
    assert labels == {"Alpha [2]"}  # in English and in French
    assert towns == {f"{ID}place/town"}  # places are shared
    assert linked == {f"{ID}organisation/alpha"}  # an item still leads to one entity


def test_the_suite_takes_the_options_the_readme_names():
    """The measurements take minutes of load on a quiet machine and are not run here; the options are."""
    done = subprocess.run([sys.executable, "-m", "bench.run", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for option in ("--scales", "--peer-up-to", "--floor-up-to", "--overload-only", "--output"):
        assert option in done.stdout, option


def nginx_locations(dumps: Path, service: str) -> str:
    """The README's nginx locations, with its folder and the service's address replaced by ours."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", readme, re.DOTALL)[1]
    assert "/srv/conflict-ld/var/dumps/" in block and "http://127.0.0.1:8000" in block
    return block.replace("/srv/conflict-ld/var/dumps/", f"{dumps}/").replace("http://127.0.0.1:8000", service)


@pytest.fixture
def nginx(live_server, store_dir, tmp_path):
    """nginx in front of the session's server, configured with the README's locations and listening
    on a Unix socket (no port to choose, so none to race for); `current` is a link to the release
    folder that /dumps/ names. Yields a client of nginx and the release."""
    release = httpx.get(live_server.url + "/dumps/", headers={"Accept": "application/json"}).json()["version"]
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "current").symlink_to(store_dir / "dumps" / release)
    (dumps / release).symlink_to(store_dir / "dumps" / release)
    socket_path = Path(tempfile.mkdtemp(prefix="nginx-", dir="/tmp")) / "socket"  # a socket's path has at most 107 bytes
    temporary = " ".join(f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                              "scgi"))
    (tmp_path / "nginx.conf").write_text(f"""daemon off; master_process off; pid {tmp_path / 'nginx.pid'};
error_log {tmp_path / 'error.log'};
events {{ worker_connections 64; }}
http {{ access_log off; {temporary}
  server {{ listen unix:{socket_path};
{nginx_locations(dumps, live_server.url)}
  }}
}}
""", encoding="utf-8")
    process = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e",
                                str(tmp_path / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(transport=httpx.HTTPTransport(uds=str(socket_path)), base_url="http://localhost")

    def answering() -> bool:
        assert process.poll() is None, (tmp_path / "error.log").read_text()
        try:
            return client.get("/dumps/SHA256SUMS").status_code == 200
        except httpx.TransportError:
            return False

    wait_until(answering, "nginx to answer")
    yield client, release
    client.close()
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(socket_path.parent)


def test_the_readmes_nginx_locations_send_the_dumps_from_the_release_folder(nginx, live_server):
    client, release = nginx
    for name in ("conflict-ld.nt.gz", "conflict-ld.jsonld", "SHA256SUMS"):
        static = client.get(f"/dumps/{name}")
        assert static.status_code == 200 and static.content == httpx.get(f"{live_server.url}/dumps/{name}").content
        assert static.headers["cache-control"] == "no-cache"
        assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', static.headers["etag"])  # nginx's own tag: sent from the folder
        assert client.get(f"/dumps/{name}", headers={"If-None-Match": static.headers["etag"]}).status_code == 304
        versioned = client.get(f"/dumps/{release}/{name}")
        assert versioned.content == static.content and re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', versioned.headers["etag"])
        assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    listing = client.get("/dumps/", headers={"Accept": "application/json"})  # the service keeps the listing
    assert listing.json()["version"] == release
    assert client.get("/sparql", params={"query": "ASK { grp:mnla ?p ?o }"}).json()["boolean"] is True
