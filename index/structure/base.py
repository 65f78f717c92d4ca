"""Shared machinery of the structure recognisers: headings found in the text -> leaf Sections.

A recogniser finds Headings (offset in the document text, depth, locator, slug, title); this
module turns them into non-overlapping leaf sections: each heading's section runs from its
offset to the next heading's offset, and carries the titles of its ancestors as section path.
Chunking never crosses these boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import ParsedDocument, Section


@dataclass(frozen=True)
class Heading:
    offset: int  # where the section starts in ParsedDocument.text
    depth: int  # 0 = top level (Chapter, Function); larger = nested
    locator: str  # human label used in citations: "Article 50(1)", "GOVERN 1.1"
    slug: str  # stable id part: "art-50-1", "govern-1-1"
    title: str = ""  # shown in the section path: "Article 50 Transparency obligations ..."
    kind: str = "section"
    leaf: bool = True  # False: a container heading (Chapter) whose own text is short front matter


def sections_from_headings(doc: ParsedDocument, headings: list[Heading], front_locator: str = "Front matter") -> list[Section]:
    """Leaf sections between consecutive headings, with ancestor titles as section path."""
    headings = sorted(headings, key=lambda h: h.offset)
    sections: list[Section] = []
    end_of_text = len(doc.text)
    first = headings[0].offset if headings else end_of_text
    if doc.text[:first].strip():
        sections.append(Section(front_locator, slugify(front_locator), (front_locator,), 0, first, "front"))
    stack: list[Heading] = []
    for i, h in enumerate(headings):
        while stack and stack[-1].depth >= h.depth:
            stack.pop()
        stack.append(h)
        end = headings[i + 1].offset if i + 1 < len(headings) else end_of_text
        if not doc.text[h.offset:end].strip():
            continue
        path = tuple(x.title or x.locator for x in stack)
        sections.append(Section(h.locator, h.slug, path, h.offset, end, h.kind))
    return sections


def slugify(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "section"


def line_starts(text: str, pattern: str, flags: int = re.M) -> list[re.Match[str]]:
    """Matches of ``pattern`` anchored at line starts (pattern should begin with ^)."""
    return list(re.finditer(pattern, text, flags))


def page_sections(doc: ParsedDocument) -> list[Section]:
    """Fallback: one section per page, located as "page N" (or "Text" without pages)."""
    out = []
    for i, start in enumerate(doc.page_starts):
        end = doc.page_starts[i + 1] if i + 1 < len(doc.page_starts) else len(doc.text)
        if not doc.text[start:end].strip():
            continue
        n = doc.page_numbers[i]
        label = f"Page {n}" if doc.has_pages else "Text"
        out.append(Section(label, f"p{n}", (label,), start, end, "page"))
    return out
