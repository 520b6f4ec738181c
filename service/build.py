"""From Turtle sources to a validated dataset: load, derive, validate — the one path every command takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .config import Settings
from .dataset import ProfileDataset, load
from .rules import derive
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
