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

**No network.** Before it opens the store, each worker installs a seccomp filter under which
`socket()` fails (EPERM) for every address family but Unix sockets; its channel to the web process
is a Unix socket pair it already holds, and the threads the engine starts later inherit the
filter. The query text's analysis refuses `SERVICE` before a query gets here; the filter makes a
mistake there connect nowhere. Workers keep the network only when `SERVICE` endpoints are
allow-listed. Where the filter cannot be installed, the pool says so at start-up (WARNING) and
serves: the analysis still refuses `SERVICE`.

**Memory.** A query may add `query_memory` bytes to its worker's private memory (resident, less
file-backed pages) over what the worker held when idle, which the worker reports when it has moved.
While a query runs, the event loop reads the busy workers' sizes from /proc every `WATCH` seconds
and kills a worker past the limit; a query that ends sooner costs no reading at all.

**Deaths.** A worker that dies, idle or busy, closes its socket; the event loop sees that at once
and starts a replacement, so no request is handed to a dead worker. A request that meets one killed
from outside (SIGKILL) before the loop has seen it is run again, once, on another worker.

**Fairness.** A client (see clients.py) may run `client_queries` queries at once, and a client with
a query running never takes the last `reserved_workers` free workers: they are kept for clients
with nothing running. A request over that share waits, as one finding every worker busy does,
while its client's queries are short; once they have run for `LONG_QUERY`, the client is holding
its share with long queries and further requests are refused at once (`TooManyQueries`).
"""

from __future__ import annotations

import asyncio
import collections
import errno
import hashlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .clients import CLIENT
from .config import Limits
from .logs import event, logger
from .results import TooLarge, TooManyRows
from .store import Answer, EmbeddedStore, Matches, Pattern, Query, QuerySyntaxError

try:  # loaded once here, so a worker (forked from a process that imported this module) has it
    import pyseccomp
    _NO_FILTER = ""
except (ImportError, RuntimeError, OSError) as missing:  # not installed, no libseccomp, not Linux
    pyseccomp = None
    _NO_FILTER = f"no seccomp filter can be installed: {missing}"

# Workers are forked from a server process that has imported this module once, not started afresh:
# a worker is ready in milliseconds, so the pool starts (and a killed worker is replaced) quickly.
# The fork happens before any store is opened, and the server holds no thread, so forking is safe.
_CONTEXT = multiprocessing.get_context("forkserver")
LONG_QUERY = 1.0  # seconds after which a query runs at the idle scheduling class
WATCH = 0.025  # seconds between readings of busy workers' memory
REPORT_STEP = 2**20  # bytes by which a worker's idle memory moves before it reports the new size
_HEADER, _LONG_HEADER = struct.Struct("!i"), struct.Struct("!Q")  # multiprocessing.Connection's framing
_LOG = logger("pool")
# Starting a process polls every child multiprocessing knows of, reading its exit status from the
# same pipe a join reads: the two, in different threads, would each take the other's status.
_PROCESSES = threading.Lock()


def start_forking() -> None:
    """Start the process workers are forked from, if it is not running, so that it loads while the
    web app does. Each worker runs the program's main module again (multiprocessing does), so that
    module is loaded in the server too, and the worker finds its imports done."""
    main = getattr(sys.modules["__main__"].__spec__, "name", None)  # run with -m, the module's name
    _CONTEXT.set_forkserver_preload([__name__, main if main and not main.endswith("__main__") else "__main__"])
    multiprocessing.forkserver.ensure_running()


class Saturated(Exception):
    """Every worker is busy."""


class TooManyQueries(Exception):
    """The client already runs its share of the workers; it should wait for its own queries."""

    def __init__(self, running: int):
        self.running = running
        super().__init__(f"{running} queries of this client are running")


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class QueryMemory(Exception):
    """The query needed more memory than a query may have, and was stopped."""

    def __init__(self, limit: int):
        super().__init__(f"the query needed more than {limit // 2**20} MiB of memory")


class NetworkDenied(Exception):
    """The query tried to open a connection, which its worker is denied."""


class WorkerFailed(Exception):
    """The worker process died while answering (it is replaced)."""


class _WorkerGone(Exception):
    """The worker's socket closed before its reply came."""


