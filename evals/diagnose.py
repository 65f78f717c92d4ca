"""Why a case failed, in the words an evaluator acts on, and where each gold passage ranked.

One primary reason per failed case (the first that applies, in this order):
  error                          the system raised or the HTTP call failed
  missed abstention              it answered a question the documents do not cover
  false abstention               it abstained on a question they do cover
  invalid quote                  a quote is not verbatim on its cited page
  gold not retrieved             an uncited gold passage is nowhere in the retrieved list
  wrong document                 the gold was retrieved, but no citation is from its document
  right document, wrong passage  a citation is from the gold's document, but not the gold passage
  uncovered part not named       a mixed case answered without naming what is not covered
For the retrieval reasons the first expected source that no citation matches decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.types import Answer
from index.types import Passage

from . import metrics
from .suite import Case, ExpectedSource

REASONS = ("error", "missed abstention", "false abstention", "invalid quote", "gold not retrieved",
           "wrong document", "right document, wrong passage", "uncovered part not named")


@dataclass(frozen=True)
class Diagnosis:
    reason: str | None  # None: the case passed
    detail: str
    source_ranks: tuple[int, ...]  # per expected source: 1-based rank in the retrieved list, 0 = absent

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "detail": self.detail, "source_ranks": list(self.source_ranks)}


def source_ranks(sources: Sequence[ExpectedSource], retrieved: Sequence[Passage]) -> tuple[int, ...]:
    return tuple(next((i for i, p in enumerate(retrieved, 1) if metrics.passage_matches(p, s)), 0) for s in sources)


def diagnose(case: Case, answer: Answer, scores: metrics.CaseScores, passages: Mapping[str, Passage],
             error: str | None = None) -> Diagnosis:
    """The primary reason a case failed (None when it passed) and the gold ranks."""
    retrieved = [passages[r["passage_id"]] for r in answer.retrieved if r.get("passage_id") in passages]
    ranks = source_ranks(case.expect.sources, retrieved)
    if scores.passed:
        return Diagnosis(None, "", ranks)
    if error:
        return Diagnosis("error", error, ranks)
    if scores.should_abstain and not scores.abstained:
        return Diagnosis("missed abstention", f"answered with {len(answer.citations)} citation(s)", ranks)
    if scores.abstained and not scores.should_abstain:
        best = f"; gold ranked {min(r for r in ranks if r)}" if any(ranks) else "; gold not retrieved"
        return Diagnosis("false abstention", "abstained on a covered question" + best, ranks)
    if scores.quotes_valid < scores.quotes_total:
        bad = scores.quotes_total - scores.quotes_valid
        return Diagnosis("invalid quote", f"{bad} of {scores.quotes_total} quote(s) not verbatim on the cited page", ranks)
    cited = [metrics.citation_passage(c, passages) for c in answer.citations]
    for source, rank in zip(case.expect.sources, ranks, strict=True):
        if any(metrics.passage_matches(p, source) for p in cited):
            continue
        same_doc = [p for p in cited if p.document_id == source.document]
        if rank == 0:
            where = "cited the right document" if same_doc else "cited other documents"
            return Diagnosis("gold not retrieved", f"{source.label()} is not among the {len(retrieved)} retrieved; {where}", ranks)
        if not same_doc:
            docs = sorted({p.document_id for p in cited}) or ["nothing"]
            return Diagnosis("wrong document", f"{source.label()} ranked {rank}; cited {', '.join(docs)}", ranks)
        return Diagnosis("right document, wrong passage",
                         f"{source.label()} ranked {rank}; cited {', '.join(p.locator or p.passage_id for p in same_doc)}",
                         ranks)
    if scores.not_covered_named is False:
        return Diagnosis("uncovered part not named", "expected: " + ", ".join(case.expect.not_covered), ranks)
    return Diagnosis("error", "failed for a reason the diagnosis does not know", ranks)
