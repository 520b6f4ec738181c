"""From Turtle sources to a validated dataset: load, derive, validate — the one path every command takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .config import Settings
from .dataset import ProfileDataset, load
from .rules import derive
from .stats import compute
from .store import has_store, materialise, store_path
from .validation import Report, validate


@dataclass(frozen=True)
class Build:
    dataset: ProfileDataset
    report: Report


def build(settings: Settings, data_paths: Iterable[Path] | None = None) -> Build:
    """Load the sources, add the derived views and validate the whole.

    Raises `TurtleError` for a file that does not parse; a SHACL failure is in `report`.
    """
    dataset = load(settings, data_paths)
    derive(dataset)
    return Build(dataset, validate(dataset))


class DataRefused(Exception):
    """The data does not conform to the shapes; it must not be served."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"the data does not conform: {len(report.violations)} violation(s)")


def ensure_store(settings: Settings) -> Path:
    """The path of a validated on-disk store for the current sources, building it if needed.

    A store is reused as long as no source file changes (its name is their fingerprint), so a
    restart with unchanged data skips loading, deriving and validating. Data that fails
    validation raises `DataRefused` and no store is written.
    """
    if has_store(settings):
        return store_path(settings)
    result = build(settings)
    if not result.report.conforms:
        raise DataRefused(result.report)
    stats = compute(result.dataset.union(), settings.base)
    summary = {"conforms": True, "warnings": len(result.report.warnings), "triples": stats.triples}
    return materialise(settings, result.dataset.graphs, summary)
