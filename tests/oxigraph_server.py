"""Oxigraph's own server (PyPI `oxigraph`), started on loopback for the tests of the remote store.

It is asked to bind port 0 and prints `:0` back, so the port the system gave it is read from the
kernel's table of listening sockets (`/proc/net/tcp`), matched to the sockets the process holds:
no port is chosen in advance, so none can be taken by another process in between.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .waiting import wait_until

LISTEN = "0A"  # a socket's state in /proc/net/tcp


@dataclass
class OxigraphServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

    @property
    def query(self) -> str:
        return self.url + "/query"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


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
