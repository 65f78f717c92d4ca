"""Structure of the numbered guidance documents (family "numbered"), of the US AI Action Plan and of
user documents (family "generic").

Real-corpus facts below were read in the parsed text (pages are 1-based PDF pages; the UK white
paper is HTML, without pages). The generic recogniser is also checked on small synthetic documents.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from index.parse import assemble, parse
from index.sources import fetch, load_manifest
from index.structure import generic, recognise
from index.structure.generic import toc_pages
from index.types import ParsedDocument, Section


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    return primary if primary.is_dir() else Path.cwd().parent / "shared" / "corpus"


CORPUS = _corpus_dir()
CACHE = Path("/tmp/policy-assistant-test-cache")
NUMBERED = [
    "asean-expanded-guide-genai-2025", "sg-model-ai-governance-framework-2020",
    "sg-model-ai-governance-framework-genai-2024", "sg-mas-feat-principles-2018", "sg-pdpc-advisory-guidelines-ai-2024",
    "id-kominfo-se-9-2023-etika-kecerdasan-artifisial", "us-eo-14110-2023", "uk-ai-white-paper-2023",
    "eu-guidelines-prohibited-practices-2025", "eu-guidelines-ai-system-definition-2025",
    "eu-guidelines-gpai-obligations-2025", "eu-hleg-ethics-guidelines-trustworthy-ai-2019",
]
GENERIC = ["us-ai-action-plan-2025"]


@lru_cache(maxsize=None)
def _parsed(document_id: str) -> tuple[ParsedDocument, list[Section]]:
    source = next(s for s in load_manifest() if s.document_id == document_id)
    doc = parse(document_id, fetch(source, [CORPUS], CACHE, allow_download=False), source.format)
    return doc, recognise(source, doc)


@pytest.fixture(scope="module")
def corpus():
    """Parses each document once for the whole module (on first use)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (expected ../shared/corpus next to the repo)")
    return _parsed


def _slugs(sections: list[Section]) -> dict[str, Section]:
    return {s.slug: s for s in sections}


def _page(doc: ParsedDocument, s: Section) -> int:
    return doc.page_at(s.char_start)


def _starts(doc: ParsedDocument, s: Section, text: str) -> bool:
    return doc.text[s.char_start:].startswith(text)


# --- every document -----------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("document_id", NUMBERED + GENERIC)
def test_sections_are_sound(corpus, document_id):
    """Cover the text in order, unique slugs, open at line starts, never on a contents page."""
    doc, sections = corpus(document_id)
    assert len(sections) >= 15
    assert sections[0].char_start == 0 and sections[-1].char_end == len(doc.text)
    assert all(a.char_end == b.char_start for a, b in zip(sections, sections[1:]))
    slugs = [s.slug for s in sections]
    assert len(slugs) == len(set(slugs))
    contents = {doc.page_numbers[i] for i in toc_pages(doc)}
    for s in sections[1:]:
        inline = s.locator.endswith("(a)") and doc.text[s.char_start - 2:s.char_start] == ". "  # "AI. (a) Within …"
        assert doc.text[s.char_start - 1] == "\n" or inline, s.locator
        assert _page(doc, s) not in contents, s.locator
        first_line = doc.text[s.char_start:].split("\n", 1)[0]
        assert not re.search(r"(?:\.\s?){4,}\s*\d{1,3}$", first_line), s.locator  # "2.3 Scope ....... 4"


# --- per document --------------------------------------------------------------------------------


