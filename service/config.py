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
    store_dir: Path = field(default=None)  # type: ignore[assignment]
    queries_dir: Path = field(default=None)  # type: ignore[assignment]
    dumps_dir: Path = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")
        defaults = (("ontology_dir", "ontology"), ("data_dir", "data/ttl"), ("shapes_dir", "shapes"),
                    ("store_dir", "var/store"), ("queries_dir", "queries"), ("dumps_dir", "var/dumps"))
        for name, default in defaults:
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
        store, dumps = os.environ.get("CONFLICT_LD_STORE"), os.environ.get("CONFLICT_LD_DUMPS")
        return cls(base=os.environ.get("CONFLICT_LD_BASE", DEFAULT_BASE), root=root,
                   store_dir=Path(store) if store else None,  # type: ignore[arg-type]
                   dumps_dir=Path(dumps) if dumps else None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Limits:
    """What one request may cost; published in the service description and the README."""

    query_timeout: float = 30.0  # seconds before a query is stopped
    max_rows: int = 100_000  # result rows (or triples) per answer
    max_result_bytes: int = 256 * 2**20  # bytes of one answer as written
    max_body: int = 1_048_576  # bytes of a POST body
    max_query_length: int = 16_384  # characters of a query string in a GET URL
    workers: int = 4  # queries running at once
    queue_wait: float = 1.0  # seconds a request waits for a free worker before 503
    retry_after: int = 5  # seconds suggested to a client refused as saturated
    service_allow: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
    in_memory_quads: int = 2_000_000  # stores up to this size are queried from memory
    # bytes of rendered documents (entity pages, indexes, VoID) kept, and as many of the sorted links
    # of entities with more than a page of them
    document_cache: int = 64 * 2**20
    log_level: str = "INFO"  # what the service logs: DEBUG, INFO, WARNING, ERROR
    log_format: str = "text"  # one event per line, as text or as JSON ("json")

    @classmethod
    def from_env(cls) -> "Limits":
        env = os.environ
        allow = tuple(e for e in env.get("CONFLICT_LD_SERVICE_ALLOW", "").split() if e)
        return cls(
            query_timeout=float(env.get("CONFLICT_LD_QUERY_TIMEOUT", cls.query_timeout)),
            max_rows=int(env.get("CONFLICT_LD_MAX_ROWS", cls.max_rows)),
            max_result_bytes=int(env.get("CONFLICT_LD_MAX_RESULT_BYTES", cls.max_result_bytes)),
            max_body=int(env.get("CONFLICT_LD_MAX_BODY", cls.max_body)),
            max_query_length=int(env.get("CONFLICT_LD_MAX_QUERY_LENGTH", cls.max_query_length)),
            workers=int(env.get("CONFLICT_LD_WORKERS", cls.workers)),
            queue_wait=float(env.get("CONFLICT_LD_QUEUE_WAIT", cls.queue_wait)),
            service_allow=allow,
            in_memory_quads=int(env.get("CONFLICT_LD_IN_MEMORY_QUADS", cls.in_memory_quads)),
            document_cache=int(env.get("CONFLICT_LD_DOCUMENT_CACHE", cls.document_cache)),
            log_level=env.get("CONFLICT_LD_LOG_LEVEL", cls.log_level),
            log_format=env.get("CONFLICT_LD_LOG_FORMAT", cls.log_format),
        )
