"""Refresh the browser libraries vendored under service/static/ from npm, as listed in assets.toml.

    python service/static/refresh.py                    every package again, at its pinned version
    python service/static/refresh.py PACKAGE@VERSION    one package moved to another version

Run it after editing assets.toml (a new file, a new package) or to move a package to a new version;
tests/test_static_assets.py then checks the files against the checksums it wrote. It fetches each
package with `npm pack` (which checks the tarball against the registry's integrity hash) into a
temporary folder, copies the listed files out of the tarball unmodified, and rewrites assets.toml with
their SHA-256, the exact version and the licence from the package's package.json. A file listed with
`from = ""` is written by hand: it is not fetched, only its checksum is recorded. Nothing is written
unless every package could be fetched and every listed file was found in it. Needs npm on PATH; uses
the standard library only, so it runs without the project installed.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import tomllib
from pathlib import Path, PurePosixPath

STATIC = Path(__file__).resolve().parent
MANIFEST = STATIC / "assets.toml"

USAGE = """\
python service/static/refresh.py                    every package again, at its pinned version
python service/static/refresh.py PACKAGE@VERSION    one package moved to another version"""

HEADER = """\
# The browser libraries served at /static/, vendored from npm: one [[asset]] per package, one
# [[asset.file]] per file, with the path inside the npm tarball it was copied from, unmodified.
# Source maps are left out, so a browser's developer tools may report a missing .map file.
# Written by refresh.py, which keeps this layout; tests/test_static_assets.py checks the files.
""" + "".join(f"#   {line}\n" for line in USAGE.splitlines())

ASSET_KEYS = ("package", "version", "licence", "folder", "note", "file")
FILE_KEYS = ("path", "from", "sha256")


class Failure(Exception):
    """A package or file that cannot be refreshed; nothing has been written."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML escapes."""
    return json.dumps(text, ensure_ascii=False)


def toml_note(text: str) -> str:
    """A long note wrapped for reading: a line-ending backslash joins the lines back when parsed."""
    if len(text) <= 88:
        return toml_string(text)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = textwrap.wrap(escaped, 96, break_long_words=False, break_on_hyphens=False)
    return '"""\\\n' + " \\\n".join(lines) + '"""'


def render(assets: list[dict]) -> str:
    """The manifest text, in one fixed layout, so a refresh changes only the lines whose values changed."""
    out = [HEADER]
    for asset in assets:
        out.append("[[asset]]")
        for key in ("package", "version", "licence", "folder"):
            out.append(f"{key} = {toml_string(asset[key])}")
        if asset.get("note"):
            out.append(f"note = {toml_note(asset['note'])}")
        out.append("")
        for entry in asset["file"]:
            out.append("[[asset.file]]")
            for key in ("path", "from", "sha256"):
                out.append(f"{key} = {toml_string(entry[key])}")
            out.append("")
    text = "\n".join(out)
    if tomllib.loads(text) != {"asset": assets}:
        raise Failure("the manifest would not read back as written (a note with line breaks?)")
    return text


def target(asset: dict, entry: dict) -> Path:
    """Where a listed file lives; a path that would leave the asset's folder is refused."""
    folder = (STATIC / asset["folder"]).resolve()
    path = (folder / entry["path"]).resolve()
    if folder == STATIC or not folder.is_relative_to(STATIC):
        raise Failure(f"{asset['package']}: folder {asset['folder']!r} is not a sub-folder of static/")
    if PurePosixPath(entry["path"]).is_absolute() or not path.is_relative_to(folder):
        raise Failure(f"{asset['folder']}/{entry['path']}: outside the folder {asset['folder']}/")
    return path


def check_keys(assets: list[dict]) -> None:
    """Refuse keys the rewritten manifest would drop, before anything is fetched."""
    for asset in assets:
        extra = set(asset) - set(ASSET_KEYS)
        extra |= {key for entry in asset.get("file", []) for key in set(entry) - set(FILE_KEYS)}
        missing = {"package", "version", "licence", "folder", "file"} - set(asset)
        missing |= {key for entry in asset.get("file", []) for key in set(FILE_KEYS) - set(entry)}
        if extra or missing:
            raise Failure(
                f"{asset.get('package', asset)}: unknown keys {sorted(extra)}, missing keys {sorted(missing)}"
                ' (list a new file with sha256 = "")'
            )


