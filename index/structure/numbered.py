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
from .generic import Line, doc_lines, is_all_caps, is_title_case, is_toc_line, looks_like_heading, unique_slugs

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
    cands = tops + decimals + paras + _boxes(lines)
    if mode == "paragraph":
        cands += _caps_headings(lines, cands)
    if not paras and mode == "heading":
        cands += _lettered(lines, sorted(decimals, key=lambda c: c.offset), secs)
    cands = _dividers(doc, lines, _page_labels(doc, lines, sorted(cands, key=lambda c: c.offset)))
    return _label(cands, mode, restarts=_restarts(decimals))


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
            if x.page == 0 or not (m.group(1) or title):  # "ANNEX" on a cover page
                continue
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
        if c.key in seen or not _follows(last, c.key):
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
    key = tuple(int(p) for p in m.group(1).split("."))
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
    if not (looks_like_heading(rest, 22) or rest.endswith("?")) or not rest[:1].isupper():
        return None
    if mode == "paragraph" and not _first_paragraph_follows(lines, k, key[0]):
        return None
    return _Cand(x.offset, CHAPTER + 10 * (len(key) - 1), "decimal", key, title, k)


def _integer_heading(lines: list[Line], k: int, m: re.Match[str]) -> bool:
    """"01 Introduction" where chapters are zero-padded; "2. Data" unless it is an item of a list
    (a numbered line just before or after it); "2 Application …" without a period only when its
    first paragraph "2.1" follows ("5 See the Commission's …" is a footnote)."""
    if any(re.match(r"^0\d\s+[A-Z]", x.text) for x in lines):
        return m.group(1).startswith("0")
    if not m.group(2):
        return _first_paragraph_follows(lines, k, int(m.group(1)))
    near = [x.text for x in lines[max(0, k - 1) : k] + lines[k + 1 : k + 2]]
    return not any(re.match(r"^\d{1,2}\.\s", t) for t in near)


def _first_paragraph_follows(lines: list[Line], k: int, n: int) -> bool:
    """An integer heading is followed closely by its first numbered paragraph or sub-heading ("n.1")."""
    return any(x.text.startswith((f"{n}.1 ", f"{n}.1. ")) for x in lines[k + 1 : k + 8])


def _follows(last: tuple[int, ...], key: tuple[int, ...]) -> bool:
    """The next number, a first child, the next sibling of an ancestor (a gap of two allowed), or
    a near sibling out of order (two-column layouts print 3.17 before 3.15)."""
    if not last:
        return key in ((1,), (1, 1), (0,)) or (len(key) == 1 and key[0] <= 2)
    if key == last + (1,):
        return True
    for d in range(len(last), 0, -1):
        prefix = last[: d - 1]
        if key[:-1] == prefix and len(key) == d and 0 < key[-1] - last[d - 1] <= 3:
            return True
    if len(key) == len(last) and key[:-1] == last[:-1] and abs(key[-1] - last[-1]) <= 3:
        return True
    return len(key) > 1 and key[-1] == 1 and _follows(last, key[:-1])  # "2.1" where "2" is a Part


def _restarts(decimals: list[_Cand]) -> bool:
    """Numbering restarts in each part or chapter (the AI HLEG guidelines): slugs need the part."""
    keys = [c.key for c in decimals]
    return len(keys) != len(set(keys))


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


