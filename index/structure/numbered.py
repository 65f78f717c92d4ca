"""Structure of guidance documents cited by numbered section and paragraph (family "numbered").

One reader for the Singapore and ASEAN guidance, the EU Commission guidelines, the AI HLEG
guidelines, the US Executive Order 14110 and the UK white paper. It reads, at line starts only:

- parts and chapters: "PART III: …", "Part 3: …", "Annex A: …", "Appendix: …", "A. INTRODUCTION",
  "II. Chapter II: …", "Sec. 4. …", "01 Introduction", standard titles ("Executive summary");
- numbered headings "3.2 Data", "2.3.1. Classification" (or, in documents whose decimal numbers
  open paragraphs, numbered paragraphs "3.14 The Model Framework …");
- numbered paragraphs "(12) …" and "12. …", lettered subsections "(a) …" under a heading;
- ALL-CAPS headings above numbered paragraphs, boxes and case studies, consultation questions.

Every number must continue the sequence before it (the next number, a first child, or the next
sibling of an ancestor), which rejects cross-references that happen to start a line, quoted text,
footnotes and lists. Contents pages never open a section. A page holding only a short title (a
divider) opens the section it announces. Three documents whose units are not numbered headings
have a small reader of their own (_SPECIAL): the Indonesian circular (OCR text with lost
numbers), the MAS FEAT principles (a two-column table) and the Model AI Governance Framework for
Generative AI (nine dimensions on divider pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from ..types import ParsedDocument, Section
from .base import Heading, page_sections, sections_from_headings, slugify
from .generic import (Line, doc_lines, follows, is_all_caps, is_title_case, is_toc_line, looks_like_heading,
                      number_key, unique_slugs)

# Depths (only their order matters): parts > lettered parts > roman chapters > numbered levels.
TOP, LETTER, ROMAN, CHAPTER, CAPS, POINT, PARA = 0, 10, 20, 30, 35, 70, 80


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    lines = doc_lines(doc)
    special = _SPECIAL.get(document_id)
    heads = special(doc, lines) if special else _outline(doc, lines)
    if len(heads) < 2:
        return page_sections(doc)
    return sections_from_headings(doc, unique_slugs(heads), front_locator="Front matter")


# --- candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cand:
    offset: int
    depth: int
    scheme: str  # part | annex | named | letter | roman | decimal | para | point | caps | box | questions
    key: tuple = ()
    title: str = ""
    line: int = 0  # index in the line list
    extra: dict = field(default_factory=dict, compare=False)


def _outline(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    """All numbered and titled units of a document, in sequence, as Headings with locators."""
    tops = _tops(lines)
    secs = _sec_headings(lines)
    mode = "heading" if secs else _decimal_mode(lines)
    decimals = _decimals(lines, mode, tops, secs)
    paras = _paragraph_chain(lines, r"^\((\d{1,3})\)\s+\S") or _paragraph_chain(lines, r"^(\d{1,3})\.\s+[A-Z‘“'\"]")
    cands = tops + decimals + paras + _boxes(lines) + _annex_sections(lines, tops)
    if mode == "paragraph":
        cands += _caps_headings(lines, cands)
    if not paras and mode == "heading":
        cands += _lettered(lines, sorted(decimals, key=lambda c: c.offset))
    cands = _dividers(doc, lines, _page_labels(doc, lines, sorted(cands, key=lambda c: c.offset)))
    cands = _lead_ins_after_lists(lines, cands)
    # "Foreword", "Executive summary" … are siblings of the document's top units, never their parents
    top = min((c.depth for c in cands if c.scheme not in ("named", "annex")), default=TOP)
    cands = [replace(c, depth=top) if c.scheme == "named" else c for c in cands]
    return _label(cands, restarts=_restarts(decimals))


# Parts, annexes and standard titles: the top of the outline.
_PART = re.compile(r"^PART ([IVX]+)\s*[:.–-]\s*(.+)$|^Part (\d+)\s*[:.]\s*(.+)$")
_ANNEX = re.compile(r"^(?:ANNEX|Annex|APPENDIX|Appendix)(?:\s+([A-Z]|\d{1,2}))?\b\s*[:.–-]?\s*(.*)$")
_NAMED = re.compile(r"^(executive summary|ministerial foreword|foreword|preface|introduction|conclusions?|"
                    r"glossary|references|bibliography|acknowledge?ments|further development)$", re.I)
_LETTER_PART = re.compile(r"^([A-H])\.\s+([A-Z][A-Z0-9 ,’'&:()-]{3,})$")
_ROMAN = re.compile(r"^([IVX]{1,4})\.\s+(\S.*)$")
_ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _tops(lines: list[Line]) -> list[_Cand]:
    out: list[_Cand] = []
    seen: set[str] = set()
    letters, romans = "", 0
    for k, x in enumerate(lines):
        t = x.text
        if m := _PART.match(t):
            number = m.group(1) or m.group(3)
            title = _wrapped_title(lines, k, (m.group(2) or m.group(4)).strip())
            out.append(_Cand(x.offset, TOP, "part", (number,), title, k))
        elif (m := _ANNEX.match(t)) and looks_like_heading(t, 16) and t not in seen and not is_toc_line(t):
            seen.add(t)
            appendix = {"appendix": t.lower().startswith("appendix")}
            title = m.group(2).strip() or _next_title(lines, k)
            if (x.page == 0 < lines[-1].page) or not (m.group(1) or title) or re.search(r"\.\S|\.\s", title):
                continue  # "ANNEX" on a cover page; "Annex III AI Act. Where …" is running text
            out.append(_Cand(x.offset, TOP, "annex", (m.group(1) or "",), title, k, appendix))
        elif _NAMED.match(t) and t.lower() not in seen:
            seen.add(t.lower())
            out.append(_Cand(x.offset, TOP, "named", (), t, k))
        elif (m := _LETTER_PART.match(t)) and ord(m.group(1)) == ord("A") + len(letters):
            letters += m.group(1)
            out.append(_Cand(x.offset, LETTER, "letter", (m.group(1),), m.group(2).strip(), k))
        elif (m := _ROMAN.match(t)) and m.group(1) == _ROMANS[min(romans, 11)] and looks_like_heading(m.group(2), 12):
            romans += 1
            out.append(_Cand(x.offset, ROMAN if letters else TOP, "roman", (m.group(1),), m.group(2), k))
    return _last_annex_run(out)


def _last_annex_run(cands: list[_Cand]) -> list[_Cand]:
    """Annexes come last: a summary listing "Annex A – …, Annex B – …" earlier is not the annexes.
    Keep the run of lettered annexes that starts at the last "Annex A"."""
    firsts = [c.offset for c in cands if c.scheme == "annex" and c.key[0] in ("A", "1")]
    if not firsts:
        return cands
    return [c for c in cands if c.scheme != "annex" or not c.key[0] or c.offset >= firsts[-1]]


def _next_title(lines: list[Line], k: int) -> str:
    """The title printed on the line under a bare "ANNEX A"."""
    nxt = lines[k + 1].text if k + 1 < len(lines) else ""
    return nxt if looks_like_heading(nxt, 16) and (is_all_caps(nxt) or is_title_case(nxt)) else ""


def _wrapped_title(lines: list[Line], k: int, title: str, limit: int = 2) -> str:
    """A heading title with its wrapped lines: lower-case continuations, or ALL-CAPS ones."""
    caps = is_all_caps(title)
    for x in lines[k + 1 : k + 1 + limit]:
        if title.endswith((".", ":", "?")) or x.page != lines[k].page:
            break
        if re.match(r"^\(?[a-z]{1,4}\)\s", x.text):  # "a) AI systems …" opens a list, not a title line
            break
        if (x.text[:1].islower() and not caps) or (caps and is_all_caps(x.text) and not _DECIMAL.match(x.text)):
            title = f"{title} {x.text}"
        else:
            break
    return title


# "Sec. 4. Ensuring the Safety and Security of AI Technology." (Executive Orders)
_SEC = re.compile(r"^(?:Sec\.|Section)\s+(\d{1,2})\.\s+([^.]+)\.")


def _sec_headings(lines: list[Line]) -> list[_Cand]:
    out: list[_Cand] = []
    for k, x in enumerate(lines):
        m = _SEC.match(x.text)
        if m and int(m.group(1)) == len(out) + 1:
            out.append(_Cand(x.offset, CHAPTER, "decimal", (int(m.group(1)),), m.group(2).strip(), k, {"sec": True}))
    return out


# --- decimal numbers: headings or paragraphs ------------------------------------------------------

_DECIMAL = re.compile(r"^(0?\d{1,2}(?:\.\d{1,2}){0,3})(\.?)\s+(\S.*)$")


def _decimal_mode(lines: list[Line]) -> str:
    """"paragraph" when decimal numbers open running text ("3.14 Based on the risk …" continuing on
    the next line), "heading" when they open short titles ("3.2 Data")."""
    sentence = total = 0
    for k, x in enumerate(lines):
        m = _DECIMAL.match(x.text)
        if not m or "." not in m.group(1):
            continue
        total += 1
        nxt = lines[k + 1].text if k + 1 < len(lines) else ""
        sentence += len(x.text) >= 55 and len(m.group(3).split()) >= 7 and nxt[:1].islower()
    return "paragraph" if total and sentence >= 0.5 * total else "heading"


def _decimals(lines: list[Line], mode: str, tops: list[_Cand], secs: list[_Cand]) -> list[_Cand]:
    """Decimal headings/paragraphs in sequence; numbering may restart at 1 after a part or chapter."""
    resets = sorted(c.offset for c in tops if c.scheme in ("letter", "roman", "part", "annex"))
    cands = sorted(secs + [c for k, x in enumerate(lines) if (c := _decimal_cand(lines, k, mode, bool(secs)))],
                   key=lambda c: c.offset)
    out: list[_Cand] = []
    seen: set[tuple[int, ...]] = set()
    last: tuple[int, ...] = ()
    for c in cands:
        reset = any((out[-1].offset if out else -1) < r < c.offset for r in resets)
        if reset and c.key in ((1,), (1, 1)) and last:
            seen, last = set(), ()
        if c.key in seen or not follows(last, c.key):
            continue
        seen.add(c.key)
        last = max(last, c.key) if last and len(c.key) == len(last) and c.key[:-1] == last[:-1] else c.key
        out.append(c)
    return out


def _decimal_cand(lines: list[Line], k: int, mode: str, has_secs: bool) -> _Cand | None:
    x = lines[k]
    m = _DECIMAL.match(x.text)
    if not m or (m.group(1).startswith("0") and "." in m.group(1)):
        return None
    key = number_key(m.group(1))
    rest = m.group(3)
    if has_secs:  # "4.1. Developing Guidelines … for AI Safety" then the text: title up to the first period
        text = " ".join([rest] + [y.text for y in lines[k + 1 : k + 3]])
        title = re.split(r"\.(?:\s|$)", text, maxsplit=1)[0]
        return _Cand(x.offset, CHAPTER + 10 * (len(key) - 1), "decimal", key, title, k, {"sec": True}) if len(key) > 1 else None
    if len(key) == 1 and not _integer_heading(lines, k, m):
        return None
    if mode == "paragraph" and len(key) > 1:
        ok = rest[:1].isupper() or rest[:1] in "‘“'\"("
        return _Cand(x.offset, CHAPTER + 10 * (len(key) - 1), "para", key, "", k) if ok else None
    title = re.sub(r"(?<=[a-z])\d{1,3}$", "", _wrapped_title(lines, k, rest, 3 if is_all_caps(rest) else 2))
    if not (looks_like_heading(title, 30) or title.endswith("?")) or not rest[:1].isupper():
        return None
    if mode == "paragraph" and not _first_paragraphfollows(lines, k, key[0]):
        return None
    return _Cand(x.offset, CHAPTER + 10 * (len(key) - 1), "decimal", key, title, k)


def _integer_heading(lines: list[Line], k: int, m: re.Match[str]) -> bool:
    """"01 Introduction" where chapters are zero-padded; "2. Data" unless it is an item of a list
    (a numbered line just before or after it); "2 Application …" without a period only when its
    first paragraph "2.1" follows ("5 See the Commission's …" is a footnote)."""
    if any(re.match(r"^0\d\s+[A-Z]", x.text) for x in lines):
        return m.group(1).startswith("0")
    if not m.group(2):
        return _first_paragraphfollows(lines, k, int(m.group(1)))
    near = [x.text for x in lines[max(0, k - 1) : k] + lines[k + 1 : k + 2]]
    return not any(re.match(r"^\d{1,2}\.\s", t) for t in near)


def _first_paragraphfollows(lines: list[Line], k: int, n: int) -> bool:
    """An integer heading is followed closely by its first numbered paragraph or sub-heading ("n.1")."""
    return any(x.text.startswith((f"{n}.1 ", f"{n}.1. ")) for x in lines[k + 1 : k + 8])


def _restarts(decimals: list[_Cand]) -> bool:
    """Numbering restarts in each part or chapter (the AI HLEG guidelines): slugs need the part."""
    keys = [c.key for c in decimals]
    return len(keys) != len(set(keys))


_ANNEX_SECTION = re.compile(r"^([A-Z])\.(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)$")


def _annex_sections(lines: list[Line], tops: list[_Cand]) -> list[_Cand]:
    """"A.1 What should be estimated?", "A.2.1 …" after an annex heading, in sequence."""
    annexes = [c for c in tops if c.scheme == "annex"]
    if not annexes:
        return []
    out: list[_Cand] = []
    last: tuple[int, ...] = ()
    letter = ""
    for k in range(annexes[0].line + 1, len(lines)):
        m = _ANNEX_SECTION.match(lines[k].text)
        if not m or not looks_like_heading(m.group(3), 22) and not m.group(3).endswith("?"):
            continue
        key = number_key(m.group(2))
        if m.group(1) != letter:
            letter, last = m.group(1), ()
        if follows(last, key):
            last = key
            depth = CHAPTER + 10 * (len(key) - 1)
            out.append(_Cand(lines[k].offset, depth, "annex-section", (m.group(1),) + key, m.group(3), k))
    return out


# --- numbered paragraphs "(12)" and "12." ------------------------------------------------------


def _paragraph_chain(lines: list[Line], pattern: str, minimum: int = 10) -> list[_Cand]:
    """The longest run of lines numbered 1, 2, 3 … (a missing number tolerated): numbered paragraphs.

    A longest chain, not a first-come sequence, so that a list numbered 1-4 before the first
    paragraph, or questions numbered 1-6 between paragraphs, cannot break the paragraphs' run.
    """
    rx = re.compile(pattern)
    cands = [(k, int(m.group(1))) for k, x in enumerate(lines) if (m := rx.match(x.text))]
    best: list[int] = []
    back: list[int] = []
    latest: dict[int, int] = {}  # number -> index of the best chain ending with it (later wins ties)
    for i, (_, n) in enumerate(cands):
        preds = [latest[p] for p in (n - 1, n - 2) if p in latest]
        j = max(preds, key=lambda p: (best[p], p), default=-1)
        best.append(best[j] + 1 if j >= 0 else 1)
        back.append(j)
        if n not in latest or best[i] >= best[latest[n]]:
            latest[n] = i
    if not best or max(best) < minimum:
        return []
    i = max(range(len(best)), key=lambda i: (best[i], -i))
    chain = []
    while i >= 0:
        chain.append(cands[i])
        i = back[i]
    extra = {"parenthesised": pattern.startswith("^\\(")}
    return [_Cand(lines[k].offset, PARA, "para", (n,), "", k, extra) for k, n in reversed(chain)]


# --- lettered subsections "(a)" ------------------------------------------------------------------

_POINT = re.compile(r"^\(([a-z]{1,2})\)\s+(\S.*)$")
_INLINE_POINT = re.compile(r"\.\s+\(a\)(?:\s|$)")


def _lettered(lines: list[Line], parents: list[_Cand]) -> list[_Cand]:
    """"(a)", "(b)" … in sequence under each heading ("Section 4.2(a)"). "(i)" after "(h)" is a letter,
    otherwise a roman sub-item that stays in its letter's text."""
    out: list[_Cand] = []
    starts = [p.line for p in parents] + [len(lines)]
    for p, end in zip(parents, starts[1:]):
        expected, first = "a", p.line + 1
        for k in range(p.line, min(p.line + 2, end)) if p.extra.get("sec") else ():
            inline = _INLINE_POINT.search(lines[k].text)
            if inline:  # "4.2. Ensuring Safe and Reliable AI. (a) Within 90 days …"
                out.append(_Cand(lines[k].offset + inline.start() + 2, POINT, "point", p.key + ("a",), "", k))
                expected, first = "b", k + 1
                break
        for k in range(first, end):
            m = _POINT.match(lines[k].text)
            if m and m.group(1) == expected and not _roman_item(m, lines[k - 1].text):
                title = m.group(2) if looks_like_heading(m.group(2), 16) and not p.extra.get("sec") else ""
                out.append(_Cand(lines[k].offset, POINT, "point", p.key + (expected,), title, k))
                expected = _next_letter(expected)
    return out


