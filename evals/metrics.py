"""Evaluation metrics as pure functions of (case, answer, passages, page texts).

Matching rule (docs/suite-format.md, "Matching"): a passage matches an expected source when it is of the same document
and its text contains the expected quote (both NFKC + whitespace-normalised), or, when the source
has no quote, the expected page lies within the passage's pages or the locators match.

A case passes when it abstains exactly when it should and, when answerable, cites every expected
source its group needs (citation recall 1) with only valid quotes, without a runner error.
Key points are scored lexically (see ``key_point_covered``); an LLM judge is a separate hook.

Per-case values are ``None`` where a metric is undefined for the case (e.g. citation precision of
a case without citations); aggregates average over the cases where it is defined and report n.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.types import Answer, Citation
from index.types import Passage

from .suite import Case, ExpectedSource, normalise

# Retrieval metrics look at the first K retrieved passages (``--k``).
DEFAULT_K = 5
# A key point counts as covered when it occurs in the answer (case-insensitive, whitespace-
# normalised), or when at least this share of its word tokens occur among the answer's tokens.
KEY_POINT_TOKEN_OVERLAP = 0.8
_BOUNDARY = " (,.;:-"

# The headline metrics, in display order: name -> (label, higher is better).
METRICS: dict[str, tuple[str, bool]] = {
    "recall_at_k": ("retrieval recall@k", True),
    "mrr": ("retrieval MRR", True),
    "gold_top1": ("gold passage first", True),
    "gold_top5": ("gold passage in top 5", True),
    "gold_top20": ("gold passage in top 20", True),
    "citation_precision": ("citation precision", True),
    "citation_recall": ("citation recall (cases)", True),
    "source_recall": ("citation recall (sources)", True),
    "quote_validity": ("quote validity", True),
    "abstention_precision": ("abstention precision", True),
    "abstention_recall": ("abstention recall", True),
    "key_point_coverage": ("key-point coverage (lexical)", True),
    "not_covered_named": ("mixed: uncovered part named", True),
    "binding_first": ("SME: binding provision first", True),
    "frameworks_grounded": ("comparison: named frameworks cited", True),
    "pass_rate": ("pass rate", True),
    "latency_p50_ms": ("latency p50 (ms)", False),
    "latency_p95_ms": ("latency p95 (ms)", False),
}


@dataclass(frozen=True)
class CaseScores:
    recall_at_k: float | None
    reciprocal_rank: float | None
    citation_precision: float | None
    citation_recall: float | None
    sources_cited: int  # expected sources matched by at least one citation
    sources_expected: int  # 0 for cases that should abstain
    quotes_valid: int
    quotes_total: int
    should_abstain: bool
    abstained: bool
    key_point_coverage: float | None
    latency_ms: float
    passed: bool
    gold_rank: int | None = None  # 1-based rank of the first gold passage in the ranked list; 0: not in it
    not_covered_named: bool | None = None  # mixed cases: does the answer name the uncovered part?
    binding_first: bool | None = None  # SME cases with binding gold: is a binding provision cited first?
    frameworks_grounded: float | None = None  # comparisons: share of the expected documents the answer cites

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------- matching


def locator_matches(expected: str, actual: str) -> bool:
    """Same unit, or one is the other refined at a boundary: "Article 5" ~ "Article 5(1)(f)",
    "Section C.4 Stakeholder interaction" ~ "Section C.4"; never "Article 5" ~ "Article 50"."""
    e, a = normalise(expected).lower(), normalise(actual).lower()
    if not e or not a:
        return False
    if e == a:
        return True
    short, long = (e, a) if len(e) < len(a) else (a, e)
    return long.startswith(short) and long[len(short)] in _BOUNDARY


def passage_matches(passage: Passage, source: ExpectedSource) -> bool:
    """Does this passage hold the expected source (same document; quote, else page or locator)?"""
    if passage.document_id != source.document:
        return False
    if source.quote:
        return normalise(source.quote) in normalise(passage.text)
    if source.page is not None and passage.page_start is not None:
        end = passage.page_end if passage.page_end is not None else passage.page_start
        if passage.page_start <= source.page <= end:
            return True
    return bool(source.locator) and locator_matches(source.locator, passage.locator)


def citation_passage(citation: Citation, passages: Mapping[str, Passage]) -> Passage:
    """The cited passage; when it is unknown (an endpoint without /v1/passages), a stand-in built
    from the citation itself so matching falls back to its quote, page and locator."""
    found = passages.get(citation.passage_id)
    if found is not None:
        return found
    return Passage(citation.passage_id, citation.document_id, citation.locator, (), citation.page,
                   citation.page, 0, len(citation.quote), citation.quote)


# ---------------------------------------------------------------------------- per-case metrics


def retrieval_ranks(case: Case, retrieved: Sequence[Passage]) -> list[int]:
    """1-based ranks of the retrieved passages that match any expected source."""
    return [i for i, p in enumerate(retrieved, 1) if any(passage_matches(p, s) for s in case.expect.sources)]


def recall_at_k(case: Case, retrieved: Sequence[Passage], k: int) -> float | None:
    """1.0 when any expected source is among the first k retrieved passages; None without sources."""
    if not case.expect.sources:
        return None
    return 1.0 if any(r <= k for r in retrieval_ranks(case, retrieved)) else 0.0


def reciprocal_rank(case: Case, retrieved: Sequence[Passage]) -> float | None:
    """1/rank of the first matching retrieved passage (whole list), 0.0 if none; None without sources."""
    if not case.expect.sources:
        return None
    ranks = retrieval_ranks(case, retrieved)
    return 1.0 / ranks[0] if ranks else 0.0


def cited_sources(case: Case, answer: Answer, passages: Mapping[str, Passage]) -> list[bool]:
    """For each expected source: is it matched by at least one citation? (All False on abstention.)"""
    if answer.abstained:
        return [False] * len(case.expect.sources)
    cited = [citation_passage(c, passages) for c in answer.citations]
    return [any(passage_matches(p, s) for p in cited) for s in case.expect.sources]


def citation_precision(case: Case, answer: Answer, passages: Mapping[str, Passage]) -> float | None:
    """Share of citations matching an expected source. None when the case should abstain, has no
    expected sources, or the answer cites nothing (no citations, or an abstention: undefined,
    excluded from the mean)."""
    if case.expect.abstain or not case.expect.sources or not answer.citations or answer.abstained:
        return None
    good = sum(any(passage_matches(citation_passage(c, passages), s) for s in case.expect.sources)
               for c in answer.citations)
    return good / len(answer.citations)


def citation_recall(case: Case, answer: Answer, passages: Mapping[str, Passage]) -> float | None:
    """any: 1.0 when at least one expected source is cited; all: 1.0 only when every one is.
    0.0 on an abstention or without citations; None for cases that should abstain."""
    if case.expect.abstain or not case.expect.sources:
        return None
    hits = cited_sources(case, answer, passages)
    ok = all(hits) if case.expect.source_groups == "all" else any(hits)
    return 1.0 if ok else 0.0


def quote_valid(citation: Citation, passage_text: str | None, page_texts: Sequence[str]) -> bool:
    """The quote is an exact substring of the cited passage AND (normalised) of a rendering of
    the source's text on the cited page. An empty quote or an unknown passage is invalid."""
    if not citation.quote or passage_text is None or citation.quote not in passage_text:
        return False
    quote = normalise(citation.quote)
    return any(quote in normalise(t) for t in page_texts)


