"""Settings read once from the environment, so every command and test agrees on paths and IRIs."""

from __future__ import annotations

import ipaddress
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
    releases_dir: Path = field(default=None)  # type: ignore[assignment] — the release records and patches

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")
        defaults = (("ontology_dir", "ontology"), ("data_dir", "data/ttl"), ("shapes_dir", "shapes"),
                    ("store_dir", "var/store"), ("queries_dir", "queries"), ("dumps_dir", "var/dumps"),
                    ("releases_dir", "releases"))
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
    max_query_length: int = 16_384  # characters of a URL's query string (any route)
    max_path_length: int = 2_048  # characters of a URL's path
    max_parameters: int = 100  # parameters in a query string or a form
    max_header_field: int = 8_192  # bytes of one request header field (name and value)
    max_headers: int = 32_768  # bytes of all the header fields of a request
    header_timeout: float = 5.0  # seconds a client has to send a request's line and headers
    workers: int = 4  # queries running at once
    queue_wait: float = 1.0  # seconds a request waits for a free worker before 503
    retry_after: int = 5  # seconds suggested to a client refused as saturated
    service_allow: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
    # Given as None, these three are derived from the machine and `workers` (see __post_init__):
    query_memory: int = None  # type: ignore[assignment] — bytes a query may add to its worker (0: no limit)
    client_queries: int = None  # type: ignore[assignment] — queries one client may run at once
    reserved_workers: int = None  # type: ignore[assignment] — free workers a client running one may not take
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose Forwarded / X-Forwarded-For names the client
    in_memory_quads: int = 2_000_000  # stores up to this size are queried from memory
    # bytes of rendered documents (entity pages, indexes, VoID) kept, and as many of the sorted links
    # of entities with more than a page of them
    document_cache: int = 64 * 2**20
    result_cache: int = 64 * 2**20  # bytes of answers to GET queries kept for the next identical one (0: none)
    log_level: str = "INFO"  # what the service logs: DEBUG, INFO, WARNING, ERROR
    log_format: str = "text"  # one event per line, as text or as JSON ("json")

    def __post_init__(self) -> None:
        """Half the machine's memory shared among the workers' queries; half the workers for one
        client; one worker kept for clients with nothing running."""
        derived = {"query_memory": lambda: machine_memory() // (2 * max(1, self.workers)),
                   "client_queries": lambda: max(1, self.workers // 2),
                   "reserved_workers": lambda: 1 if self.workers > 1 else 0}
        for name, default in derived.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, default())
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"CONFLICT_LD_TRUSTED_PROXIES: {proxy!r} is not an IP address or network") from None

    @classmethod
    def from_env(cls) -> "Limits":
        """Each limit from its `CONFLICT_LD_…` variable when set; a value of the wrong kind is a
        ValueError that names the variable."""
        env = os.environ

        def number(name: str, kind: type = int):
            variable = f"CONFLICT_LD_{name.upper()}"
            text = env.get(variable)
            if not text:
                return getattr(cls, name)  # None for a limit derived from the machine
            try:
                return kind(text)
            except ValueError:
                raise ValueError(f"{variable}={text!r} is not {'a whole number' if kind is int else 'a number'}") from None

        whole = ("max_rows", "max_result_bytes", "max_body", "max_query_length", "max_path_length", "max_parameters",
                 "max_header_field", "max_headers", "workers", "in_memory_quads", "document_cache", "result_cache", "query_memory",
                 "client_queries", "reserved_workers")
        return cls(
            **{name: number(name) for name in whole},
            **{name: number(name, float) for name in ("query_timeout", "header_timeout", "queue_wait")},
            service_allow=tuple(env.get("CONFLICT_LD_SERVICE_ALLOW", "").split()),
            log_level=env.get("CONFLICT_LD_LOG_LEVEL", cls.log_level),
            log_format=env.get("CONFLICT_LD_LOG_FORMAT", cls.log_format),
            trusted_proxies=tuple(env.get("CONFLICT_LD_TRUSTED_PROXIES", "").replace(",", " ").split()),
        )


def machine_memory() -> int:
    """Bytes of memory the service may use: the machine's, or its control group's limit if lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system that tells
        total = 4 * 2**30
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total