def _roman_item(m: re.Match[str], previous: str) -> bool:
    """"(i)", "(v)", "(x)" in letter sequence are roman items when they continue a list: the line
    before ends with a colon, or the item starts in lower case."""
    return m.group(1) in ("i", "v", "x") and (previous.rstrip().endswith(":") or m.group(2)[:1].islower())


def _next_letter(letter: str) -> str:
    """a → b … z → aa → bb (the Executive Order's definitions run to "(bb)")."""
    if len(letter) == 2:
        return chr(ord(letter[0]) + 1) * 2
    return "aa" if letter == "z" else chr(ord(letter) + 1)


# --- ALL-CAPS headings, boxes, consultation questions --------------------------------------------

_NOT_HEADING = re.compile(r"^(?:ILLUSTRATION|FIGURE|TABLE|BOX|SOURCE|NOTE)\b")


def _caps_headings(lines: list[Line], cands: list[_Cand]) -> list[_Cand]:
    """ALL-CAPS headings (1-3 lines) opening a run of numbered paragraphs: "OPERATIONS MANAGEMENT"."""
    taken = {c.line for c in cands}
    out: list[_Cand] = []
    k = 0
    while k < len(lines):
        block = _caps_block(lines, k, taken)
        title = " ".join(x.text for x in block)
        nxt = k + len(block)
        opens_paragraphs = nxt < len(lines) and re.match(r"^\d+\.\d+\s", lines[nxt].text)
        if (block and opens_paragraphs and not _NOT_HEADING.match(title) and not title.endswith("?")
                and len(title.split()) <= 12 and title not in {c.title for c in out}
                and not _repeats_heading(title, cands, block[0].offset)):
            out.append(_Cand(block[0].offset, CAPS, "caps", (), title, k))
        k = nxt if block else k + 1
    return out


