"""`/reconcile` on the running service, as OpenRefine uses it, checked against the 0.2 spec's JSON Schemas."""

import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

pytestmark = pytest.mark.slow

SCHEMAS = Path(__file__).parent / "fixtures" / "reconciliation-0.2"
ORGANISATION = "http://www.w3.org/ns/org#Organization"
PLACE = "https://schema.org/Place"
CAO = "https://w3id.org/conflict-ld/ontology#"


def _schemas() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMAS.glob("*.json"))}


REGISTRY = Registry().with_resources((s["$id"], DRAFT7.create_resource(s)) for s in _schemas().values())


def valid(instance, schema: str):
    """The instance, after checking it against one of the spec's schemas (by file name)."""
    Draft7Validator(_schemas()[schema], registry=REGISTRY).validate(instance)
    return instance


def reconcile(server, batch: dict) -> dict:
    valid(batch, "reconciliation-query-batch.json")
    response = httpx.post(f"{server.url}/reconcile", data={"queries": json.dumps(batch)})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return valid(response.json(), "reconciliation-result-batch.json")


def test_the_vendored_schemas_are_json_schemas_that_reject_what_they_should():
    for schema in _schemas().values():
        Draft7Validator.check_schema(schema)
    with pytest.raises(Exception, match="'score' is a required property"):
        valid({"q0": {"result": [{"id": "organisation/mnla", "name": "MNLA"}]}}, "reconciliation-result-batch.json")
    assert (SCHEMAS / "README.md").exists()


# --- manifest ----------------------------------------------------------------------------------------------


def test_the_manifest_describes_this_host(live_server):
    response = httpx.get(f"{live_server.url}/reconcile")
    manifest = valid(response.json(), "manifest.json")
    assert "0.2" in manifest["versions"]
    assert manifest["identifierSpace"] == "https://w3id.org/conflict-ld/id/"
    assert [t["name"] for t in manifest["defaultTypes"]] == ["organisation", "person", "place", "event", "work",
                                                               "concept"]
    assert manifest["view"]["url"] == f"{live_server.url}/id/{{{{id}}}}"
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind]["service_url"] == f"{live_server.url}/reconcile"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/propose_properties"


def test_the_view_and_preview_templates_resolve(live_server):
    manifest = httpx.get(f"{live_server.url}/reconcile").json()
    for template in (manifest["view"]["url"], manifest["preview"]["url"]):
        url = template.replace("{{id}}", quote("organisation/hcua", safe=""))  # clients encode the id
        page = httpx.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "High Council for the Unity of Azawad" in page.text


def test_jsonp_wraps_any_answer_in_the_callback(live_server):
    response = httpx.get(f"{live_server.url}/reconcile", params={"callback": "jQuery123_456"})
    assert response.headers["content-type"].startswith("text/javascript")
    body = re.fullmatch(r"/\*\*/jQuery123_456\((.*)\);", response.text, re.DOTALL)
    valid(json.loads(body.group(1)), "manifest.json")
    queries = httpx.get(f"{live_server.url}/reconcile",
                        params={"callback": "cb", "queries": json.dumps({"q0": {"query": "MNLA"}})})
    assert queries.text.startswith("/**/cb(") and '"match": true' in queries.text
    refused = httpx.get(f"{live_server.url}/reconcile", params={"callback": "alert(document.cookie)"})
    assert refused.status_code == 400 and "callback" in refused.text


@pytest.mark.parametrize("callback", ["a\n", "cb\r\n", "cb\u2028", "caf\u00e9", "a..b", "a.", "1a", "a" * 101])
def test_a_callback_is_a_strict_identifier(live_server, callback):
    """Matched whole and in ASCII: `^…$` with `match` took `a` and a line break, `\\w` took any letter."""
    response = httpx.get(f"{live_server.url}/reconcile", params={"callback": callback})
    assert response.status_code == 400 and "'callback' must be a JavaScript function name" in response.text


