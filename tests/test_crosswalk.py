"""The crosswalk: the reviewed grid as data (complete, every quote verbatim on its page, reproducible
from the annotations + review file), stated alignments, topic detection, comparisons that use the
cells, the gap view for several framework pairs, the API routes and the exports."""

from __future__ import annotations

import csv
import io
import re
import tomllib

import pytest
from fastapi.testclient import TestClient

from assistant import crosswalk
from assistant.api.app import create_app
from tests.test_api import wait_ready
from assistant.citations import PageMap
from assistant.crosswalk_compare import finding_from_cell
from index.sources import load_manifest

CORE = ["asean-guide-ai-governance-ethics-2024", "sg-model-ai-governance-framework-2020", "eu-ai-act-2024-1689",
        "nist-ai-rmf-1.0", "oecd-ai-recommendation-legal-0449", "unesco-ai-ethics-recommendation-2021"]
AI_ACT, ASEAN, SG, NIST, OECD, COE = (CORE[2], CORE[0], CORE[1], CORE[3], CORE[4], "coe-framework-convention-ai-cets225")


@pytest.fixture(scope="module")
def cw() -> crosswalk.Crosswalk:
    return crosswalk.load()


@pytest.fixture(scope="module")
def index(full_assistant):
    return full_assistant.index


def letters(text: str) -> str:
    """Only letters and digits: a page's raw text and a passage differ in hyphenation and spacing."""
    import unicodedata

    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


# ---- the data ------------------------------------------------------------------------------
def test_one_cell_per_topic_and_document(cw):
    documents = [s.document_id for s in load_manifest()]
    assert len(cw.topics) == 14 and len(documents) == 22
    assert set(cw.cells) == {(t, d) for t in cw.topics for d in documents}
    for cell in cw.cells.values():
        assert cell.addressed == bool(cell.provisions), cell  # "not addressed" is explicit, never an empty cell
        if cell.addressed:
            assert cell.kind and all(p.kind and p.quote.strip() for p in cell.provisions)


def test_core_documents_reviewed_for_every_topic(cw):
    for doc in CORE:
        assert all(cw.cell(t, doc).reviewed for t in cw.topics), doc


def test_every_quote_is_verbatim_in_its_passage_and_on_its_page(cw, index):
    checked = 0
    for cell in cw.cells.values():
        pages = index.pages_of(cell.document_id)
        for p in cell.provisions:
            passage = index.passages[p.passage_id]
            assert passage.locator == p.locator
            start = passage.text.find(p.quote)
            assert start >= 0, f"{p.passage_id}: quote not in passage: {p.quote[:60]!r}"
            if pages is None:
                assert p.page is None
                continue
            page_map = PageMap(*pages)
            offset = passage.char_start + start
            assert page_map.page_at(offset) == p.page, p.passage_id
            assert page_map.page_at(offset + len(p.quote) - 1) == p.page, f"{p.passage_id}: quote runs over a page"
            checked += 1
    assert checked > 500


def test_quotes_are_on_the_page_of_the_source_file(cw, corpus):
    """Independent of the index: the quote's words are on that page of the raw file."""
    from tests.test_suite_gold import raw_pages

    misses = []
    for cell in cw.cells.values():
        for p in cell.provisions:
            page_text = letters(raw_pages(cell.document_id).get(p.page, ""))
            if letters(p.quote) not in page_text:
                misses.append((p.passage_id, p.page))
    assert not misses, misses[:10]


def test_mapping_is_what_the_build_script_gives(index):
    """The grid is data derived by scripts/build_crosswalk.py plus review.toml: rebuild after a change."""
    from scripts.build_crosswalk import MAPPING_FILE, REVIEW_FILE, build, to_toml

    with open(REVIEW_FILE, "rb") as f:
        review = tomllib.load(f)
    assert to_toml(build(index, review)) == MAPPING_FILE.read_text(), \
        "mapping.toml is stale: run python scripts/build_crosswalk.py"