def npm_pack(spec: str, into: Path) -> Path:
    """The package's tarball, fetched by npm, which checks it against the registry's integrity hash."""
    done = subprocess.run(
        ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(into)],
        cwd=into, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise Failure(f"npm pack {spec} failed:\n{done.stderr.strip()}")
    return into / json.loads(done.stdout)[0]["filename"]


def tarball_files(tarball: Path) -> dict[str, bytes]:
    """The regular files of an npm tarball by their path under its top folder (normally package/)."""
    files = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile():
                inner = PurePosixPath(member.name).parts[1:]
                files["/".join(inner)] = archive.extractfile(member).read()
    return files


def fetch(asset: dict, spec: str, tmp: Path) -> tuple[dict, dict[Path, bytes], list[str]]:
    """The asset as it will be listed, the bytes to write, and what changed; nothing written yet."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    files = tarball_files(npm_pack(spec, folder))
    package = json.loads(files["package.json"])
    name = asset["package"]
    if package.get("name") != name:
        raise Failure(f"{spec}: the tarball is {package.get('name')!r}, not {name!r}")
    licence = package.get("license")
    if not isinstance(licence, str) or not licence:
        raise Failure(f"{spec}: package.json has no SPDX licence (its 'license' is {licence!r})")
    new = dict(asset, version=package["version"], licence=licence, file=[])
    changes = []
    if new["version"] != asset["version"]:
        changes.append(f"{name}: version {asset['version']} -> {new['version']}")
    if licence != asset["licence"]:
        changes.append(f"{name}: licence {asset['licence'] or '(none)'} -> {licence}")
    writes = {}
    for entry in asset["file"]:
        path = target(asset, entry)
        shown = f"{asset['folder']}/{entry['path']}"
        if entry["from"]:
            if entry["from"] not in files:
                raise Failure(f"{shown}: {name}@{new['version']} has no file {entry['from']}")
            data = files[entry["from"]]
            if not path.exists() or path.read_bytes() != data:
                writes[path] = data
        elif path.exists():
            data = path.read_bytes()
        else:
            raise Failure(f'{shown}: written by hand (from = ""), and missing')
        checksum = sha256(data)
        if not entry["sha256"]:
            changes.append(f"{shown}: added")
        elif checksum != entry["sha256"]:
            source = f"from {entry['from']}" if entry["from"] else "written by hand"
            changes.append(f"{shown} ({source}): sha256 {entry['sha256'][:12]}… -> {checksum[:12]}…")
        elif path in writes:
            changes.append(f"{shown}: restored to its listed content")
        new["file"].append(dict(entry, sha256=checksum))
    return new, writes, changes


def unlisted(assets: list[dict]) -> list[str]:
    """Files in the assets' folders that the manifest does not list (the test refuses them)."""
    listed = {target(asset, entry) for asset in assets for entry in asset["file"]}
    found = []
    for asset in assets:
        for path in sorted((STATIC / asset["folder"]).rglob("*")):
            if path.is_file() and path.resolve() not in listed:
                found.append(str(path.relative_to(STATIC)))
    return found


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and ("@" not in argv[0][1:] or argv[0].endswith("@"))):
        print(f"usage:\n{USAGE}", file=sys.stderr)
        return 2
    assets = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["asset"]
    if argv:
        name, version = argv[0].rsplit("@", 1)
        if not any(asset["package"] == name for asset in assets):
            print(f"{name} is not in {MANIFEST.name}; add an [[asset]] for it first", file=sys.stderr)
            return 2
        specs = {name: f"{name}@{version}"}
    else:
        specs = {asset["package"]: f"{asset['package']}@{asset['version']}" for asset in assets}
    refreshed, writes, changes = [], {}, []
    try:
        check_keys(assets)
        with tempfile.TemporaryDirectory() as tmp:
            for asset in assets:
                if asset["package"] not in specs:
                    refreshed.append(asset)
                    continue
                print(f"fetching {specs[asset['package']]}", file=sys.stderr)
                new, files, changed = fetch(asset, specs[asset["package"]], Path(tmp))
                refreshed.append(new)
                writes.update(files)
                changes.extend(changed)
        text = render(refreshed)
    except Failure as failure:
        print(f"nothing written: {failure}", file=sys.stderr)
        return 1
    for path, data in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)
    if text != MANIFEST.read_text(encoding="utf-8"):
        MANIFEST.write_text(text, encoding="utf-8")
        if not changes:
            changes.append(f"{MANIFEST.name}: rewritten in its standard layout")
    print("\n".join(changes) if changes else "nothing changed")
    for path in unlisted(refreshed):
        print(f"not listed in {MANIFEST.name}: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