def test_cors_is_open(live_server):
    response = httpx.get(f"{live_server.url}/reconcile", headers={"Origin": "http://localhost:3333"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(f"{live_server.url}/reconcile", headers={
        "Origin": "http://localhost:3333", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-requested-with"})  # as jQuery sends them
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-headers"] == "content-type, x-requested-with"


# --- queries -----------------------------------------------------------------------------------------------


def test_a_batch_as_openrefine_sends_it(live_server):
    batch = {
        "q0": {"query": "MNLA", "type": ORGANISATION, "type_strict": "should"},
        "q1": {"query": "Bilal ag Achérif", "type": "http://xmlns.com/foaf/0.1/Person", "type_strict": "should"},
        "q2": {"query": "Menaka", "type": PLACE, "type_strict": "should", "limit": 3,
               "properties": [{"pid": "wikidata", "v": "Q855986"}]},
        "q3": {"query": "Kel Ifoghas"},
        "q4": {"query": "Amadou Koufa", "type": [ORGANISATION, "http://xmlns.com/foaf/0.1/Person"]},
        "q5": {"properties": [{"pid": "wikidata", "v": {"id": "Q15141050", "name": "HCUA"}}]},
    }
    results = reconcile(live_server, batch)
    best = {key: found["result"][0] if found["result"] else None for key, found in results.items()}
    assert best["q0"]["id"] == "organisation/mnla" and best["q0"]["match"] and best["q0"]["score"] == 100
    assert {"id": ORGANISATION, "name": "organisation"} in best["q0"]["type"]
    assert best["q1"]["id"] == "person/bilal-ag-cherif" and best["q1"]["match"]
    assert best["q2"]["id"] == "place/menaka" and best["q2"]["match"] and len(results["q2"]["result"]) <= 3
    assert not any(c["match"] for c in results["q3"]["result"])  # an organisation and a concept share the name
    assert best["q4"] is None
    assert best["q5"]["id"] == "organisation/hcua" and best["q5"]["match"]
    assert best["q5"]["description"] == "armed group; founded 2013-05"


def test_get_answers_as_post_does(live_server):
    batch = {"q0": {"query": "Iyad Ag Ghaly"}, "q1": {"query": "Tombouctou", "type": PLACE}}
    response = httpx.get(f"{live_server.url}/reconcile", params={"queries": json.dumps(batch)})
    assert valid(response.json(), "reconciliation-result-batch.json") == reconcile(live_server, batch)


def test_constraints_on_parent_and_place(live_server):
    results = reconcile(live_server, {
        "q0": {"query": "MINUSMA", "properties": [{"pid": "parent", "v": "United Nations"}]},
        "q1": {"query": "Attack on Aguelhok", "properties": [{"pid": "place", "v": {"id": "place/kidal-region"}}]},
        "q2": {"query": "MINUSMA", "properties": [{"pid": "parent", "v": "ECOWAS"}]},
    })
    assert results["q0"]["result"][0]["match"]
    assert results["q1"]["result"][0]["id"] == "event/2012-01-18-aguelhok-attack"
    assert results["q2"]["result"] == []


# --- suggest, preview, extension -----------------------------------------------------------------------------


def test_suggest_entities_types_and_properties(live_server):
    base = f"{live_server.url}/reconcile/suggest"
    entities = valid(httpx.get(f"{base}/entity", params={"prefix": "ag"}).json(), "suggest-entities-response.json")
    assert len(entities["result"]) == 10 and all(e["notable"] for e in entities["result"])
    later = httpx.get(f"{base}/entity", params={"prefix": "ag", "cursor": 10}).json()["result"]
    assert later and not {e["id"] for e in later} & {e["id"] for e in entities["result"]}
    assert httpx.get(f"{base}/entity", params={"prefix": "MNL"}).json()["result"][0]["id"] == "organisation/mnla"
    types = valid(httpx.get(f"{base}/type", params={"prefix": "arm"}).json(), "suggest-types-response.json")
    assert "armed group" in {t["name"] for t in types["result"]}
    assert httpx.get(f"{base}/type", params={"prefix": "org"}).json()["result"][0]["id"] == ORGANISATION
    properties = valid(httpx.get(f"{base}/property", params={"prefix": "wiki"}).json(),
                       "suggest-properties-response.json")
    assert [p["id"] for p in properties["result"]] == ["wikidata"]


def test_suggested_types_show_their_prefixed_name_and_broader_types(live_server):
    """A class is named by its English label in the ontology (cao:Conflict is "armed conflict"), else
    by its local name in words (org:FormalOrganization); its prefixed name is the description."""
    url = f"{live_server.url}/reconcile/suggest/type"
    assert httpx.get(url, params={"prefix": "cao:Arm"}).json()["result"] == [
        {"id": CAO + "ArmedGroup", "name": "armed group", "description": "cao:ArmedGroup",
         "broader": [{"id": "http://www.w3.org/ns/org#FormalOrganization", "name": "formal organization"}]}]
    assert httpx.get(url, params={"prefix": "cao:Conflict"}).json()["result"] == [
        {"id": CAO + "Conflict", "name": "armed conflict", "description": "cao:Conflict",
         "broader": [{"id": CAO + "Event", "name": "event"}]}]


def test_proposed_properties(live_server):
    response = httpx.get(f"{live_server.url}/reconcile/propose_properties", params={"type": ORGANISATION})
    proposal = response.json()
    assert proposal["type"] == ORGANISATION
    valid({"result": proposal["properties"]}, "suggest-properties-response.json")  # 0.2 has no schema of its own
    assert {"wikidata", "type", "parent", "inception", "dissolution", "place"} <= {p["id"] for p in proposal["properties"]}
    limited = httpx.get(f"{live_server.url}/reconcile/propose_properties", params={"type": ORGANISATION, "limit": 2})
    assert len(limited.json()["properties"]) == 2 and limited.json()["limit"] == 2


# The README's property ids, in its table's order, with the name and description OpenRefine shows for each.
PROPERTY_TABLE = [
    {"id": "wikidata", "name": "Wikidata ID", "description": "the Wikidata item (Q…) the entity is the same as"},
    {"id": "type", "name": "type", "description": "the entity's classes, by id or name"},
    {"id": "parent", "name": "parent organisation",
     "description": "the organisation it is part of (org:subOrganizationOf)"},
    {"id": "place", "name": "place", "description": "where an event happened, where a place lies, "
                                                    "where an organisation is based, holds or operates"},
    {"id": "inception", "name": "inception",
     "description": "date of the founding, merger or split that created the organisation"},
    {"id": "dissolution", "name": "dissolution", "description": "date the organisation was dissolved"},
    {"id": "date", "name": "date", "description": "date of the event, as precise as the source"},
    {"id": "start", "name": "start", "description": "start of the event"},
    {"id": "end", "name": "end", "description": "end of the event"},
]


def test_every_property_is_served_with_its_name_and_description(live_server):
    """Without a type, every property; data extension names its columns alike, and gives the type of
    the entities `parent` and `place` point to."""
    proposal = httpx.get(f"{live_server.url}/reconcile/propose_properties").json()
    assert proposal == {"type": "", "properties": PROPERTY_TABLE}
    query = {"ids": ["organisation/hcua"], "properties": [{"id": p["id"]} for p in PROPERTY_TABLE]}
    meta = httpx.get(f"{live_server.url}/reconcile", params={"extend": json.dumps(query)}).json()["meta"]
    types = {"parent": {"id": ORGANISATION, "name": "organisation"}, "place": {"id": PLACE, "name": "place"}}
    assert meta == [{"id": p["id"], "name": p["name"], **({"type": types[p["id"]]} if p["id"] in types else {})}
                    for p in PROPERTY_TABLE]


@pytest.mark.parametrize("kind, expected", [
    (ORGANISATION, ["wikidata", "type", "parent", "place", "inception", "dissolution"]),
    (CAO + "ArmedGroup", ["wikidata", "type", "parent", "place", "inception", "dissolution"]),
    ("http://xmlns.com/foaf/0.1/Person", ["wikidata", "type"]),
    (PLACE, ["wikidata", "type", "place"]),
    (CAO + "Event", ["wikidata", "type", "place", "date", "start", "end"]),
    (CAO + "Conflict", ["wikidata", "type", "place", "date", "start", "end"]),
    ("http://purl.org/ontology/bibo/Document", ["wikidata", "type"]),
    ("http://www.w3.org/2004/02/skos/core#Concept", ["wikidata", "type"]),
])
def test_each_type_is_proposed_the_properties_the_readme_gives_it(live_server, kind, expected):
    """The README's table: parent, inception and dissolution for organisations; place for events,
    places and organisations; date, start and end for events; wikidata and type for all."""
    proposal = httpx.get(f"{live_server.url}/reconcile/propose_properties", params={"type": kind}).json()
    assert [p["id"] for p in proposal["properties"]] == expected


def test_data_extension(live_server):
    query = valid({"ids": ["organisation/hcua", "organisation/malian-air-force", "event/2012-01-18-aguelhok-attack",
                           "person/iyad-ag-ghali"],
                   "properties": [{"id": p} for p in ("wikidata", "type", "inception", "parent", "place", "date")]},
                  "data-extension-query.json")
    response = httpx.post(f"{live_server.url}/reconcile", data={"extend": json.dumps(query)})
    answer = valid(response.json(), "data-extension-response.json")
    assert [m["id"] for m in answer["meta"]] == ["wikidata", "type", "inception", "parent", "place", "date"]
    assert answer["meta"][3]["type"] == {"id": ORGANISATION, "name": "organisation"}
    rows = answer["rows"]
    assert rows["organisation/hcua"]["wikidata"] == [{"str": "Q15141050"}]
    assert rows["organisation/hcua"]["inception"] == [{"str": "2013-05"}]
    assert rows["organisation/hcua"]["type"] == [{"str": "armed group"}]
    assert rows["organisation/malian-air-force"]["parent"] == [
        {"id": "organisation/malian-armed-forces", "name": "Malian Armed Forces"}]
    assert rows["event/2012-01-18-aguelhok-attack"]["place"] == [{"id": "place/aguelhok", "name": "Aguelhok"}]
    assert rows["event/2012-01-18-aguelhok-attack"]["date"] == [{"str": "2012-01-18"}]
    assert rows["person/iyad-ag-ghali"]["wikidata"] == []  # never a Wikidata ID the data does not give
    by_get = httpx.get(f"{live_server.url}/reconcile", params={"extend": json.dumps(query)})
    assert by_get.json() == answer


def test_the_preview_escapes_what_it_shows(live_server):
    page = httpx.get(f"{live_server.url}/reconcile/preview", params={"id": "organisation/mnla"}).text
    assert "Mouvement national de libération de l&#x27;Azawad" in page and "l'Azawad" not in page
    assert 'href="https://www.wikidata.org/wiki/Q853699"' in page
    assert f'href="{live_server.url}/id/organisation/mnla"' in page


# --- refusals ----------------------------------------------------------------------------------------------


def _queries(batch) -> dict:
    return {"queries": batch if isinstance(batch, str) else json.dumps(batch)}


@pytest.mark.parametrize("path, params, message", [
    ("/reconcile", _queries("{q0: MNLA"), "'queries' is not valid JSON"),
    ("/reconcile", _queries(["MNLA"]), "'queries' must be a JSON object"),
    ("/reconcile", _queries({"q0": "MNLA"}), "query 'q0' must be a JSON object"),
    ("/reconcile", _queries({"q0": {"query": 7}}), "'query' must be a non-empty string"),
    ("/reconcile", _queries({"q0": {"type": ORGANISATION}}), "needs a 'query' or 'properties'"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "limit": "ten"}}), "'limit' must be a whole number"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "limit": 0}}), "'limit' must be a whole number"),
    ("/reconcile", _queries('{"q0": {"query": "MNLA", "limit": NaN}}'), "'limit' must be a whole number"),
    ("/reconcile", _queries({"q0": {"query": "x" * 501}}), "at most 500 characters"),
    ("/reconcile", _queries("[" * 3000), "'queries' is not valid JSON"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "type": "cao:Spaceship"}}), "unknown type"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "type": {"id": ORGANISATION}}}), "'type' must be a type id"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "type_strict": "maybe"}}), "'type_strict' must be"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "properties": [{"pid": "P31", "v": "x"}]}}), "unknown property"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "properties": [{"pid": "wikidata", "v": "MNLA"}]}}),
     "not a Wikidata item ID"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "properties": {"pid": "wikidata"}}}), "must be a list"),
    ("/reconcile", _queries({"q0": {"query": "MNLA", "properties": [{"pid": "place", "v": [None]}]}}),
     "must be non-empty strings"),
    ("/reconcile", {"extend": "{ids"}, "'extend' is not valid JSON"),
    ("/reconcile", {"extend": json.dumps({"ids": ["organisation/mnla"]})}, "with 'ids' and 'properties'"),
    ("/reconcile", {"extend": json.dumps({"ids": ["organisation/nowhere"], "properties": [{"id": "wikidata"}]})},
     "unknown entity ids: 'organisation/nowhere'"),
    ("/reconcile", {"extend": json.dumps({"ids": [3], "properties": [{"id": "wikidata"}]})}, "unknown entity ids"),
    ("/reconcile", {"extend": json.dumps({"ids": [], "properties": [{"id": "height"}]})}, "unknown property 'height'"),
    ("/reconcile", {**_queries({"q0": {"query": "MNLA"}}), "extend": "{}"}, "either 'queries' or 'extend'"),
    ("/reconcile/preview", {"id": "organisation/<script>"}, "unknown entity id"),
    ("/reconcile/preview", {}, "give the entity's 'id'"),
    ("/reconcile/suggest/entity", {}, "give the 'prefix'"),
    ("/reconcile/suggest/entity", {"prefix": "ag", "cursor": "-1"}, "'cursor' must be a whole number"),
    ("/reconcile/suggest/entity", {"prefix": "ag", "type": "cao:Spaceship"}, "unknown type"),
    ("/reconcile/propose_properties", {"type": "cao:Spaceship"}, "unknown type"),
    ("/reconcile/propose_properties", {"type": ORGANISATION, "limit": "all"}, "'limit' must be a whole number"),
])
def test_bad_input_is_a_400_with_one_clear_line(live_server, path, params, message):
    for response in (httpx.get(live_server.url + path, params=params),
                     *([httpx.post(live_server.url + path, data=params)] if path == "/reconcile" else [])):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.text.startswith("Bad Request: ") and message in response.text
        assert response.text.count("\n") == 1 and "Traceback" not in response.text


