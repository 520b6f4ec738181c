"""Figures that tell an editor how complete and how well sourced the dataset is."""

from __future__ import annotations

from dataclasses import dataclass

from .dataset import INFERRED, ProfileDataset
from .namespaces import prefixes
from .oxigraph_rdflib import OxigraphCopy

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER (STRSTARTS(STR(?s), STR(id:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class"""

_CLAIM_SOURCING = """
SELECT (COUNT(DISTINCT ?claim) AS ?claims)
       (COUNT(DISTINCT ?sourced) AS ?with_source)
       (COUNT(DISTINCT ?cited) AS ?with_work)
       (COUNT(DISTINCT ?paged) AS ?with_page)
WHERE {
  ?claim a/rdfs:subClassOf* cao:Claim .
  OPTIONAL { ?claim prov:qualifiedDerivation/prov:entity ?any . BIND (?claim AS ?sourced) }
  OPTIONAL { ?claim prov:qualifiedDerivation/prov:entity ?work . FILTER (?work != wrk:cma-profile)
             BIND (?claim AS ?cited) }
  OPTIONAL { ?claim prov:qualifiedDerivation/cao:page ?page . BIND (?claim AS ?paged) }
}"""

_PINNING = """
SELECT (COUNT(DISTINCT ?sentence) AS ?sentences) (COUNT(DISTINCT ?stating) AS ?with_claims)
       (COUNT(?pin) AS ?pins) (COUNT(DISTINCT ?pinned) AS ?pinned_claims)
WHERE {
  { ?sentence a doco:Sentence . OPTIONAL { ?c cao:statedIn ?sentence . BIND (?sentence AS ?stating) } }
  UNION { ?pinned cao:statedIn ?s . BIND (?s AS ?pin) }
}"""

_BUSIEST_SENTENCE = """
SELECT (COUNT(?claim) AS ?n) WHERE { ?claim cao:statedIn ?sentence } GROUP BY ?sentence ORDER BY DESC(?n) LIMIT 1"""

_OWN_WORD = """
SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim prov:qualifiedDerivation/prov:entity wrk:cma-profile .
  FILTER NOT EXISTS { ?claim prov:qualifiedDerivation/prov:entity ?work . FILTER (?work != wrk:cma-profile) }
}"""

_LINKING = """
SELECT ?kind (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?linked) AS ?with_wikidata) WHERE {
  VALUES (?kind ?class) {
    ("organisations" org:Organization) ("people" foaf:Person) ("places" schema:Place)
    ("events" cao:Event) ("ethnic groups" cao:EthnicGroup)
  }
  ?e a/rdfs:subClassOf* ?class .
  FILTER (STRSTARTS(STR(?e), STR(id:)))
  OPTIONAL { ?e owl:sameAs|skos:exactMatch ?q . FILTER (STRSTARTS(STR(?q), STR(wd:))) BIND (?e AS ?linked) }
} GROUP BY ?kind ORDER BY ?kind"""

_COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { %s }"


@dataclass(frozen=True)
class Stats:
    triples: int
    inferred: int  # of the triples, those only the RDFS entailments give (the `inferred` graph)
    classes: list[tuple[str, int, int]]  # class, instances as asserted, instances with the inferred types
    claims: int
    claims_with_source: int
    claims_citing_a_work: int
    claims_with_page: int
    linking: list[tuple[str, int, int]]
    works_cited: int
    notes: int
    sentences: int
    sentences_with_claims: int
    claims_pinned: int
    sentence_links: int
    busiest_sentence: int
    claims_on_the_profiles_word: int

    def lines(self) -> list[str]:
        def share(part: int, whole: int) -> str:
            return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"

        out = [f"triples: {self.triples} ({self.triples - self.inferred} asserted or derived, "
               f"{self.inferred} inferred by RDFS entailment)", "",
               f"instances per class:{'asserted':>32} {'with inferred':>14}"]
        out += [f"  {name:<40} {asserted:>10} {count:>14}" for name, asserted, count in self.classes]
        out += [
            "",
            f"claims (incl. events): {self.claims}",
            f"  with a source:                {share(self.claims_with_source, self.claims)}",
            f"  citing a work (not only the profile): {share(self.claims_citing_a_work, self.claims)}",
            f"  with a page number:           {share(self.claims_with_page, self.claims)}",
            f"  pinned to a sentence:         {share(self.claims_pinned, self.claims)}",
            f"  resting on the profile's word alone (no work cited): "
            f"{share(self.claims_on_the_profiles_word, self.claims)}",
            "",
            f"sentences of the profile: {self.sentences}",
            f"  stating at least one claim:   {share(self.sentences_with_claims, self.sentences)}",
            f"  claims per such sentence:     {self.sentence_links / self.sentences_with_claims if self.sentences_with_claims else 0:.1f}"
            f" on average, {self.busiest_sentence} at most",
            "",
            "Wikidata links:",
        ]
        out += [f"  {kind:<14} {share(linked, total)}" for kind, total, linked in self.linking]
        out += ["", f"works cited: {self.works_cited}", f"notes: {self.notes}"]
        return out


def compute(dataset: ProfileDataset) -> Stats:
    """The figures over every graph; the class counts also without the `inferred` graph."""
    base = dataset.settings.base
    ns = {**prefixes(base), "id": base + "id/"}
    graph = dataset.union()
    copy = OxigraphCopy(graph)

    def rows(query: str):
        return copy.rows(query, ns)

    asserted = dict(OxigraphCopy(dataset.union([name for name in dataset.graphs if name != INFERRED])).rows(_CLASS_COUNTS, ns))
    classes = [(graph.namespace_manager.normalizeUri(c), int(asserted.get(c, 0)), int(n)) for c, n in rows(_CLASS_COUNTS)]
    claims, with_source, with_work, with_page = (int(v) for v in rows(_CLAIM_SOURCING)[0])
    linking = [(str(kind), int(total), int(linked)) for kind, total, linked in rows(_LINKING)]
    works = int(rows(_COUNT % "?s cao:worksCitedNumber ?n")[0][0])
    notes = int(rows(_COUNT % "?s a cao:Note")[0][0])
    sentences, with_claims, pins, pinned = (int(v) for v in rows(_PINNING)[0])
    busiest = rows(_BUSIEST_SENTENCE)
    own = int(rows(_OWN_WORD)[0][0])
    return Stats(len(graph), len(dataset.graph(INFERRED)), classes, claims, with_source, with_work, with_page, linking,
                 works, notes, sentences, with_claims, pinned, pins, int(busiest[0][0]) if busiest else 0, own)