def _caps_block(lines: list[Line], k: int, taken: set[int]) -> list[Line]:
    block: list[Line] = []
    while k + len(block) < len(lines) and len(block) < 3:
        x = lines[k + len(block)]
        if not is_all_caps(x.text) or k + len(block) in taken or _DECIMAL.match(x.text) or _PART.match(x.text):
            break
        block.append(x)
    return block


def _repeats_heading(title: str, cands: list[_Cand], offset: int) -> bool:
    """A chapter's title printed again under its number ("3. MODEL AI GOVERNANCE FRAMEWORK")."""
    before = [c for c in cands if c.offset < offset and c.title]
    return bool(before) and _words(max(before, key=lambda c: c.offset).title) >= _words(title)


_BOX = re.compile(r"^(Box|Case study)\s+(\d+(?:\.\d+)*)\s*:\s*(\S.*)$")
_QUESTIONS = re.compile(r"^Consultation questions:?$", re.I)


def _boxes(lines: list[Line]) -> list[_Cand]:
    """"Case study 3.1: …", "Box 1.1: …" and "Consultation questions:" blocks: units of their own."""
    out: list[_Cand] = []
    for k, x in enumerate(lines):
        if m := _BOX.match(x.text):
            out.append(_Cand(x.offset, PARA, "box", (m.group(1), m.group(2)), x.text, k))
        elif _QUESTIONS.match(x.text) and (numbers := _question_numbers(lines[k + 1 : k + 30])):
            out.append(_Cand(x.offset, PARA, "questions", (numbers[0], numbers[-1]), x.text, k))
    return out


