"""The Wikidata-shaped view: linked entities' facts in Wikibase RDF, with references and precision."""

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, SKOS, XSD

from service.dataset import WIKIDATA
from service.namespaces import STANDARD_PREFIXES

WD, WDT = STANDARD_PREFIXES["wd"], STANDARD_PREFIXES["wdt"]
P, PS, PSV, PQ, PR = (STANDARD_PREFIXES[name] for name in ("p", "ps", "psv", "pq", "pr"))
WIKIBASE = STANDARD_PREFIXES["wikibase"]
PROV = STANDARD_PREFIXES["prov"]
COVERED = {"P31", "P159", "P17", "P172", "P276", "P361", "P463", "P488", "P571", "P576", "P580", "P582",
           "P585", "P625", "P710", "P749", "P807", "P1142", "P1376"}


def _view(profile):
    return profile.dataset.graph(WIKIDATA)


def test_only_linked_items_are_described(profile):
    view = _view(profile)
    linked = {o for p in (OWL.sameAs, SKOS.exactMatch) for o in profile.dataset.union(["data"]).objects(None, p)
              if str(o).startswith(WD)}
    items = {s for s in view.subjects() if str(s).startswith(WD)}
    assert items and items <= linked
    assert URIRef(WD + "Q853699") in items


def test_only_documented_properties_are_used(profile):
    used = {str(p)[len(WDT):] for p in _view(profile).predicates() if str(p).startswith(WDT)}
    assert used <= COVERED and {"P31", "P463", "P571", "P710", "P172"} <= used


def test_every_truthy_triple_has_its_full_statement(profile):
    view = _view(profile)
    for item, direct, value in view.triples((None, None, None)):
        if not str(direct).startswith(WDT):
            continue
        pid = str(direct)[len(WDT):]
        statements = [s for s in view.objects(item, URIRef(P + pid)) if (s, URIRef(PS + pid), value) in view]
        assert statements, (item, pid, value)


def test_statements_cite_the_works_with_pages(profile):
    view = _view(profile)
    hcua_in_cma = [s for s in view.objects(URIRef(WD + "Q15141050"), URIRef(P + "P463"))
                   if (s, URIRef(PS + "P463"), URIRef(WD + "Q19955892")) in view]
    assert len(hcua_in_cma) == 1
    works = {view.value(r, URIRef(PR + "P248")) for r in view.objects(hcua_in_cma[0], URIRef(PROV + "wasDerivedFrom"))}
    assert {str(w).rsplit("/", 1)[-1] for w in works} == {"cma-profile", "laplace-2023"}
    pages = list(view.subject_objects(URIRef(PR + "P304")))
    assert len(pages) > 10 and all(view.value(r, URIRef(PR + "P248")) is not None for r, _ in pages)


def test_dates_keep_their_precision(profile):
    view = _view(profile)
    cma = URIRef(WD + "Q19955892")
    inception = view.value(cma, URIRef(WDT + "P571"))
    assert inception.datatype == XSD.dateTime and inception.toPython().year == 2014
    statement = next(view.objects(cma, URIRef(P + "P571")))
    value = view.value(statement, URIRef(PSV + "P571"))
    assert view.value(value, URIRef(WIKIBASE + "timePrecision")) == Literal(9)  # the profile gives a year
    assert view.value(value, URIRef(WIKIBASE + "timeValue")) == inception


def test_unlinked_values_keep_our_iris(profile, settings):
    view = _view(profile)
    gatia = URIRef(WD + "Q17629446")
    members_of = {v for s in view.objects(gatia, URIRef(P + "P463")) for v in view.objects(s, URIRef(PS + "P463"))}
    assert URIRef(settings.base + "id/organisation/plateforme") in members_of
    assert URIRef(WD + "Q111207670") in members_of