@pytest.mark.corpus
def test_expanded_asean_guide(corpus):
    doc, sections = corpus("asean-expanded-guide-genai-2025")
    by = _slugs(sections)
    numbered = [s.slug for s in sections if re.fullmatch(r"\d-\d", s.slug)]
    assert numbered == ["1-1", "1-2", "1-3", "2-1", "2-2"] + [f"3-{n}" for n in range(1, 10)]
    assert by["3-7"].locator == "Section 3.7 Content Provenance" and _page(doc, by["3-7"]) == 33
    assert by["2-1"].locator == "Section 2.1 New or Enhanced Risks" and _page(doc, by["2-1"]) == 16
    assert "coherent and persuasive mistakes" in doc.text[by["2-1"].char_start:by["2-1"].char_end]
    assert _page(doc, by["3"]) == 19 and _page(doc, by["1"]) == 5  # chapter 1 opens on its divider page
    assert by["3-2-b"].locator.startswith("Section 3.2(b) Developing a common approach to personal data")
    assert "6" not in by  # "6. Security" in the executive summary's list is not a section


@pytest.mark.corpus
def test_sg_model_framework_paragraphs(corpus):
    doc, sections = corpus("sg-model-ai-governance-framework-2020")
    by = _slugs(sections)
    paragraphs = [s.locator for s in sections if re.fullmatch(r"Paragraph \d\.\d+", s.locator)]
    assert len(paragraphs) == 2 + 15 + 63  # 1.1-1.2, 2.1-2.15, 3.1-3.63 (3.15-3.16 are printed after 3.18)
    assert {f"Paragraph 3.{n}" for n in range(1, 64)} <= set(paragraphs)
    assert by["3-14"].locator == "Paragraph 3.14" and _page(doc, by["3-14"]) == 30
    assert "a product recommendation solution" in doc.text[by["3-14"].char_start:by["3-14"].char_end]
    assert _page(doc, by["3-15"]) == 31
    assert by["3-22"].section_path == ("Section 3 MODEL AI GOVERNANCE FRAMEWORK", "DATA FOR MODEL DEVELOPMENT",
                                       "Paragraph 3.22")
    assert _page(doc, by["operations-management"]) == 35
    assert by["annex-a"].locator.startswith("Annex A: FOR REFERENCE") and _page(doc, by["annex-a"]) == 64


@pytest.mark.corpus
def test_genai_framework_nine_dimensions(corpus):
    doc, sections = corpus("sg-model-ai-governance-framework-genai-2024")
    dims = [s for s in sections if re.fullmatch(r"dimension-\d", s.slug)]
    assert [s.locator for s in dims] == [
        "Dimension 1: Accountability", "Dimension 2: Data", "Dimension 3: Trusted Development and Deployment",
        "Dimension 4: Incident Reporting", "Dimension 5: Testing and Assurance", "Dimension 6: Security",
        "Dimension 7: Content Provenance", "Dimension 8: Safety and Alignment R&D", "Dimension 9: AI for Public Good"]
    assert [_page(doc, s) for s in dims] == [6, 9, 12, 16, 19, 21, 23, 26, 28]  # their divider pages
    by = _slugs(sections)
    assert by["dimension-1-ex-ante-allocation-upfront"].locator == "Dimension 1: Accountability — Ex Ante — Allocation Upfront"
    assert not any(_starts(doc, s, "FOSTERING A TRUSTED AI ECOSYSTEM") for s in sections)  # a running header


@pytest.mark.corpus
def test_feat_fourteen_principles(corpus):
    doc, sections = corpus("sg-mas-feat-principles-2018")
    principles = [s for s in sections if s.kind == "principle"]
    assert [s.slug for s in principles] == [f"principle-{n}" for n in range(1, 15)]
    by = _slugs(sections)
    assert by["principle-1"].locator == "FEAT Principle 1 (Fairness: Justifiability)"
    assert by["principle-5"].locator == "FEAT Principle 5 (Ethics)"
    assert by["principle-10"].locator == "FEAT Principle 10 (Accountability: External Accountability)"
    assert by["principle-14"].locator == "FEAT Principle 14 (Transparency)"
    assert [_page(doc, by[f"principle-{n}"]) for n in (1, 9, 10, 14)] == [4, 4, 5, 5]
    assert _starts(doc, by["principle-13"], "13. Data subjects are provided, upon request")


