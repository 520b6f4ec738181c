"""Dumps for harvesters: listing, files with checksums, conditional GET, HEAD and byte ranges.

`/dumps/{name}` is the data served now and is revalidated (ETag = the file's SHA-256);
`/dumps/{version}/{name}` (a release's number, or the current data's folder name) never changes and
is cached for a year; `/dumps/latest/{name}` redirects to the newest release's. A `.gz` file is served as the
gzip file it is (`application/gzip`, no Content-Encoding), so what a client saves matches SHA256SUMS.
Only names found in the release's SHA256SUMS are served: anything else, traversal included, is a 404.
A file whose size or modification time is no longer what start-up checked is never served under its
recorded checksum: it answers 503 until a restart rebuilds it.
"""

from __future__ import annotations

import json
import logging
from email.utils import formatdate
from html import escape
from pathlib import Path
from typing import Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from ..conditional import not_modified
from ..dumps import SUMS, DumpFile
from ..json_ld import context
from ..logs import event, logger
from ..negotiation import NotAcceptable, choose
from ..views.releases import state_of_the_data, unknown_release
from ..views.responses import error, negotiated, not_acceptable
from ..views.shell import html_page

router = APIRouter()
_LOG = logger("dumps")


class DumpResponse(FileResponse):
    """A dump file sent in 1 MiB reads: each read is a hand-over to a thread, so fewer is faster.

    A `Range` in a unit other than bytes is ignored, as RFC 9110 §14.2 requires (Starlette refuses
    it with a 400): the whole file is sent."""

    chunk_size = 2**20

    async def __call__(self, scope, receive, send):
        ranges = [value for name, value in scope["headers"] if name == b"range"]
        if ranges and ranges[0].partition(b"=")[0].strip().lower() != b"bytes":
            scope = {**scope, "headers": [(name, value) for name, value in scope["headers"] if name != b"range"]}
        await super().__call__(scope, receive, send)


CURRENT = "no-cache"  # always revalidate; a 304 costs nothing
VERSIONED = "public, max-age=31536000, immutable"
LATEST = "latest"  # in a dump's URL, the newest release
CHANGED_RETRY = 60  # seconds suggested to a client when a dump changed on disk: it takes a restart


@router.api_route("/context.jsonld", methods=["GET", "HEAD"])
async def json_ld_context(request: Request) -> Response:
    """The dataset's JSON-LD context, at a stable URL."""
    body = json.dumps(context(request.app.state.settings.base), indent=1, sort_keys=True).encode("utf-8")
    return Response(body, media_type="application/ld+json", headers={"Cache-Control": "public, max-age=86400"})


@router.api_route("/dumps/", methods=["GET", "HEAD"])
@router.api_route("/dumps", methods=["GET", "HEAD"])
async def dump_index(request: Request) -> Response:
    """The dumps of the data served now, and the releases'."""
    state = request.app.state
    releases = list(state.releases)
    said = state_of_the_data(state.current_release, releases[-1] if releases else None)
    others = " · ".join(f'<a href="{request.base_url}dumps/{version}/">{version}</a>' for version in reversed(releases))
    intro = (f"<p>{said} Every release's dumps are kept: {others} (<a href=\"{request.base_url}releases\">the releases"
             "</a>).</p>") if releases else f"<p>{said}</p>"
    extra = {"release": state.current_release, "releases": [f"{version}/" for version in releases]}
    return _listing(request, state.dumps_path.name, list(state.dump_files.values()), "Dumps of the data served now",
                    intro, extra)


@router.api_route("/dumps/{version}/", methods=["GET", "HEAD"])
async def release_dump_index(request: Request, version: str) -> Response:
    releases = request.app.state.releases
    if version == LATEST and releases:
        return _to_newest(request, "")
    if version not in releases:
        return unknown_release(request.app.state.releases, version)
    files = [entry for name, entry in releases[version].files.items() if name != SUMS]
    record = releases[version].record
    intro = (f'<p>Release {version} of {record.date} (<a href="{request.base_url}release/{version}">about it</a>). '
             "These files never change.</p>")
    return _listing(request, version, files, f"Dumps of release {version}", intro, {"release": version})


