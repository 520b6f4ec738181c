"""Certainty follows the wording: the profile's hedges, sentence by sentence, against the claims that carry them.

The table (fixtures/hedges.tsv) is read off the profile: each hedge-like phrase, the sentence it is in, the
certainty docs/modelling.md gives it and the claims it qualifies. Checked both ways, a claim whose certainty
drifts from its wording fails, and so does a hedge the data forgot.
"""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from service.namespaces import LOCAL_PREFIXES, prefixes

pytestmark = pytest.mark.slow

HEDGES = Path(__file__).parent / "fixtures" / "hedges.tsv"
CERTAINTIES = {"stated", "reported", "claimed", "unverified", "unconfirmed", "alleged", "likely", "perceived"}


def hedges() -> list[dict]:
    lines = [line for line in HEDGES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [{**row, "claims": row["claims"].split()}
            for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.fixture(scope="module")
def claims(ask, settings) -> dict[str, tuple[str, set[str]]]:
    """Every claim by its CURIE (`clm:…`, `evt:…`): its certainty's local name and the sentences it is stated in."""
    namespaces = prefixes(settings.base)
    ours = sorted(((namespaces[p], p) for p in LOCAL_PREFIXES), key=lambda pair: -len(pair[0]))

    def curie(iri) -> str:
        return next(f"{p}:{str(iri)[len(ns):]}" for ns, p in ours if str(iri).startswith(ns))

    certainty, sentences = {}, defaultdict(set)
    for claim, concept, sentence in ask(
            "SELECT ?claim ?certainty ?sentence WHERE { ?claim cao:certainty ?certainty ; cao:statedIn ?sentence }"):
        certainty[curie(claim)] = curie(concept).removeprefix("cert:")
        sentences[curie(claim)].add(curie(sentence).removeprefix("sen:"))
    return {name: (certainty[name], sentences[name]) for name in certainty}


def test_the_table_names_known_certainties_and_what_each_hedge_qualifies():
    rows = hedges()
    assert len(rows) == len({(r["sentence"], r["hedge"]) for r in rows})
    for row in rows:
        assert row["certainty"] in CERTAINTIES and row["hedge"] and row["qualifies"] and row["claims"], row


def test_each_hedge_is_carried_by_the_claims_it_qualifies(claims):
    """The claims a row names are stated in its sentence and carry its certainty."""
    wrong = []
    for row in hedges():
        for name in row["claims"]:
            certainty, sentences = claims.get(name, (None, set()))
            if certainty != row["certainty"] or row["sentence"] not in sentences:
                wrong.append((row["sentence"], row["hedge"], row["certainty"], name, certainty, sorted(sentences)))
    assert wrong == []


def test_every_hedged_claim_is_listed_under_a_hedge_of_its_certainty(claims):
    """A claim that is not stated owes its certainty to a hedge of the profile (so alleged and likely cannot trade)."""
    listed = {(name, row["certainty"]) for row in hedges() for name in row["claims"]}
    unexplained = sorted((name, certainty) for name, (certainty, _) in claims.items()
                         if certainty != "stated" and (name, certainty) not in listed)
    assert unexplained == []


def test_a_hedged_claim_is_hedged_in_every_sentence_it_is_stated_in(claims):
    """So a claim stated in a sentence without a hedge is stated. A sentence that only refers back to hedged
    content (a note marker, 'these exactions') is in the table as carrying the other sentence's hedge."""
    given = defaultdict(set)
    for row in hedges():
        given[row["sentence"]].add(row["certainty"])
    unhedged = sorted((name, certainty, sentence) for name, (certainty, sentences) in claims.items()
                      if certainty != "stated" for sentence in sentences if certainty not in given[sentence])
    assert unhedged == []


def test_claimed_and_unverified_claims_name_who_claims(ask):
    assert ask("""SELECT ?claim WHERE { VALUES ?certainty { cert:claimed cert:unverified }
        ?claim cao:certainty ?certainty FILTER NOT EXISTS { ?claim cao:claimedBy ?by } }""") == []
