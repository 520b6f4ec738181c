"""rdflib's SPARQL processor, with each query string parsed once per process.

pyshacl evaluates a SPARQL constraint once per focus node, passing the query as a string, and
rdflib parses it every time: most of a validation run went into pyparsing. rdflib supports reusing
a prepared query with new bindings, so this processor keeps the prepared form of each string. It is
registered under rdflib's plugin name "sparql", the official extension point, when validation
starts, so every `Graph.query` in the process from then on benefits.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.query import Processor


@lru_cache(maxsize=512)
def _prepare(text: str, base: str | None, namespaces: tuple):
    return translateQuery(parseQuery(text), base, dict(namespaces) if namespaces else None)


class PreparedQueryProcessor(SPARQLProcessor):
    def query(self, strOrQuery, initBindings=None, initNs: Mapping[str, Any] | None = None, base=None, DEBUG=False):  # noqa: N803 (rdflib's names)
        if isinstance(strOrQuery, str):
            strOrQuery = _prepare(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


def install() -> None:
    plugin.register("sparql", Processor, __name__, PreparedQueryProcessor.__name__)
