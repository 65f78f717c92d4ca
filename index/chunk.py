"""Sections -> Passages: token-bounded (tiktoken), never across a section boundary.

Each passage is an exact span of the document text, so its pages and any quote taken from it
can always be traced back to the source. A long section becomes several passages with the same
locator and ids ``slug``, ``slug~2``, ``slug~3``… (stable across rebuilds of the same file).
"""

from __future__ import annotations

import re

from .tokens import count_tokens
from .types import ParsedDocument, Passage, Section

# Unit boundaries: after a sentence end, or before a line that starts a list item.
_BOUNDARY = re.compile(r"(?<=[.;:!?])\s+(?=\S)|\n(?=\(?[a-z0-9ivx]{1,4}[.)]\s|[•●▪\-–] )")


def chunk_document(doc: ParsedDocument, sections: list[Section], max_tokens: int, overlap: int) -> list[Passage]:
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for section in sections:
        base = section.slug
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            base = f"{base}-{seen[base]}"
        spans = split_span(doc.text, section.char_start, section.char_end, max_tokens, overlap)
        for i, (start, end) in enumerate(spans):
            pid = f"{doc.document_id}#{base}" + (f"~{i + 1}" if i else "")
            passages.append(
                Passage(
                    passage_id=pid,
                    document_id=doc.document_id,
                    locator=section.locator,
                    section_path=section.section_path,
                    page_start=doc.page_at(start) if doc.has_pages else None,
                    page_end=doc.page_at(end - 1) if doc.has_pages else None,
                    char_start=start,
                    char_end=end,
                    text=doc.text[start:end],
                    kind=section.kind,
                )
            )
    return passages


def split_span(text: str, start: int, end: int, max_tokens: int, overlap: int) -> list[tuple[int, int]]:
    """Spans of at most ``max_tokens`` covering text[start:end], cut at sentence or list boundaries."""
    units = [(s, e, count_tokens(text[s:e])) for s, e in _units(text, start, end)]
    if not units:
        return []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= max_tokens):
            total += units[j][2]
            j += 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Start the next span a few units back so a sentence cut at the edge keeps its context.
        back, k = 0, j
        while k - 1 > i and back + units[k - 1][2] <= overlap:
            k -= 1
            back += units[k][2]
        i = k
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence-like units (sentences, list items) of text[start:end] as (start, end) offsets."""
    return _units(text, start, len(text) if end is None else end)


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank units (stripped spans) of text[start:end], each split further if oversized."""
    units: list[tuple[int, int]] = []
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        units.extend(_strip(text, pos, m.start()))
        pos = m.end()
    units.extend(_strip(text, pos, end))
    return [u for s, e in units for u in _hard_split(text, s, e)]


def _strip(text: str, s: int, e: int) -> list[tuple[int, int]]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return [(s, e)] if e > s else []


def _hard_split(text: str, s: int, e: int, limit_chars: int = 1200) -> list[tuple[int, int]]:
    """Cut a unit without sentence ends (tables, lists) at whitespace, ~300 tokens at most."""
    out = []
    while e - s > limit_chars:
        cut = text.rfind(" ", s, s + limit_chars)
        cut = cut if cut > s else s + limit_chars
        out.extend(_strip(text, s, cut))
        s = cut
    out.extend(_strip(text, s, e))
    return out
