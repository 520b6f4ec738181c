"""Queries run in a pool of worker processes that can be killed.

An embedded Oxigraph query cannot be interrupted from Python, so a query past its time limit would
keep a core busy. Each query therefore runs in a worker process holding the store open read-only;
when the limit passes, the worker is killed (the CPU is freed at once) and a fresh one takes its
place. The pool's size bounds concurrency: a request that finds no free worker within a short wait
is refused as saturated rather than queued without end. A query still running after `LONG_QUERY`
seconds has its worker moved to the idle scheduling class, so it only gets CPU no short query
wants: a runaway does not slow everyone else down while it waits for its limit. The event loop
never runs a query itself; it talks to the workers over their sockets directly (multiprocessing's
framing, read and written by asyncio), so a request costs no hand-over to a thread and back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import socket
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .results import TooLarge, TooManyRows
from .store import Answer, EmbeddedStore, Query, QuerySyntaxError

# Workers are forked from a server process that has imported this module once, not started afresh:
# a worker is ready in milliseconds, so the pool starts (and a killed worker is replaced) quickly.
# The fork happens before any store is opened, and the server holds no thread, so forking is safe.
_CONTEXT = multiprocessing.get_context("forkserver")
LONG_QUERY = 1.0  # seconds after which a query runs at the idle scheduling class


def start_forking() -> None:
    """Start the process workers are forked from, if it is not running, so that it loads while the
    web app does. Each worker runs the program's main module again (multiprocessing does), so that
    module is loaded in the server too, and the worker finds its imports done."""
    main = getattr(sys.modules["__main__"].__spec__, "name", None)  # run with -m, the module's name
    _CONTEXT.set_forkserver_preload([__name__, main if main and not main.endswith("__main__") else "__main__"])
    multiprocessing.forkserver.ensure_running()


class Saturated(Exception):
    """Every worker is busy."""


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class WorkerFailed(Exception):
    """The worker process died while answering (it is replaced)."""


def _serve(store_path: str, in_memory_quads: int, connection: Connection) -> None:
    store = EmbeddedStore(Path(store_path), in_memory_quads, warm_in_background=True)
    connection.send(("ready", None))
    while True:
        try:
            query = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", store.answer(query)))
        except QuerySyntaxError as error:
            connection.send(("syntax", str(error)))
        except TooManyRows as error:
            connection.send(("rows", error.limit))
        except TooLarge as error:
            connection.send(("bytes", error.limit))
        except Exception as error:  # noqa: BLE001 — reported to the caller, the worker lives on
            connection.send(("failed", f"{type(error).__name__}: {error}"))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    channel: socket.socket  # the parent's end of the worker's connection
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    demoted: bool = False

    @classmethod
    def start(cls, store_path: Path, in_memory_quads: int) -> "_Worker":
        parent, theirs = socket.socketpair()  # what `Pipe()` makes, keeping our end a socket
        child = Connection(theirs.detach())
        process = _CONTEXT.Process(target=_serve, args=(str(store_path), in_memory_quads, child), daemon=True)
        process.start()
        child.close()
        with Connection(os.dup(parent.fileno())) as handshake:
            status, _ = handshake.recv()
        assert status == "ready"
        return cls(process, parent)

    async def exchange(self, query: Query) -> tuple[str, object]:
        """Send a query and read the reply, framed as `Connection.send` and `recv` frame them."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(sock=self.channel)
        data = pickle.dumps(query, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack("!i", len(data)) + data)
        await self.writer.drain()
        size, = struct.unpack("!i", await self.reader.readexactly(4))
        if size == -1:  # a message of 2 GiB or more
            size, = struct.unpack("!Q", await self.reader.readexactly(8))
        return pickle.loads(await self.reader.readexactly(size))

    def demote(self) -> None:
        """Let the worker run only when a CPU has nothing else to do (Linux's SCHED_IDLE)."""
        try:
            os.sched_setscheduler(self.process.pid, os.SCHED_IDLE, os.sched_param(0))
            self.demoted = True
        except (OSError, AttributeError):  # not Linux, or the process is gone
            pass

    def promote(self) -> bool:
        """Back to normal scheduling; False where that needs a privilege the service lacks."""
        try:
            os.sched_setscheduler(self.process.pid, os.SCHED_OTHER, os.sched_param(0))
        except OSError:
            return False
        self.demoted = False
        return True

    def disconnect(self) -> None:
        """Close the parent's end (on the event loop, which owns the transport)."""
        if self.writer is not None:
            self.writer.transport.abort()
        else:
            self.channel.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()


class QueryPool:
    def __init__(self, store_path: Path, size: int, timeout: float, wait: float, in_memory_quads: int = 0):
        self.store_path, self.size, self.timeout, self.wait = store_path, size, timeout, wait
        self.in_memory_quads = in_memory_quads
        self._idle: asyncio.Queue[_Worker] | None = None
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="query")
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        start_forking()
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn) for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker.start(self.store_path, self.in_memory_quads)
        with self._lock:
            self._all.add(worker)
        return worker

    async def answer(self, query: Query) -> Answer:
        assert self._idle is not None, "start() the pool first"
        try:  # a free worker is taken at once; only waiting for one costs a task (wait_for's)
            worker = self._idle.get_nowait() if not self._idle.empty() else \
                await asyncio.wait_for(self._idle.get(), timeout=self.wait)
        except asyncio.TimeoutError:
            raise Saturated() from None
        demotion = asyncio.get_running_loop().call_later(LONG_QUERY, worker.demote)
        try:
            async with asyncio.timeout(self.timeout):  # in this task: no task of its own, as wait_for makes
                status, payload = await worker.exchange(query)
        except BaseException as problem:  # the worker is mid-exchange or dead: it is never reused
            demotion.cancel()
            replacement = self._retire(worker)
            if isinstance(problem, asyncio.CancelledError):
                raise  # the request went away; the replacement joins the pool when ready
            await replacement
            if isinstance(problem, asyncio.TimeoutError):
                raise QueryTimeout() from None
            if isinstance(problem, (asyncio.IncompleteReadError, OSError)):
                raise WorkerFailed(str(problem)) from None
            raise
        demotion.cancel()
        if worker.demoted and not worker.promote():
            self._retire(worker)  # a fresh worker runs at normal priority
        else:
            self._idle.put_nowait(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "rows":
            raise TooManyRows(payload)
        if status == "bytes":
            raise TooLarge(payload)
        raise RuntimeError(payload)

    def _retire(self, worker: _Worker) -> asyncio.Future:
        """Stop the worker; a new one joins the idle workers when it is ready."""
        worker.disconnect()
        replacement = asyncio.get_running_loop().run_in_executor(self._threads, self._replace, worker)
        replacement.add_done_callback(self._return)
        return replacement

    def _return(self, replacement: asyncio.Future) -> None:
        if not replacement.cancelled() and replacement.exception() is None:
            self._idle.put_nowait(replacement.result())

    def _replace(self, worker: _Worker) -> _Worker:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        return self._spawn()

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    async def stop(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.disconnect()
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)
