"""Projects of their own, for tests that change the sources or must not share a store: the small
valid fixture as the data (it builds in a few seconds), the installed `conflict-ld` command run on
it as a user runs it, and what a server started on one shows of its query workers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from service.release_archive import PREFIX

from .conftest import ROOT, VALID_WORLD

COMMAND = Path(sys.executable).with_name("conflict-ld")  # the console script `pip install -e .` made


def small_project(folder: Path, extra: str = "") -> Path:
    """A project whose data is the small valid fixture; `extra` (Turtle, a comment say) is appended to it."""
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "data" / "ttl").mkdir(parents=True)
    (folder / "data" / "ttl" / "world.ttl").write_text(VALID_WORLD.read_text(encoding="utf-8") + extra,
                                                       encoding="utf-8")
    return folder


def conflict_ld(*arguments: str, home: Path, var: Path, **settings: str) -> subprocess.CompletedProcess:
    """`conflict-ld ARGUMENTS` on `home`'s sources, keeping the store in `var` and the dumps in
    `var/dumps` (as `start_server` lays them out), with any other CONFLICT_LD_* setting by its
    lower-case name."""
    env = {**os.environ, "CONFLICT_LD_HOME": str(home), "CONFLICT_LD_STORE": str(var),
           "CONFLICT_LD_DUMPS": str(var / "dumps"), **{f"CONFLICT_LD_{k.upper()}": v for k, v in settings.items()}}
    return subprocess.run([str(COMMAND), *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def of_a_release(folder: Path) -> bool:
    """A store or dumps folder of a recorded release (see service/release_archive.py), not of the data."""
    return folder.name.startswith(PREFIX)


def store_in(var: Path) -> Path:
    """The one store folder under `var`."""
    [store] = [child for child in var.iterdir() if (child / "validated.json").is_file() and not of_a_release(child)]
    return store


def release_in(var: Path) -> Path:
    """The one folder of dumps of the data under `var/dumps` (not one of a recorded release's)."""
    [release] = [child for child in (var / "dumps").iterdir() if (child / "SHA256SUMS").is_file() and not of_a_release(child)]
    return release


def files_as_found(*folders: Path) -> dict[str, tuple[int, int, int]]:
    """Each file's inode, size and modification time: what rewriting or replacing a file changes."""
    return {str(path): (path.stat().st_ino, path.stat().st_size, path.stat().st_mtime_ns)
            for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()}


def workers_of(server) -> list[int]:
    """The server's query workers: the children of the process they are forked from."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return [worker for child in children.get(server.process.pid, []) for worker in children.get(child, [])]


def demoted(server) -> int | None:
    """A query worker moved to the idle scheduling class: one whose query has run for a second or more."""
    for pid in workers_of(server):
        try:
            if os.sched_getscheduler(pid) == os.SCHED_IDLE:
                return pid
        except OSError:  # gone meanwhile
            continue
    return None
