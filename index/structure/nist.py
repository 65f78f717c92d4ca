"""Structure of the NIST AI RMF family: AI RMF 1.0, the Generative AI Profile (AI 600-1), the Playbook.

- AI RMF 1.0 (``nist_rmf``): the numbered sections of the table of contents, found in order in the
  body, and the Core tables: categories ("GOVERN 1") and subcategories ("GOVERN 1.1", the unit
  everyone cites). Table furniture ("Categories Subcategories", "Continued on next page", the
  repeated table caption) is left out of the spans; a category cell that pypdf splits over a page
  break is rejoined in the category title.
- AI 600-1 (``nist_genai``): sections 1-3, the 12 GAI risks ("Risk 2.1 ..."), the suggested-action
  tables of section 3 (subcategory "GOVERN 1.1", action "GV-1.1-001") and Appendix A.x.
- Playbook (``nist_playbook``): per function and subcategory, its parts (About, Suggested Actions,
  Transparency & Documentation, AI Transparency Resources, References) as sections.

Also home of ``Unit`` / ``sections_from_units`` (used by ``intl`` too): like ``base.Heading`` but
with an explicit path, an optional explicit end, and bare container headings dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import ParsedDocument, Section
from .base import page_sections, slugify

FUNCTIONS = ("GOVERN", "MAP", "MEASURE", "MANAGE")
ACTION_FUNCTION = {"GV": "GOVERN", "MP": "MAP", "MS": "MEASURE", "MG": "MANAGE"}


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    readers = {"nist_rmf": _rmf, "nist_genai": _genai, "nist_playbook": _playbook}
    reader = readers.get(family)
    units = reader(doc) if reader else []
    if not units:  # not the layout we know (e.g. a user's other NIST document)
        return page_sections(doc)
    return sections_from_units(doc, units)


# ---------------------------------------------------------------------------- shared machinery


@dataclass(frozen=True)
class Unit:
    """A structural unit found in the text: its section runs from ``start`` to the next unit."""

    start: int
    body: int  # end of the unit's own heading; a unit without text after it is a bare container
    locator: str
    slug: str
    path: tuple[str, ...]
    kind: str = "section"
    end: int | None = None  # explicit end (before table furniture); default: the next unit's start


def sections_from_units(doc: ParsedDocument, units: list[Unit], front_locator: str = "Front matter") -> list[Section]:
    """Leaf sections of ``units``; bare container headings are skipped (their titles live on in paths)."""
    units = sorted(units, key=lambda u: u.start)
    first = units[0].start if units else len(doc.text)
    out: list[Section] = []
    if doc.text[:first].strip():
        out.append(Section(front_locator, slugify(front_locator), (front_locator,), 0, first, "front"))
    for i, u in enumerate(units):
        end = units[i + 1].start if i + 1 < len(units) else len(doc.text)
        if u.end is not None:
            end = min(end, u.end)
        if doc.text[u.body : end].strip():
            out.append(Section(u.locator, u.slug, u.path, u.start, end, u.kind))
    return out


def nested_paths(items: list[tuple[int, str]]) -> list[tuple[str, ...]]:
    """Paths of (depth, title) items in document order: each title under its open ancestors."""
    stack: list[tuple[int, str]] = []
    paths = []
    for depth, title in items:
        while stack and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, title))
        paths.append(tuple(t for _, t in stack))
    return paths


def collapse(s: str) -> str:
    return " ".join(s.split())


def line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def title_pattern(label: str, title: str) -> str:
    """A heading line: ``label`` then ``title`` with any whitespace (titles may wrap) up to the line end."""
    words = r"\s+".join(re.escape(w) for w in title.split())
    return rf"^{label}\s+{words}[ \t]*$"


# ---------------------------------------------------------------------------- AI RMF 1.0

_RMF_TOC = re.compile(r"^(Executive Summary|Part \d+: .+|\d+(?:\.\d+)* .+|Appendix [A-Z]: .+) \d+$", re.M)
_RMF_CORE = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) (\d+)(?:\.(\d+))?:", re.M)
_RMF_CONTINUED = re.compile(r"^Table \d+: .*\(Continued\)\n", re.M)
_RMF_FURNITURE = re.compile(
    r"^(?:Categories Subcategories|Continued on next page"
    r"|Table \d+: Categories and subcategories for the \w+ function\.(?: \(Continued\))?)$",
    re.M,
)


@dataclass(frozen=True)
class _TocEntry:
    label: str  # "1.2.1", "Part 1", "Appendix A", "" (Executive Summary)
    title: str
    depth: int


def _rmf(doc: ParsedDocument) -> list[Unit]:
    text = doc.text
    toc_start = text.find("Table of Contents")
    toc_end = text.find("List of Tables", toc_start)
    if toc_start < 0 or toc_end < 0:
        return []
    entries = [_rmf_toc_entry(m.group(1)) for m in _RMF_TOC.finditer(text, toc_start, toc_end)]
    found = _find_in_order(text, toc_end, [(_rmf_heading_pattern(e), e) for e in entries])
    paths = nested_paths([(e.depth, _rmf_title(e)) for _, _, e in found])
    units: list[Unit] = []
    for i, ((start, body, e), path) in enumerate(zip(found, paths)):
        units.append(Unit(start, body, _rmf_locator(e), _rmf_slug(e), path, _rmf_kind(e)))
        if e.title.upper() in FUNCTIONS and e.label.startswith("5."):
            table_end = found[i + 1][0] if i + 1 < len(found) else len(text)
            units += _rmf_core(text, e.title.upper(), f"{e.label} {e.title}", body, table_end)
    return units


def _rmf_toc_entry(line: str) -> _TocEntry:
    if line == "Executive Summary":
        return _TocEntry("", line, 0)
    m = re.match(r"(Part \d+|Appendix [A-Z]): (.+)", line)
    if m:
        return _TocEntry(m.group(1), m.group(2), 0)
    number, title = line.split(" ", 1)
    return _TocEntry(number, title, number.count(".") + 1)


def _rmf_heading_pattern(e: _TocEntry) -> str:
    if not e.label:
        return rf"^{re.escape(e.title)}[ \t]*$"
    if e.label[0].isdigit():  # the body writes "1. Framing Risk" but "1.1 Understanding ..."
        return title_pattern(re.escape(e.label) + r"\.?", e.title)
    return title_pattern(re.escape(e.label) + ":", e.title)


def _find_in_order(text: str, pos: int, wanted: list[tuple[str, object]]) -> list[tuple[int, int, object]]:
    """Each pattern's first match after the previous one: (start, end of heading line, payload)."""
    found = []
    for pattern, payload in wanted:
        m = re.compile(pattern, re.M).search(text, pos)
        if not m:
            continue  # a heading pypdf lost: its text stays in the previous section
        found.append((m.start(), line_end(text, m.end()), payload))
        pos = m.end()
    return found


