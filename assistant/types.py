"""The Answer contract every surface shares (DESIGN.md), and the comparison result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Persona = Literal["sme", "official", "evaluator"]
Mode = Literal["extractive", "llm"]


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Citation:
    n: int
    passage_id: str
    document_id: str
    document_title: str
    locator: str
    page: int | None
    quote: str  # exact substring of the passage's text
    url: str
    binding: bool
    jurisdiction: str
    # root-relative link to the local viewer: the mirrored file at the cited page, quote highlighted
    view_url: str = ""


@dataclass(frozen=True)
class Answer:
    answer: str
    abstained: bool
    citations: list[Citation]
    mode: str
    retrieved: list[dict[str, Any]] = field(default_factory=list)  # [{"passage_id", "score"}]
    timings_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. "LLM endpoint timed out: extractive answer"
    standalone_question: str = ""  # the question after resolving follow-ups

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """One document's position on the compared question: cited, or not addressed."""

    document_id: str
    document_title: str
    addressed: bool
    answer: str
    citations: list[Citation]


@dataclass(frozen=True)
class Comparison:
    question: str
    findings: list[Finding]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
