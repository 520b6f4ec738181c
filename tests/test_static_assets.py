"""The vendored browser libraries are exactly the files service/static/assets.toml lists.

A file changed by hand, left behind by an upgrade, or added without its package, version and licence
would be served (and shipped in the wheel) without anyone knowing where it came from. Files in
sub-folders of service/static/ are vendored and must be listed; top-level files are the project's own,
except the manifest and refresh.py. The checks take the folder as a parameter, so the last tests can
show on a copy that each of them catches what it is for.
"""

from __future__ import annotations

import hashlib
import re
import runpy
import shutil
import tomllib
from pathlib import Path, PurePosixPath

STATIC = Path(__file__).resolve().parent.parent / "service" / "static"
MANIFEST = "assets.toml"
LICENCE_FILE = re.compile(r"(LICENSE|LICENCE|COPYING)", re.IGNORECASE)
EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")


def assets(static: Path) -> list[dict]:
    return tomllib.loads((static / MANIFEST).read_text(encoding="utf-8"))["asset"]


def listed(static: Path) -> dict[str, dict]:
    """Each listed file by its path under static/."""
    return {f"{asset['folder']}/{entry['path']}": entry for asset in assets(static) for entry in asset["file"]}


def malformed(static: Path) -> list[str]:
    """What an asset lacks: package, exact version, licence, a folder of its own, a licence file."""
    problems, folders = [], set()
    for asset in assets(static):
        name = asset.get("package") or f"the asset in {asset.get('folder')!r}"
        for key in ("package", "version", "licence", "folder"):
            if not isinstance(asset.get(key), str) or not asset[key]:
                problems.append(f"{name}: no {key}")
        if not EXACT_VERSION.fullmatch(str(asset.get("version", ""))):
            problems.append(f"{name}: version {asset.get('version')!r} is not one exact version")
        folder = PurePosixPath(asset.get("folder", ""))
        if len(folder.parts) != 1 or folder.name in ("", ".", ".."):
            problems.append(f"{name}: folder {asset.get('folder')!r} is not one sub-folder of static/")
        if asset.get("folder") in folders:
            problems.append(f"{name}: folder {asset['folder']!r} is another asset's too")
        folders.add(asset.get("folder"))
        files = asset.get("file", [])
        if not files:
            problems.append(f"{name}: lists no files")
        for entry in files:
            path = PurePosixPath(entry.get("path", ""))
            shown = f"{asset.get('folder')}/{entry.get('path')}"
            if path.is_absolute() or not path.parts or ".." in path.parts:
                problems.append(f"{shown}: not a path inside the folder")
            if not re.fullmatch(r"[0-9a-f]{64}", entry.get("sha256", "")):
                problems.append(f"{shown}: sha256 {entry.get('sha256')!r} is not a SHA-256")
            if entry.get("from") == "" and not asset.get("note"):
                problems.append(f"{shown}: written by hand (from = \"\") with no note on the asset saying why")
        if not any(LICENCE_FILE.match(PurePosixPath(entry.get("path", "")).name) for entry in files):
            problems.append(f"{name}: none of its files is a LICENSE*, LICENCE* or COPYING* file")
    return problems


def wrong_files(static: Path) -> list[str]:
    """Listed files that are missing or whose SHA-256 is not the listed one."""
    problems = []
    for path, entry in listed(static).items():
        file = static / path
        if not file.is_file():
            problems.append(f"{path}: listed in {MANIFEST} but missing")
        elif (checksum := hashlib.sha256(file.read_bytes()).hexdigest()) != entry["sha256"]:
            problems.append(f"{path}: sha256 {checksum}, {MANIFEST} lists {entry['sha256']}")
    return problems


def unlisted_files(static: Path) -> list[str]:
    """Files in sub-folders of static/ that the manifest does not list."""
    known = listed(static)
    return [
        f"{path.relative_to(static).as_posix()}: in a sub-folder of static/ but not listed in {MANIFEST}"
        for path in sorted(static.rglob("*"))
        if path.is_file() and path.parent != static and path.relative_to(static).as_posix() not in known
    ]


def test_every_asset_names_its_package_version_and_licence():
    problems = malformed(STATIC)
    assert not problems, "\n".join(problems)


def test_every_listed_file_has_its_checksum():
    problems = wrong_files(STATIC)
    assert not problems, "\n".join(problems) + "\n(python service/static/refresh.py writes them again)"


def test_every_vendored_file_is_listed():
    problems = unlisted_files(STATIC)
    assert not problems, "\n".join(problems)


def test_the_manifest_is_in_the_layout_refresh_writes():
    """A refresh then changes only the lines whose values changed. run_path writes no bytecode into static/."""
    render = runpy.run_path(str(STATIC / "refresh.py"))["render"]
    text = (STATIC / MANIFEST).read_text(encoding="utf-8")
    assert render(assets(STATIC)) == text, f"{MANIFEST}: not in the layout refresh.py writes; run it to rewrite"


def copy_of_static(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STATIC, tmp_path / "static"))


def test_a_changed_byte_is_caught(tmp_path):
    static = copy_of_static(tmp_path)
    file = static / "leaflet" / "leaflet.js"
    data = bytearray(file.read_bytes())
    data[100] ^= 1
    file.write_bytes(data)
    assert [problem.split(":")[0] for problem in wrong_files(static)] == ["leaflet/leaflet.js"]


def test_a_missing_file_is_caught(tmp_path):
    static = copy_of_static(tmp_path)
    (static / "cytoscape" / "LICENSE").unlink()
    assert wrong_files(static) == [f"cytoscape/LICENSE: listed in {MANIFEST} but missing"]


def test_an_unlisted_file_is_caught_and_top_level_files_are_not(tmp_path):
    static = copy_of_static(tmp_path)
    (static / "leaflet" / "images").mkdir()
    (static / "leaflet" / "images" / "marker-icon.png").write_bytes(b"\x89PNG")
    (static / "project-own.js").write_text("// the project's own\n")
    assert unlisted_files(static) == [
        f"leaflet/images/marker-icon.png: in a sub-folder of static/ but not listed in {MANIFEST}"
    ]


def test_an_asset_without_licence_file_or_exact_version_is_caught(tmp_path):
    static = copy_of_static(tmp_path)
    manifest = static / MANIFEST
    head, cytoscape = manifest.read_text(encoding="utf-8").split('package = "cytoscape"\n')
    cytoscape = re.sub(r'version = "', 'version = "^', cytoscape, count=1)
    cytoscape = cytoscape.replace('path = "LICENSE"', 'path = "NOTICE"')
    manifest.write_text(head + 'package = "cytoscape"\n' + cytoscape, encoding="utf-8")
    version = next(asset["version"] for asset in assets(static) if asset["package"] == "cytoscape")
    assert malformed(static) == [
        f"cytoscape: version {version!r} is not one exact version",
        "cytoscape: none of its files is a LICENSE*, LICENCE* or COPYING* file",
    ]
