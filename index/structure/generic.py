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
from dataclasses import dataclass, replace

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
    return (0 < len(words) <= max_words and len(text) <= 8 * max_words and text[0].isupper()
            and not re.search(r"[.,;]$", text) and not is_toc_line(text)
            and not re.search(r"https?://|www\.|@", text))


# --- 1. from the table of contents -------------------------------------------------------------


def toc_entries(doc: ParsedDocument) -> list[str]:
    """Entry titles of the contents pages, wrapped entries joined, page numbers dropped."""
    titles: list[str] = []
    for i in sorted(toc_pages(doc)):
        end = doc.page_starts[i + 1] if i + 1 < len(doc.page_starts) else len(doc.text)
        pending = ""
        raw = (x.strip() for x in doc.text[doc.page_starts[i]:end].split("\n"))
        for text in (part for x in raw for part in _columns(x)):
            if not text or re.fullmatch(r"(?:table of )?contents|[ivx]+|\d+", text, re.I):
                continue
            m = re.match(r"^(.*?)\s*(?:(?:\.\s?){2,}|…+|_{3,})?\s*\d{1,3}$", text)
            if m and m.group(1) and (is_toc_line(text) or re.search(r"[A-Za-z)?’'\]] ?\d{1,3}$", text)):
                title = re.sub(r"(?<=[a-z])0\d$", "", f"{pending} {m.group(1)}".strip().rstrip(". "))  # "Introduction01"
                if len(title.split()) <= 20:
                    titles.append(title)
                pending = ""
            elif looks_like_heading(text, 20) or pending:
                pending = f"{pending} {text}".strip()
    return titles


def _columns(line: str) -> list[str]:
    """A two-column contents line "1. Objectives 08 F. Conclusion 58" as its two entries."""
    m = re.match(r"^(\D.*?[A-Za-z)] \d{1,3}) ((?:\d{1,2}\.|[A-Z]\.|[A-Z][a-z]+).*[A-Za-z)] \d{1,3})$", line)
    return [m.group(1), m.group(2)] if m else [line]


_TOP_WORDS = re.compile(r"^(?:Part|Pillar|Chapter|Title|Annex|Appendix)\b|^[IVX]+\.\s|^[A-Z]\.\s", re.I)
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")