def _question_numbers(block: list[Line]) -> list[str]:
    """"9", "10", … "14" (or "F1" … "F3") of the questions numbered in sequence under the title."""
    numbers: list[str] = []
    for y in block:
        if re.match(r"^\d{1,2}\.\d{1,2}\.?\s", y.text):  # "12.1. If so, …" belongs to question 12
            continue
        q = re.match(r"^([A-Z]?)(\d{1,2})[.:]\s", y.text)
        if not q or (numbers and f"{q.group(1)}{int(q.group(2)) - 1}" != numbers[-1]):
            break
        numbers.append(f"{q.group(1)}{q.group(2)}")
    return numbers


# --- divider pages ----------------------------------------------------------------------------


def _dividers(doc: ParsedDocument, lines: list[Line], cands: list[_Cand]) -> list[_Cand]:
    """A page holding only a short title ("Introduction", "Conclusion") opens the section it
    announces: the first heading within two pages whose title holds the divider's words."""
    out = list(cands)
    by_page: dict[int, list[Line]] = {}
    for x in lines:
        by_page.setdefault(x.page, []).append(x)
    for page, page_lines in sorted(by_page.items()):
        words = _words(" ".join(x.text for x in page_lines))
        if not (len(page_lines) <= 2 and 0 < len(words) <= 6):
            continue
        start = doc.page_starts[page]
        limit = doc.page_starts[page + 3] if page + 3 < len(doc.page_starts) else len(doc.text)
        announced = [c for c in out if start <= c.offset < limit and c.title and words <= _words(c.title)]
        # the unit announced on a later page, else a standard title printed on the divider itself
        target = next((c for c in announced if c.offset >= start + len(page_lines[-1].text)), None)
        target = target or next(iter(announced), None)
        if target is None:
            continue
        end = doc.page_starts[page + 1] if page + 1 < len(doc.page_starts) else len(doc.text)
        out = [c for c in out if c is target or not start <= c.offset < min(end, target.offset)]
        out = [replace(c, offset=start) if c is target else c for c in out]
        out = _first_child_to_page_start(doc, lines, out, target)
    return sorted(out, key=lambda c: c.offset)