def test_refusals_of_a_type_or_a_wikidata_id_say_what_to_give(live_server):
    url = f"{live_server.url}/reconcile"
    unknown = httpx.get(url, params=_queries({"q0": {"query": "MNLA", "type": "cao:Spaceship"}}))
    assert unknown.text == "Bad Request: unknown type 'cao:Spaceship'; /reconcile/suggest/type lists the types.\n"
    wikidata = [{"pid": "wikidata", "v": "MNLA"}]
    not_an_item = httpx.get(url, params=_queries({"q0": {"query": "MNLA", "properties": wikidata}}))
    assert not_an_item.text == "Bad Request: 'MNLA' is not a Wikidata item ID (Q followed by digits).\n"


def test_posts_that_are_not_forms_or_too_large_are_refused(live_server):
    url = f"{live_server.url}/reconcile"
    as_json = httpx.post(url, json={"queries": {"q0": {"query": "MNLA"}}})
    assert as_json.status_code == 415 and "x-www-form-urlencoded" in as_json.text
    assert httpx.post(url, data={"nothing": "here"}).status_code == 400
    huge = httpx.post(url, data={"queries": json.dumps({"q0": {"query": "x" * 1_100_000}})})
    assert huge.status_code == 413 and "limited to" in huge.text
    batch = {f"q{i}": {"query": "MNLA"} for i in range(101)}
    too_many = httpx.post(url, data={"queries": json.dumps(batch)})
    assert too_many.status_code == 413 and "at most 100 queries" in too_many.text


