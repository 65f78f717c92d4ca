"""Every evaluation metric on hand-made cases with known answers (no index, no model)."""

from __future__ import annotations

import pytest

from assistant.types import Answer, Citation
from evals import metrics as m
from evals.suite import Case, Expect, ExpectedSource
from index.types import Passage

ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1.0"


def passage(pid: str, doc: str, text: str, locator: str = "Article 50(1)", pages: tuple[int, int] = (82, 82)) -> Passage:
    return Passage(pid, doc, locator, (), pages[0], pages[1], 0, len(text), text)


P50 = passage(f"{ACT}#art-50-1", ACT, "Providers shall ensure that AI systems intended to interact directly\n"
              "with natural persons are designed and developed in such a way that the persons are informed.")
P52 = passage(f"{ACT}#art-50-2", ACT, "Providers of AI systems generating synthetic audio shall mark outputs.",
              "Article 50(2)", (82, 83))
PN = passage(f"{NIST}#govern-1-1", NIST, "Legal and regulatory requirements involving AI are understood and managed.",
             "GOVERN 1.1", (22, 22))
POTHER = passage(f"{ACT}#rct-27", ACT, "Recital text about transparency obligations in general.", "Recital 27", (10, 10))
PASSAGES = {p.passage_id: p for p in (P50, P52, PN, POTHER)}
PAGES = {(ACT, 82): ["... Providers shall ensure that AI systems intended to interact directly with natural persons "
                     "are designed and developed in such a way that the persons are informed. Providers of AI"],
         (ACT, 83): ["systems generating synthetic audio shall mark outputs."],
         (NIST, 22): ["Legal and regulatory requirements involving AI are understood and managed."],
         (ACT, 10): ["Recital text about transparency obligations in general."]}


def page_texts(doc: str, page: int | None) -> list[str]:
    return PAGES.get((doc, page), [])


SRC50 = ExpectedSource(ACT, "Article 50(1)", 82, "AI systems intended to interact directly with natural persons")
SRCN = ExpectedSource(NIST, "GOVERN 1.1", 22, "Legal and regulatory requirements involving AI")


def case(sources=(SRC50,), groups: str = "any", abstain: bool = False, key_points=("informed",)) -> Case:
    return Case("t-1", "sme", "sme", "Do I have to tell users it is a bot?",
                Expect(abstain, tuple(sources), groups, tuple(key_points)), tags=("transparency",))


def cite(p: Passage, n: int = 1, quote: str | None = None, page: int | None = None) -> Citation:
    return Citation(n, p.passage_id, p.document_id, "title", p.locator, page or p.page_start,
                    p.text[:40] if quote is None else quote, "", True, "EU")


def answer(citations=(), retrieved=(), abstained: bool = False, text: str = "The persons are informed [1].") -> Answer:
    return Answer(text, abstained, list(citations), "extractive", [{"passage_id": p.passage_id, "score": 1.0} for p in retrieved])


# ---------------------------------------------------------------------------- matching


@pytest.mark.parametrize("expected,actual,ok", [
    ("Article 50(1)", "Article 50(1)", True),
    ("Article 5", "Article 5(1)(f)", True),
    ("Section C.4 Stakeholder interaction and communication", "Section C.4", True),
    ("Article 5", "Article 50", False),
    ("Annex III, point 4(a)", "Annex III, point 4", True),
    ("GOVERN 1.1", "GOVERN 1.2", False),
    ("", "Article 5", False),
])
def test_locator_matches(expected, actual, ok):
    assert m.locator_matches(expected, actual) is ok


def test_passage_matches_by_quote_whitespace_normalised():
    assert m.passage_matches(P50, SRC50)  # the passage text has a newline inside the quote
    assert not m.passage_matches(P52, SRC50)
    assert not m.passage_matches(PN, ExpectedSource(ACT, quote="Legal and regulatory requirements"))  # other document


def test_passage_matches_without_quote_by_page_or_locator():
    assert m.passage_matches(P52, ExpectedSource(ACT, page=83))  # page inside the passage's page range
    assert m.passage_matches(P52, ExpectedSource(ACT, locator="Article 50(2)", page=90))
    assert not m.passage_matches(P52, ExpectedSource(ACT, locator="Article 51", page=90))


# ---------------------------------------------------------------------------- retrieval


def test_recall_at_k_and_mrr():
    c = case()
    retrieved = [POTHER, PN, P50, P52]
    assert m.recall_at_k(c, retrieved, 3) == 1.0
    assert m.recall_at_k(c, retrieved, 2) == 0.0
    assert m.reciprocal_rank(c, retrieved) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(c, [POTHER]) == 0.0
    assert m.recall_at_k(case(sources=(), abstain=True), retrieved, 3) is None


