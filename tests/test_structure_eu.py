"""Structure of the EU AI Act (OJ L 2024/1689) and the Council of Europe Framework Convention (CETS 225).

Run on the real documents of the shared corpus: every Recital, Article, paragraph and Annex point
is found, in sequence, with the locator a lawyer would cite and on the page where it is printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.parse import parse
from index.sources import Source, fetch, load_manifest
from index.structure import _validated, eu_act
from index.structure import recognise as recognise_routed
from index.types import ParsedDocument, Section

EU_ID = "eu-ai-act-2024-1689"
COE_ID = "coe-framework-convention-ai-cets225"
pytestmark = pytest.mark.corpus

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]


def _corpus_dir() -> Path:
    primary = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    return primary if primary.is_dir() else Path.cwd().parent / "shared" / "corpus"


def _load(document_id: str, cache: Path) -> tuple[Source, ParsedDocument]:
    corpus = _corpus_dir()
    if not corpus.is_dir():
        pytest.skip(f"shared corpus not found at {corpus}: the structure tests read the real documents")
    src = next(s for s in load_manifest() if s.document_id == document_id)
    if not (corpus / src.file).is_file():
        pytest.skip(f"{src.file} missing from the shared corpus {corpus}")
    return src, parse(src.document_id, fetch(src, [corpus], cache, allow_download=False), src.format)


@pytest.fixture(scope="module")
def eu(tmp_path_factory: pytest.TempPathFactory) -> tuple[ParsedDocument, list[Section]]:
    src, doc = _load(EU_ID, tmp_path_factory.mktemp("cache"))
    return doc, recognise_routed(src, doc)  # through the family router: family "eu_act"


@pytest.fixture(scope="module")
def coe(tmp_path_factory: pytest.TempPathFactory) -> tuple[ParsedDocument, list[Section]]:
    _, doc = _load(COE_ID, tmp_path_factory.mktemp("cache"))
    return doc, eu_act.recognise(doc, "coe", COE_ID)


def _by_locator(sections: list[Section]) -> dict[str, Section]:
    return {s.locator: s for s in sections}


def _text(doc: ParsedDocument, s: Section) -> str:
    return doc.text[s.char_start : s.char_end]


def _article_units(sections: list[Section]) -> list[tuple[int, int | None]]:
    """(article, paragraph or None) of every article section, in document order."""
    out = []
    for s in sections:
        m = re.fullmatch(r"Article (\d+)(?:\((\d+)\))?", s.locator)
        if m:
            out.append((int(m[1]), int(m[2]) if m[2] else None))
    return out


def _assert_well_formed(doc: ParsedDocument, sections: list[Section]) -> None:
    """Contiguous spans over the whole text, unique slugs, untouched by the router's validation."""
    assert sections[0].char_start == 0 and sections[-1].char_end == len(doc.text)
    assert all(a.char_end == b.char_start for a, b in zip(sections, sections[1:]))
    assert len({s.slug for s in sections}) == len(sections)
    assert _validated(sections, len(doc.text)) == sections


def _assert_paragraphs_in_sequence(sections: list[Section]) -> None:
    """Articles appear in order; an article's paragraphs run 1, 2, 3, ... without gaps."""
    units = _article_units(sections)
    for (a1, p1), (a2, p2) in zip(units, units[1:]):
        if a1 == a2:
            assert p1 is not None and p2 == p1 + 1, (a1, p1, p2)
        else:
            assert a2 == a1 + 1 and p2 in (None, 1), (a1, a2, p2)


# --- EU AI Act ---------------------------------------------------------------------------------


def test_eu_sections_cover_the_text_without_overlap(eu):
    doc, sections = eu
    _assert_well_formed(doc, sections)
    assert sections[0].locator == "Preamble" and sections[0].kind == "front"
    assert "Having regard to the Treaty on the Functioning of the European Union" in _text(doc, sections[0])


def test_eu_all_180_recitals_in_order(eu):
    doc, sections = eu
    recitals = [s for s in sections if s.kind == "recital"]
    assert [s.locator for s in recitals] == [f"Recital {n}" for n in range(1, 181)]
    assert [s.slug for s in recitals] == [f"rec-{n}" for n in range(1, 181)]
    assert all(_text(doc, s).startswith(f"({n}) ") for n, s in enumerate(recitals, start=1))
    assert recitals[26].section_path == ("Recitals", "Recital 27")
    assert doc.page_at(recitals[0].char_start) == 1


