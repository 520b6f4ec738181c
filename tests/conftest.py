"""Shared fixtures: the shipped dataset built once per test session, and the fixture files."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import sync_playwright

from service.build import Build, build
from service.config import Settings
from service.namespaces import prefixes

from .waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
VALID_WORLD = FIXTURES / "valid-world.ttl"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def profile(settings) -> Build:
    """The shipped ontology + data, loaded, derived and validated."""
    return build(settings)


@pytest.fixture(scope="session")
def graph(profile):
    return profile.dataset.union()


@pytest.fixture(scope="session")
def ask(graph, settings):
    """Run a SPARQL query over the whole dataset with the project's prefixes predeclared."""
    namespaces = prefixes(settings.base)

    def run(query: str):
        """Rows as tuples for SELECT; a bool for ASK."""
        result = graph.query(query, initNs=namespaces)
        if result.type == "ASK":
            return result.askAnswer
        return [tuple(row) for row in result]

    return run


@dataclass
class LiveServer:
    url: str  # e.g. http://127.0.0.1:54321
    process: subprocess.Popen
    env: dict
    log_path: Path  # what the server printed and logged (a file: a pipe nobody reads would fill and block it)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


SERVING = re.compile(r"^serving \S+ on (http://127\.0\.0\.1:\d+)/sparql ", re.MULTILINE)


def start_server(tmp_store: Path, *arguments: str, **limits: str) -> LiveServer:
    """`conflict-ld serve` as a user starts it, with the given limits (any CONFLICT_LD_* setting, by
    its lower-case name) and command-line arguments. It binds port 0, so the system hands it a free
    port with no race, and prints the address it bound; it is ready when it answers there."""
    env = {**os.environ, "CONFLICT_LD_STORE": str(tmp_store), "CONFLICT_LD_DUMPS": str(tmp_store / "dumps"),
           **{f"CONFLICT_LD_{k.upper()}": v for k, v in limits.items()}}
    log = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=tmp_store, prefix="server-", suffix=".log",
                                      delete=False)
    log_path = Path(log.name)
    with log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", "0", *arguments],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )

    def answering() -> LiveServer | None:
        printed = log_path.read_text(encoding="utf-8", errors="replace")
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {printed}")
        if not (serving := SERVING.search(printed)):
            return None
        try:
            with urllib.request.urlopen(serving[1] + "/sparql?query=ASK%7B%7D", timeout=5) as response:
                return LiveServer(serving[1], process, env, log_path) if response.status == 200 else None
        except OSError:
            return None

    try:
        return wait_until(answering, "the server to answer", timeout=600)
    except BaseException:
        process.kill()
        raise


def client_at(address: str, **options) -> httpx.Client:
    """An HTTP client whose connections come from `address` (Linux routes all of 127/8 to loopback):
    to the service, another client than the tests' usual 127.0.0.1."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=options.pop("timeout", 30),
                        **options)


def openapi() -> dict:
    """The app's OpenAPI schema, made in-process (it is not served): every route and its parameters."""
    from service.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # HEAD shares its GET operation's id, which FastAPI warns of
        return create_app().openapi()


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def listener():
    """A loopback socket that records whether anyone connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    contacts = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                contacts.append(connection)
                connection.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", contacts
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    """The shared servers' store and dumps: a new folder, or the one CONFLICT_LD_TEST_STORE names, kept
    between runs (the server reuses a store built from the same sources), as mutation testing does
    for modules the build does not use."""
    kept = os.environ.get("CONFLICT_LD_TEST_STORE")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        return Path(kept)
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def live_server(store_dir):
    """A real server on loopback (short timeout, two workers) shared by the HTTP tests. A request
    waits up to 30 s for a worker: on a loaded machine a page may queue behind a query stopped at
    its time limit, and the tests of saturation start servers of their own."""
    server = start_server(store_dir, query_timeout="3", workers="2", queue_wait="30")
    yield server
    stop_server(server)


# --- headless Chromium: Debian's, else Playwright's own build (tests/run installs one of them) ------------

CHROMIUM = Path(os.environ.get("CONFLICT_LD_CHROMIUM", "/usr/bin/chromium"))  # Debian's, unless another is named
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT = 30_000  # ms
NO_BROWSER = os.environ.get("CONFLICT_LD_NO_BROWSER")  # set by tests/run when it could install none


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        if CHROMIUM.exists():
            executable = str(CHROMIUM)
        elif Path(playwright.chromium.executable_path).exists():
            executable = None  # Playwright's own
        elif NO_BROWSER:
            pytest.skip(f"NOT RUN: {NO_BROWSER}")
        else:
            pytest.fail("the browser tests need a Chromium: run them with tests/run, which installs one")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter):
    """A suite run without a browser says so at the end, where nobody misses it."""
    not_run = [report for report in terminalreporter.stats.get("skipped", []) if "NOT RUN" in str(report.longrepr)]
    if not_run:
        terminalreporter.section("BROWSER TESTS NOT RUN", sep="!", red=True, bold=True)
        terminalreporter.line(f"{len(not_run)} browser tests were not run: {NO_BROWSER}", red=True, bold=True)


class Watch:
    """What a page did that a test should not allow: console errors, uncaught exceptions, foreign requests."""

    def __init__(self, context):
        self.errors: list[str] = []
        self.tolerated: list[str] = []  # substrings of console errors to let pass
        self.foreign: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1":
            self.foreign.append(url)
            route.abort()
        else:
            route.continue_()

    def attach(self, page):
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"console: {message.text} ({message.location.get('url')})"))
        page.on("pageerror", lambda problem: self.errors.append(f"uncaught: {problem}"))
        # a request the page itself dropped (it was left for another before the answer came) is no fault
        page.on("requestfailed", lambda request: request.failure == "net::ERR_ABORTED" or self.errors.append(
            f"request failed: {request.url} {request.failure}"))
        return page

    def check(self):
        assert self.foreign == [], f"requests to hosts other than 127.0.0.1: {self.foreign}"
        errors = [e for e in self.errors if not any(t in e for t in self.tolerated)]
        assert errors == [], "\n".join(errors)


@pytest.fixture
def browse(chromium):
    """A fresh browser context (no stored state) and a page in it, watched; checked when the test ends."""
    contexts = []

    def open_page(**options):
        context = chromium.new_context(accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT)
        watch = Watch(context)
        contexts.append((context, watch))
        return watch.attach(context.new_page()), watch

    yield open_page
    for context, watch in contexts:
        context.close()
