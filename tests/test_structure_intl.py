"""Structure of the OECD, UNESCO and G7 instruments (index/structure/intl.py) on the real corpus.

Pages are PDF pages (1-based), as ``ParsedDocument.page_at`` reports them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.errors import SourceError
from index.parse import assemble, parse
from index.sources import fetch, load_manifest
from index.structure import intl, recognise
from index.types import ParsedDocument, Section


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    return primary if primary.is_dir() else Path.cwd().parent / "shared" / "corpus"


CORPUS = _corpus_dir()
KINDS = {"article", "recital", "annex", "subcategory", "category", "function", "action", "risk", "paragraph",
         "principle", "section", "front"}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


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
def oecd(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("oecd-ai-recommendation-legal-0449", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def unesco(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("unesco-ai-ethics-recommendation-2021", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def g7(tmp_path_factory) -> tuple[ParsedDocument, list[Section]]:
    return _load("g7-hiroshima-code-of-conduct-2023", tmp_path_factory.mktemp("cache"))


def by_locator(sections: list[Section]) -> dict[str, Section]:
    return {s.locator: s for s in sections}


def text_of(doc: ParsedDocument, s: Section) -> str:
    return doc.text[s.char_start : s.char_end]


def assert_well_formed(doc: ParsedDocument, sections: list[Section]) -> None:
    """Sorted, disjoint, at line starts, unique slugs; what no section covers is only headings."""
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


# ---------------------------------------------------------------------------- OECD


def test_oecd_well_formed(oecd):
    assert_well_formed(*oecd)


def test_oecd_principles_and_recommendations_with_titles(oecd):
    doc, sections = oecd
    loc = by_locator(sections)
    section_1 = "Section 1: Principles for responsible stewardship of trustworthy AI"
    section_2 = "Section 2: National policies and international co-operation for trustworthy AI"
    for n in range(1, 6):
        p, r = loc[f"Principle 1.{n}"], loc[f"Recommendation 2.{n}"]
        assert p.slug == f"principle-1-{n}" and p.kind == "principle" and p.section_path[0] == section_1
        assert r.slug == f"recommendation-2-{n}" and r.section_path[0] == section_2
        assert text_of(doc, p).startswith(f"1.{n}. ") and text_of(doc, r).startswith(f"2.{n}. ")
    assert loc["Principle 1.1"].section_path[-1] == "1.1. Inclusive growth, sustainable development and well-being"
    # a title wrapped over two lines is joined
    assert loc["Principle 1.2"].section_path[-1] == (
        "1.2. Respect for the rule of law, human rights and democratic values, including fairness and privacy")
    assert loc["Principle 1.5"].section_path[-1] == "1.5. Accountability"
    assert loc["Recommendation 2.3"].section_path[-1] == (
        "2.3. Shaping an enabling interoperable governance and policy environment for AI")
    assert doc.page_at(loc["Principle 1.4"].char_start) == 9
    assert "c) Mechanisms should also, where technically feasible" in text_of(doc, loc["Principle 1.4"])


def test_oecd_council_paragraphs_and_front_material(oecd):
    doc, sections = oecd
    loc = by_locator(sections)
    assert [s.locator for s in sections if s.kind == "paragraph"] == [f"Paragraph {r}" for r in ROMAN]
    assert loc["Paragraph I"].slug == "para-i" and "AI system lifecycle:" in text_of(doc, loc["Paragraph I"])
    assert loc["Paragraph V"].section_path[0].startswith("Section 2:")
    assert loc["Paragraph VI"].section_path == ("VI. INVITES the Secretary-General and Adherents to disseminate this Recommendation",)
    preamble = loc["Preamble"]
    assert preamble.kind == "recital" and text_of(doc, preamble).startswith("THE COUNCIL,")
    assert doc.page_at(preamble.char_start) == 7
    assert [s.locator for s in sections if s.locator.startswith("Background")] == [
        "Background Information",
        "Background: The OECD’s work on Artificial Intelligence",
        "Background: An inclusive and participatory process for developing the Recommendation",
        "Background: Scope of the Recommendation",
        "Background: 2023 and 2024 Revisions of the Recommendation",
        "Background: Implementation",
        "Background: 2024 Report to Council",
        "Background: Further work to support the implementation of the Recommendation",
    ]
    assert sections[0].kind == "front" and sections[-1].locator == "About the OECD"
    # the background's numbered summary ("1. Principles for responsible stewardship ...") starts nothing
    assert not any(re.match(r"\d\. ", text_of(doc, s)) for s in sections)


# ---------------------------------------------------------------------------- UNESCO


def test_unesco_well_formed(unesco):
    assert_well_formed(*unesco)


def test_unesco_paragraphs_run_without_gaps(unesco):
    doc, sections = unesco
    paragraphs = [s for s in sections if s.locator.startswith("Paragraph ")]
    numbers = [int(s.locator.split()[1]) for s in paragraphs]
    assert numbers == list(range(1, 142))
    for s, n in zip(paragraphs, numbers):
        assert s.slug == f"para-{n}" and s.kind == "paragraph" and s.section_path[-1] == f"Paragraph {n}"
        assert text_of(doc, s).startswith(f"{n}. ")
    # list items "(a)" / "(i)" never start a section
    assert not any(text_of(doc, s).startswith("(") for s in sections)


def test_unesco_paths_pages_and_preamble(unesco):
    doc, sections = unesco
    loc = by_locator(sections)
    assert loc["Paragraph 50"].section_path == (
        "IV. AREAS OF POLICY ACTION", "POLICY AREA 1: ETHICAL IMPACT ASSESSMENT", "Paragraph 50")
    assert loc["Paragraph 13"].section_path == (
        "III. VALUES AND PRINCIPLES", "III.1 VALUES",
        "Respect, protection and promotion of human rights and fundamental freedoms and human dignity", "Paragraph 13")
    assert loc["Paragraph 35"].section_path[1:] == ("III.2 PRINCIPLES", "Human oversight and determination", "Paragraph 35")
    assert loc["Paragraph 35"].slug == "para-35" and doc.page_at(loc["Paragraph 35"].char_start) == 8
    assert text_of(doc, loc["Paragraph 35"]).startswith("35. Member States should ensure")
    assert loc["Paragraph 141"].section_path[0] == "VIII. FINAL PROVISIONS"
    assert loc["Preamble"].kind == "recital"
    assert [loc[f"Preamble, paragraph {n}"].slug for n in (1, 2, 3)] == ["preamble-1", "preamble-2", "preamble-3"]
    assert text_of(doc, loc["Preamble, paragraph 1"]).startswith("1. Adopts the present Recommendation")


# ---------------------------------------------------------------------------- G7


def test_g7_well_formed(g7):
    assert_well_formed(*g7)


def test_g7_eleven_actions(g7):
    doc, sections = g7
    actions = [s for s in sections if s.kind == "action"]
    assert [s.locator for s in actions] == [f"Action {n}" for n in range(1, 12)]
    assert [s.slug for s in actions] == [f"action-{n}" for n in range(1, 12)]
    for n, s in enumerate(actions, start=1):
        assert text_of(doc, s).startswith(f"{n} ")
    assert actions[0].section_path == (
        "1. Take appropriate measures throughout the development of advanced AI systems, including prior to and "
        "throughout their deployment and placement on the market, to identify, evaluate, and mitigate risks across "
        "the AI lifecycle.",)
    assert actions[-1].section_path == (
        "11. Implement appropriate data input measures and protections for personal data and intellectual property",)
    assert doc.page_at(actions[0].char_start) == 2 and doc.page_at(actions[-1].char_start) == 8


def test_g7_introduction_is_a_section(g7):
    """Its introduction states the code's audience and voluntary nature: content, not front matter."""
    doc, sections = g7
    intro = sections[0]
    assert intro.locator == "Introduction" and intro.kind == "section" and intro.char_start == 0
    assert "Organizations should follow these actions in line with a risk-based approach." in text_of(doc, intro)


# ---------------------------------------------------------------------------- dispatch


def test_coe_is_delegated_to_the_act_reader(monkeypatch):
    from index.structure import eu_act

    doc = assemble("coe", ["Article 1 – Object and purpose\n1 The provisions of this Convention ..."], [1])
    calls = []
    monkeypatch.setattr(eu_act, "recognise", lambda d, family, document_id: calls.append((family, document_id)) or [])
    assert intl.recognise(doc, "coe", "coe-framework-convention-ai-cets225") == []
    assert calls == [("coe", "coe-framework-convention-ai-cets225")]


def test_unknown_layout_falls_back_to_pages():
    doc = assemble("x", ["Some page of text.", "Another page."], [1, 2])
    assert [s.locator for s in intl.recognise(doc, "oecd", "x")] == ["Page 1", "Page 2"]
