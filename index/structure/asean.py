"""Structure of the ASEAN Guide on AI Governance and Ethics (2024) (family "asean_guide").

The Guide is cited by lettered part and numbered sub-section ("Section C.2", "Section B.1
Transparency and Explainability"), by the unnumbered sub-headings inside a part ("Section C.3
Operations management — Data collection and processing"), by the use-case boxes printed inside a
part ("Section C.1 … — Illustration: Aboitiz Group"), and in the annexes by question ("Annex A,
question 2.3") and use case ("Annex B, use case 3 (Gojek)").

The outline is fixed (one document), so the titles are listed here; the recogniser only finds
where each heading starts. Every heading is matched at a line start, in order, after the table of
contents, so the contents page, the executive summary (which repeats many titles) and
cross-references never open a section. A part opens on its divider page ("Introduction" alone on
page 6), which is the page the table of contents gives for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import ParsedDocument, Section
from .base import Heading, page_sections, sections_from_headings, slugify


@dataclass(frozen=True)
class _Part:
    letter: str  # "A".."F"; "" for the executive summary; "Annex A"/"Annex B"
    title: str
    pattern: str  # the heading line in the body (regex, anchored at a line start)
    subsections: tuple[str, ...] = ()  # numbered "1. Objectives" … (titles, in order)
    subheadings: tuple[tuple[str, int], ...] = ()  # unnumbered (title, depth) in order


_C3_SUBHEADINGS = (
    ("Project governance and problem statement definition", 3),
    ("Data collection and processing", 3),
    ("Modelling", 3),
    ("Explainability", 4),
    ("Robustness", 4),
    ("Outcome analysis", 3),
    ("Deployment and Monitoring", 3),
)

_PARTS = (
    _Part("", "Executive Summary", r"Executive Summary"),
    _Part("A", "Introduction", r"A\. Introduction",
          ("Objectives", "Assumptions", "Target Audience", "Definitions")),
    _Part("B", "Guiding Principles for the Framework", r"B\. Guiding Principles for the Framework",
          ("Transparency and Explainability", "Fairness and Equity", "Security and Safety", "Human-centricity",
           "Privacy and Data Governance", "Accountability and Integrity", "Robustness and Reliability")),
    _Part("C", "AI Governance Framework", r"C\. AI Governance Framework",
          ("Internal governance structures and measures",
           "Determining the level of human involvement in AI-augmented decision-making",
           "Operations management", "Stakeholder interaction and communication")),
    _Part("D", "National-level Recommendations", r"D\. National-level Recommendations", (), (
        ("Nurturing AI talent and upskilling workforce", 2),
        ("Supporting AI innovation ecosystem and promoting investment in AI start-ups", 2),
        ("Investing in AI research and development", 2),
        ("Promoting adoption of useful tools by businesses to implement the ASEAN Guide on AI Governance and Ethics", 2),
        ("Raising awareness among citizens on the effects of AI in society", 2))),
    _Part("E", "Regional-level Recommendations", r"E\. Regional-level Recommendations", (), (
        ("Setting up an ASEAN Working Group on AI Governance to drive and oversee AI governance initiatives in the region", 2),
        ("Adaptation of this Guide to address governance of generative AI", 2),
        ("Compiling a compendium of use cases demonstrating practical implementation of the Guide by organisations operating in ASEAN", 2))),
    _Part("F", "Conclusion", r"(?:F\. )?Conclusion"),
    _Part("Annex A", "AI Risk Impact Assessment Template", r"Annex A: AI Risk Impact Assessment Template"),
    _Part("Annex B", "Use Cases", r"Annex B: Use Cases"),
)

# Annex A groups its questions under the four components of Part C, after "1. Objectives".
_ANNEX_A_GROUPS = ("Objectives of deploying AI", "Internal governance structures and measures",
                   "Determining the level of human involvement in AI-augmented decision-making",
                   "Operations management", "Stakeholder interaction and communication")


def recognise(doc: ParsedDocument, family: str, document_id: str) -> list[Section]:
    body = _after_contents(doc)
    parts = _find_parts(doc, body)
    if len(parts) < 5:  # not the layout this recogniser knows: never invent structure
        return page_sections(doc)
    headings: list[Heading] = []
    for i, (part, start) in enumerate(parts):
        end = parts[i + 1][1] if i + 1 < len(parts) else len(doc.text)
        headings.extend(_part_headings(doc, part, start, end))
    return sections_from_headings(doc, headings, front_locator="Contents")


# --- parts -------------------------------------------------------------------------------------


def _after_contents(doc: ParsedDocument) -> int:
    """Offset after the table-of-contents page (0 when there is none)."""
    m = re.search(r"^Contents$", doc.text, re.M)
    if not m:
        return 0
    page = doc.page_numbers.index(doc.page_at(m.start()))
    return doc.page_starts[page + 1] if page + 1 < len(doc.page_starts) else 0


def _find_parts(doc: ParsedDocument, offset: int) -> list[tuple[_Part, int]]:
    """Each part's start, found in order; a part opens on its divider page when it has one."""
    found: list[tuple[_Part, int]] = []
    for part in _PARTS:
        m = re.compile(rf"^{part.pattern}$", re.M).search(doc.text, offset)
        if not m:
            continue
        found.append((part, _divider_start(doc, m.start(), found[-1][1] if found else 0)))
        offset = m.end()
    return found


