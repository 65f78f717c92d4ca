"""Structure of international instruments: the OECD AI Recommendation, UNESCO's Recommendation on
the Ethics of AI and the G7 Hiroshima Code of Conduct ("coe" is read by ``eu_act``).

- OECD (``oecd``): Background Information and its sub-headings, the Council's preamble, its
  operative paragraphs I-VIII ("Paragraph V"), the principles 1.1-1.5 ("Principle 1.4") and the
  recommendations 2.1-2.5 ("Recommendation 2.3") under Sections 1 and 2.
- UNESCO (``unesco``): the preamble and the resolution's paragraphs 1-3, then the numbered
  paragraphs 1-141 ("Paragraph 35") under their parts (I-VIII), sub-parts (III.1, POLICY AREA n)
  and the titled values and principles.
- G7 (``g7``): the introduction and actions 1-11 ("Action 11").

Numbers are accepted only in sequence, at line starts, so cross-references, list items and
footnotes never start a section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..types import ParsedDocument, Section
from .base import page_sections, slugify
from .nist import Unit, collapse, line_end, sections_from_units

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    if family == "coe":  # the Convention reads like an act: articles and paragraphs
        from .eu_act import recognise as recognise_act

        return recognise_act(doc, family, document_id)
    readers = {"oecd": _oecd, "unesco": _unesco, "g7": _g7}
    reader = readers.get(family)
    units = reader(doc) if reader else []
    if not units:  # not the layout we know
        return page_sections(doc)
    return sections_from_units(doc, units)


def _first_sentence(text: str, limit: int = 120) -> str:
    """Short title from a paragraph's opening words: up to its first colon or full stop."""
    s = collapse(text)
    m = re.search(r"[:.](?=\s|$)", s)
    s = s[: m.start()] if m else s
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------------------- OECD

_OECD_ROMAN = re.compile(r"^([IVX]+)\. ([A-Z]{3,}\b.*)$", re.M)
_OECD_SECTION = re.compile(r"^Section (\d+): (.+)$", re.M)
_OECD_ITEM = re.compile(r"^(\d)\.(\d)\. (.+)$", re.M)


def _oecd(doc: ParsedDocument) -> list[Unit]:
    text = doc.text
    council = re.search(r"^THE COUNCIL,$", text, re.M)
    if not council:
        return []
    units = _oecd_background(text, 0, council.start())
    romans = _in_roman_order(_OECD_ROMAN.finditer(text, council.end()))
    first = romans[0].start() if romans else len(text)
    units.append(Unit(council.start(), council.start(), "Preamble", "preamble", ("Preamble",), "recital"))
    back = re.search(r"^About the OECD$", text[first:], re.M)
    end = first + back.start() if back else len(text)
    if back:
        units.append(Unit(end, end, "About the OECD", "about-the-oecd", ("About the OECD",), "front"))
    sections = list(_OECD_SECTION.finditer(text, first, end))
    items = _oecd_items(text, sections, end)
    units += items
    units += [_oecd_paragraph(text, m, sections, items, end) for m in romans if m.start() < end]
    units += [Unit(m.start(), line_end(text, m.end()), f"Section {m.group(1)}", f"section-{m.group(1)}",
                   (_oecd_section_title(m),)) for m in sections]
    return units


def _oecd_background(text: str, start: int, end: int) -> list[Unit]:
    """The "Background Information" part and its unnumbered sub-headings (short title lines between paragraphs)."""
    bg = re.search(r"^Background Information$", text[start:end], re.M)
    if not bg:
        return []
    head = start + bg.start()
    title = "Background Information"
    units = [Unit(head, head + len(bg.group(0)), title, slugify(title), (title,))]
    last_title = ""
    for m in re.finditer(r"^.+$", text[head:end], re.M):
        line, pos = m.group(0), head + m.start()
        if pos == head or not _looks_like_subheading(text, pos, line) or line == last_title:
            continue  # a heading printed again at the top of the next page is the same heading
        last_title = line
        units.append(Unit(pos, pos + len(line), f"Background: {line}", slugify(f"background {line}"),
                          ("Background Information", line)))
    return units


