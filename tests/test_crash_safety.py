"""Crash-safe state: a store or dump on disk is served only when it checks out, and is otherwise built
again from the sources, by one instance at a time, whole or not at all.

Everything is real: `conflict-ld` processes started together and killed with SIGKILL, store and
dump files truncated or overwritten, a read-only folder (a read-only bind mount as root, whom chmod
does not stop; chmod otherwise) and a full disk (a small tmpfs, mounted as root). Most tests use a
project holding only the small fixture dataset, which builds in about two seconds; one race uses
the shipped data.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from service.dumps import check
from service.durable import Damaged
from service.store import MARKER, check_store

from .conftest import ROOT, start_server, stop_server
from .projects import of_a_release, small_project
from .waiting import wait_until

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
_numbers = itertools.count()


@dataclass
class Command:
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    def wait(self) -> int:
        return self.process.wait(timeout=300)

    def out(self) -> str:
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    def err(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")


def launch(logs: Path, home: Path, store: Path, *arguments: str, dumps: Path | None = None) -> Command:
    """`conflict-ld ARGUMENTS` started on `home`'s sources, writing under `store` (and `dumps`)."""
    env = {**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(store),
           "CONFLICT_LD_DUMPS": str(dumps or store / "dumps")}
    logs.mkdir(parents=True, exist_ok=True)
    number = next(_numbers)
    stdout, stderr = logs / f"{number}.out", logs / f"{number}.err"
    with open(stdout, "w") as out, open(stderr, "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "service.cli", *arguments], cwd=ROOT, env=env,
                                   stdout=out, stderr=err)
    return Command(process, stdout, stderr)


def run(logs: Path, home: Path, store: Path, *arguments: str, dumps: Path | None = None) -> Command:
    command = launch(logs, home, store, *arguments, dumps=dumps)
    command.wait()
    return command


def leftovers(*folders: Path) -> list[str]:
    return [child.name for folder in folders if folder.is_dir() for child in folder.iterdir()
            if ".building" in child.name or ".damaged" in child.name]


def store_of(folder: Path) -> Path:
    return next(child for child in folder.iterdir() if (child / MARKER).exists() and not of_a_release(child))


def release_of(dumps: Path) -> Path:
    return next(child for child in dumps.iterdir() if (child / "SHA256SUMS").exists() and not of_a_release(child))


def snapshot(*folders: Path) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()}