def _divider_start(doc: ParsedDocument, heading: int, previous: int) -> int:
    """The start of the divider page before ``heading`` ("Introduction" alone), else ``heading``."""
    i = doc.page_numbers.index(doc.page_at(heading))
    if i == 0 or doc.page_starts[i - 1] <= previous:
        return heading
    divider = _words(doc.text[doc.page_starts[i - 1] : doc.page_starts[i]])
    heading_line = doc.text[heading : doc.text.find("\n", heading)]
    if 0 < len(divider) <= 8 and divider <= _words(heading_line):
        return doc.page_starts[i - 1]
    return heading


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text.lower()))


def _part_headings(doc: ParsedDocument, part: _Part, start: int, end: int) -> list[Heading]:
    if part.letter == "Annex A":
        return [_annex_heading(part, start)] + _annex_a_questions(doc, start, end)
    if part.letter == "Annex B":
        return [_annex_heading(part, start)] + _use_cases(doc, start, end)
    if not part.letter:
        return [Heading(start, 0, part.title, slugify(part.title), part.title, "section")]
    top = Heading(start, 0, f"Section {part.letter} {part.title}", part.letter.lower(),
                  f"Section {part.letter} {part.title}", "section")
    heads = [top] + _numbered(doc, part, start, end) + _unnumbered(doc, top, part.subheadings, start, end)
    heads.sort(key=lambda h: h.offset)
    return heads + _illustrations(doc, heads, end)


def _annex_heading(part: _Part, start: int) -> Heading:
    label = f"{part.letter} {part.title}"
    return Heading(start, 0, label, slugify(part.letter), label, "annex")


# --- inside a lettered part ----------------------------------------------------------------------


def _numbered(doc: ParsedDocument, part: _Part, start: int, end: int) -> list[Heading]:
    """"1. Objectives" … found in order inside the part ("Section A.1 Objectives")."""
    out: list[Heading] = []
    offset = start
    for n, title in enumerate(part.subsections, start=1):
        m = re.compile(rf"^{n}\. {re.escape(title)}$", re.M).search(doc.text, offset, end)
        if not m:
            continue
        label = f"Section {part.letter}.{n} {title}"
        kind = "principle" if part.letter == "B" else "section"
        out.append(Heading(m.start(), 1, label, f"{part.letter.lower()}-{n}", label, kind))
        offset = m.end()
    if part.letter == "C":  # Operations management has the lifecycle stages as sub-headings
        c3 = next((h for h in out if h.slug == "c-3"), None)
        if c3:
            c3_end = next((h.offset for h in out if h.offset > c3.offset), end)
            out += _unnumbered(doc, c3, _C3_SUBHEADINGS, c3.offset, c3_end)
    return out


def _unnumbered(doc: ParsedDocument, parent: Heading, titles: tuple[tuple[str, int], ...],
                start: int, end: int) -> list[Heading]:
    """Unnumbered sub-headings, matched in order on a line of their own (wrapped titles by their
    first line): "Section C.3 Operations management — Data collection and processing"."""
    out: list[Heading] = []
    offset = start
    for title, depth in titles:
        m = re.compile(rf"^{re.escape(_first_line(doc, title, offset, end))}$", re.M).search(doc.text, offset, end)
        if not m:
            continue
        # "Section E, Adaptation of this Guide …"; under a numbered section "Section C.3 … — Data …"
        label = f"Section {parent.slug.upper()}, {title}" if parent.depth == 0 else f"{parent.locator} — {title}"
        slug = f"{parent.slug}-{slugify(' '.join(title.split()[:6]))}"  # short but unique in the part
        out.append(Heading(m.start(), depth, label, slug, label, parent.kind))
        offset = m.end()
    return out