def test_eu_footnotes_do_not_start_recitals(eu):
    doc, sections = eu
    footnote = doc.text.index("(5) European Council, Special meeting of the European Council")
    assert _containing(sections, footnote).locator == "Recital 8"
    # a recital line that wraps onto "2025. Given ..." is not a paragraph "2025."
    wrapped = doc.text.index("\n2025. Given the rapid pace of technological advancements") + 1
    assert _containing(sections, wrapped).kind == "recital"


def test_eu_articles_1_to_113_all_found(eu):
    _, sections = eu
    units = _article_units(sections)
    assert {a for a, _ in units} == set(range(1, 114))
    _assert_paragraphs_in_sequence(sections)
    assert all(s.kind == "article" for s in sections if s.locator.startswith("Article"))


def test_eu_article_50_1_on_page_82_with_chapter_in_path(eu):
    doc, sections = eu
    s = _by_locator(sections)["Article 50(1)"]
    assert s.slug == "art-50-1" and s.kind == "article"
    assert doc.page_at(s.char_start) == 82
    assert s.section_path == (
        "Chapter IV Transparency obligations for providers and deployers of certain AI systems",
        "Article 50 Transparency obligations for providers and deployers of certain AI systems",
        "Article 50(1)",
    )
    text = _text(doc, s)
    # the heading lines belong to the first paragraph, so nothing between sections is lost
    assert text.startswith("CHAPTER IV\nTRANSPARENCY OBLIGATIONS")
    assert "Article 50\nTransparency obligations for providers and deployers of certain AI systems\n1. Providers" in text
    assert "\n2. " not in text
    assert _text(doc, _by_locator(sections)["Article 50(2)"]).startswith("2. Providers of AI systems")


def test_eu_article_5_prohibitions_keep_their_points(eu):
    doc, sections = eu
    by = _by_locator(sections)
    assert doc.page_at(by["Article 5(1)"].char_start) == 51
    text = _text(doc, by["Article 5(1)"])
    for point in ("(a) the placing on the market", "(f) the placing on the market", "(h) the use of ‘real-time’"):
        assert point in text
    assert [f"Article 5({k})" for k in range(1, 9)] == [loc for loc in by if loc.startswith("Article 5(")]
    assert by["Article 5(1)"].section_path[0] == "Chapter II Prohibited AI practices"


def test_eu_sections_of_chapter_iii_in_path(eu):
    _, sections = eu
    by = _by_locator(sections)
    assert by["Article 6(1)"].section_path == (
        "Chapter III High-risk AI systems",
        "Section 1 Classification of AI systems as high-risk",
        "Article 6 Classification rules for high-risk AI systems",
        "Article 6(1)",
    )
    assert by["Article 71(1)"].section_path[0] == "Chapter VIII EU database for high-risk AI systems"
    # a wrapped article title is joined
    assert by["Article 59(1)"].section_path[-2].endswith("in the public interest in the AI regulatory sandbox")


def test_eu_article_3_one_section_per_definition(eu):
    doc, sections = eu
    by = _by_locator(sections)
    definitions = [loc for loc in by if loc.startswith("Article 3(")]
    assert definitions == [f"Article 3({k})" for k in range(1, 69)]
    first = by["Article 3(1)"]
    assert first.slug == "art-3-1"
    assert _text(doc, first).startswith("Article 3\nDefinitions\nFor the purposes of this Regulation")
    assert "(1) ‘AI system’ means a machine-based system" in _text(doc, first)
    assert _text(doc, by["Article 3(63)"]).startswith("(63) ‘general-purpose AI model’ means")


def test_eu_articles_without_paragraphs_are_single_sections(eu):
    doc, sections = eu
    by = _by_locator(sections)
    for n in (4, 66, 102, 108, 113):
        assert f"Article {n}" in by and f"Article {n}(1)" not in by
    assert by["Article 4"].slug == "art-4"
    # quoted amending text ("‘3. When adopting ...") and its points stay inside Article 108
    assert "(6) in Article 58, the following paragraph is added:" in _text(doc, by["Article 108"])
    assert _text(doc, by["Article 113"]).rstrip().endswith("M. MICHEL")