COUNTED = [*((f"/reconcile/suggest/{kind}", {"prefix": prefix}, name)
             for kind, prefix in (("entity", "ag"), ("type", "org"), ("property", "p")) for name in ("limit", "cursor")),
           ("/reconcile/propose_properties", {"type": ORGANISATION}, "limit")]


@pytest.mark.parametrize("path, params, name", COUNTED)
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "9" * 5000, "1\n", " 1", "1_0", "1000000000", ""])
def test_counts_are_ascii_digits_within_bounds(live_server, path, params, name, value):
    """Unicode digits and numbers of thousands of digits passed `isdigit()` and failed `int()`: 500s."""
    response = httpx.get(live_server.url + path, params={**params, name: value})
    assert response.status_code == 400, response.text
    assert response.text.startswith(f"Bad Request: '{name}' must be a whole number") and response.text.count("\n") == 1


def test_a_prefix_is_a_name_not_a_document(live_server):
    """A 60 kB prefix took 4.6 s of the event loop; prefixes are now names (500 characters at most)."""
    url = f"{live_server.url}/reconcile/suggest/entity"
    assert httpx.get(url, params={"prefix": "a" * 500}).status_code == 200
    long = httpx.get(url, params={"prefix": "a" * 501})
    assert long.status_code == 400 and "'prefix' must be at most 500 characters" in long.text


def test_parameters_are_counted_in_urls_and_in_forms(live_server):
    """13 000 parameter names took 3.3 s to sort out (one `getlist` per name); at most 100 are read."""
    url = f"{live_server.url}/reconcile/suggest/property?prefix=p&"
    assert httpx.get(url + "&".join(f"n{i}" for i in range(99))).status_code == 200
    many = httpx.get(url + "&".join(f"n{i}" for i in range(100)))
    assert many.status_code == 400 and "more than 100 parameters" in many.text
    form = httpx.post(f"{live_server.url}/reconcile", content="&".join(f"n{i}=" for i in range(101)),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "more than 100 form fields" in form.text
