"""Citations are built by code from retrieved passages, never taken on trust.

``cite`` turns (passage, quote span) into a Citation with the page where the quote is;
``markers`` reads the [n] markers a model wrote (the LLM composer maps them back to the passages
it was given, dropping and counting those that do not map); ``verify`` is the last gate before an
answer leaves: every marker has a citation, every quote is an exact substring of its passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

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


VIEW_QUOTE_CHARS = 1000  # longer quotes are cut in the link (the viewer highlights what it is given)


def view_url(document_id: str, page: int | None, quote: str) -> str:
    """The local viewer (served under /viewer/) opened at ``page`` with ``quote`` highlighted."""
    text = " ".join(quote.split())
    if len(text) > VIEW_QUOTE_CHARS:
        text = text[:VIEW_QUOTE_CHARS].rsplit(" ", 1)[0]
    params = {"doc": document_id, **({"page": page} if page is not None else {}), "q": text}
    return "/viewer/?" + urlencode(params, quote_via=quote_plus)


def cite(n: int, passage: Passage, source: Source, start: int, end: int, pages: PageMap | None) -> Citation:
    """A citation of passage.text[start:end]; its page is the page where the quote begins."""
    quote = passage.text[start:end]
    if pages is not None and passage.page_start is not None:
        page = pages.page_at(passage.char_start + start)
    else:
        page = passage.page_start
    return Citation(n=n, passage_id=passage.passage_id, document_id=passage.document_id,
                    document_title=source.title, locator=passage.locator, page=page, quote=quote,
                    url=page_url(source, page), binding=source.binding, jurisdiction=source.jurisdiction,
                    view_url=view_url(passage.document_id, page, quote))


def markers(sentence: str) -> tuple[str, list[int]]:
    """A sentence without its citation markers, and the numbers it cited in order of use.

    "[2][2]", "[1, 3]" and "[1; 3]" are all understood; [0] and numbers past the context are kept
    here so that the caller can drop them and count them."""
    numbers: list[int] = []
    for m in MARKER.finditer(sentence):
        for raw in re.split(r"\s*[,;]\s*", m.group(1)):
            if int(raw) not in numbers:
                numbers.append(int(raw))
    bare = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", MARKER.sub("", sentence))).strip()
    return bare, numbers


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