def _first_line(doc: ParsedDocument, title: str, start: int, end: int) -> str:
    """The longest prefix of ``title`` (in words) that is a whole line in the span."""
    words = title.split()
    for k in range(len(words), 0, -1):
        prefix = " ".join(words[:k])
        if re.search(rf"^{re.escape(prefix)}$", doc.text[start:end], re.M):
            return prefix
    return title


# Use-case boxes inside a part: the organisation in capitals, then "Illustration on …".
_ILLUSTRATION = re.compile(r"^([A-Z][A-Z0-9 .,()&'’-]{1,60})\nIllustration (?:on|for) ", re.M)


def _illustrations(doc: ParsedDocument, heads: list[Heading], end: int) -> list[Heading]:
    """"Section C.1 … — Illustration: Aboitiz Group" for each box, under the heading it sits in."""
    out: list[Heading] = []
    for m in _ILLUSTRATION.finditer(doc.text, heads[0].offset, end):
        parent = max((h for h in heads if h.offset <= m.start()), key=lambda h: h.offset)
        name = _use_case_name(m.group(1).strip())
        slug = f"{parent.slug}-illustration-{slugify(name)}"
        label = f"{parent.locator} — Illustration: {name}"
        out.append(Heading(m.start(), parent.depth + 1, label, slug, label, parent.kind))
    return out


_USE_CASE_NAMES = ("Aboitiz Group", "EY", "Gojek", "UCARE.AI", "Smart Nation Group (SNG), Singapore",
                   "Ministry of Education, Singapore")


def _use_case_name(caps: str) -> str:
    return next((n for n in _USE_CASE_NAMES if n.upper() == caps.upper()), caps.title())


# --- annexes -----------------------------------------------------------------------------------


def _annex_a_questions(doc: ParsedDocument, start: int, end: int) -> list[Heading]:
    """The assessment's groups ("1. Objectives of deploying AI") and questions ("1.1 Has …"), in
    sequence: a group heading repeated on a continuation page, or a number out of order, is text."""
    out: list[Heading] = []
    group, question = 0, 0
    for m in re.finditer(r"^(\d)\.(\d{1,2})? ", doc.text[start:end], re.M):
        g, q = int(m.group(1)), int(m.group(2) or 0)
        offset = start + m.start()
        if not q and g == group + 1 and g <= len(_ANNEX_A_GROUPS):
            group, question = g, 0
            title = f"Annex A, section {g} {_ANNEX_A_GROUPS[g - 1]}"
            out.append(Heading(offset, 1, title, f"annex-a-{g}", title, "annex"))
        elif q and g == group and q == question + 1:
            question = q
            out.append(Heading(offset, 2, f"Annex A, question {g}.{q}", f"annex-a-q-{g}-{q}",
                               f"Annex A, question {g}.{q}", "annex"))
    return out


def _use_cases(doc: ParsedDocument, start: int, end: int) -> list[Heading]:
    """Each use case opens a page; the table of contents gives the page of each (names are images
    in the body). "Annex B, use case 3 (Gojek)"."""
    out: list[Heading] = []
    for n, (name, page) in enumerate(_contents_use_cases(doc), start=1):
        if page not in doc.page_numbers:
            continue
        offset = doc.page_starts[doc.page_numbers.index(page)]
        first = re.match(r"Annex B: Use Cases\n+", doc.text[offset:])
        offset += first.end() if first else 0
        if start < offset < end:
            label = f"Annex B, use case {n} ({name})"
            out.append(Heading(offset, 1, label, f"annex-b-{n}", label, "annex"))
    return out


def _contents_use_cases(doc: ParsedDocument) -> list[tuple[str, int]]:
    """("Aboitiz Group", 74) … from the contents page: numbered entries after Annex B's page."""
    end = _after_contents(doc)
    contents = doc.text[:end]
    annex_b = re.search(r"Annex B: Use Cases (\d+)", contents)
    if not annex_b:
        return []
    entries = re.findall(r"(?:^| )(\d)\. ([^\n]+?) (\d{2})(?= |$)", contents, re.M)
    cases = sorted((int(p), int(n), name) for n, name, p in entries if int(p) > int(annex_b.group(1)))
    return [(name, page) for page, _, name in cases]