def _rmf_title(e: _TocEntry) -> str:
    if not e.label:
        return e.title
    if e.label[0].isdigit():
        return f"{e.label}. {e.title}" if "." not in e.label else f"{e.label} {e.title}"
    return f"{e.label}: {e.title}"


def _rmf_locator(e: _TocEntry) -> str:
    if not e.label:
        return e.title
    if e.label[0].isdigit():
        return f"Section {e.label} {e.title}"
    return f"{e.label}: {e.title}"


def _rmf_slug(e: _TocEntry) -> str:
    if e.label and e.label[0].isdigit():
        return "sec-" + slugify(e.label)
    return slugify(e.label or e.title)


def _rmf_kind(e: _TocEntry) -> str:
    return "function" if e.title.upper() in FUNCTIONS and e.label.startswith("5.") else "section"


def _rmf_core(text: str, function: str, function_title: str, start: int, end: int) -> list[Unit]:
    """Categories and subcategories of one function's Core table (between ``start`` and ``end``)."""
    heads = [m for m in _RMF_CORE.finditer(text, start, end) if m.group(1) == function]
    heads = _in_sequence(heads)
    units: list[Unit] = []
    category_title = ""
    for i, m in enumerate(heads):
        raw_end = heads[i + 1].start() if i + 1 < len(heads) else end
        furniture = _RMF_FURNITURE.search(text, m.start(), raw_end)
        unit_end = furniture.start() if furniture else raw_end
        own = collapse(text[m.end() : unit_end])
        cat, sub = m.group(2), m.group(3)
        if sub is None:
            continuation = _category_continuation(text, heads, i, end)
            category_title = f"{function} {cat}: {collapse(own + ' ' + continuation)}"
            units.append(Unit(m.start(), m.end(), f"{function} {cat}", slugify(f"{function} {cat}"),
                              (function_title, category_title), "category", unit_end))
        else:
            locator = f"{function} {cat}.{sub}"
            units.append(Unit(m.start(), m.end(), locator, slugify(locator),
                              (function_title, category_title, f"{locator}: {own}"), "subcategory", unit_end))
    return units


