"""Structure of the ASEAN Guide on AI Governance and Ethics (family "asean_guide"), on the real text.

Pages are the Guide's printed page numbers (the .txt is a pdftotext -layout extraction). Facts
checked against the table of contents (page 2) and the body: B.1 opens on page 11, C.1 on page 18,
Annex A on page 60 (its divider), the six use cases of Annex B on pages 74, 76, 78, 80, 83, 85.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.parse import parse
from index.sources import fetch, load_manifest
from index.structure import recognise
from index.types import ParsedDocument, Section

DOC_ID = "asean-guide-ai-governance-ethics-2024"


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    return primary if primary.is_dir() else Path.cwd().parent / "shared" / "corpus"


CORPUS = _corpus_dir()
pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def parsed() -> tuple[ParsedDocument, list[Section]]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the repo)")
    source = next(s for s in load_manifest() if s.document_id == DOC_ID)
    doc = parse(DOC_ID, fetch(source, [CORPUS], Path("/tmp/policy-assistant-test-cache"), allow_download=False),
                source.format)
    return doc, recognise(source, doc)


def _by_slug(sections: list[Section]) -> dict[str, Section]:
    return {s.slug: s for s in sections}


def _page(doc: ParsedDocument, section: Section) -> int:
    return doc.page_at(section.char_start)


def test_sections_cover_the_text_without_overlap(parsed):
    doc, sections = parsed
    assert sections[0].char_start == 0 and sections[0].kind == "front"
    assert sections[-1].char_end == len(doc.text)
    for a, b in zip(sections, sections[1:]):
        assert a.char_end == b.char_start
    slugs = [s.slug for s in sections]
    assert len(slugs) == len(set(slugs))


def test_every_part_and_principle_is_found(parsed):
    _, sections = parsed
    slugs = _by_slug(sections)
    expected = ["executive-summary", "a", "a-1", "a-2", "a-3", "a-4", "b"] + [f"b-{n}" for n in range(1, 8)]
    expected += ["c", "c-1", "c-2", "c-3", "c-4", "d", "e", "f", "annex-a", "annex-b"]
    assert [s for s in expected if s not in slugs] == []
    principles = [s for s in sections if s.kind == "principle"]
    assert [s.locator for s in principles] == [
        "Section B.1 Transparency and Explainability", "Section B.2 Fairness and Equity",
        "Section B.3 Security and Safety", "Section B.4 Human-centricity", "Section B.5 Privacy and Data Governance",
        "Section B.6 Accountability and Integrity", "Section B.7 Robustness and Reliability"]


def test_pages_match_the_table_of_contents(parsed):
    doc, sections = parsed
    slugs = _by_slug(sections)
    # printed pages from the contents page: parts open on their divider pages
    expected = {"executive-summary": 3, "a": 6, "a-1": 8, "a-4": 9, "b": 10, "b-1": 11, "b-2": 12, "b-3": 13,
                "b-4": 14, "b-5": 14, "b-6": 15, "b-7": 16, "c": 17, "c-1": 18, "c-2": 23, "c-3": 27, "c-4": 41,
                "d": 46, "e": 53, "f": 58, "annex-a": 60, "annex-b": 73}
    assert {slug: _page(doc, slugs[slug]) for slug in expected} == expected


def test_locators_of_numbered_sections(parsed):
    _, sections = parsed
    slugs = _by_slug(sections)
    assert slugs["c-2"].locator == "Section C.2 Determining the level of human involvement in AI-augmented decision-making"
    assert slugs["a-4"].locator == "Section A.4 Definitions"
    assert slugs["f"].locator == "Section F Conclusion"
    assert slugs["c-2"].section_path == ("Section C AI Governance Framework", slugs["c-2"].locator)


def test_section_text_starts_with_its_heading(parsed):
    doc, sections = parsed
    slugs = _by_slug(sections)
    assert doc.text[slugs["b-1"].char_start:].startswith("1. Transparency and Explainability\n")
    assert doc.text[slugs["c-1"].char_start:].startswith("1. Internal governance structures and measures\n")
    assert doc.text[slugs["a"].char_start:].startswith("Introduction")  # the divider page of Part A
    assert "Transparency refers to providing disclosure" in doc.text[slugs["b-1"].char_start:slugs["b-1"].char_end]


def test_sub_headings_of_operations_management_and_recommendations(parsed):
    doc, sections = parsed
    slugs = _by_slug(sections)
    data = slugs["c-3-data-collection-and-processing"]
    assert data.locator == "Section C.3 Operations management — Data collection and processing"
    assert _page(doc, data) == 30
    assert _page(doc, slugs["c-3-explainability"]) == 35
    assert slugs["c-3-explainability"].section_path[-2] == "Section C.3 Operations management — Modelling"
    d_subs = [s for s in sections if s.slug.startswith("d-")]
    e_subs = [s for s in sections if s.slug.startswith("e-")]
    assert len(d_subs) == 5 and len(e_subs) == 3
    assert "Section E, Adaptation of this Guide to address governance of generative AI" in [s.locator for s in e_subs]


def test_illustration_boxes_are_their_own_units(parsed):
    doc, sections = parsed
    boxes = [s for s in sections if "— Illustration:" in s.locator]
    assert len(boxes) == 13
    aboitiz = _by_slug(sections)["c-1-illustration-aboitiz-group"]
    assert aboitiz.locator == "Section C.1 Internal governance structures and measures — Illustration: Aboitiz Group"
    assert _page(doc, aboitiz) == 21
    assert doc.text[aboitiz.char_start:].startswith("ABOITIZ GROUP\nIllustration on")


def test_annex_a_questions_in_sequence(parsed):
    doc, sections = parsed
    questions = [s.locator.removeprefix("Annex A, question ") for s in sections if s.locator.startswith("Annex A, question")]
    expected = [f"1.{n}" for n in range(1, 5)] + [f"2.{n}" for n in range(1, 5)] + [f"3.{n}" for n in range(1, 5)]
    expected += [f"4.{n}" for n in range(1, 24)] + [f"5.{n}" for n in range(1, 5)]
    assert questions == expected
    q23 = _by_slug(sections)["annex-a-q-2-3"]
    assert _page(doc, q23) == 63
    assert doc.text[q23.char_start:].startswith("2.3 Are the roles and")


def test_annex_b_use_cases(parsed):
    doc, sections = parsed
    cases = [s for s in sections if s.locator.startswith("Annex B, use case")]
    assert [s.locator for s in cases] == [
        "Annex B, use case 1 (Aboitiz Group)", "Annex B, use case 2 (EY)", "Annex B, use case 3 (Gojek)",
        "Annex B, use case 4 (UCARE.AI)", "Annex B, use case 5 (Smart Nation Group (SNG), Singapore)",
        "Annex B, use case 6 (Ministry of Education, Singapore)"]
    assert [_page(doc, s) for s in cases] == [74, 76, 78, 80, 83, 85]
    assert doc.text[cases[2].char_start:].startswith("Gojek is an Indonesian")


def test_no_section_opens_on_the_contents_page_or_mid_sentence(parsed):
    doc, sections = parsed
    for s in sections[1:]:
        assert _page(doc, s) != 2, s.locator  # the contents page is front matter only
        assert s.char_start == 0 or doc.text[s.char_start - 1] == "\n", s.locator
        first_line = doc.text[s.char_start:].split("\n", 1)[0]
        assert not re.search(r"\s\d{2}$", first_line), s.locator  # not a contents entry ("… 46")