def _looks_like_subheading(text: str, pos: int, line: str) -> bool:
    """A short title line: no closing punctuation, after a finished sentence, before a capitalised line."""
    if len(line) > 80 or re.search(r"[.,;:)]$", line) or not re.match(r"[A-Z0-9]", line):
        return False
    before = text[max(0, pos - 300) : pos].rstrip()
    after = text[pos + len(line) : pos + len(line) + 300].lstrip()
    return (not before or before[-1] in ".:") and bool(re.match(r"[A-Z]", after))


def _in_roman_order(matches: Iterable[re.Match[str]]) -> list[re.Match[str]]:
    """Matches numbered I, II, III, ... in sequence (group 1 is the roman number)."""
    kept: list[re.Match[str]] = []
    for m in matches:
        if len(kept) < len(ROMAN) and m.group(1) == ROMAN[len(kept)]:
            kept.append(m)
    return kept


def _oecd_section_title(m: re.Match[str]) -> str:
    return f"Section {m.group(1)}: {m.group(2).strip()}"


def _section_at(sections: list[re.Match[str]], pos: int) -> re.Match[str] | None:
    return next((s for s in reversed(sections) if s.start() <= pos), None)


def _oecd_items(text: str, sections: list[re.Match[str]], end: int) -> list[Unit]:
    """Principles 1.1-1.5 and recommendations 2.1-2.5, each in sequence within its section."""
    units: list[Unit] = []
    expected: dict[str, int] = {}
    for m in _OECD_ITEM.finditer(text, sections[0].end() if sections else 0, end):
        sec, n = m.group(1), int(m.group(2))
        section = _section_at(sections, m.start())
        if section is None or section.group(1) != sec or n != expected.get(sec, 1):
            continue
        expected[sec] = n + 1
        title_end = _wrapped_title_end(text, m.end())
        number = f"{sec}.{n}"
        title = f"{number}. {collapse(text[m.start(3) : title_end])}"
        name, kind = ("Principle", "principle") if sec == "1" else ("Recommendation", "section")
        units.append(Unit(m.start(), title_end, f"{name} {number}", slugify(f"{name} {number}"),
                          (_oecd_section_title(section), title), kind))
    return units


def _wrapped_title_end(text: str, pos: int) -> int:
    """A heading wraps when the next line continues it in lower case (and is not a list item "a)")."""
    end = line_end(text, pos)
    while True:
        nxt = text[end + 1 : line_end(text, end + 1)]
        if not nxt or not nxt[0].islower() or re.match(r"[a-z]{1,4}[.)] ", nxt):
            return end
        end = line_end(text, end + 1)


def _oecd_paragraph(text: str, m: re.Match[str], sections: list[re.Match[str]], items: list[Unit], end: int) -> Unit:
    """Paragraph I-VIII: under a Section when that Section's principles follow it, else top level."""
    section = _section_at(sections, m.start())
    nxt_section = next((s.start() for s in sections if s.start() > m.start()), end)
    inside = section is not None and any(m.start() < u.start < nxt_section for u in items)
    title = f"{m.group(1)}. {_first_sentence(text[m.start(2) : line_end(text, m.end()) + 200])}"
    path = (_oecd_section_title(section), title) if inside else (title,)
    return Unit(m.start(), m.start(), f"Paragraph {m.group(1)}", f"para-{m.group(1).lower()}", path, "paragraph")


# ---------------------------------------------------------------------------- UNESCO

_UNESCO_PART = re.compile(r"^([IVX]+)\. ([A-Z][A-Z ,’'-]+)$", re.M)
_UNESCO_SUBPART = re.compile(r"^(III\.\d [A-Z ]+|POLICY AREA \d+: [A-Z ,’'-]+)$", re.M)
_UNESCO_PARAGRAPH = re.compile(r"^(\d{1,3})\. (?=\S)", re.M)


