"""The external SPARQL engines the tests start on loopback: Oxigraph's own server (PyPI `oxigraph`)
and Virtuoso (Debian's `virtuoso-opensource`).

Oxigraph server is asked to bind port 0 and prints `:0` back, so the port the system gave it is read
from the kernel's table of listening sockets (`/proc/net/tcp`), matched to the sockets the process
holds: no port is chosen in advance, so none can be taken by another process in between. Virtuoso
cannot be told to bind port 0, so two free ports are picked and, should another process take one
first, it is started again on two others. Its configuration is Debian's own, with the database in a
folder of the test's, the result-set cap raised above the service's row limit (Virtuoso's default of
10,000 rows cuts answers short without saying so) and the SPARQL user granted updates, which the
Graph Store Protocol's writes need.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .waiting import wait_until

LISTEN = "0A"  # a socket's state in /proc/net/tcp
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
ATTEMPTS = 5


@dataclass
class EngineServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class OxigraphServer(EngineServer):
    @property
    def query(self) -> str:
        return self.url + "/query"


class VirtuosoServer(EngineServer):
    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def graph_store(self) -> str:
        return self.url + "/sparql-graph-crud"


def executable() -> str:
    """The `oxigraph` command installed beside this Python (the test extras pin it)."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the `oxigraph` command is not installed: pip install -e '.[test]'")
    return found


def listening_port(pid: int) -> int | None:
    """The TCP port the process listens on, if it listens yet."""
    try:
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[len("socket:["):-1] for fd in os.listdir(f"/proc/{pid}/fd")
                  if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:[")}
    except (FileNotFoundError, ProcessLookupError):
        return None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == LISTEN and fields[9] in inodes:
                    return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def start_oxigraph(folder: Path, *options: str) -> OxigraphServer:
    """`oxigraph serve` on a store in `folder`, ready when it answers a query."""
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / "oxigraph.log", "wb")
    process = subprocess.Popen([executable(), "serve", "--location", str(folder / "db"), "--bind", "127.0.0.1:0",
                                *options], stdout=log, stderr=subprocess.STDOUT)

    def answering() -> OxigraphServer | None:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {(folder / 'oxigraph.log').read_text(errors='replace')}")
        port = listening_port(process.pid)
        if port is None:
            return None
        url = f"http://127.0.0.1:{port}"
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=5) as response:
                return OxigraphServer(url, process) if response.status == 200 else None
        except OSError:
            return None

    try:
        return wait_until(answering, "Oxigraph server to answer", timeout=60)
    except BaseException:
        process.kill()
        raise


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _configured(folder: Path, sql_port: int, http_port: int) -> Path:
    text = DEBIAN_INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    text = re.sub(r"(\[Parameters\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{sql_port}", text, flags=re.S)
    text = re.sub(r"(\[HTTPServer\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>127.0.0.1:{http_port}", text, flags=re.S)
    text = re.sub(r"ResultSetMaxRows\s*=\s*\d+", "ResultSetMaxRows = 1000000", text)
    ini = folder / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


def start_virtuoso(folder: Path) -> VirtuosoServer:
    """`virtuoso-t` on a fresh database in `folder`, ready when its SPARQL endpoint answers."""
    for _ in range(ATTEMPTS):
        folder.mkdir(parents=True, exist_ok=True)
        sql_port, http_port = _free_port(), _free_port()
        ini = _configured(folder, sql_port, http_port)
        log = open(folder / "virtuoso.out", "ab")
        process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{http_port}"

        def answering() -> bool | None:
            if process.poll() is not None:
                return False  # exited: most likely a port taken in between; try two others
            try:
                with urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=5) as response:
                    return response.status == 200 or None
            except OSError:
                return None

        if wait_until(lambda: answering() is not None, "Virtuoso to answer or exit", timeout=120) and \
                process.poll() is None:
            subprocess.run(["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                           check=True, capture_output=True, timeout=60)
            return VirtuosoServer(url, process)
        process.kill()
    raise RuntimeError(f"Virtuoso did not start in {ATTEMPTS} attempts: see {folder / 'virtuoso.out'}")
