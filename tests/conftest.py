"""Shared fixtures: the shipped dataset built once per test session, and the fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.build import Build, build
from service.config import Settings
from service.namespaces import prefixes

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