def served_quads(server) -> int:
    answer = httpx.get(server.sparql, params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return small_project(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def changed_home(tmp_path_factory) -> Path:
    """The same data with other bytes: a build is needed where `home`'s store is."""
    return small_project(tmp_path_factory.mktemp("changed-home"), "# changed\n")


@pytest.fixture(scope="module")
def built(home, tmp_path_factory) -> Path:
    """The small dataset's store and dumps, built once and laid out as `start_server` has them."""
    var = tmp_path_factory.mktemp("built")
    done = run(tmp_path_factory.mktemp("logs"), home, var, "build")
    assert done.process.returncode == 0, done.err()
    return var


@pytest.fixture(scope="module")
def quads(built) -> int:
    return len(ox.Store.read_only(str(store_of(built))))


def copy_of(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "var"))


# --- a damaged store ---------------------------------------------------------------------------------

def _truncate_data_file(store: Path) -> None:
    largest = max(store.glob("*.sst"), key=lambda path: path.stat().st_size)
    os.truncate(largest, largest.stat().st_size // 2)


def _garble_data_files(store: Path) -> None:
    for path in store.glob("*.sst"):
        path.write_bytes(os.urandom(path.stat().st_size))


def _remove_current(store: Path) -> None:
    (store / "CURRENT").unlink()


def _empty_manifest(store: Path) -> None:
    for path in store.glob("MANIFEST-*"):
        os.truncate(path, 0)


DAMAGE = {"truncated data file": (_truncate_data_file, "bytes, validated.json says"),
          "garbage data files": (_garble_data_files, "the engine cannot read it: Corruption"),
          "missing CURRENT": (_remove_current, "its file CURRENT is missing"),
          "empty MANIFEST": (_empty_manifest, "is 0 bytes, validated.json says")}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_is_rebuilt_from_the_sources(damage, built, quads, home, tmp_path):
    harm, reason = DAMAGE[damage]
    var = copy_of(built, tmp_path)
    harm(store_of(var))
    server = start_server(var, home=str(home))
    try:
        assert served_quads(server) == quads
    finally:
        stop_server(server)
    log = server.log()
    assert re.search(rf"WARNING build rebuild what=store path=\S+ reason=.*{re.escape(reason)}", log), log
    assert "Traceback" not in log
    check_store(store_of(var))
    assert leftovers(var, var / "dumps") == []


@pytest.mark.parametrize("damage", DAMAGE)
def test_without_a_size_record_the_engine_still_finds_the_damage(damage, built, tmp_path):
    """A store made elsewhere (as `bench.synthetic` makes them) records no file sizes: opening it and
    reading through each index must find the damage."""
    store = Path(shutil.copytree(store_of(built), tmp_path / "store"))
    record = json.loads((store / MARKER).read_text(encoding="utf-8"))
    del record["files"]
    (store / MARKER).write_text(json.dumps(record), encoding="utf-8")
    check_store(store)
    DAMAGE[damage][0](store)
    with pytest.raises(Damaged, match="the engine cannot read it"):
        check_store(store)


def test_a_broken_store_given_with_store_ends_in_one_line(built, home, tmp_path):
    """`serve --store` serves a store built elsewhere as it is: never rebuilt, refused when broken."""
    store = Path(shutil.copytree(store_of(built), tmp_path / "elsewhere"))
    _truncate_data_file(store)
    before = snapshot(store)
    done = run(tmp_path / "logs", home, tmp_path / "var", "serve", "--port", "0", "--store", str(store))
    assert done.process.returncode == 1
    assert done.err().splitlines()[-1].startswith(f"cannot serve the store in {store}: its file "), done.err()
    assert "Traceback" not in done.err() and "serving" not in done.out()
    assert snapshot(store) == before


@pytest.mark.slow
def test_a_store_given_with_store_is_served_as_it_is(built, quads, home, tmp_path):
    store = Path(shutil.copytree(store_of(built), tmp_path / "elsewhere"))
    before = snapshot(store)
    (tmp_path / "var").mkdir()
    server = start_server(tmp_path / "var", "--store", str(store), home=str(home))
    try:
        assert served_quads(server) == quads
        assert httpx.get(server.url + "/dumps/conflict-ld.nq.gz").status_code == 200
    finally:
        stop_server(server)
    assert "what=store" not in server.log()
    assert snapshot(store) == before


# --- a damaged dump ----------------------------------------------------------------------------------

def _garble(path: Path) -> None:
    """Other bytes, the same size."""
    data = bytearray(path.read_bytes())
    data[100:110] = bytes(byte ^ 0xFF for byte in data[100:110])
    path.write_bytes(bytes(data))


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_a_damaged_dump_is_rebuilt_at_start(damage, built, home, tmp_path):
    var = copy_of(built, tmp_path)
    dump = release_of(var / "dumps") / "conflict-ld.nt"
    digest, size = hashlib.sha256(dump.read_bytes()).hexdigest(), dump.stat().st_size
    if damage == "truncated":
        os.truncate(dump, size // 2)
        reason = f"conflict-ld.nt is {size // 2} bytes, release.json says {size}"
    else:
        _garble(dump)
        reason = "conflict-ld.nt does not match its SHA-256"
    server = start_server(var, home=str(home))
    try:
        answer = httpx.get(server.url + "/dumps/conflict-ld.nt")
        sums = httpx.get(server.url + "/dumps/SHA256SUMS").text
    finally:
        stop_server(server)
    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == digest and answer.headers["etag"] == f'"{digest}"'
    assert f"{digest}  conflict-ld.nt\n" in sums
    assert f'WARNING build rebuild what=dumps path={release_of(var / "dumps")} reason="{reason}' in server.log()


def test_a_dump_changed_while_serving_is_never_served_under_its_old_etag(built, home, tmp_path):
    var = copy_of(built, tmp_path)
    release = release_of(var / "dumps")
    server = start_server(var, home=str(home))
    try:
        url = server.url + "/dumps/conflict-ld.nt"
        etag = httpx.get(url).headers["etag"]
        os.truncate(release / "conflict-ld.nt", 1000)
        _garble(release / "conflict-ld.ttl")
        os.truncate(release / "SHA256SUMS", 100)
        answers = [httpx.get(url), httpx.get(url, headers={"If-None-Match": etag}), httpx.head(url),
                   httpx.get(url, headers={"Range": "bytes=0-99"}),
                   httpx.get(f"{server.url}/dumps/{release.name}/conflict-ld.nt"),
                   httpx.get(server.url + "/dumps/conflict-ld.ttl"), httpx.get(server.url + "/dumps/SHA256SUMS")]
        untouched = httpx.get(server.url + "/dumps/conflict-ld.nq")
    finally:
        stop_server(server)
    for answer in answers:
        assert answer.status_code == 503, (answer.request.url, answer.status_code)
        assert answer.headers["retry-after"].isdigit()
    assert untouched.status_code == 200
    assert "ERROR dumps dump changed path=" in server.log()


# --- builds: all or nothing, one at a time -----------------------------------------------------------

def _until(condition, command: Command, timeout: float = 120) -> bool:
    """Poll `condition` while `command` runs; whether it came true before the command ended."""
    def seen_or_ended():
        if command.process.poll() is not None:
            return "ended"
        return "seen" if condition() else None

    return wait_until(seen_or_ended, f"what `conflict-ld {' '.join(command.process.args[3:])}` was watched for",
                      timeout, step=0.002) == "seen"


def blocked_on_a_lock(pid: int) -> bool:
    """Whether process `pid` waits in the kernel for a file lock another holds (/proc/locks marks
    waiters "->")."""
    waiting = (line.split() for line in Path("/proc/locks").read_text().splitlines())
    return any(fields[1] == "->" and fields[5] == str(pid) for fields in waiting)


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["store", "dumps"])
def test_a_build_killed_midway_needs_no_hand_to_clean_up(phase, home, tmp_path):
    var = tmp_path / "var"
    watched = var if phase == "store" else var / "dumps"
    for attempt in range(5):  # the write takes a fraction of a second: catch it in the act
        shutil.rmtree(var, ignore_errors=True)
        command = launch(tmp_path / "logs", home, var, "build")
        if _until(lambda: leftovers(watched), command):
            command.process.kill()
            command.wait()
            break
        command.wait()
    else:
        pytest.fail("never caught the build writing")
    assert leftovers(watched), "a build killed with SIGKILL leaves its temporary folder"
    again = run(tmp_path / "logs", home, var, "build")
    assert again.process.returncode == 0, again.err()
    assert "waiting for the build" not in again.err()  # the kernel released the dead process's lock
    assert "INFO build leftover removed" in again.err()
    assert leftovers(var, var / "dumps") == []
    check_store(store_of(var))
    check(release_of(var / "dumps"))


def test_a_build_waits_for_the_lock_then_reuses_the_result(built, home, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    with open(var / "build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a build in progress holds it
        lock.write(str(os.getpid()))
        lock.flush()
        command = launch(tmp_path / "logs", home, var, "build")
        assert _until(lambda: "waiting for the build" in command.err(), command), command.err()
        assert f"waiting for the build in {var} (process {os.getpid()}) to finish" in command.err()
        assert _until(lambda: blocked_on_a_lock(command.process.pid), command), command.err()
        assert not any(var.glob("*/" + MARKER))
        shutil.copytree(built, var, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build.lock"))  # the holder's
    assert command.wait() == 0, command.err()
    assert "INFO build lock waited" in command.err()
    assert "store written" not in command.err() and "dumps written" not in command.err()


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(6))
def test_builds_started_together_build_once(round_, home, tmp_path):
    var = tmp_path / "var"
    commands = [launch(tmp_path / "logs", home, var, "build") for _ in range(2)]
    codes = [command.wait() for command in commands]
    errors = [command.err() for command in commands]
    assert codes == [0, 0], errors
    assert sum(error.count("INFO build store written") for error in errors) == 1, errors
    assert sum(error.count("INFO build dumps written") for error in errors) == 1, errors
    paths = [[line for line in command.out().splitlines() if line.startswith(("store:", "dumps:"))]
             for command in commands]
    assert paths[0] == paths[1] and len(paths[0]) == 2
    assert leftovers(var, var / "dumps") == []
    check_store(store_of(var))
    check(release_of(var / "dumps"))


def _serve_together(var: Path, **settings: str) -> list:
    """Two servers started at once on the same folders; both must come up."""
    with ThreadPoolExecutor(2) as pool:
        starting = [pool.submit(start_server, var, **settings) for _ in range(2)]
        outcomes = [future.exception() or future.result() for future in starting]
    servers = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    if len(servers) < 2:
        for server in servers:
            stop_server(server)
        pytest.fail(f"a server did not start: {[o for o in outcomes if isinstance(o, Exception)]}")
    return servers


def _check_together(servers: list, var: Path) -> None:
    try:
        counts = [served_quads(server) for server in servers]
        sums = [httpx.get(server.url + "/dumps/SHA256SUMS").text for server in servers]
    finally:
        for server in servers:
            stop_server(server)
    logs = [server.log() for server in servers]
    assert counts[0] == counts[1] and sums[0] == sums[1]
    assert sum(log.count("INFO build store written") for log in logs) == 1, logs
    assert sum(log.count("INFO build dumps written") for log in logs) == 1, logs
    assert leftovers(var, var / "dumps") == []
    check_store(store_of(var))
    check(release_of(var / "dumps"))


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(2))
def test_servers_started_together_on_an_empty_folder(round_, home, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    _check_together(_serve_together(var, home=str(home)), var)


@pytest.mark.slow
def test_servers_started_together_with_the_shipped_data(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    _check_together(_serve_together(var), var)


# --- a folder that cannot be written -----------------------------------------------------------------

@contextmanager
def read_only(folder: Path):
    """`folder` read-only: a read-only bind mount as root (chmod does not stop root), chmod otherwise."""
    if os.geteuid() != 0:
        paths = [folder, *folder.rglob("*")]
        modes = {path: path.stat().st_mode for path in paths}
        for path in paths:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path in reversed(paths):
                path.chmod(modes[path])
        return
    if subprocess.run(["mount", "--bind", folder, folder], capture_output=True).returncode:
        pytest.skip("a read-only folder as root needs a bind mount, which this root may not make")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", folder], capture_output=True).returncode:
            pytest.skip("a read-only folder as root needs a read-only bind mount, which this root may not make")
        yield
    finally:
        subprocess.run(["umount", folder], check=True)


@contextmanager
def small_filesystem(folder: Path, size: str):
    """A tmpfs of `size` on `folder`: a disk that fills up."""
    folder.mkdir(parents=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
                                           capture_output=True).returncode:
        pytest.skip("a full disk is made by mounting a small tmpfs, which needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", folder], check=True)


def fill(filesystem: Path, leave: int) -> None:
    """Write a file that leaves `leave` bytes free."""
    free = os.statvfs(filesystem)
    with open(filesystem / "filler", "wb") as filler:
        filler.write(b"\0" * (free.f_bavail * free.f_frsize - leave))


@pytest.mark.slow
def test_a_read_only_folder_with_a_checked_store_is_served(built, quads, home, tmp_path):
    var = copy_of(built, tmp_path)
    with read_only(var):
        server = start_server(tmp_path, store=str(var), dumps=str(var / "dumps"), home=str(home))
        try:
            assert served_quads(server) == quads
            assert httpx.get(server.url + "/dumps/conflict-ld.nt.gz").status_code == 200
        finally:
            stop_server(server)
    assert "build lock" not in server.log() and "build needed" not in server.log()
    assert "Traceback" not in server.log()


def test_a_read_only_folder_when_a_build_is_needed(built, changed_home, tmp_path):
    var = copy_of(built, tmp_path)
    before = snapshot(var)
    with read_only(var):
        done = run(tmp_path / "logs", changed_home, var, "serve", "--port", "0")
    assert done.process.returncode == 1
    assert re.fullmatch(f"cannot write the store in {re.escape(str(var))}: (Read-only file system|Permission denied)",
                        done.err().splitlines()[-1]), done.err()
    assert "Traceback" not in done.err() and "serving" not in done.out()
    assert snapshot(var) == before


@pytest.mark.slow
def test_a_full_disk_while_writing_the_store(built, changed_home, tmp_path):
    with small_filesystem(tmp_path / "var", "4m") as var:
        shutil.copytree(built, var, dirs_exist_ok=True)
        before = snapshot(store_of(var), var / "dumps")
        fill(var, leave=400_000)  # the engine fails part-way through loading
        done = run(tmp_path / "logs", changed_home, var, "build")
        assert done.process.returncode == 1
        assert done.err().splitlines()[-1] == f"cannot write the store in {var}: No space left on device", done.err()
        assert "Traceback" not in done.err()
        assert leftovers(var, var / "dumps") == []
        assert snapshot(store_of(var), var / "dumps") == before
        assert sorted(child.name for child in var.iterdir()) == sorted([store_of(var).name, "build.lock", "dumps",
                                                                         "filler"])


@pytest.mark.slow
@pytest.mark.parametrize("free", [100_000, 450_000])  # Python's writes fail; sort's (a process of its own) do
def test_a_full_disk_while_writing_the_dumps(free, built, changed_home, tmp_path):
    store = tmp_path / "store"
    with small_filesystem(tmp_path / "dumps", "4m") as dumps:
        shutil.copytree(built / "dumps", dumps, dirs_exist_ok=True)
        before = snapshot(dumps)
        fill(dumps, leave=free)
        done = run(tmp_path / "logs", changed_home, store, "build", dumps=dumps)
        assert done.process.returncode == 1
        assert done.err().splitlines()[-1] == f"cannot write the dumps in {dumps}: No space left on device", done.err()
        assert "Traceback" not in done.err()
        assert leftovers(dumps) == []
        assert snapshot(dumps) == {**before, str(dumps / "filler"): snapshot(dumps)[str(dumps / "filler")]}
        check_store(store_of(store))  # the store was complete: it stays, and is reused
        (dumps / "filler").unlink()
        again = run(tmp_path / "logs", changed_home, store, "build", dumps=dumps)
        assert again.process.returncode == 0, again.err()
        assert "store written" not in again.err() and "INFO build dumps written" in again.err()
