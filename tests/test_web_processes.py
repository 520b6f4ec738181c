"""`serve --processes N` (service/web_processes.py): several web processes on one port, each with its
own query workers, supervised by the process that was started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import start_server, stop_server
from .waiting import wait_until

pytestmark = pytest.mark.slow

POOL_STARTED = "INFO pool query pool workers=2 "


def web_processes(parent: int) -> list[int]:
    """The processes the server spawned to serve (its query workers are their children, not its)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"multiprocessing.spawn" in command:
                found.append(int(entry.name))
    return sorted(found)


def test_each_process_serves_with_its_own_workers_and_one_that_dies_is_replaced(store_dir):
    server = start_server(store_dir, "--processes", "2", workers="2")
    try:
        assert "(2 web processes, each with 2 query workers, " in server.log()
        wait_until(lambda: server.log().count(POOL_STARTED) == 2, "both web processes' query pools")
        first = web_processes(server.process.pid)
        assert len(first) == 2
        os.kill(first[0], signal.SIGKILL)
        wait_until(lambda: server.log().count(POOL_STARTED) == 3, "a third pool, the dead process's replacement")
        assert "WARNING web process replaced pid=" in server.log()
        replaced = web_processes(server.process.pid)
        assert len(replaced) == 2 and first[0] not in replaced and first[1] in replaced
        answers = [httpx.get(server.sparql, params={"query": f"ASK {{ ?s ?p {n} }}"}).status_code for n in range(20)]
        assert answers == [200] * 20
    finally:
        stop_server(server)
    assert server.process.returncode == 0
    assert web_processes(server.process.pid) == []


def test_a_stop_stops_every_process(store_dir):
    server = start_server(store_dir, "--processes", "2", workers="1")
    children = web_processes(server.process.pid)
    assert len(children) == 2
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), "the web processes to end")


@pytest.mark.parametrize("count", ["0", "-1"])
def test_fewer_than_one_process_is_refused(count, store_dir):
    env = {**os.environ, "CONFLICT_LD_STORE": str(store_dir), "CONFLICT_LD_DUMPS": str(store_dir / "dumps")}
    finished = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", "0", "--processes", count],
                              capture_output=True, text=True, env=env, timeout=600)
    assert (finished.returncode, finished.stderr) == (2, "--processes must be 1 or more\n")
