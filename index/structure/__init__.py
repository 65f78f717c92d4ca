"""Structure recognisers, one per document family, chosen by the manifest's ``family`` field.

Each module exposes ``recognise(doc: ParsedDocument) -> list[Section]`` returning sorted,
non-overlapping leaf sections with real locators ("Article 50(1)", "GOVERN 1.1", "Section C.2").
Unknown families and user documents use the generic recogniser (headings, else pages).
"""

from __future__ import annotations

import importlib

from ..types import ParsedDocument, Section, Source

FAMILIES = {
    "eu_act": "eu_act",
    "nist_rmf": "nist",
    "nist_genai": "nist",
    "nist_playbook": "nist",
    "asean_guide": "asean",
    "numbered": "numbered",
    "oecd": "intl",
    "unesco": "intl",
    "g7": "intl",
    "coe": "eu_act",
    "generic": "generic",
}


def recognise(source: Source, doc: ParsedDocument) -> list[Section]:
    """Leaf sections of ``doc`` for the family of ``source`` (generic when unknown)."""
    module_name = FAMILIES.get(source.family or "generic", "generic")
    module = importlib.import_module(f"{__name__}.{module_name}")
    sections = module.recognise(doc, source.family or "generic", source.document_id)
    return _validated(sections, len(doc.text))


def _validated(sections: list[Section], text_len: int) -> list[Section]:
    """Sorted, clipped to the text, without overlaps (a recogniser bug must never corrupt spans)."""
    out: list[Section] = []
    last_end = 0
    for s in sorted(sections, key=lambda s: s.char_start):
        start, end = max(s.char_start, last_end), min(s.char_end, text_len)
        if end <= start:
            continue
        if (start, end) != (s.char_start, s.char_end):
            from dataclasses import replace

            s = replace(s, char_start=start, char_end=end)
        out.append(s)
        last_end = end
    return out
