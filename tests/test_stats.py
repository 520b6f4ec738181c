import re

from service.build import build
from service.stats import compute

from .conftest import VALID_WORLD


def test_counts_on_the_valid_world(settings):
    result = build(settings, [VALID_WORLD])
    stats = compute(result.dataset)
    classes = {name: (asserted, total) for name, asserted, total in stats.classes}
    assert classes["cao:ArmedGroup"] == (1, 1) and classes["cao:Coalition"] == (1, 1)
    # the two organisations are organisations and agents only by the class hierarchy; the two people, agents
    assert classes["org:Organization"] == (0, 2) and classes["foaf:Person"] == (2, 2)
    assert classes["foaf:Agent"] == (0, 4)
    inferred = result.dataset.graph("inferred")
    assert 0 < stats.inferred == len(inferred) and stats.triples == len(result.dataset.union())
    # the attack, two changes, membership, alliance, statement and the plain assessment
    assert stats.claims == 7
    assert stats.claims_with_source == 7
    assert stats.claims_citing_a_work == 5  # the alliance (a note) and the assessment are the profile's own
    assert stats.claims_with_page == 1
    linking = {kind: (total, linked) for kind, total, linked in stats.linking}
    assert linking["organisations"] == (2, 1)
    assert linking["places"] == (2, 0)
    assert stats.works_cited == 1 and stats.notes == 1
    # six sentences (four in paragraphs, one in a caption, one in the note); 1.1.2 states nothing
    assert (stats.sentences, stats.sentences_with_claims) == (6, 5)
    assert stats.claims_pinned == 7
    assert stats.sentence_links == 8  # the assessment rests on two sentences
    assert stats.busiest_sentence == 4  # sentence 1.2.1: founding, merger, membership, statement
    assert stats.claims_on_the_profiles_word == 2


def test_the_report_reads_as_shares(settings):
    result = build(settings, [VALID_WORLD])
    stats = compute(result.dataset)
    text = "\n".join(stats.lines())
    assert f"triples: {stats.triples} ({stats.triples - stats.inferred} asserted or derived, " \
           f"{stats.inferred} inferred by RDFS entailment)" in text
    assert re.search(r"\n  org:Organization +0 +2\n", text)
    assert "with a page number:           1/7 (14%)" in text
    assert "organisations  1/2 (50%)" in text
    assert "stating at least one claim:   5/6 (83%)" in text
    assert "claims per such sentence:     1.6 on average, 4 at most" in text
    assert "resting on the profile's word alone (no work cited): 2/7 (29%)" in text
