"""The `conflict-ld` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import DataRefused, build, ensure_store
from .config import Limits, Settings
from .dataset import TurtleError
from .dumps import write_dumps
from .stats import compute


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
    print("\n".join(compute(result.dataset.union(), settings.base).lines()))
    if not result.report.conforms:
        print(f"\nwarning: the data does not conform ({len(result.report.violations)} violations); "
              "run `conflict-ld validate`", file=sys.stderr)
    return 0 if result.report.conforms else 1


def _build(args, settings: Settings) -> int:
    result = build(settings)
    _print_report(result, settings, args.warnings)
    if not result.report.conforms:
        return 1
    store = ensure_store(settings)
    print(f"\nstore: {_relative(store, settings.root)}\ndumps: {_relative(write_dumps(settings, store), settings.root)}\n")
    print("\n".join(compute(result.dataset.union(), settings.base).lines()))
    return 0


def _serve(args, settings: Settings) -> int:
    import uvicorn

    from .app import create_app

    try:
        store = ensure_store(settings)
    except DataRefused as refused:
        for issue in refused.report.violations:
            print(f"{_relative(issue.file, settings.root) or '(no file)'}: {issue.summary()}", file=sys.stderr)
        print(f"\nrefusing to serve: {refused}", file=sys.stderr)
        return 1
    limits = Limits.from_env()
    print(f"serving {store.name} on http://{args.host}:{args.port}/sparql "
          f"({limits.workers} query workers, {limits.query_timeout:g} s timeout)")
    uvicorn.run(create_app(settings, limits, store), host=args.host, port=args.port, log_level="warning")
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
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(run=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.run(args, settings)
    except TurtleError as error:
        print(f"{_relative(error.path, settings.root)}:{error.line or '?'}: Turtle syntax error: {error.reason}",
              file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"no such file or folder: {error.filename}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