@pytest.mark.corpus
def test_pdpc_guidelines_parts_and_paragraphs(corpus):
    doc, sections = corpus("sg-pdpc-advisory-guidelines-ai-2024")
    by = _slugs(sections)
    assert [s.locator.split(":")[0] for s in sections if s.slug.startswith("part-")] == [
        "Part I", "Part II", "Part III", "Part IV", "Part V"]
    assert [s.slug for s in sections if re.fullmatch(r"\d+", s.slug)] == [str(n) for n in range(2, 12)]
    assert by["4"].locator == "Section 4 Business Improvement Exception and Research Exception"
    assert _page(doc, by["5-3"]) == 7 and by["5-3"].locator == "Paragraph 5.3"
    assert sum(s.kind == "paragraph" for s in sections) == 70
    # "10.10 above." starts a line inside paragraph 11.7 (a cross-reference): not a paragraph
    assert _starts(doc, by["10-10"], "10.10 Organisations can consider")


@pytest.mark.corpus
def test_indonesian_circular_items_and_values(corpus):
    doc, sections = corpus("id-kominfo-se-9-2023-etika-kecerdasan-artifisial")
    by = _slugs(sections)
    assert [by[str(n)].locator for n in range(1, 8)] == [
        "Section 1 Umum", "Section 2 Maksud dan Tujuan", "Section 3 Ruang Lingkup", "Section 4 Dasar Hukum",
        "Section 5 Definisi", "Section 6 Isi Edaran", "Section 7 Penutup"]
    values = [s.locator for s in sections if s.slug.startswith("6-b-")]
    assert len(values) == 9 and values[0] == "Section 6.b(1) Inklusivitas" and values[6] == "Section 6.b(7) Pelindungan Data Pribadi"
    assert _page(doc, by["6"]) == 7 and _page(doc, by["6-b-5"]) == 8
    assert [s.slug for s in sections if s.slug.startswith("5-")] == ["5-a", "5-b", "5-c", "5-d", "5-e"]
    assert not any(s.slug.startswith("4-") for s in sections)  # OCR lost letters b-g of item 4: kept whole


@pytest.mark.corpus
def test_executive_order_sections_and_subsections(corpus):
    doc, sections = corpus("us-eo-14110-2023")
    by = _slugs(sections)
    assert [by[f"sec-{n}"].locator.split(" ", 2)[1] for n in range(1, 14)] == [str(n) for n in range(1, 14)]
    assert by["sec-4"].locator == "Section 4 Ensuring the Safety and Security of AI Technology"
    assert by["sec-4-2-a"].locator == "Section 4.2(a)" and _page(doc, by["sec-4-2-a"]) == 7
    assert _starts(doc, by["sec-4-2-a"], "(a) Within 90 days")  # opens inside the heading's line
    assert sum(s.slug.startswith("sec-3-") for s in sections) == 33  # definitions (a) … (z), (aa) … (gg)
    assert "sec-10-1-i" in by  # "(i) The initial means …" follows "(h)": a subsection
    assert "sec-10-2-i" not in by  # "(i) recommendations …" after "that includes:": a roman item of (h)


@pytest.mark.corpus
def test_uk_white_paper_paragraphs(corpus):
    doc, sections = corpus("uk-ai-white-paper-2023")
    assert not doc.has_pages
    paragraphs = [s for s in sections if s.kind == "paragraph"]
    assert [int(s.locator.rsplit(" ", 1)[1]) for s in paragraphs] == list(range(1, 128))
    by = _slugs(sections)
    assert by["para-11"].locator == "Executive summary, paragraph 11"
    assert by["para-54"].locator == "Part 3, paragraph 54"
    assert by["para-54"].section_path[:3] == ("Part 3: An innovative and iterative approach",
                                             "Section 3.2 The proposed regulatory framework",
                                             "Section 3.2.3 A principles-based approach")
    assert by["consultation-questions-1-6"].locator == "Consultation questions 1-6"
    assert _starts(doc, by["case-study-3-1"], "Case study 3.1: Natural language processing")
    assert [s.slug for s in sections if s.slug.startswith("part-")] == [f"part-{n}" for n in range(1, 8)]