def key_point_covered(key_point: str, answer_text: str) -> bool:
    """Lexical coverage: containment (case-insensitive, normalised) or token overlap >= 0.8."""
    kp, text = normalise(key_point).lower(), normalise(answer_text).lower()
    if not kp:
        return True
    if kp in text:
        return True
    kp_tokens = set(re.findall(r"\w+", kp))
    if not kp_tokens:
        return False
    overlap = len(kp_tokens & set(re.findall(r"\w+", text))) / len(kp_tokens)
    return overlap >= KEY_POINT_TOKEN_OVERLAP


def key_point_coverage(case: Case, answer: Answer) -> float | None:
    """Share of the case's key points covered by the answer text; None when there are none or the
    case should abstain."""
    if case.expect.abstain or not case.expect.key_points:
        return None
    return sum(key_point_covered(k, answer.answer) for k in case.expect.key_points) / len(case.expect.key_points)


PageTextLookup = Callable[[str, "int | None"], Sequence[str]]


def score_case(case: Case, answer: Answer, passages: Mapping[str, Passage], page_texts: PageTextLookup,
               latency_ms: float, k: int = DEFAULT_K, error: str | None = None,
               binding_documents: frozenset[str] = frozenset()) -> CaseScores:
    """Every per-case metric. ``passages`` maps passage ids (retrieved and cited) to passages;
    ``page_texts(document_id, page)`` gives the source's text of that page (one or more renderings);
    ``binding_documents`` are the ids of the binding instruments (the manifest's ``binding``)."""
    retrieved = [passages[r["passage_id"]] for r in answer.retrieved if r.get("passage_id") in passages]
    hits = cited_sources(case, answer, passages)
    valid = [quote_valid(c, passages[c.passage_id].text if c.passage_id in passages else None,
                         page_texts(c.document_id, c.page)) for c in answer.citations]
    recall = citation_recall(case, answer, passages)
    abstain_ok = answer.abstained == case.expect.abstain
    named = not_covered_named(case, answer)
    passed = (error is None and abstain_ok and all(valid) and (recall is None or recall == 1.0)
              and named is not False)
    ranks = retrieval_ranks(case, retrieved)
    return CaseScores(
        recall_at_k=recall_at_k(case, retrieved, k), reciprocal_rank=reciprocal_rank(case, retrieved),
        citation_precision=citation_precision(case, answer, passages), citation_recall=recall,
        sources_cited=sum(hits) if not case.expect.abstain else 0,
        sources_expected=len(case.expect.sources) if not case.expect.abstain else 0,
        quotes_valid=sum(valid), quotes_total=len(valid),
        should_abstain=case.expect.abstain, abstained=answer.abstained,
        key_point_coverage=key_point_coverage(case, answer), latency_ms=latency_ms, passed=passed,
        gold_rank=(ranks[0] if ranks else 0) if case.expect.sources and not case.expect.abstain else None,
        not_covered_named=named,
        binding_first=binding_first(case, answer, binding_documents),
        frameworks_grounded=frameworks_grounded(case, answer),
    )


