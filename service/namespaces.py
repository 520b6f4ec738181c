"""The vocabularies the dataset uses, with the prefixes people expect to see for them."""

from __future__ import annotations

import re

from rdflib import Namespace

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
DOCO = Namespace("http://purl.org/spar/doco/")
CITO = Namespace("http://purl.org/spar/cito/")
PO = Namespace("http://www.essepuntato.it/2008/12/pattern#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": str(ORG),
    "prov": str(PROV),
    "sem": str(SEM),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "bibo": str(BIBO),
    "fabio": str(FABIO),
    "doco": str(DOCO),
    "deo": "http://purl.org/spar/deo/",
    "cito": str(CITO),
    "po": str(PO),
    "wgs": str(WGS),
    "sh": "http://www.w3.org/ns/shacl#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "wd": str(WD),
    "wdt": str(WDT),
    # the rest of Wikidata's query-service prefixes, for queries written for it (the Wikidata view)
    "wikibase": "http://wikiba.se/ontology#",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "psv": "http://www.wikidata.org/prop/statement/value/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "pqv": "http://www.wikidata.org/prop/qualifier/value/",
    "pr": "http://www.wikidata.org/prop/reference/",
    "geo": "http://www.opengis.net/ont/geosparql#",
}

# Our own namespaces, relative to the canonical base.
LOCAL_PREFIXES = {
    "cao": "ontology#",
    "grp": "id/organisation/",
    "per": "id/person/",
    "plc": "id/place/",
    "evt": "id/event/",
    "clm": "id/claim/",
    "wrk": "id/work/",
    "agt": "id/agent/",
    "note": "id/note/",
    "sen": "id/work/cma-profile/s/",
    "scheme": "id/scheme/",
    "cert": "id/concept/certainty/",
    "dq": "id/concept/date-qualifier/",
    "qk": "id/concept/quantity/",
    "role": "id/concept/role/",
    "ideo": "id/concept/ideology/",
    "obj": "id/concept/objective/",
    "tac": "id/concept/tactic/",
    "wpn": "id/concept/weapon/",
    "eth": "id/concept/ethnic-group/",
}


def prefixes(base: str) -> dict[str, str]:
    """All prefixes, ours resolved against `base`."""
    return {**STANDARD_PREFIXES, **{p: base + rel for p, rel in LOCAL_PREFIXES.items()}}


def local_words(iri: str) -> str:
    """A term without a label, named by its local name in words: `schema:containedInPlace` is
    "contained in place", `schema:City` "city"."""
    local = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower() or iri
