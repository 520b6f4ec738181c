"""Settings read once from the environment, so every command and test agrees on paths and IRIs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BASE = "https://w3id.org/conflict-ld/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the data lives and which canonical base its relative IRIs resolve against."""

    base: str = DEFAULT_BASE
    root: Path = PROJECT_ROOT
    ontology_dir: Path = field(default=None)  # type: ignore[assignment]
    data_dir: Path = field(default=None)  # type: ignore[assignment]
    shapes_dir: Path = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")
        for name, default in (("ontology_dir", "ontology"), ("data_dir", "data/ttl"), ("shapes_dir", "shapes")):
            if getattr(self, name) is None:
                object.__setattr__(self, name, self.root / default)

    @property
    def ontology_namespace(self) -> str:
        return self.base + "ontology#"

    def graph_iri(self, name: str) -> str:
        """IRI of one of the named graphs the dataset is split into (ontology, data, derived)."""
        return f"{self.base}graph/{name}"

    @classmethod
    def from_env(cls) -> "Settings":
        root = Path(os.environ.get("CONFLICT_LD_HOME", PROJECT_ROOT))
        return cls(base=os.environ.get("CONFLICT_LD_BASE", DEFAULT_BASE), root=root)
