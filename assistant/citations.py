"""Citations are built by code from retrieved passages, never taken on trust.

``cite`` turns (passage, quote span) into a Citation with the page where the quote is;
``map_markers`` maps the [n] markers a model wrote back to the numbered passages it was given,
drops markers that do not map, and counts them; ``verify`` is the last gate before an answer
leaves: every marker has a citation, every quote is an exact substring of its passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.types import Passage, Source

from .types import Citation

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


@dataclass(frozen=True)
class PageMap:
    """Page boundaries of one document (offsets into its text), to place a quote on its page."""

    starts: tuple[int, ...]
    numbers: tuple[int, ...]

    def page_at(self, offset: int) -> int:
        page = self.numbers[0]
        for start, number in zip(self.starts, self.numbers):
            if start > offset:
                break
            page = number
        return page


def page_url(source: Source, page: int | None) -> str:
    url = source.official_url
    is_pdf = source.format == "pdf" or url.lower().split("?")[0].endswith(".pdf")  # the ASEAN text mirrors a PDF
    if page is not None and is_pdf and url:
        return f"{url}#page={page}"
    return url


def cite(n: int, passage: Passage, source: Source, start: int, end: int, pages: PageMap | None) -> Citation:
    """A citation of passage.text[start:end]; its page is the page where the quote begins."""
    quote = passage.text[start:end]
    if pages is not None and passage.page_start is not None:
        page = pages.page_at(passage.char_start + start)
    else:
        page = passage.page_start
    return Citation(n=n, passage_id=passage.passage_id, document_id=passage.document_id,
                    document_title=source.title, locator=passage.locator, page=page, quote=quote,
                    url=page_url(source, page), binding=source.binding, jurisdiction=source.jurisdiction)


@dataclass
class MarkerMapping:
    text: str  # the text with markers renumbered to 1..n in order of first use
    used: list[int]  # the passage numbers (1-based, as given to the model) in citation order
    dropped: int = 0  # markers that pointed at no passage ([0], out of range)
    notes: list[str] = field(default_factory=list)


def map_markers(text: str, n_passages: int) -> MarkerMapping:
    """Renumber valid markers in order of first use; strip any that map to no passage."""
    order: list[int] = []
    dropped = 0

    def renumber(m: re.Match[str]) -> str:
        nonlocal dropped
        out = []
        for raw in re.split(r"\s*[,;]\s*", m.group(1)):
            k = int(raw)
            if not 1 <= k <= n_passages:
                dropped += 1
                continue
            if k not in order:
                order.append(k)
            new = order.index(k) + 1
            if new not in out:
                out.append(new)
        return "".join(f"[{x}]" for x in out)

    mapped = MARKER.sub(renumber, text)
    return MarkerMapping(re.sub(r"\s+([.,;:])", r"\1", mapped), order, dropped)


class CitationError(AssertionError):
    """An answer about to leave the service cites something it cannot support: a bug, never shown."""


def verify(answer: str, citations: list[Citation], passages: dict[str, Passage]) -> None:
    """Raise CitationError unless every marker maps to a citation whose quote is in its passage."""
    numbers = {c.n for c in citations}
    for m in MARKER.finditer(answer):
        for raw in re.split(r"\s*[,;]\s*", m.group(1)):
            if int(raw) not in numbers:
                raise CitationError(f"marker [{raw}] has no citation")
    for c in citations:
        p = passages.get(c.passage_id)
        if p is None:
            raise CitationError(f"citation [{c.n}] cites {c.passage_id}, which was not retrieved")
        if not c.quote or c.quote not in p.text:
            raise CitationError(f"citation [{c.n}] quote is not a substring of {c.passage_id}")
