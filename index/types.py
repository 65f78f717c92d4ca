"""Data types that carry provenance through every stage. Immutable: scores ride on ScoredPassage."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Source:
    """One document of the manifest (index/sources.toml) or one a user added."""

    document_id: str
    title: str
    issuer: str
    jurisdiction: str
    published: str
    doc_type: str
    binding: bool
    language: str
    official_url: str
    sha256: str | None
    file: str
    format: str  # pdf | html | txt | md
    short_title: str = ""
    family: str = ""  # structure recogniser to use; "" = generic
    aliases: tuple[str, ...] = ()  # names people use for it in questions ("AI Act", "NIST", "FEAT")
    status: str = "in force"  # in force | revoked | superseded | draft
    status_source: str = ""  # the document that establishes a status other than "in force"…
    status_quote: str = ""  # …and its words that do (cited whenever this document is)

    def __post_init__(self) -> None:
        object.__setattr__(self, "aliases", tuple(self.aliases))

    @property
    def label(self) -> str:
        return self.short_title or self.title


@dataclass(frozen=True)
class Page:
    number: int  # 1-based page of the source file
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    """A document's cleaned text with page boundaries.

    ``text`` is the pages' texts joined by PAGE_SEP; ``page_starts[i]`` is the offset of page i+1.
    Every passage is a span of ``text``, so its quote can always be traced to a page.
    """

    document_id: str
    text: str
    page_starts: tuple[int, ...]
    page_numbers: tuple[int, ...]  # the real page number of each entry (pages without text are kept)
    has_pages: bool = True

    def page_at(self, offset: int) -> int:
        """1-based page containing character ``offset``."""
        lo, hi = 0, len(self.page_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.page_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.page_numbers[lo]

    def page_text(self, number: int) -> str:
        i = self.page_numbers.index(number)
        end = self.page_starts[i + 1] - len(PAGE_SEP) if i + 1 < len(self.page_starts) else len(self.text)
        return self.text[self.page_starts[i] : end]


PAGE_SEP = "\n\n"


@dataclass(frozen=True)
class Section:
    """A structural unit found by a recogniser: a leaf that chunking never crosses."""

    locator: str  # "Article 50(1)", "GOVERN 1.1", "Section C.2"
    slug: str  # "art-50-1": the stable part of passage ids
    section_path: tuple[str, ...]  # ("Chapter IV Transparency obligations ...", "Article 50 Transparency ...")
    char_start: int
    char_end: int
    kind: str = "section"  # article | recital | annex | subcategory | paragraph | section | front


@dataclass(frozen=True)
class Passage:
    passage_id: str
    document_id: str
    locator: str
    section_path: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    text: str
    kind: str = "section"

    def to_metadata(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "locator": self.locator,
            "section_path": " > ".join(self.section_path),
            "page_start": self.page_start if self.page_start is not None else -1,
            "page_end": self.page_end if self.page_end is not None else -1,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "kind": self.kind,
        }

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["section_path"] = list(self.section_path)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Passage":
        return cls(**{**d, "section_path": tuple(d["section_path"])})


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float
    scores: dict[str, float] = field(default_factory=dict)  # per retriever, for explanations

    def with_score(self, score: float, **parts: float) -> "ScoredPassage":
        return replace(self, score=score, scores={**self.scores, **parts})