# ---------------------------------------------------------------------------- citations


def test_citation_precision_and_recall_any():
    a = answer([cite(P50, 1), cite(POTHER, 2)])
    assert m.citation_precision(case(), a, PASSAGES) == 0.5
    assert m.citation_recall(case(), a, PASSAGES) == 1.0


def test_no_citations_precision_undefined_recall_zero():
    a = answer([])
    assert m.citation_precision(case(), a, PASSAGES) is None
    assert m.citation_recall(case(), a, PASSAGES) == 0.0
    s = m.score_case(case(), a, PASSAGES, page_texts, 10.0)
    agg = m.aggregate([s, m.score_case(case(), answer([cite(P50)]), PASSAGES, page_texts, 10.0)])
    assert agg["citation_precision"] == 1.0  # the undefined case is excluded from the mean
    assert agg["n_citation_precision"] == 1
    assert agg["citation_recall"] == 0.5


def test_all_group_half_matched():
    c = case(sources=(SRC50, SRCN), groups="all")
    a = answer([cite(P50)])
    assert m.citation_recall(c, a, PASSAGES) == 0.0
    s = m.score_case(c, a, PASSAGES, page_texts, 5.0)
    assert (s.sources_cited, s.sources_expected) == (1, 2)
    assert m.aggregate([s])["source_recall"] == 0.5
    assert m.citation_recall(c, answer([cite(P50, 1), cite(PN, 2)]), PASSAGES) == 1.0


def test_false_abstention_on_answerable_case():
    a = answer([cite(P50)], abstained=True, text="The documents do not cover this.")
    s = m.score_case(case(), a, PASSAGES, page_texts, 5.0)
    assert s.citation_recall == 0.0 and s.sources_cited == 0
    assert s.citation_precision is None
    assert not s.passed
    agg = m.aggregate([s])
    assert agg["false_abstentions"] == 1
    assert agg["abstention_precision"] == 0.0
    assert agg["abstention_recall"] is None  # no case should abstain


def test_abstention_precision_recall():
    yes, no = case(sources=(), abstain=True, key_points=()), case()
    scores = [m.score_case(yes, answer(abstained=True), PASSAGES, page_texts, 1.0),   # TP
              m.score_case(yes, answer([cite(P50)]), PASSAGES, page_texts, 1.0),     # FN
              m.score_case(no, answer(abstained=True), PASSAGES, page_texts, 1.0),   # FP
              m.score_case(no, answer([cite(P50)]), PASSAGES, page_texts, 1.0)]      # TN
    ab = m.abstention_scores(scores)
    assert ab["abstention_precision"] == 0.5 and ab["abstention_recall"] == 0.5
    assert scores[0].passed and not scores[1].passed and not scores[2].passed and scores[3].passed
    assert scores[0].citation_recall is None and scores[0].key_point_coverage is None


# ---------------------------------------------------------------------------- quotes


def test_quote_validity():
    good = cite(P50)
    assert m.quote_valid(good, P50.text, page_texts(ACT, 82))
    wrong_page = cite(P50, page=83)
    assert not m.quote_valid(wrong_page, P50.text, page_texts(ACT, 83))
    invented = cite(P50, quote="Providers must always tell everyone")
    assert not m.quote_valid(invented, P50.text, page_texts(ACT, 82))
    across_pages = cite(P52, quote=P52.text)  # spans pages 82-83: not a substring of one page
    assert not m.quote_valid(across_pages, P52.text, page_texts(ACT, 82))
    assert not m.quote_valid(cite(P50, quote=""), P50.text, page_texts(ACT, 82))
    assert not m.quote_valid(good, None, page_texts(ACT, 82))  # passage unknown
    # exact substring of the passage is required: a whitespace-changed quote is not exact
    respaced = cite(P50, quote="interact directly with natural persons")
    assert not m.quote_valid(respaced, P50.text, page_texts(ACT, 82))
    # ... while the page comparison is whitespace-normalised (passage has "\n", page has " ")
    assert m.quote_valid(cite(P50, quote="interact directly\nwith natural"), P50.text, page_texts(ACT, 82))


def test_quote_validity_aggregates_over_quotes():
    a = answer([cite(P50, 1), cite(P52, 2, quote=P52.text)])
    s = m.score_case(case(), a, PASSAGES, page_texts, 3.0)
    assert (s.quotes_valid, s.quotes_total) == (1, 2)
    assert not s.passed  # an invalid quote fails the case
    assert m.aggregate([s])["quote_validity"] == 0.5


