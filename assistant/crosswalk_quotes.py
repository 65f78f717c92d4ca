"""Choosing the quote a crosswalk cell shows: the sentence of a provision that names its topic.

A quote is always a span of the passage text (a sentence, trimmed at a clause boundary when it is
long), never across a page break, so it is verbatim and sits on one page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.types import Passage

from . import extractive

if TYPE_CHECKING:
    from .crosswalk import Topic

MIN_QUOTE_CHARS = 30


def table_like(text: str) -> bool:
    """Text read across the columns of a table (checklists): short broken lines, bullets, empty cells."""
    lines = text.split("\n")
    return "[]" in text or (len(lines) > 2 and sum(map(len, lines)) / len(lines) < 45)


def best_quote(passages: list[Passage], topic: "Topic") -> tuple[Passage, int, int] | None:
    """(passage, start, end) of the sentence that names ``topic`` most (normative wording and an
    early position break ties); the first quotable sentence when none names it."""
    best: tuple[float, Passage, int, int] | None = None
    for rank, passage in enumerate(passages):
        for pos, (start, end) in enumerate(extractive.sentences(passage.text)):
            start, end = extractive.trim(passage.text, start, end)
            text = passage.text[start:end].strip()
            if len(text) < MIN_QUOTE_CHARS or "\n\n" in passage.text[start:end]:
                continue
            cues = len(topic.pattern.findall(text))
            score = (2.0 * min(cues, 3) + (0.5 if extractive.NORMATIVE.search(text) else 0.0) - 0.05 * pos
                     - 0.3 * rank - (1.5 if table_like(text) else 0.0))
            if best is None or score > best[0]:
                best = (score, passage, start, end)
    if best is None:  # a list whose items are heading-like lines: quote its first page's text
        for passage in passages:
            start, end = extractive.trim(passage.text, 0, passage.text.find("\n\n") % (len(passage.text) + 1))
            if len(passage.text[start:end].strip()) >= MIN_QUOTE_CHARS:
                best = (0.0, passage, start, end)
                break
    if best is None:
        return None
    _score, passage, start, end = best
    # No surrounding whitespace: the quote reads cleanly and is still an exact substring.
    raw = passage.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    return passage, start + lead, start + len(raw.rstrip())