def frameworks_grounded(case: Case, answer: Answer) -> float | None:
    """Comparison cases: the share of the expected documents that the answer cites at all (a cell
    grounded in that framework, whether or not it is the gold passage). None for other cases."""
    if case.kind != "comparison" or case.expect.abstain or not case.expect.sources:
        return None
    expected = {s.document for s in case.expect.sources}
    cited = set() if answer.abstained else {c.document_id for c in answer.citations}
    return len(expected & cited) / len(expected)


def binding_first(case: Case, answer: Answer, binding_documents: frozenset[str]) -> bool | None:
    """SME cases whose gold includes a binding instrument: the answer's first citation is a provision
    of one of those instruments (what binds the user comes before voluntary guidance).
    None for other cases."""
    gold_binding = {s.document for s in case.expect.sources} & binding_documents
    if case.persona != "sme" or case.expect.abstain or not gold_binding:
        return None
    if not answer.citations:
        return False
    first = min(answer.citations, key=lambda c: c.n)
    return first.document_id in gold_binding


def not_covered_named(case: Case, answer: Answer) -> bool | None:
    """Mixed cases: the answer names every part the corpus does not cover (None for other cases),
    read like a key point: the words as written, or nearly all of them ("ratified so far" is named
    by "which countries have ratified it so far")."""
    if not case.expect.not_covered:
        return None
    return all(key_point_covered(term, answer.answer) for term in case.expect.not_covered)


# ---------------------------------------------------------------------------- aggregation