def _in_sequence(heads: list[re.Match[str]]) -> list[re.Match[str]]:
    """Keep categories 1, 2, ... and their subcategories n.1, n.2, ... in order (drop strays)."""
    kept, cat, sub = [], 0, 0
    for m in heads:
        c, s = int(m.group(2)), m.group(3)
        if s is None and c == cat + 1:
            cat, sub = c, 0
            kept.append(m)
        elif s is not None and c == cat and int(s) == sub + 1:
            sub = int(s)
            kept.append(m)
    return kept


def _category_continuation(text: str, heads: list[re.Match[str]], i: int, end: int) -> str:
    """Category text that pypdf put after a page break, below the repeated table caption.

    When a category cell spans two pages, its tail comes after "Table n: ... (Continued)" and before
    the next row's subcategory; it belongs to the category, not to the subcategory above it.
    """
    nxt = next((h for h in heads[i + 1 :] if h.group(3) is None), None)
    stop = nxt.start() if nxt else end
    out = []
    for cont in _RMF_CONTINUED.finditer(text, heads[i].start(), stop):
        after = cont.end()
        row = _RMF_CORE.search(text, after, stop)
        out.append(text[after : row.start() if row else stop])
    return collapse(" ".join(out))


# ---------------------------------------------------------------------------- AI 600-1 (GAI Profile)

_GENAI_TOC = re.compile(r"^(\d+\.|Appendix [A-Z]\.) (.+?) ?\.{4,} ?\d+$", re.M)
_GENAI_RISK = re.compile(r"^2\.(\d+)\. (.+)$", re.M)
_GENAI_SUBCATEGORY = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) (\d+)\.(\d+): ", re.M)
# The PDF prints one id as "GV4.3--001": tolerate missing/doubled hyphens, cite the canonical form.
_GENAI_ACTION = re.compile(r"^(GV|MP|MS|MG)-?(\d+)\.(\d+)-+(\d{3})\b", re.M)
_GENAI_TABLE_HEAD = re.compile(r"^Action ID Suggested Action GAI Risks$", re.M)
_GENAI_APPENDIX_SUB = re.compile(r"^A\.(\d+(?:\.\d+)*)\. (.+)$", re.M)


def _genai(doc: ParsedDocument) -> list[Unit]:
    text = doc.text
    toc = text.find("Table of Contents")
    toc_lines = list(_GENAI_TOC.finditer(text, max(toc, 0)))
    if toc < 0 or not toc_lines:
        return []
    entries = [(m.group(1).rstrip("."), m.group(2)) for m in toc_lines]
    toc_end = line_end(text, toc_lines[-1].end())
    wanted = [(title_pattern(re.escape(label) + r"\.", title), (label, title)) for label, title in entries]
    found = _find_in_order(text, toc_end, wanted)
    units: list[Unit] = []
    for i, (start, body, (label, title)) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        top = f"{label}. {title}"
        if label.isdigit():
            units.append(Unit(start, body, f"Section {label} {title}", f"sec-{label}", (top,)))
        else:
            units.append(Unit(start, body, f"{label} {title}", slugify(label), (top,)))
        if label == "2":
            units += _genai_risks(text, top, body, end)
        elif label == "3":
            units += _genai_actions(text, top, body, end)
        elif label == "Appendix A":
            units += _genai_appendix(text, top, body, end)
    return units


def _genai_risks(text: str, parent: str, start: int, end: int) -> list[Unit]:
    """Risks "2.1. CBRN Information or Capabilities" ... in sequence (the numbered list above them is skipped)."""
    units, expected = [], 1
    for m in _GENAI_RISK.finditer(text, start, end):
        if int(m.group(1)) != expected:
            continue
        expected += 1
        n, title = f"2.{m.group(1)}", m.group(2).strip()
        units.append(Unit(m.start(), m.end(), f"Risk {n} {title}", f"risk-{slugify(n)}", (parent, f"{n}. {title}"), "risk"))
    return units