def _first_child_to_page_start(doc: ParsedDocument, lines: list[Line], cands: list[_Cand], chapter: _Cand) -> list[_Cand]:
    """"02 Gen AI Risks / 2.1 New or Enhanced Risks" printed together after the page's text (the
    extraction puts titles last): that text is the first section's, which opens at the page start."""
    x = lines[chapter.line]
    page_start = doc.page_starts[x.page]
    child = next((c for c in cands if c.line == chapter.line + 1 and c.depth > chapter.depth), None)
    if child is None or x.offset == page_start or any(page_start <= c.offset < x.offset for c in cands):
        return cands
    return [replace(c, offset=page_start) if c is child else c for c in cands]


def _lead_ins_after_lists(lines: list[Line], cands: list[_Cand]) -> list[_Cand]:
    """"3.14 … in the decision-making process:" printed after its own list "a. … b. … c. …" (the
    extraction of a boxed list puts it first): the paragraph opens at its list's first item."""
    out = list(cands)
    for i, c in enumerate(cands):
        if c.scheme != "para" or len(c.key) < 2:
            continue
        nxt = cands[i + 1].line if i + 1 < len(cands) else len(lines)
        lead = [y.text for y in lines[c.line : min(nxt, c.line + 4)]]
        if not any(t.endswith(":") for t in lead) or nxt > c.line + len(lead) + 3:
            continue  # a lead-in followed by its own items is in order
        first = next((k for k in range(c.line - 1, max(-1, c.line - 60), -1) if re.match(r"^a\.\s", lines[k].text)), None)
        previous = cands[i - 1].line if i else -1
        if first is not None and first > previous and lines[first].page == lines[c.line].page:
            out[i] = replace(c, offset=lines[first].offset)
    return sorted(out, key=lambda c: c.offset)


def _page_labels(doc: ParsedDocument, lines: list[Line], cands: list[_Cand]) -> list[_Cand]:
    """A part title printed as the last line of its page labels that page (layouts whose extraction
    puts the title after the text): the part opens at the page start."""
    out: list[_Cand] = []
    for c in cands:
        x = lines[c.line]
        after = [y for y in lines[c.line + 1 :] if y.page == x.page and not re.match(r"^\d{1,3}\s", y.text)]
        last = len(after) <= 3 and all(len(y.text) <= 40 for y in after)  # only a caption or footnotes follow
        page_start = doc.page_starts[x.page]
        earlier = any(page_start <= o.offset < c.offset for o in out)
        if c.scheme in ("annex", "named") and last and x.offset > page_start and not earlier:
            c = replace(c, offset=page_start)
        out.append(c)
    return out


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"0", "01", "02", "03", "04", "05", "06"}