def test_reviewed_cells_say_what_the_documents_say(cw):
    def pids(topic: str, doc: str) -> list[str]:
        return [p.passage_id for p in cw.cell(topic, doc).provisions]

    transparency = cw.cell("transparency", AI_ACT)
    assert transparency.binding and transparency.kind == "obligation"
    assert f"{AI_ACT}#art-50-1" in pids("transparency", AI_ACT)
    assert f"{AI_ACT}#art-73-1" in pids("incident-reporting", AI_ACT)
    assert f"{AI_ACT}#art-5-1" in pids("prohibited-uses", AI_ACT)
    assert f"{AI_ACT}#art-9-1" in pids("risk-assessment", AI_ACT)
    for topic in ("prohibited-uses", "penalties-enforcement", "incident-reporting"):
        assert not cw.cell(topic, ASEAN).addressed and cw.cell(topic, ASEAN).note
    asean = cw.cell("transparency", ASEAN)
    assert asean.addressed and not asean.binding and asean.kind == "recommendation"
    assert f"{OECD}#principle-1-4" in pids("robustness-security", OECD)
    assert f"{NIST}#manage-4-3" in pids("incident-reporting", NIST)
    assert not cw.cell("penalties-enforcement", SG).addressed
    assert "social scoring" in cw.cell("prohibited-uses", "unesco-ai-ethics-recommendation-2021").provisions[0].quote
    # a voluntary document is never a binding cell
    assert not any(c.binding for (t, d), c in cw.cells.items() if d in (ASEAN, SG, NIST, OECD))


def test_stated_alignments_are_cited_verbatim(cw, index):
    assert len(cw.alignments) >= 10
    for a in cw.alignments:
        passage = index.passages[a.passage_id]
        assert a.quote in passage.text and passage.locator == a.locator
        assert a.document_id == passage.document_id
    stated = {(a.document_id, a.aligns_with, a.relation) for a in cw.alignments}
    assert (NIST, OECD, "adapted-from") in stated
    assert ("g7-hiroshima-code-of-conduct-2023", OECD, "builds-on") in stated
    assert (AI_ACT, OECD, "aligns-with") in stated


# ---- topics in questions -------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("human oversight of AI systems", ["human-oversight"]),
    ("approach bias and fairness", ["fairness"]),
    ("treat watermarking and content provenance", ["content-provenance"]),
    ("run AI risk\nmanagement over time", ["risk-assessment"]),
    ("red-teaming advanced AI", ["testing-evaluation"]),
    ("national security uses outside their scope", []),
    ("legal force", []),
])
def test_topics_named_in_a_question(cw, text, expected):
    assert crosswalk.topics_in(text, cw)[:len(expected) or None] == expected


# ---- comparisons ---------------------------------------------------------------------------
def test_comparison_quotes_each_documents_cell(full_assistant, cw):
    answer = full_assistant.ask("How do the ASEAN Guide and the EU AI Act differ on human oversight of AI systems?")
    assert {c.document_id for c in answer.citations} == {ASEAN, AI_ACT}
    index = full_assistant.index
    for doc in (ASEAN, AI_ACT):
        cell = {p.passage_id for p in cw.cell("human-oversight", doc).provisions}
        cited = [c for c in answer.citations if c.document_id == doc]
        assert any(c.passage_id in cell for c in cited), doc  # the cell grounds every named framework
        for c in cited:  # a passage retrieval adds is on the same topic
            assert c.passage_id in cell or "human-oversight" in index.knowledge.annotation(c.passage_id).topics
            assert c.quote in index.passages[c.passage_id].text


def test_comparison_without_a_topic_falls_back_to_retrieval(index, cw):
    assert finding_from_cell(index, "national security uses outside their scope", AI_ACT, 1, cw) is None
    # a topic the document's cell does not address: retrieval decides
    assert finding_from_cell(index, "penalties and fines", ASEAN, 1, cw) is None
    found = finding_from_cell(index, "penalties and fines", AI_ACT, 3, cw)
    assert found is not None and found.citations[0].n == 3 and found.addressed


# ---- the gap view --------------------------------------------------------------------------
@pytest.mark.parametrize("current, target, actor, scope, must_gap, must_cover", [
    (ASEAN, AI_ACT, "provider", "high-risk", {"incident-reporting"}, {"transparency", "human-oversight"}),
    (SG, AI_ACT, "deployer", None, {"prohibited-uses", "incident-reporting"}, {"transparency"}),
    (NIST, AI_ACT, "provider", None, {"prohibited-uses"}, {"incident-reporting", "risk-assessment"}),
    (OECD, COE, None, None, set(), {"accountability"}),
])
def test_gap_view_lists_binding_provisions_without_counterpart(cw, index, current, target, actor, scope,
                                                               must_gap, must_cover):
    view = crosswalk.gaps(cw, index, current, target, actor, scope)
    gapped = {g["topic"] for g in view["gaps"]}
    covered = {c["topic"] for c in view["covered"]}
    assert must_gap <= gapped and must_cover <= covered and not gapped & covered
    assert view["gaps"], "every pair has something more to do"
    numbers = [c["n"] for g in view["gaps"] for c in g["provisions"]]
    assert numbers == list(range(1, len(numbers) + 1))
    for g in view["gaps"]:
        assert not crosswalk.counterpart(cw.cell(g["topic"], current))
        for c in g["provisions"]:
            assert c["document_id"] == target and c["binding"] and c["kind"] in crosswalk.OBLIGATION_KINDS
            assert c["quote"] in index.passages[c["passage_id"]].text
            if actor:
                assert not c["actors"] or actor in c["actors"] or "organisation" in c["actors"]
            if scope:
                p = index.passages[c["passage_id"]]
                assert "high-risk" in (" ".join(p.section_path) + p.text).lower().replace("high risk", "high-risk") \
                    or "high-risk" in index.knowledge.annotation(c["passage_id"]).gist.lower()


