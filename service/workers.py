"""Queries run in a pool of worker processes that can be killed.

An embedded Oxigraph query cannot be interrupted from Python, so a query past its time limit would
keep a core busy. Each query therefore runs in a worker process holding the store open read-only;
when the limit passes, the worker is killed (the CPU is freed at once) and a fresh one takes its
place. The pool's size bounds concurrency: a request that finds no free worker within a short wait
is refused as saturated rather than queued without end. The event loop never runs a query itself.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .results import TooLarge, TooManyRows
from .store import Answer, EmbeddedStore, Query, QuerySyntaxError

_CONTEXT = multiprocessing.get_context("spawn")


class Saturated(Exception):
    """Every worker is busy."""


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class WorkerFailed(Exception):
    """The worker process died while answering (it is replaced)."""


def _serve(store_path: str, in_memory_quads: int, connection: Connection) -> None:
    store = EmbeddedStore(Path(store_path), in_memory_quads)
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
    connection: Connection

    @classmethod
    def start(cls, store_path: Path, in_memory_quads: int) -> "_Worker":
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_serve, args=(str(store_path), in_memory_quads, child), daemon=True)
        process.start()
        child.close()
        status, _ = parent.recv()
        assert status == "ready"
        return cls(process, parent)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


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
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.wait)
        except asyncio.TimeoutError:
            raise Saturated() from None
        loop = asyncio.get_running_loop()
        try:
            status, payload = await loop.run_in_executor(self._threads, self._exchange, worker, query)
        except (QueryTimeout, WorkerFailed):
            self._idle.put_nowait(await loop.run_in_executor(self._threads, self._replace, worker))
            raise
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

    def _exchange(self, worker: _Worker, query: Query):
        try:
            worker.connection.send(query)
            if not worker.connection.poll(self.timeout):
                raise QueryTimeout()
            return worker.connection.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(str(error)) from None

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
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)