# --- locators --------------------------------------------------------------------------------


def _label(cands: list[_Cand], restarts: bool) -> list[Heading]:
    """Headings with locators and slugs, each derived from its number and its enclosing units."""
    heads: list[Heading] = []
    stack: list[_Cand] = []
    for c in cands:
        while stack and stack[-1].depth >= c.depth:
            stack.pop()
        part = next((s for s in reversed(stack) if s.depth < CHAPTER), None)
        context = _Context(part, restarts and part is not None,
                           any(s.extra.get("sec") for s in stack if s.scheme == "decimal"))
        locator, slug, kind = _LOCATORS[c.scheme](c, context)
        heads.append(Heading(c.offset, c.depth, locator, slug, locator, kind))
        stack.append(c)
    return heads


@dataclass(frozen=True)
class _Context:
    part: _Cand | None  # the enclosing part, annex, chapter or standard title
    restarted: bool  # numbering restarts in each part: its number joins the locator and slug
    in_sec: bool  # inside an Executive Order "Sec." section


def _num(c: _Cand) -> str:
    return ".".join(str(p) for p in c.key if isinstance(p, int))


def _top_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    if c.scheme == "part":
        return f"Part {c.key[0]}: {c.title}", f"part-{c.key[0].lower()}", "section"
    if c.scheme == "annex":
        return _annex_label(c), _part_label(c)[1], "annex"
    if c.scheme == "named":
        return _named(c.title), slugify(c.title), "section"
    if c.scheme == "letter":
        return f"Section {c.key[0]} {c.title}", c.key[0].lower(), "section"
    if c.title.startswith("Chapter"):  # roman: "II. Chapter II: Realising Trustworthy AI"
        return c.title, f"ch-{c.key[0].lower()}", "section"
    return f"{c.key[0]}. {c.title}", c.key[0].lower(), "section"


def _decimal_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    num, slug = _num(c), _num(c).replace(".", "-")
    if c.extra.get("sec"):
        return f"Section {num} {c.title}".strip(), f"sec-{slug}", "section"
    if ctx.restarted and ctx.part is not None:
        part_label, part_slug = _part_label(ctx.part)
        if ctx.part.scheme == "letter":  # "Section C.1 Examples of …"
            return f"Section {ctx.part.key[0]}.{num} {c.title}", f"{part_slug}-{slug}", "section"
        return f"{part_label}, Section {num} {c.title}", f"{part_slug}-{slug}", "section"
    return f"Section {num} {c.title}", slug, "section"


def _paragraph_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    num = _num(c)
    if len(c.key) > 1:  # "Paragraph 3.14"
        return f"Paragraph {num}", num.replace(".", "-"), "paragraph"
    if c.extra.get("parenthesised"):  # "Paragraph (12)"
        return f"Paragraph ({num})", f"para-{num}", "paragraph"
    part = ctx.part
    if part is not None and part.scheme == "annex":  # a numbered list in an annex
        label, slug = _part_label(part)
        return f"{label}, item {num}", f"{slug}-{num}", "paragraph"
    if part is not None and part.scheme in ("named", "part"):  # UK white paper: "Part 3, paragraph 54"
        return f"{_part_label(part)[0]}, paragraph {num}", f"para-{num}", "paragraph"
    return f"Paragraph {num}", f"para-{num}", "paragraph"


def _point_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    """"Section 4.2(a)", "Section 3.2(b) Developing a common approach …"."""
    title = f" {c.title}" if c.title else ""
    prefix = "sec-" if ctx.in_sec else ""
    return f"Section {_num(c)}({c.key[-1]}){title}", f"{prefix}{_num(c).replace('.', '-')}-{c.key[-1]}", "section"


def _questions_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    first, last = c.key
    label = f"Consultation questions {first}-{last}" if first != last else f"Consultation question {first}"
    return label, slugify(label), "section"


def _annex_section_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    num = f"{c.key[0]}." + ".".join(str(p) for p in c.key[1:])
    return f"Section {num} {c.title}", slugify(num), "annex"


def _titled_locator(c: _Cand, ctx: _Context) -> tuple[str, str, str]:
    """Boxes ("Case study 3.1: …") and ALL-CAPS headings are cited by their title."""
    slug = slugify(f"{c.key[0]} {c.key[1]}") if c.scheme == "box" else slugify(" ".join(c.title.split()[:6]))
    return c.title, slug, "section"


_LOCATORS: dict[str, Callable[[_Cand, _Context], tuple[str, str, str]]] = {
    "part": _top_locator, "annex": _top_locator, "named": _top_locator, "letter": _top_locator,
    "roman": _top_locator, "decimal": _decimal_locator, "para": _paragraph_locator, "point": _point_locator,
    "questions": _questions_locator, "annex-section": _annex_section_locator, "box": _titled_locator,
    "caps": _titled_locator,
}


