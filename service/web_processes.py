"""Several web processes answering on one listening socket (`serve --processes N`).

The socket is bound once, by the parent; each web process is started afresh (spawned, as nothing
of the parent's event loop or threads may be inherited), takes the socket, prepares what the
parent just prepared (its checks find the store and dumps in place and reuse them) and serves with
its own pool of query workers. The kernel spreads the connections among the processes. The parent
only supervises: a process that dies is replaced, and a stop (SIGTERM, SIGINT) is passed on to all.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from typing import Callable

from .logs import event, logger

_LOG = logger("web")


RESTARTS = 3  # deaths per process within a minute after which the parent stops: they cannot start


def supervise(count: int, sockets: list[socket.socket], serve: Callable[[list[socket.socket]], None]) -> int:
    """Run `serve(sockets)` in `count` spawned processes until the parent is told to stop (0), or
    until they die faster than they can be replaced (1)."""
    spawn = multiprocessing.get_context("spawn")
    stopping = threading.Event()
    for kind in (signal.SIGTERM, signal.SIGINT):
        signal.signal(kind, lambda number, frame: stopping.set())

    def started() -> multiprocessing.Process:
        process = spawn.Process(target=serve, args=(sockets,), name="web", daemon=False)
        process.start()
        return process

    processes = [started() for _ in range(count)]
    deaths: list[float] = []
    failed = False
    while not stopping.wait(0.5):
        for number, process in enumerate(processes):
            if not process.is_alive():
                deaths = [when for when in deaths if when > time.monotonic() - 60] + [time.monotonic()]
                if len(deaths) > RESTARTS * count:
                    event(_LOG, "stopping", logging.ERROR, reason="web processes die as they start", exit=process.exitcode)
                    failed = True
                    stopping.set()
                    break
                event(_LOG, "process replaced", logging.WARNING, pid=process.pid, exit=process.exitcode)
                processes[number] = started()
    for process in processes:
        process.terminate()  # each web process stops as uvicorn does on SIGTERM: it finishes its requests
    for process in processes:
        process.join()
    return 1 if failed else 0