class _Ended(Exception):
    """The pool stopped using a worker before its reply came; `reason` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class _PrivateMemory:
    """A process's private resident memory (resident pages less file-backed and shared ones), read
    from /proc/PID/statm through a descriptor kept open: one system call a reading."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, pid: int | str):
        self.fd = os.open(f"/proc/{pid}/statm", os.O_RDONLY)

    def __call__(self) -> int:
        fields = os.pread(self.fd, 128, 0).split()
        return (int(fields[1]) - int(fields[2])) * self.PAGE

    def close(self) -> None:
        os.close(self.fd)


def _memory_of(pid: int | str) -> _PrivateMemory | None:
    try:
        return _PrivateMemory(pid)
    except OSError:  # no /proc: the memory limit cannot be enforced (the pool says so)
        return None


def _deny_network() -> str:
    """Make `socket()` and `socketpair()` fail with EPERM for every family but AF_UNIX, in this
    process and the threads it starts from now on; return why that could not be done, or ""."""
    if pyseccomp is None:
        return _NO_FILTER
    try:
        rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
        for call in ("socket", "socketpair"):
            rules.add_rule(pyseccomp.ERRNO(errno.EPERM), call, pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
        # io_uring can open sockets without calling socket(); libraries fall back when it is missing
        rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except OSError as refused:
        return f"the kernel refused the seccomp filter: {refused}"
    return ""


def _serve(store_path: str, in_memory_quads: int, isolate: bool, connection: Connection) -> None:
    # first, while this process has one thread: the engine's threads and the store's warm-up inherit it
    network = (_deny_network() or "denied") if isolate else "allowed"
    memory = _memory_of("self")
    store = EmbeddedStore(Path(store_path), in_memory_quads, warm_in_background=True)
    idle = memory() if memory else 0
    connection.send(("ready", (network, idle)))
    while True:
        try:
            query = connection.recv()
        except EOFError:
            return
        connection.send(_answer(store, query, network == "denied"))
        if memory and abs((now := memory()) - idle) >= REPORT_STEP:  # measured once the reply is freed
            idle = now
            connection.send(("memory", idle))


def _answer(store: EmbeddedStore, query: Query | Pattern, denied: bool) -> tuple[str, object]:
    try:
        return "ok", store.matches(query) if isinstance(query, Pattern) else store.answer(query)
    except QuerySyntaxError as error:
        return "syntax", str(error)
    except TooManyRows as error:
        return "rows", error.limit
    except TooLarge as error:
        return "bytes", error.limit
    except PermissionError as error:  # with the network denied, what the engine gets when it connects
        return ("network" if denied else "failed"), f"{type(error).__name__}: {error}"
    except Exception as error:  # noqa: BLE001 — reported to the caller, the worker lives on
        return "failed", f"{type(error).__name__}: {error}"


class _Channel(asyncio.Protocol):
    """The web process's end of a worker's socket, framed as `multiprocessing.Connection` frames:
    a reply settles the request waiting for it, a memory report updates the worker, and the end of
    the stream means the worker is gone, noticed while it is idle as much as while it answers."""

    def __init__(self, worker: "_Worker", pool: "QueryPool"):
        self.worker, self.pool, self.buffer = worker, pool, bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= _HEADER.size:
            size, = _HEADER.unpack_from(buffer)
            start = _HEADER.size
            if size == -1:  # a message of 2 GiB or more
                if len(buffer) < _HEADER.size + _LONG_HEADER.size:
                    return
                size, = _LONG_HEADER.unpack_from(buffer, start)
                start += _LONG_HEADER.size
            if len(buffer) < start + size:
                return
            with memoryview(buffer) as view:
                kind, payload = pickle.loads(view[start:start + size])
            del buffer[:start + size]
            if kind == "memory":
                self.worker.idle_memory = payload
            elif self.worker.reply is not None and not self.worker.reply.done():
                self.worker.reply.set_result((kind, payload))

    def connection_lost(self, problem: Exception | None) -> None:
        self.pool._lost(self.worker)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    channel: socket.socket  # the parent's end of the worker's connection
    network: str  # "denied", "allowed", or why it could not be denied
    idle_memory: int  # private bytes when last idle, as the worker reported
    memory: _PrivateMemory | None
    transport: asyncio.Transport | None = None
    reply: asyncio.Future | None = None
    client: str | None = None  # whose query it runs, while busy
    started: float = 0.0  # when that query was handed over (the event loop's clock)
    demoted: bool = False
    ended: str | None = None  # why the pool stopped using it: "died", "memory", "timeout", …
    exit: dict[str, object] | None = None  # how the process ended, once reaped
    replacement: asyncio.Task | None = None

    @classmethod
    def start(cls, store_path: Path, in_memory_quads: int, isolate: bool) -> "_Worker":
        """Fork a worker and wait until its store is open (in a thread: this blocks)."""
        parent, theirs = socket.socketpair()  # what `Pipe()` makes, keeping our end a socket
        child = Connection(theirs.detach())
        process = _CONTEXT.Process(target=_serve, args=(str(store_path), in_memory_quads, isolate, child), daemon=True)
        with _PROCESSES:
            process.start()
        child.close()
        try:
            with Connection(os.dup(parent.fileno())) as handshake:
                _, (network, idle) = handshake.recv()
        except BaseException:
            parent.close()
            process.kill()
            with _PROCESSES:
                process.join()
            raise
        return cls(process, parent, network, idle, _memory_of(process.pid))

    async def connect(self, pool: "QueryPool") -> None:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_connection(lambda: _Channel(self, pool), sock=self.channel)

    async def exchange(self, query: Query | Pattern) -> tuple[str, object]:
        """Send a query and wait for the reply."""
        if self.ended is not None or self.transport.is_closing():  # dead, and the loop has not said so yet
            raise _WorkerGone()
        data = pickle.dumps(query, protocol=pickle.HIGHEST_PROTOCOL)
        self.reply = asyncio.get_running_loop().create_future()
        self.transport.write(_HEADER.pack(len(data)) + data)
        return await self.reply

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

    def reap(self) -> dict[str, object]:
        """Wait for the killed (or dead) process; how it ended, for the log."""
        with _PROCESSES:
            self.process.join()
        if self.memory is not None:
            self.memory.close()
        code = self.process.exitcode
        if code is not None and code < 0:
            return {"signal": signal.Signals(-code).name}
        return {"exit": code}


class QueryPool:
    def __init__(self, store_path: Path, limits: Limits):
        self.store_path, self.limits = store_path, limits
        self.size, self.timeout, self.wait = limits.workers, limits.query_timeout, limits.queue_wait
        self.share, self.reserve, self.memory_limit = limits.client_queries, limits.reserved_workers, limits.query_memory
        self.isolate = not limits.service_allow
        self._idle: collections.deque[_Worker] = collections.deque()
        self._busy: set[_Worker] = set()
        self._running: dict[str | None, int] = {}  # queries running per client
        self._waiters: collections.deque[tuple[str | None, asyncio.Future]] = collections.deque()
        self._live: set[_Worker] = set()
        self._warned: set[str] = set()
        self._watch: asyncio.TimerHandle | None = None
        self._replacing: set[asyncio.Task] = set()
        self._stopping = False
        self._threads = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="query")

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        start_forking()
        workers = await asyncio.gather(*(self._add(retry=False) for _ in range(self.size)))
        network = workers[0].network if workers else "none"
        event(_LOG, "query pool", workers=self.size, network=network if network in ("denied", "allowed") else "open",
              query_memory=self.memory_limit if workers and workers[0].memory else "not enforced (no /proc)",
              client_queries=self.share, reserved_workers=self.reserve)

    async def _add(self, retry: bool = True) -> _Worker:
        """Start a worker and add it to the idle ones; a replacement that fails to start is tried
        again each second (and logged), as the pool must not shrink."""
        while True:
            try:
                worker = await self._loop.run_in_executor(self._threads, _Worker.start, self.store_path,
                                                          self.limits.in_memory_quads, self.isolate)
                break
            except (OSError, EOFError) as problem:
                if not retry:
                    raise
                event(_LOG, "worker failed to start", logging.ERROR, error=f"{type(problem).__name__}: {problem}")
                await asyncio.sleep(1)
        try:
            await worker.connect(self)
        except BaseException:
            worker.process.kill()
            await self._loop.run_in_executor(self._threads, worker.reap)
            raise
        if worker.network not in ("denied", "allowed") and worker.network not in self._warned:
            self._warned.add(worker.network)
            event(_LOG, "query workers keep the network", logging.WARNING, reason=worker.network)
        self._live.add(worker)
        self._idle.append(worker)
        self._offer()
        return worker

    async def answer(self, query: Query | Pattern) -> Answer | Matches:
        """A query's answer, or a pattern's matches (store.Pattern), from a worker."""
        client = CLIENT.get()
        asked = time.perf_counter()  # the loop's clock may count whole milliseconds (uvloop's does)
        deadline, retried = None, False
        while True:
            try:
                worker = self._assign(self._idle.popleft(), client) if self._may_take(client) else await self._queue(client)
            except (Saturated, TooManyQueries) as refusal:
                self._log(query, client, "refused", asked, reason="share" if isinstance(refusal, TooManyQueries)
                          else "saturated", running=self._running.get(client, 0))
                raise
            deadline = deadline or self._loop.time() + self.timeout
            try:
                status, payload = await self._run(worker, query, deadline)
                break
            except _Ended as ended:
                if ended.reason == "died" and not retried and worker.exit == {"signal": "SIGKILL"}:
                    retried = True  # killed from outside the pool, not by a crash of its own: once more
                    continue
                self._log(query, client, ended.reason if ended.reason in ("timeout", "memory") else "failed", asked,
                          level=logging.INFO if ended.reason in ("timeout", "memory") else logging.WARNING)
                raise {"timeout": QueryTimeout(), "memory": QueryMemory(self.memory_limit)}.get(
                    ended.reason, WorkerFailed("the worker process died")) from None
        if status == "ok":
            self._log(query, client, "ok", asked, **({"matches": payload.count} if isinstance(payload, Matches)
                                                     else {"bytes": len(payload.body)}))
            return payload
        self._log(query, client, status, asked, level=logging.WARNING if status == "failed" else logging.INFO,
                  **({"limit": payload} if status in ("rows", "bytes") else {}))
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "rows":
            raise TooManyRows(payload)
        if status == "bytes":
            raise TooLarge(payload)
        if status == "network":
            raise NetworkDenied(payload)
        raise RuntimeError(payload)

    async def _run(self, worker: _Worker, query: Query | Pattern, deadline: float) -> tuple[str, object]:
        """The worker's reply; the worker goes back to the idle ones. If no reply comes (time limit,
        memory limit, death), the worker is never reused: `_Ended` says why, once the pool has its
        replacement (within reason)."""
        demotion = self._loop.call_later(LONG_QUERY, worker.demote)
        try:
            async with asyncio.timeout_at(deadline):  # in this task: no task of its own, as wait_for makes
                reply = await worker.exchange(query)
        except BaseException as problem:  # the worker is mid-exchange or dead
            demotion.cancel()
            self._unassign(worker)
            self._offer()
            if isinstance(problem, asyncio.CancelledError):
                self._end(worker, "cancelled")
                raise  # the request went away; the replacement joins the pool when ready
            if not isinstance(problem, (_WorkerGone, TimeoutError, OSError)):
                self._end(worker, "failed")
                raise
            reason = worker.ended or ("timeout" if isinstance(problem, TimeoutError) else "died")
            replacement = self._end(worker, reason)
            if replacement is not None:
                await asyncio.wait({replacement}, timeout=self.timeout)
            raise _Ended(reason) from None
        demotion.cancel()
        self._unassign(worker)
        if worker.ended is None:  # not killed (for its memory, say) as its reply came
            if worker.demoted and not worker.promote():
                self._end(worker, "demoted")  # a fresh worker runs at normal priority
            else:
                self._idle.append(worker)
        self._offer()
        return reply

    # --- who may take a worker -------------------------------------------------------------------

    def _may_take(self, client: str | None) -> bool:
        """Whether the client may take a free worker now: always with nothing running, else while
        under its share and more than the reserved workers are free."""
        mine = self._running.get(client, 0)
        return bool(self._idle) and (mine == 0 or (mine < self.share and len(self._idle) > self.reserve))

    def _held_long(self, client: str | None) -> bool:
        """Whether the client's share is taken by queries that have run for `LONG_QUERY` or more."""
        now = self._loop.time()
        return sum(1 for w in self._busy if w.client == client and now - w.started >= LONG_QUERY) >= self.share

    async def _queue(self, client: str | None) -> _Worker:
        """Wait, oldest first, for a worker the client may take; refuse at once a client whose share
        is held by long queries, and at the end of the wait say which refusal it is."""
        if self._running.get(client) and self._held_long(client):
            raise TooManyQueries(self._running[client])
        waiter = (client, self._loop.create_future())
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.wait):
                return await waiter[1]
        except BaseException as problem:
            if waiter[1].done() and not waiter[1].cancelled():  # given a worker as the wait ended
                worker = waiter[1].result()
                if isinstance(problem, TimeoutError):
                    return worker
                self._unassign(worker)
                if worker.ended is None:
                    self._idle.append(worker)
                self._offer()
            else:
                self._waiters.remove(waiter)
            if isinstance(problem, TimeoutError):
                running = self._running.get(client, 0)
                raise (TooManyQueries(running) if running else Saturated()) from None
            raise

    def _offer(self) -> None:
        """Hand free workers to the waiting requests that may take them, oldest first."""
        if not self._waiters:
            return
        for client, future in list(self._waiters):
            if not self._idle:
                return
            if not future.done() and self._may_take(client):
                self._waiters.remove((client, future))
                future.set_result(self._assign(self._idle.popleft(), client))

    def _assign(self, worker: _Worker, client: str | None) -> _Worker:
        worker.client, worker.started = client, self._loop.time()
        self._running[client] = self._running.get(client, 0) + 1
        self._busy.add(worker)
        if self._watch is None and self.memory_limit and worker.memory is not None:
            self._watch = self._loop.call_later(WATCH, self._check_memory)
        return worker

    def _unassign(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        left = self._running[worker.client] - 1
        if left:
            self._running[worker.client] = left
        else:
            del self._running[worker.client]

    # --- memory, deaths and replacements ---------------------------------------------------------

    def _check_memory(self) -> None:
        """Kill each worker whose query has added more than the limit to it."""
        self._watch = None
        now = self._loop.time()
        for worker in list(self._busy):
            if worker.ended or worker.memory is None or now - worker.started < WATCH:
                continue
            try:
                grown = worker.memory() - worker.idle_memory
            except OSError:  # it has exited; its socket says so
                continue
            if grown > self.memory_limit:
                event(_LOG, "worker killed", logging.WARNING, reason="memory", pid=worker.process.pid,
                      client=worker.client, grown_mib=grown // 2**20, limit_mib=self.memory_limit // 2**20,
                      ms=round((now - worker.started) * 1000))
                self._end(worker, "memory")
        if self._busy:
            self._watch = self._loop.call_later(WATCH, self._check_memory)

    def _lost(self, worker: _Worker) -> None:
        """The worker's socket closed: its reply will not come; if the pool did not end it, it died."""
        if worker.reply is not None and not worker.reply.done():
            worker.reply.set_exception(_WorkerGone())
        self._end(worker, "died")

    def _end(self, worker: _Worker, reason: str) -> asyncio.Task:
        """Stop using the worker, kill it, and start its replacement (the task returned)."""
        if worker.ended is not None:
            return worker.replacement
        worker.ended = reason
        busy = worker in self._busy
        if not busy and worker in self._idle:
            self._idle.remove(worker)
        worker.process.kill()
        worker.transport.abort()
        worker.replacement = self._loop.create_task(self._replace(worker, busy))
        self._replacing.add(worker.replacement)
        worker.replacement.add_done_callback(self._replacing.discard)
        return worker.replacement

    async def _replace(self, old: _Worker, busy: bool) -> None:
        started = time.perf_counter()
        old.exit = await self._loop.run_in_executor(self._threads, old.reap)
        self._live.discard(old)
        if old.ended == "died":
            event(_LOG, "worker died", logging.WARNING, pid=old.process.pid, busy=busy, **old.exit)
        if self._stopping:
            return
        new = await self._add()
        event(_LOG, "worker replaced", old=old.process.pid, new=new.process.pid, reason=old.ended,
              ms=round((time.perf_counter() - started) * 1000, 1))

    def _log(self, query: Query | Pattern, client: str | None, outcome: str, asked: float, level: int = logging.INFO,
             **fields) -> None:
        if _LOG.isEnabledFor(level):
            event(_LOG, "query", level, query=hashlib.blake2b(query.text.encode(), digest_size=6).hexdigest(),
                  client=client, outcome=outcome, ms=round((time.perf_counter() - asked) * 1000, 2), **fields)

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._replacing):
            task.cancel()
        for worker in [w for w in self._live if w.ended is None]:  # the others are reaped by their threads
            worker.ended = "stopped"
            worker.process.kill()
            worker.transport.abort()
        for worker in [w for w in self._live if w.ended == "stopped"]:
            worker.reap()
        self._threads.shutdown(wait=False, cancel_futures=True)