def _listing(request: Request, version: str, files: list, title: str, intro: str, extra: dict) -> Response:
    try:
        media_type = choose(request.headers.get("accept"), ("text/html", "application/json"),
                            request.query_params.getlist("format"))
    except NotAcceptable as problem:
        return not_acceptable(problem)
    if media_type == "application/json":
        body = {"version": version, **extra, "files": [
            {"name": f.name, "url": f"{version}/{f.name}", "mediaType": f.media_type, "size": f.size,
             "sha256": f.sha256} for f in files]}
        return negotiated(json.dumps(body, indent=1).encode(), media_type)
    rows = "\n".join(
        f'<tr><td><a href="{request.base_url}dumps/{version}/{escape(f.name)}">{escape(f.name)}</a></td><td>{escape(f.media_type)}'
        f'{" (gzip)" if f.encoding else ""}</td><td>{f.size}</td><td><code>{f.sha256}</code></td></tr>'
        for f in files)
    root = str(request.base_url)
    main = f"""<h1>{escape(title)}</h1>
{intro}
<p>The whole dataset in each syntax, plain and gzipped, with their <a href="{root}dumps/{version}/{SUMS}">SHA-256 sums</a>.
The same data always gives the same bytes.</p>
<div class="scroll"><table><thead><tr><th>file</th><th>type</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
"""
    page = html_page(root, title, main, current="dumps/")
    return negotiated(page.encode("utf-8"), media_type)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
async def current_dump(request: Request, name: str) -> Response:
    state = request.app.state
    return _serve_file(request, name, CURRENT, state.dumps_path, state.dump_files, state.dump_sums)


@router.api_route("/dumps/{version}/{name}", methods=["GET", "HEAD"])
async def versioned_dump(request: Request, version: str, name: str) -> Response:
    state = request.app.state
    if version == LATEST and state.releases:
        return _to_newest(request, name)
    if version in state.releases:
        published = state.releases[version]
        files = {key: entry for key, entry in published.files.items() if key != SUMS}
        return _serve_file(request, name, VERSIONED, published.dumps, files, published.files[SUMS])
    if version != state.dumps_path.name:
        return unknown_release(request.app.state.releases, version)
    return _serve_file(request, name, VERSIONED, state.dumps_path, state.dump_files, state.dump_sums)


def _to_newest(request: Request, name: str) -> Response:
    """`latest` stands for the newest release: a temporary redirect, as it moves with each release."""
    newest = list(request.app.state.releases)[-1]
    return RedirectResponse(f"{request.base_url}dumps/{newest}/{name}", status_code=302,
                            headers={"Cache-Control": CURRENT})


def _serve_file(request: Request, name: str, cache: str, directory: Path, files: Mapping[str, DumpFile],
                sums: DumpFile) -> Response:
    if name == SUMS:
        entry = sums
        path, media_type, etag = directory / SUMS, "text/plain; charset=utf-8", None
    elif name in files:
        entry = files[name]
        path, media_type, etag = directory / name, "application/gzip" if entry.encoding else entry.media_type, entry.sha256
    else:
        return error(404, f"Not Found: no dump named {name!r}; see /dumps/.")
    try:
        stat = path.stat()
        changed = (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns)
    except OSError:
        changed = True
    if changed:
        event(_LOG, "dump changed", logging.ERROR, path=str(path), size=entry.size, mtime_ns=entry.mtime_ns,
              action="not served; restart to rebuild it")
        return error(503, f"Service Unavailable: {name} changed on disk since it was checked; "
                          "it is served again once the service is restarted.", {"Retry-After": str(CHANGED_RETRY)})
    etag = f'"{etag or stat.st_mtime_ns}"'
    last_modified = formatdate(stat.st_mtime, usegmt=True)
    headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": cache}
    if not_modified(request.headers, etag, stat.st_mtime):
        return Response(status_code=304, headers=headers)
    return DumpResponse(path, media_type=media_type, headers=headers, stat_result=stat)  # not stat'ed again