def _genai_actions(text: str, parent: str, start: int, end: int) -> list[Unit]:
    """Section 3's tables: a subcategory row ("GOVERN 1.1: ...") then its actions ("GV-1.1-001")."""
    units: list[Unit] = []
    subs = list(_GENAI_SUBCATEGORY.finditer(text, start, end))
    for i, m in enumerate(subs):
        sub_end = subs[i + 1].start() if i + 1 < len(subs) else end
        head = _GENAI_TABLE_HEAD.search(text, m.end(), sub_end)
        title_end = head.start() if head else line_end(text, m.end())
        locator = f"{m.group(1)} {m.group(2)}.{m.group(3)}"
        sub_title = collapse(text[m.start() : title_end])
        # the row restating the subcategory is kept as its own small section (body = its statement)
        units.append(Unit(m.start(), m.end(), locator, slugify(locator), (parent, sub_title), "subcategory"))
        for a in _GENAI_ACTION.finditer(text, title_end, sub_end):
            if ACTION_FUNCTION[a.group(1)] != m.group(1) or (a.group(2), a.group(3)) != (m.group(2), m.group(3)):
                continue  # an id of another subcategory cannot start a row here
            action_id = f"{a.group(1)}-{a.group(2)}.{a.group(3)}-{a.group(4)}"
            path = (parent, sub_title, action_id)
            units.append(Unit(a.start(), a.end(), action_id, slugify(action_id), path, "action"))
    return units


def _genai_appendix(text: str, parent: str, start: int, end: int) -> list[Unit]:
    """Appendix A's numbered subsections A.1, A.1.1, ... (unnumbered sub-headings stay inside them)."""
    items = [(m, m.group(1).count(".") + 1) for m in _GENAI_APPENDIX_SUB.finditer(text, start, end)]
    paths = nested_paths([(depth, f"A.{m.group(1)}. {m.group(2).strip()}") for m, depth in items])
    return [
        Unit(m.start(), m.end(), f"Appendix A.{m.group(1)} {m.group(2).strip()}", slugify(f"appendix-a-{m.group(1)}"),
             (parent, *path))
        for (m, _), path in zip(items, paths)
    ]


# ---------------------------------------------------------------------------- Playbook

_PLAYBOOK_FUNCTION = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE)\n+([A-Z][a-z]+)$", re.M)
_PLAYBOOK_SUBCATEGORY = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) (\d+)\.(\d+)$", re.M)
PLAYBOOK_PARTS = ("About", "Suggested Actions", "Transparency & Documentation", "AI Transparency Resources", "References")


def _playbook(doc: ParsedDocument) -> list[Unit]:
    text = doc.text
    units: list[Unit] = []
    about = re.search(r"^About the Playbook$", text, re.M)
    if about:  # the foreword page (its heading is printed at the page's foot)
        page_start = max(s for s in doc.page_starts if s <= about.start())
        units.append(Unit(page_start, page_start, "About the Playbook", "about-the-playbook",
                          ("About the Playbook",), "front"))
    functions = [m for m in _PLAYBOOK_FUNCTION.finditer(text) if m.group(2).upper() == m.group(1)]
    for i, f in enumerate(functions):
        end = functions[i + 1].start() if i + 1 < len(functions) else len(text)
        name = f.group(1)
        units.append(Unit(f.start(), f.end(), name, slugify(name), (name,), "function"))
        units += _playbook_subcategories(text, name, f.end(), end)
    return units


def _playbook_subcategories(text: str, function: str, start: int, end: int) -> list[Unit]:
    units: list[Unit] = []
    heads = _increasing([m for m in _PLAYBOOK_SUBCATEGORY.finditer(text, start, end) if m.group(1) == function])
    for i, m in enumerate(heads):
        sub_end = heads[i + 1].start() if i + 1 < len(heads) else end
        parts = _find_in_order(text, m.end(), [(rf"^{re.escape(p)}$", p) for p in PLAYBOOK_PARTS])
        parts = [p for p in parts if p[0] < sub_end]
        locator = f"{function} {m.group(2)}.{m.group(3)}"
        statement_end = parts[0][0] if parts else sub_end
        sub_title = f"{locator}: {collapse(text[m.end() : statement_end])}"
        units.append(Unit(m.start(), m.end(), locator, slugify(locator), (function, sub_title), "subcategory"))
        for p_start, p_body, part in parts:
            units.append(Unit(p_start, p_body, f"{locator} — {part}", slugify(f"{locator} {part}"),
                              (function, sub_title, part)))
    return units


def _increasing(heads: list[re.Match[str]]) -> list[re.Match[str]]:
    """Subcategory heading lines whose numbers increase (a stray reference line is dropped)."""
    kept: list[re.Match[str]] = []
    for m in heads:
        key = (int(m.group(2)), int(m.group(3)))
        if not kept or key > (int(kept[-1].group(2)), int(kept[-1].group(3))):
            kept.append(m)
    return kept