def _part_label(part: _Cand) -> tuple[str, str]:
    if part.scheme == "part":
        return f"Part {part.key[0]}", f"part-{part.key[0].lower()}"
    if part.scheme == "annex":
        label = _annex_label(part).split(":")[0]
        return label, slugify(label if part.key[0] else " ".join(_annex_label(part).split()[:5]))
    if part.scheme == "roman":
        return (part.title.split(":")[0] if part.title.startswith("Chapter") else f"Section {part.key[0]}",
                f"ch-{part.key[0].lower()}")
    if part.scheme == "letter":
        return f"Section {part.key[0]}", part.key[0].lower()
    return part.title[:1].upper() + part.title[1:].lower(), slugify(part.title)


def _annex_label(c: _Cand) -> str:
    word = "Appendix" if c.extra.get("appendix") else "Annex"
    return f"{word} {c.key[0]}: {c.title}".replace(" :", ":").strip(": ") if c.key[0] else f"{word}: {c.title}".strip(": ")


# --- documents with a reader of their own ----------------------------------------------------------


def _find_line(lines: list[Line], pattern: str, start: int = 0, end: int | None = None) -> int | None:
    rx = re.compile(pattern)
    return next((k for k in range(start, len(lines) if end is None else end) if rx.match(lines[k].text)), None)


# Surat Edaran Menkominfo 9/2023: an OCR text in which most item numbers ("2.", "b.") were lost, so
# its seven items are found by their titles, in order, and item 6's points by their first words.
_SE_ITEMS = (("Umum", r"^(?:1\.\s*)?Umum$"), ("Maksud dan Tujuan", r"^(?:2\.\s*)?Maksud dan Tujuan$"),
             ("Ruang Lingkup", r"^(?:3\.\s*)?Ruang Lingkup$"), ("Dasar Hukum", r"^(?:4\.\s*)?Dasar Hukum$"),
             ("Definisi", r"^(?:5\.\s*)?De[lf]inisi$"), ("Isi Edaran", r"^(?:6\.\s*)?Isi Edaran$"),
             ("Penutup", r"^(?:7\.\s*)?Penutup$"))
_SE_POINTS = (("a", r"^a\.?\s+Penyelenggaraan kemampuan"), ("b", r"^(?:b\.?\s+)?Penyelenggaraan teknologi Kecerdasan"),
              ("c", r"^[cC]\.?\s+Pelaksanaan dan Tanggung"))


