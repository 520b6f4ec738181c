"""The web application: one FastAPI app, its routes, and the query pool it shares."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from . import __version__
from .access_log import AccessLog
from .clients import ClientIdentity
from .build import Release, prepare
from .config import Limits, Settings
from .namespaces import prefixes
from .dumps import STEM, SUMS
from .dataset_description import citation, edition, statistics
from .documents import DocumentCache, Kept
from .http_limits import RequestLimits
from .logs import logger
from .result_cache import AnswersAgain
from .parameters import BadParameter
from .routes.entity_versions import REPLACED
from .routes import dumps, entities, events, fragments, home, indexes, network, ontology, places, queries, reconcile, releases, search, sources, sparql, void, wikidata
from .search import SearchIndex
from .store import EmbeddedStore, stored_quads
from .views.responses import error
from .views.error_pages import ErrorPages
from .views.shell import cite
from .workers import NetworkDenied, QueryMemory, QueryPool, QueryTimeout, Saturated, TooManyQueries, WorkerFailed

_LOG = logger("app")


def create_app(settings: Settings | None = None, limits: Limits | None = None,
               release: Release | None = None) -> FastAPI:
    """The app; `release` is the checked store and dumps to serve (prepared from `settings` when not given)."""
    settings = settings or Settings.from_env()
    limits = limits or Limits.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        served = release or prepare(settings)
        path = served.store
        app.state.dumps_path = served.dumps
        app.state.dump_files = {name: entry for name, entry in served.files.items() if name != SUMS}
        app.state.dump_sums = served.files[SUMS]  # each file's size and time as checked: see routes/dumps.py
        app.state.releases, app.state.release_problem = served.releases, served.release_problem
        current = served.files[f"{STEM}.nq"].sha256
        app.state.current_release = next((version for version, published in served.releases.items()
                                          if published.record.sha256 == current), None)
        app.state.release_changes = {}  # (older, newer) → patch and summary: see routes/releases.py
        cite(citation(*edition(settings.base, served.dumps, served.releases, app.state.current_release)))
        app.state.statistics = statistics(path, settings)
        store = EmbeddedStore(path)
        app.state.graph_names = store.graph_names()
        app.state.search = SearchIndex.of_store(store, app.state.prefixes, settings.base)
        app.state.owned = entities.owned_resources(store, settings.base)
        replaced: dict[str, tuple[str, ...]] = {}
        for row in store.select(REPLACED, {}):
            replaced[row["old"]["value"]] = (*replaced.get(row["old"]["value"], ()), row["new"]["value"])
        app.state.replaced = replaced  # the data's tombstones: see routes/entity_versions.py
        del store
        app.state.release_owned = {version: entities.owned_resources(EmbeddedStore(published.store), settings.base)
                                   for version, published in served.releases.items()}
        app.state.triples = stored_quads(path)
        app.state.pool = QueryPool(path, limits)
        await app.state.pool.start()
        try:
            yield
        finally:
            await app.state.pool.stop()

    # No API docs or schema on the web: the documented surface is the README's (app.openapi() still works).
    app = FastAPI(title="conflict-ld", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.state.limits = limits
    app.state.prefixes = prefixes(settings.base)
    app.state.documents = DocumentCache(limits.document_cache)
    app.state.link_lists = Kept(limits.document_cache)  # of entities with more than a page of links
    app.state.results = DocumentCache(limits.result_cache)  # answers to GET queries: see result_cache.py
    app.state.result_requests = Kept(limits.result_cache // 16)  # the requests they answered, as sent
    app.state.work_records = {}  # bibliographic records by IRI, as works' pages find them
    app.add_middleware(RequestLimits, limits=limits)  # inside CORS, so that its refusals carry CORS headers
    app.add_middleware(ErrorPages)  # outside RequestLimits: a browser gets its refusals as pages too
    app.add_middleware(AnswersAgain)  # kept answers, sent before routing; inside CORS, which adds its headers
    # Everything is a read and no credentials are allowed, so a preflight may ask for any header.
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"], allow_headers=["*"],
        expose_headers=["Content-Length", "Content-Type", "Retry-After"],
    )
    app.add_middleware(ClientIdentity, trusted=limits.trusted_proxies)  # whose share a query counts against
    app.add_middleware(AccessLog)  # added last: outermost, so it sees every answer
    app.include_router(home.router)
    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(dumps.router)
    app.include_router(entities.router)
    app.include_router(wikidata.router)
    app.include_router(void.router)
    app.include_router(ontology.router)
    app.include_router(reconcile.router)
    app.include_router(sources.router)
    app.include_router(search.router)
    app.include_router(places.router)
    app.include_router(events.router)
    app.include_router(network.router)
    app.include_router(fragments.router)
    app.include_router(releases.router)
    app.include_router(indexes.router)  # last: its /{index} must not shadow the other routes
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, problem: HTTPException):
        return error(problem.status_code, f"{problem.detail}", problem.headers)  # a 405 keeps its Allow

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, problem: BadParameter):
        return error(400, f"Bad Request: {problem}")

    # Every route that queries shares these answers when the pool cannot (all 503s).
    retry = {"Retry-After": str(limits.retry_after)}
    unavailable = {
        Saturated: ("all query workers are busy; retry shortly.", retry),
        QueryTimeout: (f"the query ran past the {limits.query_timeout:g} s limit and was stopped.", {}),
        WorkerFailed: ("the query engine stopped while answering; retry shortly.", retry),
    }

    async def pool_unavailable(request: Request, problem: Exception):
        message, headers = unavailable[type(problem)]
        return error(503, f"Service Unavailable: {message}", headers)

    for kind in unavailable:
        app.add_exception_handler(kind, pool_unavailable)

    @app.exception_handler(TooManyQueries)
    async def over_share(request: Request, problem: TooManyQueries):
        return error(429, f"Too Many Requests: {problem.running} of your queries are running, and one client may run "
                          f"{limits.client_queries} at once; retry when they have ended.", retry)

    @app.exception_handler(QueryMemory)
    async def too_much_memory(request: Request, problem: QueryMemory):
        return error(400, f"Bad Request: {problem} (the limit) and was stopped; narrow the query or add LIMIT.")

    @app.exception_handler(NetworkDenied)
    async def network_denied(request: Request, problem: NetworkDenied):
        return error(403, "Forbidden: the query tried to reach the network, and federated query (SERVICE) is "
                          "not allowed here.")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, problem: Exception):
        """A fault of ours: logged with its traceback for the operator, one plain line for the client."""
        _LOG.error("unhandled", exc_info=problem, extra={"fields": {"path": request.url.path}})
        return error(500, "Internal Server Error: the fault is logged; please report it.")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, problem: RequestValidationError):
        return error(400, f"Bad Request: {problem.errors()[0].get('msg', 'invalid request')}")

    return app