@pytest.mark.corpus
@pytest.mark.parametrize("document_id, paragraphs", [
    ("eu-guidelines-prohibited-practices-2025", 433),
    ("eu-guidelines-ai-system-definition-2025", 64),
    ("eu-guidelines-gpai-obligations-2025", 144),
])
def test_eu_guidelines_paragraphs_in_sequence(corpus, document_id, paragraphs):
    doc, sections = corpus(document_id)
    numbers = [int(s.locator[len("Paragraph ("):-1]) for s in sections if s.kind == "paragraph"]
    assert numbers == list(range(1, paragraphs + 1))
    for s in sections:
        if s.kind == "paragraph":
            assert _starts(doc, s, f"({s.slug.removeprefix('para-')}) ")


@pytest.mark.corpus
def test_eu_guidelines_sections(corpus):
    doc, sections = corpus("eu-guidelines-prohibited-practices-2025")
    by = _slugs(sections)
    assert by["2-3"].locator.startswith("Section 2.3 Material scope: practices related to the ‘placing on the market’")
    assert _page(doc, by["2-3"]) == 9
    assert by["3"].locator.startswith("Section 3 ARTICLE 5(1)(A) AND (B) AI ACT") and _page(doc, by["3"]) == 22
    assert [s.slug for s in sections if re.fullmatch(r"\d+", s.slug)] == [str(n) for n in range(1, 13)]
    doc, sections = corpus("eu-guidelines-gpai-obligations-2025")
    by = _slugs(sections)
    assert by["2-3-1"].locator == "Section 2.3.1 Classification"
    assert [by[k].locator for k in ("a-1", "a-2-1")] == ["Section A.1 What should be estimated?",
                                                       "Section A.2.1 Hardware-based approach"]
    doc, sections = corpus("eu-guidelines-ai-system-definition-2025")
    assert [s.locator for s in sections if s.kind == "section"][:3] == [
        "I. Purpose of the Guidelines", "II. Objective and main elements of the AI system definition",
        "Section 1 Machine-based system"]


@pytest.mark.corpus
def test_hleg_chapters_and_seven_requirements(corpus):
    doc, sections = corpus("eu-hleg-ethics-guidelines-trustworthy-ai-2019")
    by = _slugs(sections)
    assert [by[c].locator for c in ("ch-i", "ch-ii", "ch-iii")] == [
        "Chapter I: Foundations of Trustworthy AI", "Chapter II: Realising Trustworthy AI",
        "Chapter III: Assessing Trustworthy AI"]
    requirements = [by[f"ch-ii-1-{n}"] for n in range(1, 8)]
    assert [s.locator.split(" ", 4)[4] for s in requirements] == [
        "Human agency and oversight", "Technical robustness and safety", "Privacy and data governance",
        "Transparency", "Diversity, non-discrimination and fairness", "Societal and environmental well-being",
        "Accountability"]
    assert [_page(doc, s) for s in requirements] == [17, 18, 19, 20, 20, 21, 21]
    assert by["ch-ii-1-1"].locator == "Chapter II, Section 1.1 Human agency and oversight"
    assert by["ch-ii-1-1"].section_path[:2] == ("Section B A FRAMEWORK FOR TRUSTWORTHY AI", "Chapter II: Realising Trustworthy AI")
    assert [by[f"ch-iii-{n}"].locator.split(" ", 4)[4] for n in (1, 7)] == ["Human agency and oversight", "Accountability"]