def _circular(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    """"Section 6 Isi Edaran", "Section 6.b(1) Inklusivitas", "Section 5.c" …"""
    heads: list[Heading] = []
    items: list[tuple[int, int]] = []  # (number, line index)
    k = 0
    for n, (title, pattern) in enumerate(_SE_ITEMS, start=1):
        found = _find_line(lines, pattern, k)
        if found is None:
            continue
        items.append((n, found))
        heads.append(Heading(lines[found].offset, CHAPTER, f"Section {n} {title}", str(n), f"Section {n} {title}"))
        k = found + 1
    for i, (n, start) in enumerate(items):
        end = items[i + 1][1] if i + 1 < len(items) else len(lines)
        heads += _circular_points(lines, n, start, end) if n == 6 else _lettered_points(lines, n, start, end)
    return heads


def _lettered_points(lines: list[Line], n: int, start: int, end: int) -> list[Heading]:
    """"a." "b." … of an item, only when the letters read in sequence (OCR lost some in item 4)."""
    marks = [(k, m.group(1)) for k in range(start + 1, end) if (m := re.match(r"^([a-z])\.\s", lines[k].text))]
    if not marks or [x for _, x in marks] != [chr(ord("a") + i) for i in range(len(marks))]:
        return []
    return [Heading(lines[k].offset, POINT, f"Section {n}.{x}", f"{n}-{x}", f"Section {n}.{x}") for k, x in marks]


def _circular_points(lines: list[Line], n: int, start: int, end: int) -> list[Heading]:
    heads: list[Heading] = []
    found = [(x, _find_line(lines, p, start + 1, end)) for x, p in _SE_POINTS]
    found = [(x, k) for x, k in found if k is not None]
    for i, (x, k) in enumerate(found):
        heads.append(Heading(lines[k].offset, POINT, f"Section {n}.{x}", f"{n}-{x}", f"Section {n}.{x}"))
        stop = found[i + 1][1] if i + 1 < len(found) else end
        number = 1
        for j in range(k + 1, stop):  # "1) Inklusivitas", OCR "2l Kemanusiaan"
            m = re.match(r"^(\d)[)l]\s*(\S.*)$", lines[j].text)
            if m and int(m.group(1)) == number and looks_like_heading(m.group(2), 6):
                label = f"Section {n}.{x}({number}) {m.group(2)}"
                heads.append(Heading(lines[j].offset, PARA, label, f"{n}-{x}-{number}", label, "principle"))
                number += 1
    return heads


# MAS FEAT principles (a PwC summary): principles 1-14 in the left column of a table, under the four
# pillars and their sub-groups; page titles ("Summary of FEAT Principles") for the rest.
_FEAT_PILLARS = ("Fairness", "Ethics", "Accountability", "Transparency")


def _feat(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    heads = _page_titles(lines)
    heads += [Heading(x.offset, TOP, x.text, slugify(x.text), x.text) for k, x in enumerate(lines)
              if k and x.page == lines[k - 1].page and len(_text(lines, k + 1)) >= 60 and looks_like_heading(x.text, 6)
              and re.search(r"[.:!?”\")]\d{0,3}$", lines[k - 1].text) and not re.search(r"\d", x.text)
              and x.text not in _FEAT_PILLARS]
    pillar = group = ""
    number = 1
    for k, x in enumerate(lines):
        if x.text in _FEAT_PILLARS and _FEAT_PILLARS.index(x.text) == (_FEAT_PILLARS.index(pillar) + 1 if pillar else 0):
            pillar, group = x.text, ""
            continue
        m = re.match(r"^(\d{1,2})\.\s+\S", x.text)
        if not pillar or not m or int(m.group(1)) != number:
            if pillar and looks_like_heading(x.text, 4) and is_title_case(x.text) and re.match(r"^1?\d\.\s", _text(lines, k + 1)):
                group = x.text
            continue
        start = k
        while start > 0 and lines[start - 1].text in (pillar, group):  # the pillar/group titles open it
            start -= 1
        label = f"FEAT Principle {number} ({pillar}: {group})" if group else f"FEAT Principle {number} ({pillar})"
        heads.append(Heading(lines[start].offset, PARA, label, f"principle-{number}", label, "principle"))
        number += 1
    return heads


def _text(lines: list[Line], k: int) -> str:
    return lines[k].text if 0 <= k < len(lines) else ""


def _page_titles(lines: list[Line]) -> list[Heading]:
    """The first line of a page when it is a short title ("Impact of the FEAT Principles")."""
    heads: list[Heading] = []
    for k, x in enumerate(lines):
        first = k == 0 or lines[k - 1].page != x.page
        if first and k > 0 and looks_like_heading(x.text, 9) and not re.search(r"\d|“|\"", x.text):
            heads.append(Heading(x.offset, TOP, x.text, slugify(x.text), x.text))
    return heads


# Model AI Governance Framework for Generative AI: nine dimensions, each opening on a divider page
# with its name in capitals; titled sub-headings inside ("Ex Ante — Allocation Upfront").
_DIMENSIONS = ("Accountability", "Data", "Trusted Development and Deployment", "Incident Reporting",
               "Testing and Assurance", "Security", "Content Provenance", "Safety and Alignment R&D",
               "AI for Public Good")
_RUNNING = re.compile(r"^FOSTERING A TRUSTED AI ECOSYSTEM$")


def _dimensions(doc: ParsedDocument, lines: list[Line]) -> list[Heading]:
    tops = _page_labels(doc, lines, [c for c in _tops(lines) if c.scheme == "named"])
    heads = [Heading(c.offset, TOP, _named(c.title), slugify(c.title), _named(c.title)) for c in tops]
    pages: dict[int, list[Line]] = {}
    for x in lines:
        pages.setdefault(x.page, []).append(x)
    dims: list[tuple[int, int, str]] = []  # (page, number, name)
    for page, page_lines in sorted(pages.items()):
        text = " ".join(x.text for x in page_lines)
        for i, name in enumerate(_DIMENSIONS, start=1):
            if text.upper() == name.upper() and i == len(dims) + 1:
                dims.append((page, i, name))
    for j, (page, i, name) in enumerate(dims):
        label = f"Dimension {i}: {name}"
        heads.append(Heading(doc.page_starts[page], CHAPTER, label, f"dimension-{i}", label, "principle"))
        end_page = dims[j + 1][0] if j + 1 < len(dims) else None
        heads += _dimension_subheadings(lines, page, end_page, label, i, {h.offset for h in heads})
    return heads


def _named(title: str) -> str:
    return title[:1].upper() + title[1:].lower()


def _dimension_subheadings(lines: list[Line], page: int, end_page: int | None, label: str, i: int,
                           taken: set[int]) -> list[Heading]:
    heads: list[Heading] = []
    accepted = -2
    for k, x in enumerate(lines):
        if x.page <= page or (end_page is not None and x.page >= end_page) or x.offset in taken:
            continue
        if is_all_caps(x.text) or _RUNNING.match(x.text) or re.match(r"^\d", x.text):
            continue
        before = accepted == k - 1 or re.search(r"[.:!?”\")]\d{0,3}$", _text(lines, k - 1))
        after = _text(lines, k + 1)[:1].isupper()
        if before and after and looks_like_heading(x.text, 10) and is_title_case(x.text):
            sub = f"{label} — {x.text}"
            heads.append(Heading(x.offset, POINT, sub, f"dimension-{i}-{slugify(x.text)}", sub))
            accepted = k
    return heads


_SPECIAL: dict[str, Callable[[ParsedDocument, list[Line]], list[Heading]]] = {
    "id-kominfo-se-9-2023-etika-kecerdasan-artifisial": _circular,
    "sg-mas-feat-principles-2018": _feat,
    "sg-model-ai-governance-framework-genai-2024": _dimensions,
}
