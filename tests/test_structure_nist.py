"""Structure of the NIST documents (index/structure/nist.py) on the real corpus.

AI RMF 1.0: numbered sections and the Core's 72 subcategories; AI 600-1: 12 GAI risks and the
suggested actions "GV-1.1-001" ...; Playbook: every subcategory with its parts. Pages are PDF
pages (1-based), as ``ParsedDocument.page_at`` reports them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.errors import SourceError
from index.parse import parse
from index.sources import fetch, load_manifest
from index.structure import recognise
from index.structure import nist
from index.types import ParsedDocument, Section


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    return primary if primary.is_dir() else Path.cwd().parent / "shared" / "corpus"


CORPUS = _corpus_dir()
KINDS = {"article", "recital", "annex", "subcategory", "category", "function", "action", "risk", "paragraph",
         "principle", "section", "front"}

# Subcategories per category of the AI RMF 1.0 Core (Tables 1-4).
CORE = {
    "GOVERN": {1: 7, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2},
    "MAP": {1: 6, 2: 3, 3: 5, 4: 2, 5: 2},
    "MEASURE": {1: 3, 2: 13, 3: 3, 4: 3},
    "MANAGE": {1: 4, 2: 4, 3: 2, 4: 3},
}
ALL_SUBCATEGORIES = {f"{f} {c}.{s}" for f, cats in CORE.items() for c, n in cats.items() for s in range(1, n + 1)}


def _load(document_id: str, cache: Path) -> tuple[ParsedDocument, list[Section]]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the repo)")
    source = next(s for s in load_manifest() if s.document_id == document_id)
    try:
        path = fetch(source, [CORPUS], cache, allow_download=False)
    except SourceError as exc:
        pytest.skip(f"{document_id} not in the corpus: {exc}")
    doc = parse(source.document_id, path, source.format)
    return doc, recognise(source, doc)


@pytest.fixture(scope="module")
def rmf(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("nist-ai-rmf-1.0", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def genai(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("nist-ai-600-1-genai-profile", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def playbook(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("nist-ai-rmf-playbook", tmp_path_factory.mktemp("cache"))


def by_locator(sections: list[Section]) -> dict[str, Section]:
    return {s.locator: s for s in sections}


def text_of(doc: ParsedDocument, s: Section) -> str:
    return doc.text[s.char_start : s.char_end]


def assert_well_formed(doc: ParsedDocument, sections: list[Section]) -> None:
    """Sorted, disjoint, at line starts, unique slugs; what no section covers is only headings/furniture."""
    slugs = [s.slug for s in sections]
    assert len(slugs) == len(set(slugs))
    for a, b in zip(sections, sections[1:]):
        assert a.char_end <= b.char_start
    for s in sections:
        assert s.kind in KINDS and s.locator and s.section_path
        assert text_of(doc, s).strip()
        assert s.char_start == 0 or doc.text[s.char_start - 1] == "\n", s.locator
    covered = sum(len(text_of(doc, s).split()) for s in sections)
    assert covered >= 0.98 * len(doc.text.split())


# ---------------------------------------------------------------------------- AI RMF 1.0


def test_rmf_well_formed(rmf):
    assert_well_formed(*rmf)


def test_rmf_has_the_72_subcategories_per_function(rmf):
    doc, sections = rmf
    subs = [s for s in sections if s.kind == "subcategory"]
    assert len(subs) == 72
    assert {s.locator for s in subs} == ALL_SUBCATEGORIES
    for function, cats in CORE.items():
        assert sum(s.locator.startswith(function + " ") for s in subs) == sum(cats.values())
    assert [s.locator for s in sections if s.kind == "category"] == [f"{f} {c}" for f, cats in CORE.items() for c in cats]


def test_rmf_subcategory_text_slug_path_and_page(rmf):
    doc, sections = rmf
    s = by_locator(sections)["GOVERN 1.1"]
    assert s.slug == "govern-1-1" and s.kind == "subcategory"
    assert text_of(doc, s).startswith("GOVERN 1.1: Legal and regulatory requirements involving AI")
    assert s.section_path == (
        "5.1 Govern",
        "GOVERN 1: Policies, processes, procedures, and practices across the organization related to the mapping, "
        "measuring, and managing of AI risks are in place, transparent, and implemented effectively.",
        "GOVERN 1.1: Legal and regulatory requirements involving AI are understood, managed, and documented.",
    )
    assert doc.page_at(s.char_start) == 27
    m = by_locator(sections)["MEASURE 2.11"]
    assert m.slug == "measure-2-11" and doc.page_at(m.char_start) == 35
    assert text_of(doc, m).startswith("MEASURE 2.11: Fairness and bias – as identified in the MAP")
    assert m.section_path[:2] == ("5.3 Measure", "MEASURE 2: AI systems are evaluated for trustworthy characteristics.")


def test_rmf_core_table_furniture_stays_out_of_subcategories(rmf):
    doc, sections = rmf
    for s in sections:
        if s.kind in ("subcategory", "category"):
            body = text_of(doc, s)
            assert "Categories Subcategories" not in body and "(Continued)" not in body, s.locator
    # GOVERN 4's category cell is split over pages 28-29: its tail belongs to the category title
    govern_4 = by_locator(sections)["GOVERN 4.1"].section_path[1]
    assert govern_4 == "GOVERN 4: Organizational teams are committed to a culture that considers and communicates AI risk."
    assert "communicates AI" not in text_of(doc, by_locator(sections)["GOVERN 4.1"])


def test_rmf_numbered_sections_and_appendices(rmf):
    doc, sections = rmf
    loc = by_locator(sections)
    for locator, slug, page in [
        ("Section 1 Framing Risk", "sec-1", 9),
        ("Section 1.2.1 Risk Measurement", "sec-1-2-1", 10),
        ("Section 2 Audience", "sec-2", 14),
        ("Section 3.7 Fair – with Harmful Bias Managed", "sec-3-7", 22),
        ("Section 5.1 Govern", "sec-5-1", 26),
        ("Section 6 AI RMF Profiles", "sec-6", 38),
        ("Appendix B: How AI Risks Differ from Traditional Software Risks", "appendix-b", 43),
    ]:
        assert loc[locator].slug == slug and doc.page_at(loc[locator].char_start) == page, locator
    assert loc["Section 1.2.1 Risk Measurement"].section_path == (
        "Part 1: Foundational Information", "1. Framing Risk", "1.2 Challenges for AI Risk Management", "1.2.1 Risk Measurement")
    assert loc["Executive Summary"].kind == "section" and loc["Section 5.1 Govern"].kind == "function"
    # the table of contents and the numbered lists of the appendices start no section
    assert sections[0].kind == "front" and "Table of Contents" in text_of(doc, sections[0])
    for s in sections:
        if s.slug.startswith("sec-"):
            number = s.locator.split()[1]
            assert re.match(re.escape(number) + r"\.? ", text_of(doc, s)), s.locator


# ---------------------------------------------------------------------------- AI 600-1


def test_genai_well_formed(genai):
    assert_well_formed(*genai)


def test_genai_has_the_12_risks(genai):
    doc, sections = genai
    risks = [s for s in sections if s.kind == "risk"]
    assert [s.slug for s in risks] == [f"risk-2-{n}" for n in range(1, 13)]
    assert risks[0].locator == "Risk 2.1 CBRN Information or Capabilities"
    assert risks[-1].locator == "Risk 2.12 Value Chain and Component Integration"
    assert risks[0].section_path == ("2. Overview of Risks Unique to or Exacerbated by GAI", "2.1. CBRN Information or Capabilities")
    assert doc.page_at(risks[0].char_start) == 9
    # the numbered overview list ("1. CBRN Information or Capabilities: Eased access ...") is not a risk section
    assert all(text_of(doc, s).startswith(s.locator.split()[1] + ". ") for s in risks)


def test_genai_actions_unique_in_sequence_under_their_subcategory(genai):
    doc, sections = genai
    actions = [s for s in sections if s.kind == "action"]
    assert len(actions) == 212
    assert len({s.locator for s in actions}) == len(actions)
    per_subcategory: dict[str, list[int]] = {}
    for s in actions:
        m = re.fullmatch(r"(GV|MP|MS|MG)-(\d+\.\d+)-(\d{3})", s.locator)
        assert m and s.slug == s.locator.lower().replace(".", "-")
        subcategory = f"{nist.ACTION_FUNCTION[m.group(1)]} {m.group(2)}"
        assert s.section_path[-2].startswith(subcategory + ": "), s.locator
        per_subcategory.setdefault(subcategory, []).append(int(m.group(3)))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in per_subcategory.values())
    assert set(per_subcategory) <= ALL_SUBCATEGORIES
    assert {s.locator for s in sections if s.kind == "subcategory"} == set(per_subcategory)


def test_genai_known_actions_on_their_pages(genai):
    doc, sections = genai
    loc = by_locator(sections)
    first = loc["GV-1.1-001"]
    assert first.slug == "gv-1-1-001" and doc.page_at(first.char_start) == 17
    assert "Align GAI development and use with applicable laws and regulations" in text_of(doc, first)
    assert first.section_path == (
        "3. Suggested Actions to Manage GAI Risks",
        "GOVERN 1.1: Legal and regulatory requirements involving AI are understood, managed, and documented.",
        "GV-1.1-001",
    )
    assert doc.page_at(loc["MS-2.11-001"].char_start) == 40
    assert doc.page_at(loc["MG-4.3-003"].char_start) == 50
    # printed "GV4.3--001" in the PDF: cited by its canonical id
    assert text_of(doc, loc["GV-4.3-001"]).startswith("GV4.3--001\nEstablish policies for measuring the effectiveness")
    # "GV-1.1-002" is only mentioned in the explanation of the ids, never a row
    assert "GV-1.1-002" not in loc


def test_genai_sections_and_appendix(genai):
    doc, sections = genai
    loc = by_locator(sections)
    assert loc["Section 1 Introduction"].slug == "sec-1"
    assert loc["Section 3 Suggested Actions to Manage GAI Risks"].slug == "sec-3"
    a18 = loc["Appendix A.1.8 Incident Disclosure"]
    assert a18.section_path == ("Appendix A. Primary GAI Considerations", "A.1. Governance", "A.1.8. Incident Disclosure")
    assert doc.page_at(loc["Appendix B References"].char_start) == 58


# ---------------------------------------------------------------------------- Playbook


def test_playbook_well_formed(playbook):
    assert_well_formed(*playbook)


def test_playbook_has_all_72_subcategories_with_their_parts(playbook):
    doc, sections = playbook
    subs = [s for s in sections if s.kind == "subcategory"]
    assert len(subs) == 72 and {s.locator for s in subs} == ALL_SUBCATEGORIES
    loc = by_locator(sections)
    for sub in ALL_SUBCATEGORIES:
        for part in nist.PLAYBOOK_PARTS:
            s = loc[f"{sub} — {part}"]
            assert text_of(doc, s).startswith(part + "\n") and s.section_path[-1] == part
    assert [s.locator for s in sections if s.kind == "function"] == ["GOVERN", "MANAGE", "MAP", "MEASURE"]


def test_playbook_locators_slugs_and_pages(playbook):
    doc, sections = playbook
    loc = by_locator(sections)
    actions = loc["GOVERN 1.1 — Suggested Actions"]
    assert actions.slug == "govern-1-1-suggested-actions" and doc.page_at(actions.char_start) == 7
    assert actions.section_path == (
        "GOVERN", "GOVERN 1.1: Legal and regulatory requirements involving AI are understood, managed, and documented.",
        "Suggested Actions")
    assert "Align risk management efforts with applicable legal standards." in text_of(doc, actions)
    assert doc.page_at(loc["MEASURE 2.11"].char_start) == 121
    # a reference line "Map 1.2" inside MEASURE 1.3's actions starts no section
    assert "\nMap 1.2\n" in text_of(doc, loc["MEASURE 1.3 — Suggested Actions"])


def test_unknown_layout_falls_back_to_pages():
    from index.parse import assemble

    doc = assemble("x", ["Some page of text.", "Another page."], [1, 2])
    sections = nist.recognise(doc, "nist_rmf", "x")
    assert [s.locator for s in sections] == ["Page 1", "Page 2"]
