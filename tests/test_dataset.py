from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from service.config import Settings
from service.dataset import DATA, ONTOLOGY, TurtleError, load, parse_turtle, source_files

from .conftest import VALID_WORLD

ROOT = Path(__file__).resolve().parent.parent
TURTLE_FILES = sorted(
    p for folder in ("ontology", "data/ttl", "shapes", "tests/fixtures") for p in (ROOT / folder).rglob("*.ttl")
)


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_turtle_file_round_trips(path):
    graph = parse_turtle(path, "https://w3id.org/conflict-ld/")
    assert len(graph) > 0
    again = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert isomorphic(graph, again)


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix ex: <x#> .\n\nex:a ex:b ex:c ;\n    ex:d "unterminated .\n', encoding="utf-8")
    with pytest.raises(TurtleError) as caught:
        parse_turtle(broken, "https://example.org/")
    assert caught.value.path == broken
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{broken}:4: ")


def test_relative_iris_resolve_against_the_configured_base():
    settings = Settings(base="https://example.org/cld/")
    dataset = load(settings, [VALID_WORLD])
    subjects = {str(s) for s in dataset.union().subjects() if isinstance(s, URIRef)}
    assert "https://example.org/cld/id/organisation/alpha" in subjects
    assert not any(s.startswith("https://w3id.org/conflict-ld/") for s in subjects)


def test_base_without_trailing_slash_is_completed():
    assert Settings(base="https://example.org/cld").base == "https://example.org/cld/"


def test_ontology_and_data_go_to_their_own_graphs(settings):
    files = source_files(settings)
    assert {name for _, name in files} == {ONTOLOGY, DATA}
    assert all(path.parent == settings.ontology_dir for path, name in files if name == ONTOLOGY)


def test_each_subject_remembers_its_file():
    dataset = load(Settings(), [VALID_WORLD])
    alpha = URIRef("https://w3id.org/conflict-ld/id/organisation/alpha")
    assert dataset.file_of(alpha) == VALID_WORLD