def test_eu_all_13_annexes_with_points(eu):
    doc, sections = eu
    annex = [s for s in sections if s.kind == "annex"]
    assert {re.match(r"Annex ([IVX]+)", s.locator)[1] for s in annex} == set(ROMAN)
    by = _by_locator(sections)
    assert [loc for loc in by if loc.startswith("Annex III,")] == [f"Annex III, point {k}" for k in range(1, 9)]
    point = by["Annex III, point 4"]
    assert point.slug == "annex-3-4"
    assert _text(doc, point).startswith("4. Employment, workers’ management and access to self-employment")
    assert "(b) AI systems intended to be used to make decisions affecting terms" in _text(doc, point)
    assert point.section_path == ("Annex III High-risk AI systems referred to in Article 6(2)", "Annex III, point 4")
    assert doc.page_at(by["Annex III, point 1"].char_start) == 127


def test_eu_annex_sections_subpoints_and_unnumbered_annexes(eu):
    doc, sections = eu
    by = _by_locator(sections)
    a1 = by["Annex VIII, Section A, point 1"]
    assert a1.slug == "annex-8-sec-a-1"
    assert a1.section_path[0].endswith("in accordance with Article 49")  # wrapped title joined
    assert "Annex VIII, Section C, point 5" in by and "Annex I, Section B, point 20" in by
    assert "Annex XI, Section 2, point 3" in by
    assert _text(doc, by["Annex VII, point 4.6"]).startswith("4.6. The decision of the notified body")
    assert by["Annex VII, point 4.6"].section_path[1] == "Point 4 Control of the technical documentation"
    for whole in ("Annex II", "Annex XIII"):
        assert by[whole].kind == "annex"
    assert "— terrorism," in _text(doc, by["Annex II"])


def test_eu_sections_start_at_structural_lines_not_cross_references(eu):
    doc, sections = eu
    opening = re.compile(r"(\(\d+\) |\d+\. |\d+\.\d+\. |Article \d+\n|CHAPTER [IVX]+\n|SECTION \d+\n|ANNEX [IVX]+\n|Section [A-Z0-9])")
    for s in sections[1:]:
        assert doc.text[s.char_start - 1] == "\n", s.locator
        assert opening.match(doc.text, s.char_start), (s.locator, doc.text[s.char_start : s.char_start + 60])
    cross_ref = doc.text.index("Article 6(1), Articles 102 to 109 and Article 112 apply")
    assert _containing(sections, cross_ref).locator == "Article 2(2)"


def _containing(sections: list[Section], offset: int) -> Section:
    return next(s for s in sections if s.char_start <= offset < s.char_end)


# --- Council of Europe Framework Convention ----------------------------------------------------


def test_coe_articles_1_to_36_all_found(coe):
    doc, sections = coe
    _assert_well_formed(doc, sections)
    assert {a for a, _ in _article_units(sections)} == set(range(1, 37))
    _assert_paragraphs_in_sequence(sections)
    assert sections[0].locator == "Preamble"
    assert _text(doc, sections[0]).rstrip().endswith("Have agreed as follows:")


def test_coe_paragraphs_and_chapters(coe):
    doc, sections = coe
    by = _by_locator(sections)
    s = by["Article 5(1)"]
    assert s.slug == "art-5-1" and doc.page_at(s.char_start) == 4
    assert s.section_path == (
        "Chapter II General obligations",
        "Article 5 Integrity of democratic processes and respect for the rule of law",
        "Article 5(1)",
    )
    assert _text(doc, by["Article 1(1)"]).startswith("Chapter I – General provisions\nArticle 1 – Object and purpose\n1 ")
    assert [loc for loc in by if loc.startswith("Article 23(")] == [f"Article 23({k})" for k in range(1, 9)]
    # lettered sub-paragraphs stay inside their paragraph; an article without paragraphs is one unit
    assert "\nb Each Party shall address risks" in _text(doc, by["Article 3(1)"])
    assert "Article 4" in by and "Article 4(1)" not in by
    assert by["Article 16(2)"].section_path[0] == "Chapter V Assessment and mitigation of risks and adverse impacts"


def test_coe_cross_references_do_not_start_sections(coe):
    doc, sections = coe
    for s in sections[1:]:
        assert doc.text[s.char_start - 1] == "\n", s.locator
        assert re.match(r"(Chapter [IVX]+ – |Article \d+ – |\d+ [A-Z])", doc.text[s.char_start :]), s.locator
    cross_ref = doc.text.index("\nArticle 34, paragraph 1, or any declaration") + 1
    assert _containing(sections, cross_ref).locator == "Article 23(2)"
    assert _text(doc, sections[-1]).rstrip().endswith("to any State invited to accede to\nthis Convention.")