def _toc_headings(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    """Contents entries found in order at line starts; recurring title lines nest under them."""
    entries = list(dict.fromkeys(toc_entries(doc)))
    if len(entries) < 3:
        return []
    heads: list[Heading] = []
    j = 0
    level = 0  # depth of the last numbered or top entry: unnumbered entries nest under it
    for entry in entries:
        k = _find_title(lines, entry, j)
        if k is None:
            continue
        m = _NUMBERED.match(entry)
        if _TOP_WORDS.match(entry) or is_all_caps(entry) or not heads:
            depth = level = 0
        elif m:
            depth = level = len(m.group(1).split("."))
        else:
            depth = level + 1
        heads.append(Heading(lines[k].offset, depth, entry, short_slug(entry), entry, "section"))
        j = k + 1
    if len(heads) < max(3, len(entries) // 2):
        return []
    return _chain_locators(heads + _recurring_titles(lines, heads))


def short_slug(title: str, words: int = 8) -> str:
    return slugify(" ".join(title.split()[:words]))


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
    """Short title lines repeated under several entries ("Recommended Policy Actions"); not running
    headers (capitals, or a page's first line) nor table headers."""
    def candidate(x: Line) -> bool:
        return looks_like_heading(x.text, 6) and is_title_case(x.text) and not is_all_caps(x.text)

    counts = Counter(x.text for x in lines if candidate(x))
    page_top = Counter(x.text for k, x in enumerate(lines) if k < 2 or lines[k - 2].page != x.page)
    counts = Counter({t: n for t, n in counts.items() if page_top[t] < n / 2})
    starts = {h.offset for h in heads}
    return [Heading(x.offset, 9, x.text, slugify(x.text), x.text, "section") for k, x in enumerate(lines)
            if counts[x.text] >= 3 and candidate(x) and x.offset not in starts and any(h.offset < x.offset for h in heads)]


def _chain_locators(heads: list[Heading]) -> list[Heading]:
    """Locator = the heading's own text ("2.1 Scope", "Definitions"), named by the Part or Pillar it
    sits in ("Pillar I: … — Remove Red Tape …") and, when its title repeats, by its parent."""
    heads = sorted(heads, key=lambda h: h.offset)
    repeated = {slug for slug, n in Counter(h.slug for h in heads).items() if n > 1}
    stack: list[Heading] = []
    out = []
    for h in heads:
        while stack and stack[-1].depth >= h.depth:
            stack.pop()
        # Pillars, Parts and Chapters name their headings ("Pillar I: … — Remove Red Tape …"); a repeated
        # title ("Recommended Policy Actions") is named by its parent too
        chain = [s.title for s in stack if _TOP_WORDS.match(s.title) or (s is stack[-1] and h.slug in repeated)]
        label = h.title if _NUMBERED.match(h.title) else " — ".join(chain + [h.title])
        slug = f"{stack[-1].slug}-{h.slug}" if stack and h.slug in repeated else h.slug  # "…-recommended-policy-actions"
        out.append(Heading(h.offset, h.depth, label, slug, h.title, h.kind))
        stack.append(replace(h, slug=slug))
    return out


# --- 2. from the shape of lines ------------------------------------------------------------------


_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_TOP_LINE = re.compile(r"^(?:Part|Chapter|Pillar|Annex|Appendix|Title)\s+(?:[IVXLC]+|\d{1,2}|[A-Z])\b\s*(?:[:.–-]\s*\S.*)?$")


def _shape_headings(lines: list[Line]) -> list[Heading]:
    markdown = [x for x in lines if _MARKDOWN.match(x.text)]
    if len({x.text for x in markdown}) >= 2:  # one "# Guiding Question" table header repeated is not markdown
        return _chain_locators([_markdown_heading(x) for x in markdown])
    tops = [Heading(x.offset, 0, x.text, short_slug(x.text), x.text, "section")
            for x in lines if _TOP_LINE.match(x.text) and looks_like_heading(x.text, 16)]
    numbered: list[Heading] = []
    titled: list[Heading] = []
    last: tuple[int, ...] = ()
    for k, x in enumerate(lines):
        prev = lines[k - 1] if k else None
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        m = _NUMBERED.match(x.text)
        if m and _numbered_heading(m, prev, nxt) and follows(last, number_key(m.group(1))):
            last = number_key(m.group(1))
            numbered.append(Heading(x.offset, len(last), x.text, slugify(m.group(1)), x.text, "section"))
        elif not m and not _TOP_LINE.match(x.text) and stands_alone(x, prev, nxt):
            titled.append(Heading(x.offset, 1 if is_all_caps(x.text) else 2, x.text, short_slug(x.text), x.text, "section"))
    heads = tops + (numbered if len(numbered) >= 3 else numbered + titled)
    return _chain_locators(heads)


def _numbered_heading(m: re.Match[str], prev: Line | None, nxt: Line | None) -> bool:
    """"1.2 Scope" on a line of its own: a title, not a sentence running on in lower case, and not an
    item of a numbered list (numbered lines just before and after it)."""
    title_ok = looks_like_heading(m.group(2), 16) or (m.group(2).endswith("?") and len(m.group(2).split()) <= 16)
    runs_on = nxt is not None and nxt.text[:1].islower()
    in_list = all(y is not None and _NUMBERED.match(y.text) and "." not in _NUMBERED.match(y.text).group(1)
                  for y in (prev, nxt)) and "." not in m.group(1)
    footnote = "." not in m.group(0)[: len(m.group(1)) + 1]  # "1 Infocomm Media …" at a page foot
    return title_ok and m.group(2)[:1].isupper() and not runs_on and not in_list and not footnote


def _markdown_heading(x: Line) -> Heading:
    m = _MARKDOWN.match(x.text)
    assert m
    title = m.group(2)
    return Heading(x.offset, len(m.group(1)) - 1, title, short_slug(title), title, "section")


def number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.strip(".").split("."))


def follows(last: tuple[int, ...], key: tuple[int, ...]) -> bool:
    """The numbering goes on: the next number, a first child, the next sibling of an ancestor (a
    gap of two allowed), a near sibling out of order (two-column layouts print 3.17 before 3.15),
    or the first child of a number that would follow ("2.1" where "2" is a Part)."""
    if not last:
        return key in ((1,), (1, 1), (0,)) or (len(key) == 1 and key[0] <= 2)
    if key == last + (1,):
        return True
    for d in range(len(last), 0, -1):
        if key[:-1] == last[: d - 1] and len(key) == d and 0 < key[-1] - last[d - 1] <= 3:
            return True
    if len(key) == len(last) and key[:-1] == last[:-1] and abs(key[-1] - last[-1]) <= 3:
        return True
    return len(key) > 1 and key[-1] == 1 and follows(last, key[:-1])


def stands_alone(x: Line, prev: Line | None, nxt: Line | None) -> bool:
    """An ALL-CAPS or title-case short line, set off from the text around it."""
    if not looks_like_heading(x.text, 12) or (not is_all_caps(x.text) and not is_title_case(x.text)):
        return False
    if re.match(r"^(?:page\s+)?\d+$|^(?:figure|table|source)\b", x.text, re.I):
        return False
    before = x.blank_before or prev is None or bool(re.search(r"[.:!?”\")]\d{0,3}$", prev.text))
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