def mean(values: Sequence[float | None]) -> float | None:
    """Mean of the defined values; None when none is defined."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def abstention_scores(scores: Sequence[CaseScores]) -> dict[str, float | None]:
    """Precision and recall of abstaining, positive class = "should abstain"."""
    tp = sum(s.abstained and s.should_abstain for s in scores)
    fp = sum(s.abstained and not s.should_abstain for s in scores)
    fn = sum(not s.abstained and s.should_abstain for s in scores)
    return {"abstention_precision": ratio(tp, tp + fp), "abstention_recall": ratio(tp, tp + fn),
            "false_abstentions": float(fp), "missed_abstentions": float(fn)}


def aggregate(scores: Sequence[CaseScores]) -> dict[str, float | None]:
    """Aggregate metrics over cases (micro-averaged for sources and quotes), plus n counts."""
    latencies = [s.latency_ms for s in scores]
    out: dict[str, float | None] = {
        "cases": float(len(scores)),
        "recall_at_k": mean([s.recall_at_k for s in scores]),
        "mrr": mean([s.reciprocal_rank for s in scores]),
        "citation_precision": mean([s.citation_precision for s in scores]),
        "citation_recall": mean([s.citation_recall for s in scores]),
        "source_recall": ratio(sum(s.sources_cited for s in scores), sum(s.sources_expected for s in scores)),
        "quote_validity": ratio(sum(s.quotes_valid for s in scores), sum(s.quotes_total for s in scores)),
        **abstention_scores(scores),
        "key_point_coverage": mean([s.key_point_coverage for s in scores]),
        "pass_rate": ratio(sum(s.passed for s in scores), len(scores)),
        **gold_rank_shares(scores),
        "not_covered_named": mean([None if s.not_covered_named is None else float(s.not_covered_named) for s in scores]),
        "binding_first": mean([None if s.binding_first is None else float(s.binding_first) for s in scores]),
        "frameworks_grounded": mean([s.frameworks_grounded for s in scores]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "latency_max_ms": max(latencies) if latencies else None,
        "n_citation_precision": float(sum(s.citation_precision is not None for s in scores)),
        "n_citation_recall": float(sum(s.citation_recall is not None for s in scores)),
        "n_quotes": float(sum(s.quotes_total for s in scores)),
    }
    return out


def gold_rank_shares(scores: Sequence[CaseScores]) -> dict[str, float | None]:
    """Share of answerable cases whose gold passage ranks first, in the top 5 and in the top 20."""
    ranks = [s.gold_rank for s in scores if s.gold_rank is not None]
    return {f"gold_top{n}": ratio(sum(1 for r in ranks if 0 < r <= n), len(ranks)) for n in (1, 5, 20)}


def slices(cases: Sequence[Case], scores: Sequence[CaseScores]) -> dict[str, dict[str, dict[str, float | None]]]:
    """Aggregates per persona, per kind and per tag: {"persona": {"sme": {...}}, "kind": ..., "tag": ...}."""
    groups: dict[str, dict[str, list[CaseScores]]] = {"persona": {}, "kind": {}, "language": {}, "tag": {}}
    for case, s in zip(cases, scores, strict=True):
        groups["persona"].setdefault(case.persona, []).append(s)
        groups["language"].setdefault(case.language, []).append(s)
        groups["kind"].setdefault(case.kind, []).append(s)
        for tag in case.tags:
            groups["tag"].setdefault(tag, []).append(s)
    return {dim: {value: aggregate(group) for value, group in sorted(members.items())}
            for dim, members in groups.items()}


# ---------------------------------------------------------------------------- CI gate


@dataclass(frozen=True)
class Thresholds:
    minimums: dict[str, float]
    maximums: dict[str, float]


def parse_fail_under(items: Sequence[str]) -> dict[str, float]:
    """``["citation_recall=0.6", ...]`` -> {"citation_recall": 0.6}; unknown metrics are an error."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in METRICS:
            raise ValueError(f"--fail-under {item!r}: use METRIC=VALUE with METRIC one of {', '.join(METRICS)}")
        out[name] = float(value)
    return out


def check_thresholds(aggregates: Mapping[str, float | None], gate: Thresholds) -> list[str]:
    """One message per unmet threshold; an undefined metric (None) fails its threshold."""
    failures = []
    for name, floor in gate.minimums.items():
        value = aggregates.get(name)
        if value is None or value < floor:
            failures.append(f"{name} = {_fmt(value)} is below the minimum {floor:g}")
    for name, ceiling in gate.maximums.items():
        value = aggregates.get(name)
        if value is None or value > ceiling:
            failures.append(f"{name} = {_fmt(value)} is above the maximum {ceiling:g}")
    return failures


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4g}"