@pytest.mark.corpus
def test_us_ai_action_plan_pillars(corpus):
    doc, sections = corpus("us-ai-action-plan-2025")
    pillars = [s.locator for s in sections if s.locator.startswith("Pillar") and " — " not in s.locator]
    assert pillars == ["Pillar I: Accelerate AI Innovation", "Pillar II: Build American AI Infrastructure",
                       "Pillar III: Lead in International AI Diplomacy and Security"]
    red_tape = next(s for s in sections if s.locator == "Pillar I: Accelerate AI Innovation — Remove Red Tape and Onerous Regulation")
    assert _page(doc, red_tape) == 6 and _starts(doc, red_tape, "Remove Red Tape and Onerous Regulation\n")
    actions = [s for s in sections if s.locator.endswith("— Recommended Policy Actions")]
    assert len(actions) == 30
    assert actions[0].locator == ("Pillar I: Accelerate AI Innovation — Remove Red Tape and Onerous Regulation — "
                                  "Recommended Policy Actions")
    assert all(_page(doc, s) != 3 for s in sections[1:])  # page 3 is the table of contents


# --- the generic recogniser on synthetic documents ----------------------------------------------


def _generic(pages: list[str], has_pages: bool = True) -> tuple[ParsedDocument, list[Section]]:
    doc = assemble("user-doc", pages, list(range(1, len(pages) + 1)), has_pages=has_pages)
    return doc, generic.recognise(doc, "generic", "user-doc")


BODY = "This sentence is ordinary running text of the document, long enough to be a paragraph line."


def test_generic_markdown_headings():
    doc, sections = _generic(["# Data Policy\n\nIntro text.\n\n## Scope\n\n" + BODY + "\n\n## Definitions\n\n" + BODY],
                             has_pages=False)
    assert [s.locator for s in sections] == ["Data Policy", "Scope", "Definitions"]
    assert sections[1].section_path == ("Data Policy", "Scope")
    assert doc.text[sections[2].char_start:].startswith("## Definitions")


def test_generic_numbered_headings_in_sequence():
    page1 = f"1. Introduction\n{BODY}\n1.1 Purpose\n{BODY}\n1.2 Scope\n{BODY}"
    page2 = f"2. Obligations\n{BODY}\nas set out in\n3. of the annex this line is a sentence\n2.1 Providers\n{BODY}"
    doc, sections = _generic([page1, page2])
    assert [s.slug for s in sections] == ["1", "1-1", "1-2", "2", "2-1"]
    assert sections[3].locator == "2. Obligations" and doc.page_at(sections[3].char_start) == 2


def test_generic_skips_contents_page_and_uses_its_entries():
    contents = "Contents\nIntroduction ........ 2\nRisk Management ........ 3\nGovernance Structures ........ 4"
    pages = [contents, f"Introduction\n{BODY}", f"Risk Management\n{BODY}", f"Governance Structures\n{BODY}"]
    doc, sections = _generic(pages)
    assert [s.locator for s in sections] == ["Front matter", "Introduction", "Risk Management", "Governance Structures"]
    assert [doc.page_at(s.char_start) for s in sections] == [1, 2, 3, 4]


def test_generic_caps_and_title_lines():
    text = f"ANNUAL REPORT ON AI USE\n{BODY}\nKey Findings\n{BODY}\nNext Steps for Regulators\n{BODY}"
    _, sections = _generic([text, BODY])
    assert [s.locator for s in sections] == ["ANNUAL REPORT ON AI USE", "Key Findings", "Next Steps for Regulators"]


def test_generic_falls_back_to_pages_then_paragraph_groups():
    _, sections = _generic([BODY, BODY, BODY])
    assert [s.locator for s in sections] == ["Page 1", "Page 2", "Page 3"]
    doc, sections = _generic(["\n\n".join(f"Paragraph number {n} of plain text without any heading." for n in range(1, 20))],
                             has_pages=False)
    assert [s.locator for s in sections] == ["Paragraphs 1-8", "Paragraphs 9-16", "Paragraphs 17-19"]
    assert doc.text[sections[1].char_start:].startswith("Paragraph number 9 ")
    assert sections[-1].char_end == len(doc.text)
