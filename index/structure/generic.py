"""Structure of documents of unknown layout (family "generic" and every document a user adds).

Headings become sections located by their text ("Pillar I: Accelerate AI Innovation — Remove Red
Tape and Onerous Regulation"). They are found, in order of preference:

1. from the document's own table of contents: each entry ("Remove Red Tape … ....... 3") is looked
   for, in order, at a line start after the contents pages; short title lines that recur under
   them ("Recommended Policy Actions") become sub-sections;
2. else from the shape of lines: markdown "#" headings, numbered headings ("1.", "1.2 Scope") in
   sequence, ALL-CAPS short lines and short title-case lines standing alone;
3. else one section per page ("Page 4"), or for a text without pages fixed groups of paragraphs
   ("Paragraphs 1-8").

Contents pages, dotted leaders and lines ending in a page number never open a section. The line
helpers here are shared with the numbered recogniser.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..types import ParsedDocument, Section
from .base import Heading, page_sections, sections_from_headings, slugify

PARAGRAPHS_PER_GROUP = 8


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    lines = doc_lines(doc)
    headings = _toc_headings(doc, lines) or _shape_headings(lines)
    if len(headings) >= 2:
        return sections_from_headings(doc, unique_slugs(headings), front_locator="Front matter")
    return page_sections(doc) if doc.has_pages and len(doc.page_starts) > 1 else paragraph_groups(doc)


# --- lines (shared) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    offset: int  # start of the line in ParsedDocument.text
    text: str
    page: int  # index into doc.page_starts
    blank_before: bool  # a blank line (or the page start) precedes it
    blank_after: bool


def doc_lines(doc: ParsedDocument) -> list[Line]:
    """Non-blank lines with their offsets and page index, contents pages excluded."""
    out: list[Line] = []
    skip = toc_pages(doc)
    for i, start in enumerate(doc.page_starts):
        if i in skip:
            continue
        end = doc.page_starts[i + 1] if i + 1 < len(doc.page_starts) else len(doc.text)
        raw = doc.text[start:end].split("\n")
        offset = start
        for k, text in enumerate(raw):
            if text.strip():
                before = k == 0 or not raw[k - 1].strip()
                after = k + 1 >= len(raw) or not raw[k + 1].strip()
                out.append(Line(offset, text.strip(), i, before, after))
            offset += len(text) + 1
    return out


# A contents entry: dotted leader or a title followed by a page number ("Introduction 06").
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}")
_ENDS_IN_PAGE = re.compile(r"^\D.{2,}?[A-Za-z)?’'\]]\s*\.{0,3}\s*\d{1,3}$")


def is_toc_line(text: str) -> bool:
    return bool(_LEADER.search(text)) or bool(_ENDS_IN_PAGE.match(text))


def toc_pages(doc: ParsedDocument) -> set[int]:
    """Indexes of pages that are tables of contents: a "Contents" title or many contents lines."""
    out: set[int] = set()
    for i, start in enumerate(doc.page_starts):
        end = doc.page_starts[i + 1] if i + 1 < len(doc.page_starts) else len(doc.text)
        lines = [x.strip() for x in doc.text[start:end].split("\n") if x.strip()]
        if not lines or not doc.has_pages:
            continue
        entries = sum(1 for x in lines if _LEADER.search(x) or re.search(r"\D \d{1,3}$", x))
        titled = any(re.fullmatch(r"(?:table of )?contents", x, re.I) for x in lines)
        leaders = sum(1 for x in lines if _LEADER.search(x))
        if (titled and entries >= 3) or leaders >= 4 or (entries >= 6 and entries >= 0.6 * len(lines)):
            out.add(i)
    return out


_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                "the", "to", "with", "vs", "via", "its", "their", "is", "are", "be", "that", "while"}


def is_title_case(text: str) -> bool:
    """Most words capitalised ("Remove Red Tape and Onerous Regulation")."""
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", text) if w.lower() not in _SMALL_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= max(1, 0.75 * len(words))


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(text.split()) <= 14


def looks_like_heading(text: str, max_words: int = 14) -> bool:
    """A short line that is not a sentence: no final period, comma or semicolon, starts upper."""
    words = text.split()
    return (0 < len(words) <= max_words and len(text) <= 110 and text[0].isupper()
            and not re.search(r"[.,;]$", text) and not is_toc_line(text)
            and not re.search(r"https?://|www\.|@", text))


# --- 1. from the table of contents -------------------------------------------------------------


def toc_entries(doc: ParsedDocument) -> list[str]:
    """Entry titles of the contents pages, wrapped entries joined, page numbers dropped."""
    titles: list[str] = []
    for i in sorted(toc_pages(doc)):
        end = doc.page_starts[i + 1] if i + 1 < len(doc.page_starts) else len(doc.text)
        pending = ""
        for text in (x.strip() for x in doc.text[doc.page_starts[i]:end].split("\n")):
            if not text or re.fullmatch(r"(?:table of )?contents|[ivx]+|\d+", text, re.I):
                continue
            m = re.match(r"^(.*?)\s*(?:(?:\.\s?){2,}|…+|_{3,})?\s*\d{1,3}$", text)
            if m and m.group(1) and is_toc_line(text):
                titles.append(f"{pending} {m.group(1)}".strip().rstrip(". "))
                pending = ""
            elif looks_like_heading(text, 20) or pending:
                pending = f"{pending} {text}".strip()
    return titles


_TOP_WORDS = re.compile(r"^(?:Part|Pillar|Chapter|Title|Annex|Appendix|Section)\b|^[IVX]+\.\s", re.I)


def _toc_headings(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    """Contents entries found in order at line starts; recurring title lines nest under them."""
    entries = toc_entries(doc)
    if len(entries) < 3:
        return []
    heads: list[Heading] = []
    j = 0
    has_top = any(_TOP_WORDS.match(e) for e in entries)
    for entry in entries:
        k = _find_title(lines, entry, j)
        if k is None:
            continue
        depth = 0 if not has_top or _TOP_WORDS.match(entry) or not heads else 1
        heads.append(Heading(lines[k].offset, depth, entry, slugify(entry), entry, "section"))
        j = k + 1
    if len(heads) < max(3, len(entries) // 2):
        return []
    return _chain_locators(heads + _recurring_titles(lines, heads))


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _find_title(lines: list[Line], title: str, start: int) -> int | None:
    """Index of the line at or after ``start`` that opens ``title`` (wrapped titles by their first
    line, which must hold the whole title or at least three of its words)."""
    want = _norm(title)
    for k in range(start, len(lines)):
        got = _norm(lines[k].text)
        if got and (got == want or (want.startswith(got + " ") and len(got.split()) >= 3)):
            return k
    return None


def _recurring_titles(lines: list[Line], heads: list[Heading]) -> list[Heading]:
    """Short title lines repeated under several entries ("Recommended Policy Actions")."""
    counts = Counter(x.text for x in lines if looks_like_heading(x.text, 6) and is_title_case(x.text))
    starts = {h.offset for h in heads}
    out = []
    for x in lines:
        if counts[x.text] >= 3 and x.offset not in starts and any(h.offset < x.offset for h in heads):
            out.append(Heading(x.offset, 2, x.text, slugify(x.text), x.text, "section"))
    return out


def _chain_locators(heads: list[Heading]) -> list[Heading]:
    """Locator = the chain of titles ("Pillar I: … — Remove Red Tape …"), in document order."""
    heads = sorted(heads, key=lambda h: h.offset)
    stack: list[Heading] = []
    out = []
    for h in heads:
        while stack and stack[-1].depth >= h.depth:
            stack.pop()
        label = " — ".join([s.title for s in stack] + [h.title])
        slug = "-".join([s.slug for s in stack[-1:]] + [h.slug]) if h.depth >= 2 else h.slug
        out.append(Heading(h.offset, h.depth, label, slug, h.title, h.kind))
        stack.append(h)
    return out


# --- 2. from the shape of lines ------------------------------------------------------------------


_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")


def _shape_headings(lines: list[Line]) -> list[Heading]:
    markdown = [x for x in lines if _MARKDOWN.match(x.text)]
    if markdown:
        return _chain_locators([_markdown_heading(x) for x in markdown])
    heads: list[Heading] = []
    last: tuple[int, ...] = ()
    for k, x in enumerate(lines):
        prev = lines[k - 1] if k else None
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        m = _NUMBERED.match(x.text)
        if m and looks_like_heading(m.group(2)) and _next_number(last, m.group(1)):
            last = tuple(int(p) for p in m.group(1).split("."))
            heads.append(Heading(x.offset, len(last) - 1, x.text, slugify(m.group(1)), x.text, "section"))
        elif not m and _stands_alone(x, prev, nxt):
            depth = 0 if is_all_caps(x.text) else 1
            heads.append(Heading(x.offset, depth, x.text, slugify(x.text), x.text, "section"))
    numbered = [h for h in heads if _NUMBERED.match(h.title)]
    if len(numbered) >= 3:  # numbered headings are the outline; unnumbered lines are not needed
        heads = numbered
    return heads


def _markdown_heading(x: Line) -> Heading:
    m = _MARKDOWN.match(x.text)
    assert m
    title = m.group(2)
    return Heading(x.offset, len(m.group(1)) - 1, title, slugify(title), title, "section")


def _next_number(last: tuple[int, ...], number: str) -> bool:
    """"2" after "1.3", "1.4" after "1.3", "1.3.1" after "1.3": the numbering goes on in sequence."""
    n = tuple(int(p) for p in number.split("."))
    if not last:
        return n in ((1,), (1, 1), (0,))
    for depth in range(len(last), 0, -1):  # the next sibling at some depth, or a first child
        if n == last[: depth - 1] + (last[depth - 1] + 1,):
            return True
    return n == last + (1,)


def _stands_alone(x: Line, prev: Line | None, nxt: Line | None) -> bool:
    """An ALL-CAPS or title-case short line, set off from the text around it."""
    if not looks_like_heading(x.text, 12) or (not is_all_caps(x.text) and not is_title_case(x.text)):
        return False
    if re.match(r"^(?:page\s+)?\d+$|^(?:figure|table|source)\b", x.text, re.I):
        return False
    before = x.blank_before or prev is None or bool(re.search(r"[.:!?”\")]$", prev.text))
    after = x.blank_after or (nxt is not None and nxt.text[:1].isupper() and not is_title_case(nxt.text))
    return before and after


# --- slugs and fallbacks -----------------------------------------------------------------------


def unique_slugs(heads: list[Heading]) -> list[Heading]:
    """Disambiguate repeated slugs by their position among equals ("-2"): stable for a given text."""
    seen: Counter[str] = Counter()
    out = []
    for h in sorted(heads, key=lambda h: h.offset):
        seen[h.slug] += 1
        slug = h.slug if seen[h.slug] == 1 else f"{h.slug}-{seen[h.slug]}"
        out.append(Heading(h.offset, h.depth, h.locator, slug, h.title, h.kind, h.leaf))
    return out


def paragraph_groups(doc: ParsedDocument, size: int = PARAGRAPHS_PER_GROUP) -> list[Section]:
    """"Paragraphs 1-8", "Paragraphs 9-16" … over blank-line paragraphs (lines when there are none)."""
    sep = "\n\n" if "\n\n" in doc.text.strip() else "\n"
    starts = [0] + [m.end() for m in re.finditer(re.escape(sep) + "+", doc.text)]
    starts = [s for s in starts if s < len(doc.text) and doc.text[s:].strip()]
    out = []
    for g in range(0, len(starts), size):
        first, last = g + 1, min(g + size, len(starts))
        end = starts[g + size] if g + size < len(starts) else len(doc.text)
        label = f"Paragraphs {first}-{last}" if last > first else f"Paragraph {first}"
        out.append(Section(label, f"paras-{first}-{last}", (label,), starts[g], end, "paragraph"))
    return out
