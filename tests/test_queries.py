"""The catalogue of example research questions in queries/: headers, results and portability.

Every queries/NN-slug.rq must carry a title and a description, run over the shipped dataset with
the project's prefixes predeclared, return something, return what its `# expect:` line promises
(checked below, one function per file), and give the same answers under Oxigraph.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, QueryBoolean, QuerySolutions, RdfFormat, Store
from rdflib import BNode as RdfBNode, Literal as RdfLiteral, URIRef
from rdflib.namespace import XSD

from service.namespaces import LOCAL_PREFIXES, STANDARD_PREFIXES, prefixes

pytestmark = pytest.mark.slow

QUERIES = Path(__file__).resolve().parent.parent / "queries"
FILES = sorted(QUERIES.glob("*.rq"))
HEADER_LINE = re.compile(r"^#\s*(\w+)\s*:\s*(.*)$")
NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")

MNLA = "National Movement for the Liberation of Azawad"
HCUA = "High Council for the Unity of Azawad"
MAA_D = "Arab Movement of Azawad – Dissident"
CMA = "Coordination of Azawad Movements"
JNIM = "Jama'at Nasr al-Islam wal-Muslimin"
AQIM = "Al-Qaeda in the Islamic Maghreb"
MOJWA = "Movement for Oneness and Jihad in West Africa"
PROFILE = "Profile of the Coordination of Azawad Movements (CMA)"
DESGRAIS = "Desgrais, Guichaoua and Lebovich (2018)"


def header(path: Path) -> dict[str, str]:
    """The `# key: value` lines at the top of a query file (stops at the first other line)."""
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADER_LINE.match(line)
        if not match:
            break
        fields[match.group(1).lower()] = match.group(2).strip()
    return fields


def table(rows) -> list[tuple[str, ...]]:
    """Rows as tuples of strings, unbound cells as ''."""
    return [tuple("" if cell is None else str(cell) for cell in row) for row in rows]


def has_row(rows, *cells: str) -> bool:
    """Some single row holds every one of the given cell values."""
    return any(all(cell in row for cell in cells) for row in table(rows))


def column(rows, index: int) -> list[str]:
    return [row[index] for row in table(rows)]


def ids(path: Path) -> str:
    return path.name


# ---------------------------------------------------------------------------------------------
# The files themselves
# ---------------------------------------------------------------------------------------------


def test_the_catalogue_has_at_least_fifteen_questions():
    assert len(FILES) >= 15, [p.name for p in FILES]


def test_files_are_numbered_in_reading_order_without_gaps():
    assert all(NAME.match(p.name) for p in FILES), [p.name for p in FILES if not NAME.match(p.name)]
    numbers = [int(p.name[:2]) for p in FILES]
    assert numbers == list(range(1, len(FILES) + 1))


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_header_has_a_title_a_description_and_an_expectation(path):
    fields = header(path)
    assert fields.get("title"), f"{path.name}: empty or missing '# title:'"
    assert fields.get("description"), f"{path.name}: empty or missing '# description:'"
    assert fields.get("expect"), f"{path.name}: empty or missing '# expect:'"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_predeclared_prefixes_are_not_redeclared(path):
    declared = re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", path.read_text(encoding="utf-8"))
    clash = set(declared) & (set(LOCAL_PREFIXES) | set(STANDARD_PREFIXES))
    assert not clash, f"{path.name} redeclares {sorted(clash)}"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_select_queries_are_ordered(path):
    text = path.read_text(encoding="utf-8")
    if re.search(r"(?im)^\s*SELECT\b", text):
        assert re.search(r"(?im)^\s*ORDER BY\b", text), f"{path.name} has no ORDER BY"


# ---------------------------------------------------------------------------------------------
# What each question must answer
# ---------------------------------------------------------------------------------------------


def check_01(rows, iri):
    for member in (MNLA, HCUA, MAA_D):
        assert has_row(rows, member, "2014", "2023-02"), member
    assert has_row(rows, "Coalition for the People of Azawad", "2014", "2017", "by")
    assert has_row(rows, "Congress for Justice in Azawad", "2017", "by")
    assert not has_row(rows, "Bilal Ag Chérif")


def check_02(rows, iri):
    assert has_row(rows, CMA, "Alghabass Ag Intalla", "president", "2023-07")
    assert has_row(rows, CMA, "Ibrahim Ould Handa", "president", "2023-07", "ongoing", "Alghabass Ag Intalla")
    assert has_row(rows, "Transitional Council of the State of Azawad", "Bilal Ag Chérif", "2012-04", "2012")
    assert has_row(rows, JNIM, "Iyad Ag Ghali", "leader")
    assert has_row(rows, "Malian military junta", "Assimi Goïta", "2020-08")


def check_03(rows, iri):
    for parent in ("Ansar Dine", AQIM, MOJWA, "Al-Mourabitoun"):
        assert has_row(rows, "2017", parent, JNIM), parent
    assert has_row(rows, "2013-05", "High Council of Azawad", HCUA)
    assert has_row(rows, "2013-05", "Azawad Islamic Movement", HCUA)
    assert has_row(rows, "2012", MNLA, "Azawad Popular Front")
    assert has_row(rows, "2016-09", MNLA, "Movement for the Salvation of Azawad")
    assert has_row(rows, "Founding of the Arab Movement of Azawad", "Arab Movement of Azawad", MAA_D)
    for member in (MNLA, HCUA, MAA_D):
        assert has_row(rows, "2023-02", member, CMA), member


def check_04(triples, iri):
    graph = set(triples)
    org = STANDARD_PREFIXES["org"]
    member_of, sub_of = URIRef(org + "memberOf"), URIRef(org + "subOrganizationOf")
    assert (iri("grp", "mnla"), member_of, iri("grp", "cma")) in graph
    assert (iri("grp", "hcua"), member_of, iri("grp", "cma")) in graph
    assert (iri("grp", "cma"), member_of, iri("grp", "csp-psd")) in graph
    assert (iri("per", "bilal-ag-cherif"), member_of, iri("grp", "mnla")) in graph
    assert (iri("grp", "minusma"), sub_of, iri("grp", "united-nations")) in graph
    label = URIRef(STANDARD_PREFIXES["rdfs"] + "label")
    labelled = {s for s, p, _ in graph if p == label}
    linked = {n for s, p, o in graph if p in (member_of, sub_of) for n in (s, o)}
    assert linked <= labelled


def check_05(rows, iri):
    assert has_row(rows, "Alliance of the MNLA and Ansar Dine", "2012-06")
    assert has_row(rows, "Alliance of Ansar Dine with MOJWA and AQIM", f"{AQIM} / Ansar Dine / {MOJWA}")
    assert has_row(rows, "MNLA at war with the Malian government in 2012", "2012-01-18")
    for other in ("Ansar Dine", "MOJWA", "AQIM"):
        assert has_row(rows, f"Hostility between the MNLA and {other}", "2012-06"), other
    assert not has_row(rows, "Hostility between the Plateforme and the CMA")


def check_06(answer, iri):
    assert answer is True


def check_07(rows, iri):
    assert has_row(rows, "Muammar Gaddafi", MNLA, "direct support", "2012")
    assert has_row(rows, MNLA, "French Armed Forces", "intelligence", "2013")
    assert has_row(rows, "Wagner Group", "Malian Armed Forces", "2021")
    assert has_row(rows, "International Tuareg diaspora", CMA)
    assert has_row(rows, "Fighters from Niger, Algeria and Libya", CMA, "claimed by an actor")


def check_08(rows, iri):
    for group in ("Tuareg", "Arabs", "Songhaï", "Fulani"):
        assert has_row(rows, CMA, group), group
    assert has_row(rows, MAA_D, "Bérabiche", "Arabs")
    assert has_row(rows, "Imghad Tuareg and Allies Self-Defence Group", "Imghad")
    assert has_row(rows, "Coalition for the People of Azawad", "Arabs", "claimed by an actor")
    assert "Iyad Ag Ghali" not in column(rows, 0)


def check_09(rows, iri):
    for value in ("separatism", "secularism", "Tuareg nationalism"):
        assert has_row(rows, CMA, "ideology", value, "stated"), value
    assert has_row(rows, CMA, "ideology", "feudalism", "perceived")
    assert has_row(rows, CMA, "objective", "independence of Azawad")
    assert has_row(rows, CMA, "eschews tactic", "suicide bombing")
    assert has_row(rows, MNLA, "uses tactic", "looting and robbery", "reported")
    assert has_row(rows, "Coalition for the People of Azawad", "objective", "federalisation of Mali")


def check_10(rows, iri):
    assert has_row(rows, MNLA, "9000", "10000", "2012-06", "unverified", MNLA, "FRANCE 24 (2012a)")
    assert has_row(rows, "Arab Movement of Azawad", "500", "claimed by an actor")
    assert has_row(rows, MNLA, "2000", "reported")
    assert has_row(rows, "26000", "2022-08", "stated")


def check_11(rows, iri):
    for weapon in ("AK-pattern rifles", "rocket-propelled grenades", "heavy machine guns"):
        assert has_row(rows, MNLA, "has weapon", weapon, "stated"), weapon
    assert has_row(rows, MNLA, "has weapon", "tanks", "2012-06", "reported", "FRANCE 24 (2012a)")
    assert has_row(rows, CMA, "has weapon", "FIM-43 Redeye", "2023", "unconfirmed")
    assert has_row(rows, CMA, "arms source", "Algeria", "Anders (2015), p. 171-178")
    assert has_row(rows, CMA, "arms source", "Fezzan")


def check_12(rows, iri):
    assert has_row(rows, "2012-01-18", "Attack on Aguelhok", "attack", "Aguelhok", "19.4549", "0.8564")
    assert has_row(rows, "2012-04-06", "MNLA declaration of the independence of Azawad", "Azawad")
    assert has_row(rows, "2012-06-27", "MOJWA capture of Gao", "Gao")
    assert has_row(rows, "2023-11-15", "Malian army captures Kidal", "Kidal")
    assert column(rows, 0)[0] == "1916"
    assert column(rows, 0) == sorted(column(rows, 0))


def check_13(rows, iri):
    counts = {(year, actor): int(n) for year, actor, n in table(rows)}
    assert counts[("2012", MNLA)] > 20
    assert max(n for (year, _), n in counts.items() if year == "2012") == counts[("2012", MNLA)]
    for actor in ("Ansar Dine", MOJWA, AQIM, "Malian Armed Forces"):
        assert ("2012", actor) in counts, actor
    assert ("2023", CMA) in counts
    years = column(rows, 0)
    assert (years[0], years[-1]) == ("1916", "2024")


def check_14(rows, iri):
    assert has_row(rows, "2012-06-27", "MOJWA capture of Gao", "dead", "20")
    assert has_row(rows, "2012-06-27", "MOJWA capture of Gao", "wounded", "40")
    assert has_row(rows, "Takeover of Kidal, Gao and Timbuktu", "days", "3")
    assert has_row(rows, "Materiel seized in the May 2014 Kidal raid", "vehicles", "50")
    assert has_row(rows, "Materiel seized in the May 2014 Kidal raid", "armoured vehicles", "12")
    assert has_row(rows, "MNLA and allies control two-thirds of Mali (2012)", "800000", "KMK")
    assert has_row(rows, "Founding of the CPA by merger of 11 groups", "11")


def check_15(rows, iri):
    assert has_row(rows, "Malian coup d'état of March 2012", "Takeover of Kidal, Gao and Timbuktu")
    assert has_row(rows, "MNLA capture of Douentza", "MNLA halts its offensive")
    assert has_row(rows, "MNLA atrocities in Gao", "Songhaï of Gao join MOJWA")
    assert has_row(rows, "2012-04-26", "MAA occupies part of the Timbuktu region")


def check_16(rows, iri):
    assert has_row(rows, "Founding of the Arab Movement of Azawad", "P2D",
                   "MNLA declaration of the independence of Azawad", "2012-04-06")
    assert has_row(rows, "P1D", "MAA occupies part of the Timbuktu region", "2012-04-26")
    assert has_row(rows, "Alliance of the MNLA and Ansar Dine", "Founding of Ansar Dine")
    assert has_row(rows, "Split of the Arab Movement of Azawad into factions", "Founding of the Arab Movement of Azawad")
    assert not has_row(rows, "Attack on Aguelhok")


def check_17(rows, iri):
    assert column(rows, 0) == ["Aguelhok", "Bamako", "Gao", "Kidal", "Ménaka", "Taoudenni", "Tessalit", "Timbuktu"]
    kidal = next(row for row in table(rows) if row[0] == "Kidal")
    assert float(kidal[3]) == pytest.approx(18.4411) and float(kidal[4]) == pytest.approx(1.4078)
    assert "Kidal Region" in kidal[5].split(", ") and "Q650100" in kidal
    events = {row[0]: int(row[-1]) for row in table(rows)}
    assert min(events["Gao"], events["Kidal"], events["Aguelhok"]) > 1


def check_18(rows, iri):
    for label, qid in ((CMA, "Q19955892"), (MNLA, "Q853699"), (JNIM, "Q28877411"), ("Kidal", "Q650100"),
                       ("Tuareg", "Q58843"), ("Malian coup d'état of March 2012", "Q875912")):
        assert has_row(rows, label, qid), label
    assert all(re.fullmatch(r"Q\d+", qid) for qid in column(rows, 2))


def check_19(rows, iri):
    counts = {row[0]: (int(row[2]), int(row[3])) for row in table(rows)}
    levels = {"stated", "reported", "claimed by an actor", "unverified", "unconfirmed", "alleged", "likely", "perceived"}
    assert set(counts) == levels
    assert counts["stated"][0] > 300 and counts["stated"][0] == max(n for n, _ in counts.values())
    assert counts["unverified"] == (1, 1)
    assert counts["stated"][1] == 0


def check_20(rows, iri):
    assert has_row(rows, "unverified", "MNLA strength in June 2012", MNLA, "FRANCE 24 (2012a)")
    assert has_row(rows, "claimed by an actor", "MAA's claimed strength of 500 fighters in 2012", "Arab Movement of Azawad")
    assert has_row(rows, "unconfirmed", "CMA possibly armed with FIM-43 Redeye MANPADS")
    assert has_row(rows, "reported", "NGO record of theft, robbery and plunder by the MNLA in Gao", "Non-governmental organisations")
    assert "stated" not in column(rows, 0)


def check_21(rows, iri):
    assert has_row(rows, "Attack on Aguelhok", PROFILE, "")
    assert has_row(rows, "Alliance of the MNLA and Ansar Dine", "Bencherif, Campana and Stockemer (2023)", "659, 661-662, 664")
    assert has_row(rows, "MNLA strength in June 2012", "FRANCE 24 (2012a)")
    assert len(table(rows)) >= 1000


def check_22(rows, iri):
    for citing in ("Tuareg-Islamist rebellion of 2012", "Malian coup d'état of March 2012", "Rebel capture of Kidal in 2012"):
        assert has_row(rows, citing, "derived from", "666"), citing
    assert has_row(rows, "Note 11", "derived from", "672-673, 677")
    assert has_row(rows, PROFILE, "references", "")
    assert has_row(rows, "MINUSMA seen as backing the government", "derived from")


def check_23(rows, iri):
    assert column(rows, 0) == [str(n) for n in range(1, 27)]
    desgrais = table(rows)[12]
    for cell in (DESGRAIS, "N. Desgrais, Y. Guichaoua and A. Lebovich", "Small Wars & Insurgencies",
                 "2018", "29", "4", "654-679"):
        assert cell in desgrais, cell
    assert has_row(rows, "Anders (2015)", "Small Arms Survey 2015: Weapons and the World")


def check_24(rows, iri):
    numbers = column(rows, 0)
    assert sorted(set(numbers), key=int) == [str(n) for n in range(1, 12)]
    assert "" not in column(rows, 3)
    assert has_row(rows, "2", "MOJWA first dominated by Mauritanian Arabs")
    assert has_row(rows, "4", "FPA breaks away from the MNLA")
    most = max(numbers.count(n) for n in set(numbers))
    assert {n for n in set(numbers) if numbers.count(n) == most} == {"6", "11"}  # the two longest notes


def check_25(rows, iri):
    wd = STANDARD_PREFIXES["wd"]
    found = {(member, coalition, start[:10], end[:10]) for member, _, coalition, _, _, start, end in table(rows)}
    for member in ("Q853699", "Q15141050"):
        assert (wd + member, wd + "Q19955892", "2014-01-01", "2023-02-01") in found, member
    assert (wd + "Q19955892", wd + "Q111207670", "2021-05-01", "") in found
    assert has_row(rows, "Coordination of Azawad Movements", "Permanent Strategic Framework for Peace, Security and Development")
    assert all(member.startswith(wd) and coalition.startswith(wd) for member, coalition, *_ in found)


def check_26(rows, iri):
    # from the profile: sentence 8.8.5 ends in (Baché, 2023); 6.2.5 follows the AFP citation of 6.2.4,
    # the last of its paragraph; 12.4.5 ends in four citations that cover the whole paragraph
    sentence = str(iri("sen", "8.8.5"))
    assert has_row(rows, sentence, "Baché (2023)", "Ag Acharatoumane: the conflict only benefits the jihadists")
    assert {row[2] for row in table(rows) if row[0] == sentence} == {"Baché (2023)"}
    after = {row[2] for row in table(rows) if row[0] == str(iri("sen", "6.2.5"))}
    assert after == {"Profile of the Coordination of Azawad Movements (CMA)"}
    first = {row[2] for row in table(rows) if row[0] == str(iri("sen", "12.4.1"))}
    assert len(first) == 4 and "Laplace (2023)" in first
    assert has_row(rows, str(iri("sen", "12.4.5")), "430-431")


CHECKS = {name: check for name, check in globals().items() if re.fullmatch(r"check_\d{2}", name)}


@pytest.fixture(scope="session")
def iri(settings):
    namespaces = prefixes(settings.base)

    def make(prefix: str, local: str) -> URIRef:
        return URIRef(namespaces[prefix] + local)

    return make


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_query_answers_what_it_promises(path, ask, iri):
    result = ask(path.read_text(encoding="utf-8"))
    if isinstance(result, bool):
        assert result, f"{path.name}: ASK answered no"
    else:
        assert result, f"{path.name}: no result"
    check = CHECKS.get(f"check_{path.name[:2]}")
    assert check is not None, f"{path.name}: add a check_{path.name[:2]} for what it must answer"
    check(result, iri)


# ---------------------------------------------------------------------------------------------
# Portability: the same queries under Oxigraph
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def oxigraph(profile):
    store = Store()
    store.load(profile.dataset.union().serialize(format="nt", encoding="utf-8"), format=RdfFormat.N_TRIPLES)
    return store


def as_rdflib(term):
    """An Oxigraph term as the rdflib term of the same RDF term (a simple literal is an xsd:string:
    RDF 1.1 §3.3); a blank node as one marker (labels are the engine's own); unbound as None."""
    if term is None:
        return None
    if isinstance(term, BlankNode):
        return BNODE
    if isinstance(term, Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        return RdfLiteral(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    return URIRef(term.value)


def same_terms(row, separators: tuple[str, ...] = ()) -> tuple:
    """A row of rdflib terms in the form both engines must agree on. Where SPARQL leaves engines a
    choice, the choice is set aside: a blank node's label (one marker for all), a number's lexical
    form (`12.6500` and `12.65` are one xsd:decimal), the language of a string that GROUP_CONCAT
    joined (kept by Oxigraph when all parts share it, dropped by rdflib) and the order of its parts
    (`separators`: those of the query's GROUP_CONCATs), and an aggregate over no values (unbound, or
    an empty string)."""
    return tuple(_comparable(term, separators) for term in row)


def _comparable(term, separators: tuple[str, ...]):
    if isinstance(term, RdfBNode):
        return BNODE
    if isinstance(term, RdfLiteral):
        if term.datatype in NUMBERS:
            return term.value, term.datatype
        if term.language or term.datatype in (None, XSD.string):
            parts = [str(term)]
            for separator in separators:
                parts = [piece for part in parts for piece in part.split(separator)]
            return tuple(sorted(parts)) if len(parts) > 1 else str(term) or None
    return term


BNODE = RdfBNode("any")
NUMBERS = {XSD.integer, XSD.decimal, XSD.double, XSD.float}


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_query_runs_under_oxigraph_with_the_same_answers(path, oxigraph, ask, settings):
    """The same solutions, term for term, as multisets (ties in ORDER BY may come in either order)."""
    text = path.read_text(encoding="utf-8")
    result = oxigraph.query(text, prefixes=prefixes(settings.base), use_default_graph_as_union=True)
    expected = ask(text)
    separators = tuple(re.findall(r'separator\s*=\s*"([^"]+)"', text))
    if isinstance(result, QueryBoolean):
        assert bool(result) is expected is True
    elif isinstance(result, QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [same_terms((as_rdflib(row[v]) for v in variables), separators) for row in result]
        assert rows, f"{path.name}: no result under Oxigraph"
        assert Counter(rows) == Counter(same_terms(row, separators) for row in expected)
    else:
        triples = {same_terms(as_rdflib(term) for term in (t.subject, t.predicate, t.object)) for t in result}
        assert triples, f"{path.name}: no result under Oxigraph"
        assert triples == {same_terms(triple) for triple in expected}