def _unesco(doc: ParsedDocument) -> list[Unit]:
    text = doc.text
    preamble = re.search(r"^PREAMBLE$", text, re.M)
    parts = _in_roman_order(_UNESCO_PART.finditer(text))
    if not preamble or not parts:
        return []
    units = [Unit(preamble.start(), preamble.end(), "Preamble", "preamble", ("Preamble",), "recital")]
    for m in _numbered_in_sequence(text, preamble.end(), parts[0].start()):
        n = m.group(1)
        units.append(Unit(m.start(), m.end(), f"Preamble, paragraph {n}", f"preamble-{n}",
                          ("Preamble", f"Paragraph {n}"), "paragraph"))
    headings = [(m.start(), m.end(), 0, m.group(0)) for m in parts]
    headings += [(m.start(), m.end(), 1, m.group(0)) for m in _UNESCO_SUBPART.finditer(text, parts[0].start())]
    paragraphs = _numbered_in_sequence(text, parts[0].end(), len(text))
    headings += [(s, s + len(t), 2, t) for s, t in _unesco_titles(text, paragraphs, {h[0] for h in headings})]
    units += [Unit(s, e, title, slugify(title), (), "section") for s, e, _, title in headings]
    units += [Unit(m.start(), m.end(), f"Paragraph {m.group(1)}", f"para-{m.group(1)}", (), "paragraph")
              for m in paragraphs]
    return _unesco_paths(units, {s: depth for s, _, depth, _ in headings})


def _numbered_in_sequence(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Paragraphs "1. ", "2. ", ... at line starts; any number out of sequence is not a paragraph."""
    kept: list[re.Match[str]] = []
    for m in _UNESCO_PARAGRAPH.finditer(text, start, end):
        if int(m.group(1)) == len(kept) + 1:
            kept.append(m)
    return kept


def _unesco_titles(text: str, paragraphs: list[re.Match[str]], taken: set[int]) -> list[tuple[int, str]]:
    """Titles of values and principles: the title line just above a paragraph ("Safety and security")."""
    out = []
    for m in paragraphs:
        start = _line_start(text, m.start() - 1)
        line = text[start : m.start() - 1]
        if start in taken or not line or re.search(r"[.,;:]$", line) or not line[0].isupper():
            continue
        above = _line_start(text, start - 1)
        above_line = text[above : start - 1].strip()
        if above in taken or re.search(r"[.;:]$", above_line):  # the paragraph above has ended
            out.append((start, line))
    return out


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, max(pos, 0)) + 1


def _unesco_paths(units: list[Unit], depth_at: dict[int, int]) -> list[Unit]:
    """Give each unit the titles of the open part, sub-part and value/principle above it."""
    out, stack = [], []  # stack of (depth, title)
    for u in sorted(units, key=lambda u: u.start):
        if u.path:  # preamble units carry their own path
            out.append(u)
            continue
        if u.start in depth_at:
            depth = depth_at[u.start]
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, u.locator))
            out.append(Unit(u.start, u.body, u.locator, u.slug, tuple(t for _, t in stack), u.kind))
        else:
            path = tuple(t for _, t in stack) + (u.locator,)
            out.append(Unit(u.start, u.body, u.locator, u.slug, path, u.kind))
    return out


# ---------------------------------------------------------------------------- G7

_G7_ACTION = re.compile(r"(?:^|\n\n)(\d{1,2}) (?=[A-Z])")


def _g7(doc: ParsedDocument) -> list[Unit]:
    """Actions "1 Take appropriate measures ..." (a number opening a paragraph), in sequence 1, 2, ..."""
    text = doc.text
    units = []
    for m in _G7_ACTION.finditer(text):
        n = int(m.group(1))
        if n != len(units) + 1:
            continue
        start = m.start(1)
        title_end = text.find("\n\n", m.end())
        title_end = len(text) if title_end < 0 else title_end
        title = f"{n}. {collapse(text[m.end() : title_end])}"
        units.append(Unit(start, m.end(), f"Action {n}", f"action-{n}", (title,), "action"))
    if not units:
        return []
    # The introduction is substance, not front matter: it says who the code is for, that it is
    # voluntary and how to apply the actions.
    return [Unit(0, 0, "Introduction", "introduction", ("Introduction",), "section")] + units