# ---------------------------------------------------------------------------- key points, latency


@pytest.mark.parametrize("kp,text,ok", [
    ("informed that they are interacting", "Users must be INFORMED that they\nare interacting with AI.", True),
    ("inform natural persons interacting AI system", "natural persons interacting with an AI system must be told", True),
    ("informed that they are interacting with an AI system", "they are interacting with a system", False),
    ("natural persons interacting with AI system", "tell natural persons they are interacting with an AI system", True),
    ("high-risk", "This is a high risk system.", True),  # tokens: {high, risk} both present
    ("prohibited", "It is allowed.", False),
])
def test_key_point_covered(kp, text, ok):
    assert m.key_point_covered(kp, text) is ok


def test_key_point_coverage_share():
    c = case(key_points=("informed", "synthetic audio"))
    assert m.key_point_coverage(c, answer(text="The persons are informed.")) == 0.5
    assert m.key_point_coverage(case(sources=(), abstain=True), answer()) is None


def test_percentiles():
    assert m.percentile([], 50) is None
    assert m.percentile([5.0], 95) == 5.0
    assert m.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert m.percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)


def test_retrieval_through_score_case_and_slices():
    c1 = case()
    c2 = Case("t-2", "official", "comparison", "q?", Expect(False, (SRC50, SRCN), "all", ("informed",)), tags=("x",))
    s1 = m.score_case(c1, answer([cite(P50)], retrieved=[POTHER, P50]), PASSAGES, page_texts, 10.0, k=1)
    s2 = m.score_case(c2, answer([cite(P50), cite(PN, 2)], retrieved=[PN]), PASSAGES, page_texts, 30.0, k=1)
    assert (s1.recall_at_k, s1.reciprocal_rank) == (0.0, 0.5)
    assert (s2.recall_at_k, s2.reciprocal_rank, s2.passed) == (1.0, 1.0, True)
    sl = m.slices([c1, c2], [s1, s2])
    assert set(sl["persona"]) == {"sme", "official"}
    assert sl["kind"]["comparison"]["pass_rate"] == 1.0
    assert sl["tag"]["transparency"]["cases"] == 1
    agg = m.aggregate([s1, s2])
    assert agg["latency_p50_ms"] == 20.0 and agg["mrr"] == 0.75


def test_error_case_fails_even_when_abstention_expected():
    s = m.score_case(case(sources=(), abstain=True, key_points=()), answer(abstained=True), PASSAGES, page_texts, 1.0,
                     error="HTTP 500")
    assert not s.passed


# ---------------------------------------------------------------------------- binding first


def test_binding_first_asks_for_the_binding_provision_before_guidance():
    binding = frozenset({ACT})
    both = case(sources=(SRC50, SRCN))
    assert m.binding_first(both, answer([cite(P50, 1), cite(PN, 2)]), binding) is True
    assert m.binding_first(both, answer([cite(PN, 1), cite(P50, 2)]), binding) is False
    assert m.binding_first(both, answer([]), binding) is False
    # no binding instrument in the gold, or an official's question: not measured
    assert m.binding_first(case(sources=(SRCN,)), answer([cite(PN, 1)]), binding) is None
    official = Case("t-2", "official", "comparison", "q", Expect(False, (SRC50, SRCN), "all", ()), tags=())
    assert m.binding_first(official, answer([cite(PN, 1)]), binding) is None
    scores = m.score_case(both, answer([cite(PN, 1), cite(P50, 2)]), PASSAGES, page_texts, 1.0,
                          binding_documents=binding)
    assert scores.binding_first is False
    assert m.aggregate([scores])["binding_first"] == 0.0


def test_frameworks_grounded_counts_the_named_documents_cited():
    cmp_case = Case("t-3", "official", "comparison", "How do the AI Act and NIST differ?",
                    Expect(False, (SRC50, SRCN), "all", ()), tags=())
    assert m.frameworks_grounded(cmp_case, answer([cite(P50, 1), cite(POTHER, 2)])) == 0.5
    assert m.frameworks_grounded(cmp_case, answer([cite(P52, 1), cite(PN, 2)])) == 1.0  # any passage of each
    assert m.frameworks_grounded(cmp_case, answer([cite(P50, 1)], abstained=True)) == 0.0
    assert m.frameworks_grounded(case(), answer([cite(P50, 1)])) is None