def test_gap_view_for_asean_to_ai_act_names_serious_incident_reporting(cw, index):
    view = crosswalk.gaps(cw, index, ASEAN, AI_ACT, "provider", "high-risk", per_topic=50)
    incident = next(g for g in view["gaps"] if g["topic"] == "incident-reporting")
    assert f"{AI_ACT}#art-73-1" in [c["passage_id"] for c in incident["provisions"]]


def test_gap_view_refuses_a_voluntary_target_and_unknown_ids(cw, index):
    from assistant.errors import BadRequest

    for args in ((ASEAN, NIST), ("nope", AI_ACT), (AI_ACT, AI_ACT)):
        with pytest.raises(BadRequest):
            crosswalk.gaps(cw, index, *args)


# ---- API -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(full_assistant):
    with TestClient(create_app(assistant=full_assistant, ui=False)) as c:
        wait_ready(c)  # /readyz answers 200 once the index is loaded and warmed
        yield c


def test_api_grid_filtered(client):
    r = client.get("/v1/crosswalk", params={"topics": "transparency,human-oversight", "documents": f"{AI_ACT},{ASEAN}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["topic"] for row in body["rows"]] == ["transparency", "human-oversight"]
    assert [d["document_id"] for d in body["documents"]] == [AI_ACT, ASEAN]
    eu = body["rows"][0]["cells"][0]
    assert eu["binding"] is True and eu["status"] == "addressed"
    c = eu["citations"][0]
    assert c["url"].startswith("https://") and c["page"] and c["view_url"].startswith("/viewer/")


def test_api_grid_all_and_repeated_params(client):
    r = client.get("/v1/crosswalk?topics=fairness&topics=prohibited-uses")
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert len(rows) == 2 and all(len(row["cells"]) == 22 for row in rows)
    asean = next(c for c in rows[1]["cells"] if c["document_id"] == ASEAN)
    assert asean["status"] == "not addressed" and asean["citations"] == []


def test_api_errors_are_4xx_json(client):
    for url in ("/v1/crosswalk?topics=weather", f"/v1/crosswalk?documents=nope", "/v1/crosswalk/gaps?current=x&target=y",
                f"/v1/crosswalk/gaps?current={ASEAN}&target={NIST}", f"/v1/crosswalk/gaps?current={ASEAN}&target={AI_ACT}&actor=wizard"):
        r = client.get(url)
        assert r.status_code == 400, (url, r.text)
        assert set(r.json()["error"]) == {"code", "message"}
    assert client.get("/v1/crosswalk/gaps").status_code == 422


def test_api_gaps_and_topics(client):
    r = client.get("/v1/crosswalk/gaps", params={"current": ASEAN, "target": AI_ACT, "actor": "provider", "scope": "high-risk"})
    assert r.status_code == 200, r.text
    assert any(g["topic"] == "incident-reporting" for g in r.json()["gaps"])
    topics = client.get("/v1/crosswalk/topics").json()["topics"]
    assert len(topics) == 14 and all(t["description"] for t in topics)


# ---- exports -------------------------------------------------------------------------------
def test_exports_hold_every_cell_with_its_citation(cw, index):
    from ui.crosswalk_tab import grid_html, to_csv, to_markdown

    grid = crosswalk.grid(cw, index, ["transparency", "prohibited-uses"], [AI_ACT, ASEAN])
    rows = list(csv.DictReader(io.StringIO(to_csv(grid))))
    eu = [r for r in rows if r["document"] == "EU AI Act" and r["topic"] == "Transparency and disclosure"]
    assert eu and eu[0]["binding"] == "yes" and eu[0]["locator"] == "Article 50(1)" and eu[0]["quote"]
    none = [r for r in rows if r["status"] == "not addressed"]
    assert [(r["topic"], r["document"]) for r in none] == [("Prohibited and restricted uses", "ASEAN Guide on AI Governance and Ethics")]
    md = to_markdown(grid)
    assert md.count("\n| ") == len(rows) + 1 and "Article 50(1)" in md
    html = grid_html(grid)
    assert html.count('class="pa-cw-binding"') == 2 and 'data-status="not-addressed"' in html
