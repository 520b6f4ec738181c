"""The `conflict-ld` command."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .build import CannotWrite, DataRefused, build, ensure_store, prepare
from .config import Limits, Settings
from .dataset import TurtleError
from .durable import Damaged
from .logs import configure
from .namespaces import prefixes
from .stats import compute
from .store import MARKER
from .validation import ShapesError
from .wikidata_check import WIKIDATA_ENDPOINT


def _relative(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _print_report(result, settings: Settings, verbose_warnings: bool) -> None:
    report = result.report
    shown = report.issues if verbose_warnings else report.violations
    for issue in shown:
        print(f"{_relative(issue.file, settings.root) or '(no file)'}: {issue.summary()}")
    status = "conforms" if report.conforms else "does NOT conform"
    print(f"\nSHACL: {status} — {len(report.violations)} violation(s), {len(report.warnings)} warning(s)"
          + ("" if verbose_warnings or not report.warnings else " (show them with --warnings)"))


def _validate(args, settings: Settings) -> int:
    result = build(settings, [Path(p) for p in args.paths] or None)
    _print_report(result, settings, args.warnings)
    return 0 if result.report.conforms else 1


def _stats(args, settings: Settings) -> int:
    result = build(settings)
    print("\n".join(compute(result.dataset).lines()))
    if not result.report.conforms:
        print(f"\nwarning: the data does not conform ({len(result.report.violations)} violations); "
              "run `conflict-ld validate`", file=sys.stderr)
    return 0 if result.report.conforms else 1


def _build(args, settings: Settings) -> int:
    result = build(settings)
    _print_report(result, settings, args.warnings)
    if not result.report.conforms:
        return 1
    release = prepare(settings, built=result)
    print(f"\nstore: {_relative(release.store, settings.root)}\ndumps: {_relative(release.dumps, settings.root)}\n")
    print("\n".join(compute(result.dataset).lines()))
    return 0


def _serve(args, settings: Settings) -> int:
    from .workers import start_forking

    if args.processes < 1:
        print("--processes must be 1 or more", file=sys.stderr)
        return 2
    start_forking()  # on another core, while the web app loads
    import uvicorn

    store = Path(args.store).resolve() if args.store else None
    if store is not None and not (store / MARKER).exists():
        print(f"no store to serve in {store} (an Oxigraph folder with {MARKER}, as `conflict-ld build` writes)",
              file=sys.stderr)
        return 1
    try:
        release = prepare(settings, store)
    except Damaged as damage:  # only a store given with --store: one built here is rebuilt instead
        print(f"cannot serve the store in {store}: {damage}", file=sys.stderr)
        return 1
    except DataRefused as refused:
        for issue in refused.report.violations:
            print(f"{_relative(issue.file, settings.root) or '(no file)'}: {issue.summary()}", file=sys.stderr)
        print(f"\nrefusing to serve: {refused}", file=sys.stderr)
        return 1
    limits = args.limits  # read (and checked) once, by main
    # bound here, so that the address printed is the one bound: with --port 0, the port the system chose
    listening = uvicorn.Config(None, host=args.host, port=args.port, log_level="warning").bind_socket()
    host, port = listening.getsockname()[:2]
    processes = f"{args.processes} web processes, each with " if args.processes > 1 else ""
    print(f"serving {release.store.name} on http://{_authority(host, port)}/sparql "
          f"({processes}{limits.workers} query workers, {limits.query_timeout:g} s timeout)", flush=True)
    if args.processes == 1:
        _serve_on([listening], settings, limits, release)
        return 0
    from .web_processes import supervise

    return supervise(args.processes, [listening], partial(_serve_prepared, settings, limits, store))


def _serve_on(sockets, settings: Settings, limits: Limits, release) -> None:
    """One web process serving the prepared release on the sockets given."""
    import uvicorn

    from .app import create_app
    from .http_limits import http_protocol

    config = uvicorn.Config(create_app(settings, limits, release), log_level="warning",
                            http=http_protocol(limits),  # uvicorn's httptools protocol with bounded request heads
                            proxy_headers=False)  # forwarding headers are read by clients.py, from trusted proxies only
    uvicorn.Server(config).run(sockets=sockets)


def _serve_prepared(settings: Settings, limits: Limits, store: Path | None, sockets) -> None:
    """A web process of several: prepares (reusing what the first preparation checked), then serves."""
    from .workers import start_forking

    start_forking()
    configure(limits.log_level, limits.log_format)
    _serve_on(sockets, settings, limits, prepare(settings, store))


def _release(args, settings: Settings) -> int:
    from datetime import date

    from .dumps import quad_lines
    from .releases import History, ReleaseError

    if args.data:
        data = Path(args.data).read_text(encoding="utf-8").splitlines(keepends=True)
    else:
        try:
            data = quad_lines(prepare(settings).dumps)
        except DataRefused as refused:
            print(f"refusing to release: {refused}; run `conflict-ld validate`", file=sys.stderr)
            return 1
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"--date {args.date!r} is not a date of the form YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        history = History(settings.releases_dir)
        record = history.release(args.version, args.notes, data, settings.base, day)
    except ReleaseError as problem:
        print(f"cannot release {args.version}: {problem}", file=sys.stderr)
        return 1
    print(f"released {record.version} ({record.date}): {record.quads} quads, SHA-256 {record.sha256}"
          + (f", patched from {record.previous}" if record.previous else ""))
    return 0


def _load(args, settings: Settings) -> int:
    from .releases import release_iri
    from .remote_store import Endpoints, EngineFailed, RemoteStore
    from .store import QuerySyntaxError, graphs_as_ntriples

    try:
        endpoints = Endpoints.of(args.into, args.update, args.graph_store)
    except ValueError as problem:
        print(f"--into: {problem}", file=sys.stderr)
        return 2
    try:
        release = prepare(settings)
    except DataRefused as refused:
        print(f"refusing to load: {refused}; run `conflict-ld validate`", file=sys.stderr)
        return 1
    graphs = graphs_as_ntriples(release.store)
    for version, published in release.releases.items():
        graphs.update(graphs_as_ntriples(published.store, union_as=release_iri(settings.base, version)))
    engine = RemoteStore(endpoints, list(graphs))
    try:
        engine.replace_graphs(graphs)
    except (EngineFailed, QuerySyntaxError) as problem:
        print(f"cannot load into {endpoints.graph_store}: {problem}; the graphs it served before are unchanged "
              "unless it says otherwise above", file=sys.stderr)
        return 1
    finally:
        engine.close()
    for iri, (_, count) in graphs.items():
        print(f"{count:>9} triples  {iri}")
    print(f"loaded {len(graphs)} graphs into {endpoints.graph_store}, each count checked")
    return 0


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _linked_store(settings: Settings):
    from .store import EmbeddedStore

    return EmbeddedStore(ensure_store(settings)), {**prefixes(settings.base), "id": settings.base + "id/"}


def _wikidata_verify(args, settings: Settings) -> int:
    from .wikidata_check import (EndpointError, WikidataClient, kind_of, linked_entities, suggest, unlinked_entities,
                                 verify)

    store, names = _linked_store(settings)
    client = WikidataClient(args.endpoint, pause=args.pause)
    linked = linked_entities(store, names)
    short = lambda iri: iri[len(settings.base):]  # noqa: E731 - a local shorthand for printing
    try:
        findings = verify(linked, client, settings.base)
        print(f"{len(linked)} linked entities checked against {args.endpoint}\n")
        for finding in sorted(findings, key=lambda f: (f.problem == "ok", f.problem, f.entity.iri)):
            print(f"{finding.problem.upper():9}{finding.entity.item:11}{short(finding.entity.iri)}"
                  + (f"  {finding.detail}" if finding.detail else ""))
        unlinked = unlinked_entities(store, names)
        kinds: dict[str, int] = {}
        for entity in unlinked:
            kind = kind_of(entity.iri, settings.base)
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"\nunlinked: {len(unlinked)} (" + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + ")")
        if args.suggest:
            candidates = suggest([e for e in unlinked if "/event/" not in e.iri], client)
            print(f"\nsuggestions by exact label (never applied; check each before linking): {len(candidates)}")
            for entity, name, hits in candidates:
                for qid, label, description in hits:
                    print(f"SUGGEST  {qid:11}{short(entity.iri)}  \"{name}\" → {label}" + (f" — {description}" if description else ""))
    except EndpointError as problem:
        print(f"cannot query the endpoint: {problem}", file=sys.stderr)
        return 2
    problems = [f for f in findings if f.problem != "ok"]
    print(f"\n{len(findings) - len(problems)} ok, {len(problems)} to check")
    return 1 if problems else 0


def _wikidata_export(args, settings: Settings) -> int:
    from .quickstatements import drop_known, lines, statements
    from .wikidata_check import EndpointError, WikidataClient

    store, names = _linked_store(settings)
    exported = statements(store, names)
    if args.endpoint:
        try:
            exported = drop_known(exported, WikidataClient(args.endpoint, pause=args.pause))
        except EndpointError as problem:
            print(f"cannot query the endpoint: {problem}", file=sys.stderr)
            return 2
    text = "".join(line + "\n" for line in lines(exported))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"{len(exported)} statements, {text.count(chr(10))} lines", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="conflict-ld", description="Build, check and publish the conflict-ld dataset.")
    commands = top.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the ontology and data against the SHACL shapes")
    validate.add_argument("paths", nargs="*", help="data files or folders to check instead of data/ttl/")
    validate.add_argument("--warnings", action="store_true", help="also list warnings")
    validate.set_defaults(run=_validate)

    stats = commands.add_parser("stats", help="print counts per class, sourcing and Wikidata coverage")
    stats.set_defaults(run=_stats)

    build_ = commands.add_parser("build", help="load, derive and validate; write the store and the dumps; print statistics")
    build_.add_argument("--warnings", action="store_true", help="also list warnings")
    build_.set_defaults(run=_build)

    serve = commands.add_parser("serve", help="validate (or reuse a validated store) and serve the SPARQL endpoint")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: one the system chooses, printed when serving starts)")
    serve.add_argument("--store", help="serve this Oxigraph store folder as it is, instead of building one from the "
                                       "sources (a larger copy loaded elsewhere; it is not validated)")
    serve.add_argument("--processes", type=int, default=1,
                       help="web processes sharing the port, each with its own query workers (default 1)")
    serve.set_defaults(run=_serve)

    release = commands.add_parser("release", help="record the current, validated data as a release in releases/")
    release.add_argument("version", help="MAJOR.MINOR.PATCH, following the newest release (see the README)")
    release.add_argument("--notes", default="", help="what the release brings, for people")
    release.add_argument("--date", help="the release's date, YYYY-MM-DD (default: today)")
    release.add_argument("--data", help="release this canonical N-Quads file (a dump built from another checkout) "
                                        "instead of the current data")
    release.set_defaults(run=_release)

    load = commands.add_parser("load", help="validate, then replace the data's graphs in an external SPARQL engine")
    load.add_argument("--into", required=True, help="the engine's SPARQL query endpoint (Oxigraph server: "
                                                    "http://HOST:7878/query)")
    load.add_argument("--update", help="its SPARQL Update endpoint (default: beside an Oxigraph /query, else --into)")
    load.add_argument("--graph-store", help="its Graph Store Protocol endpoint (default: beside an Oxigraph /query, "
                                            "else --into)")
    load.set_defaults(run=_load)

    wikidata = commands.add_parser("wikidata", help="check our Wikidata links; export facts as QuickStatements")
    actions = wikidata.add_subparsers(dest="action", required=True)
    check = actions.add_parser("verify", help="compare every linked item's labels and types with a Wikidata endpoint")
    check.add_argument("--endpoint", default=WIKIDATA_ENDPOINT, help=f"SPARQL endpoint (default {WIKIDATA_ENDPOINT})")
    check.add_argument("--suggest", action="store_true", help="also propose items for unlinked entities by exact label")
    check.add_argument("--pause", type=float, default=1.0, help="seconds between batched requests (default 1)")
    check.set_defaults(run=_wikidata_verify)
    export = actions.add_parser("export", help="write QuickStatements (v1) for facts linked items could gain")
    export.add_argument("--endpoint", help="leave out what this Wikidata endpoint already holds")
    export.add_argument("--output", help="file to write (default: standard output)")
    export.add_argument("--pause", type=float, default=1.0, help="seconds between batched requests (default 1)")
    export.set_defaults(run=_wikidata_export)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command in ("serve", "build", "release", "load"):
        try:
            args.limits = Limits.from_env()
            configure(args.limits.log_level, args.limits.log_format)
        except ValueError as problem:
            print(f"invalid setting: {problem}", file=sys.stderr)
            return 2
    try:
        return args.run(args, settings)
    except TurtleError as error:
        print(f"{_relative(error.path, settings.root)}:{error.line or '?'}: Turtle syntax error: {error.reason}",
              file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"no such file or folder: {error.filename}", file=sys.stderr)
        return 1
    except CannotWrite as problem:
        print(f"cannot write the {problem.what} in {_relative(problem.folder, settings.root)}: {problem.reason}",
              file=sys.stderr)
        return 1
    except ShapesError as problem:
        print(f"the shapes in {_relative(settings.shapes_dir, settings.root)} cannot be applied: {problem}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