def _lettered(lines: list[Line], parents: list[_Cand], secs: list[_Cand]) -> list[_Cand]:
    """"(a)", "(b)" … in sequence under each heading ("Sec. 4.2(a)"). "(i)" after "(h)" is a letter,
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
        block = []
        while k + len(block) < len(lines) and len(block) < 3:
            x = lines[k + len(block)]
            if not is_all_caps(x.text) or k + len(block) in taken or _DECIMAL.match(x.text) or _PART.match(x.text):
                break
            block.append(x)
        title = " ".join(x.text for x in block)
        nxt = k + len(block)
        if (block and not _NOT_HEADING.match(title) and not title.endswith("?")
                and title not in {c.title for c in out} and len(title.split()) <= 12 and nxt < len(lines) and re.match(r"^\d+\.\d+\s", lines[nxt].text)
                and not _repeats_heading(title, cands, block[0].offset)):
            out.append(_Cand(block[0].offset, CAPS, "caps", (), title, k))
        k = nxt if block else k + 1
    return out


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
        elif _QUESTIONS.match(x.text):
            numbers: list[str] = []
            for y in lines[k + 1 : k + 30]:
                if re.match(r"^\d{1,2}\.\d{1,2}\.?\s", y.text):  # "12.1. If so, …" belongs to question 12
                    continue
                q = re.match(r"^([A-Z]?)(\d{1,2})[.:]\s", y.text)
                if not q or (numbers and f"{q.group(1)}{int(q.group(2)) - 1}" != numbers[-1]):
                    break
                numbers.append(f"{q.group(1)}{q.group(2)}")
            if numbers:
                out.append(_Cand(x.offset, PARA, "questions", (numbers[0], numbers[-1]), x.text, k))
    return out


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
        out = [c for c in out if c is target or not (start <= c.offset < target.offset)]
        out = [replace(c, offset=start) if c is target else c for c in out]
    return sorted(out, key=lambda c: c.offset)


def _page_labels(doc: ParsedDocument, lines: list[Line], cands: list[_Cand]) -> list[_Cand]:
    """A part title printed as the last line of its page labels that page (layouts whose extraction
    puts the title after the text): the part opens at the page start."""
    out: list[_Cand] = []
    for c in cands:
        x = lines[c.line]
        after = [y for y in lines[c.line + 1 : c.line + 5] if y.page == x.page]
        last = len(after) <= 3 and all(len(y.text) <= 40 for y in after)  # only a caption box follows
        page_start = doc.page_starts[x.page]
        earlier = any(page_start <= o.offset < c.offset for o in out)
        if c.scheme in ("annex", "named") and last and x.offset > page_start and not earlier:
            c = replace(c, offset=page_start)
        out.append(c)
    return out


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"0", "01", "02", "03", "04", "05", "06"}


# --- locators --------------------------------------------------------------------------------


def _label(cands: list[_Cand], mode: str, restarts: bool) -> list[Heading]:
    """Headings with locators and slugs, each derived from its number and its enclosing units."""
    heads: list[Heading] = []
    stack: list[_Cand] = []
    for c in cands:
        while stack and stack[-1].depth >= c.depth:
            stack.pop()
        part = next((s for s in reversed(stack) if s.depth < CHAPTER), None)
        heading = next((s for s in reversed(stack) if s.scheme == "decimal"), None)
        locator, slug, kind = _locator(c, part, heading, restarts and part is not None)
        heads.append(Heading(c.offset, c.depth, locator, slug, locator, kind))
        stack.append(c)
    return heads


def _locator(c: _Cand, part: _Cand | None, heading: _Cand | None, prefix_part: bool) -> tuple[str, str, str]:
    num = ".".join(str(p) for p in c.key if isinstance(p, int))
    part_label, part_slug = _part_label(part) if part else ("", "")
    if c.scheme == "part":
        return f"Part {c.key[0]}: {c.title}", f"part-{c.key[0].lower()}", "section"
    if c.scheme == "annex":
        return _annex_label(c), _part_label(c)[1], "annex"
    if c.scheme == "named":
        return c.title[:1].upper() + c.title[1:].lower(), slugify(c.title), "section"
    if c.scheme == "letter":
        return f"Section {c.key[0]} {c.title}", c.key[0].lower(), "section"
    if c.scheme == "roman":
        title = c.title if c.title.startswith("Chapter") else f"{c.key[0]}. {c.title}"
        return title, f"ch-{c.key[0].lower()}" if c.title.startswith("Chapter") else c.key[0].lower(), "section"
    if c.scheme == "decimal" and c.extra.get("sec"):
        return f"Sec. {num} {c.title}".strip(), f"sec-{num.replace('.', '-')}", "section"
    if c.scheme == "decimal":
        label = f"Section {num} {c.title}"
        if prefix_part:
            return f"{part_label}, {label}", f"{part_slug}-{num.replace('.', '-')}", "section"
        return label, num.replace(".", "-"), "section"
    if c.scheme == "para" and len(c.key) > 1:
        return f"Paragraph {num}", num.replace(".", "-"), "paragraph"
    if c.scheme == "para" and c.extra.get("parenthesised"):
        return f"Paragraph ({num})", f"para-{num}", "paragraph"
    if c.scheme == "para":
        if part and part.scheme == "annex":  # a numbered list in an annex
            return f"{part_label}, item {num}", f"{part_slug}-{num}", "paragraph"
        if part and part.scheme in ("named", "part"):  # UK white paper: "Part 3, paragraph 54"
            return f"{part_label}, paragraph {num}", f"para-{num}", "paragraph"
        return f"Paragraph {num}", f"para-{num}", "paragraph"
    if c.scheme == "point":
        parent = _point_parent(c, heading)
        letter = c.key[-1]
        title = f" {c.title}" if c.title else ""
        num = ".".join(str(p) for p in c.key if isinstance(p, int)).replace(".", "-")
        return f"{parent}({letter}){title}", f"{'sec-' if parent.startswith('Sec.') else ''}{num}-{letter}", "section"
    if c.scheme == "questions":
        first, last = c.key
        label = f"Consultation questions {first}-{last}" if first != last else f"Consultation question {first}"
        return label, slugify(label), "section"
    if c.scheme == "box":
        return c.title, slugify(f"{c.key[0]} {c.key[1]}"), "section"
    # caps heading
    title = c.title
    return title, slugify(" ".join(title.split()[:6])), "section"


def _point_parent(c: _Cand, heading: _Cand | None) -> str:
    num = ".".join(str(p) for p in c.key if isinstance(p, int))
    if heading is not None and heading.extra.get("sec"):
        return f"Sec. {num}"
    return f"Section {num}"


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

_SPECIAL: dict[str, Callable[[ParsedDocument, list[Line]], list[Heading]]] = {}
