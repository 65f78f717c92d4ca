"""The HTML report, run comparison and side-by-side table, from a run of the real runner over the
dev suite against a fake system (no index); plus the report rendered in real headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.types import Answer, Citation
from evals import report, runner
from evals.suite import Case, load_suite
from index.types import Passage

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class FakeSystem:
    """Cites the gold passage for every third case, a wrong one for the next, abstains on the third."""

    name = "fake"

    def __init__(self, slow: float = 1.0):
        self.passages: dict[str, Passage] = {}
        self.slow = slow

    def _passage(self, case: Case, i: int, good: bool) -> Passage:
        src = case.expect.sources[0] if case.expect.sources else None
        doc = src.document if src else "nist-ai-rmf-1.0"
        text = f"Intro. {src.quote if good and src and src.quote else 'Unrelated text about something else.'} End."
        p = Passage(f"{doc}#fake-{case.id}-{i}", doc, src.locator or "" if src else "", (), 1, 1, 0, len(text), text)
        self.passages[p.passage_id] = p
        return p

    def ask(self, case: Case, mode: str | None) -> Answer:
        n = int(re.sub(r"\D", "", case.id) or 0)
        if n % 3 == 2:
            return Answer("Not covered by the documents.", True, [], "extractive")
        p = self._passage(case, n, good=n % 3 == 0)
        quote = p.text[7:40]
        cite = Citation(1, p.passage_id, p.document_id, "t", p.locator, 1, quote, "", False, "")
        said = " ".join(case.expect.key_points) if n % 3 == 0 else ""
        return Answer(f"{quote} [1] {said}", False, [cite], "extractive", [{"passage_id": p.passage_id, "score": 0.5}],
                      {"total": 10.0 * self.slow})

    def passage(self, passage_id: str) -> Passage | None:
        return self.passages.get(passage_id)

    def describe(self) -> dict[str, str]:
        return {"settings_hash": "abc", "answer_settings_hash": "def", "corpus_hash": "0" * 64, "default_mode": "extractive"}

    def warm_up(self) -> None:
        pass


@pytest.fixture(scope="module")
def record() -> dict:
    system = FakeSystem()
    return runner.run_suite(load_suite(ROOT / "evals" / "suites" / "dev.yaml"), system,
                            lambda doc, page: [p.text for p in system.passages.values() if p.document_id == doc],
                            mode="extractive", progress=False)


def test_record_from_fake_system(record):
    agg = record["aggregates"]
    assert record["system"] == "fake" and record["cases"][0]["id"] == "sme-001"
    assert agg["quote_validity"] == 1.0 and 0 < agg["citation_recall"] < 1
    assert agg["abstention_recall"] is not None and agg["cases"] == 65
    assert set(record["slices"]) == {"persona", "kind", "language", "tag"}


def test_html_is_self_contained(record, tmp_path):
    html = report.render_html(record)
    assert html.count("data:image/png;base64,") >= 5  # metrics, latency, persona, kind, tag
    assert not re.search(r"""(src|href)=["']?https?://""", html)  # nothing fetched from anywhere
    assert '<table id=summary>' in html and "citation recall (cases)" in html
    first_row = html.index("<tr id=", html.index("<table id=cases>"))
    assert " class=fail " in html[first_row:first_row + 80]  # failures first
    assert "&lt;" not in report.fmt(None)  # values are escaped, never raw HTML
    assert report.write_html(record, tmp_path / "r.html").stat().st_size > 10_000


def test_compare_records_reports_better_and_worse(record):
    import copy

    newer = copy.deepcopy(record)
    case = newer["cases"][1]
    case["metrics"]["citation_recall"], case["passed"] = 1.0, True
    covered = next(c for c in newer["cases"] if c["metrics"]["key_point_coverage"])
    covered["metrics"]["key_point_coverage"] = 0.0
    newer["aggregates"]["citation_recall"] = (record["aggregates"]["citation_recall"] or 0) + 0.1
    diff = report.compare_records(record, newer)
    assert (case["id"], "citation_recall", 0.0, 1.0) in diff["better"]
    assert any(r[0] == covered["id"] and r[1] == "key_point_coverage" for r in diff["worse"])
    text = report.format_comparison(diff)
    assert "citation recall (cases)" in text and "+0.100" in text and "better" in text


def test_side_by_side_markdown(record, tmp_path, capsys):
    import json

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(record))
    b.write_text(json.dumps({**record, "system": "baseline", "mode": "baseline"}))
    assert report.main(["--side-by-side", str(a), str(b)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| metric | fake (extractive) | baseline (baseline) |"
    assert any(line.startswith("| latency p95 (ms) |") for line in lines)


@pytest.mark.browser
def test_report_renders_in_headless_chromium(record, tmp_path):
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    path = report.write_html(record, tmp_path / "eval-report.html")
    out = ROOT / "test-output" / "eval-report.png"
    out.parent.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(path.as_uri())
            assert page.locator("#summary tbody tr").count() >= 12
            assert page.locator("#summary").is_visible()
            images = page.locator("img")
            assert images.count() >= 5
            widths = page.evaluate("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
            assert all(w > 100 for w in widths), widths
            assert page.locator("#cases tbody tr").count() == 65
            page.screenshot(path=str(out), full_page=False)
            visible = "#cases tbody tr:not([hidden])"
            kinds = [c["kind"] for c in record["cases"]]
            page.select_option("#f-kind", "identifier")
            assert page.locator(visible).count() == kinds.count("identifier") > 0
            assert page.locator("#f-count").inner_text() == f"{kinds.count('identifier')} of 65 cases shown"
            page.select_option("#f-kind", "")
            page.select_option("#f-outcome", "fail")
            failed = [c for c in record["cases"] if not c["passed"]]
            assert page.locator(visible).count() == len(failed)
            page.select_option("#f-outcome", "false abstention")
            assert page.locator(visible).count() == sum(c["failure"] == "false abstention" for c in failed) > 0
            page.select_option("#f-outcome", "")
            tag = record["cases"][0]["tags"][0]
            page.select_option("#f-tag", tag)
            assert page.locator(visible).count() == sum(tag in c["tags"] for c in record["cases"])
            page.select_option("#f-tag", "")
            page.fill("#f-search", record["cases"][5]["id"])
            assert page.locator(visible).count() >= 1
            assert page.locator(f"#case-{record['cases'][5]['id']}").is_visible()
        finally:
            browser.close()
    assert out.stat().st_size > 10_000


# ---- why a case failed, gold ranks, quotes side by side, Markdown, filters, run vs run -------------------
from evals.diagnose import REASONS, diagnose  # noqa: E402
from evals.metrics import score_case  # noqa: E402
from evals.suite import to_case  # noqa: E402

DOC, OTHER = "eu-ai-act-2024-1689", "nist-ai-rmf-1.0"
GOLD = Passage(f"{DOC}#art-50-1", DOC, "Article 50(1)", (), 82, 82, 0, 60, "Providers shall ensure that people are informed.")
NEAR = Passage(f"{DOC}#art-50-2", DOC, "Article 50(2)", (), 82, 82, 60, 120, "Providers of systems generating content shall mark it.")
FAR = Passage(f"{OTHER}#govern-1-1", OTHER, "GOVERN 1.1", (), 20, 20, 0, 50, "Legal and regulatory requirements are understood.")
PASSAGES = {p.passage_id: p for p in (GOLD, NEAR, FAR)}


def _case(**expect) -> Case:
    expect.setdefault("abstain", False)
    return to_case({"id": "c-1", "question": "Must chatbots say they are AI?", "expect": expect})


def _answer(cited: list[Passage], retrieved: list[Passage], abstained: bool = False, quote: str | None = None) -> Answer:
    cites = [Citation(i, p.passage_id, p.document_id, "t", p.locator, p.page_start, quote or p.text[:20], "", False, "")
             for i, p in enumerate(cited, 1)]
    return Answer("text [1]", abstained, cites, "extractive", [{"passage_id": p.passage_id, "score": 1.0} for p in retrieved])


GOLD_SOURCE = {"sources": [{"document": DOC, "quote": "people are informed"}]}
DIAGNOSES = [  # (expect, cited, retrieved, abstained, error, quote, reason, gold rank)
    (GOLD_SOURCE, [GOLD], [GOLD], False, None, None, None, 1),
    (GOLD_SOURCE, [NEAR], [NEAR, GOLD], False, None, None, "right document, wrong passage", 2),
    (GOLD_SOURCE, [FAR], [FAR, NEAR, GOLD], False, None, None, "wrong document", 3),
    (GOLD_SOURCE, [NEAR], [NEAR, FAR], False, None, None, "gold not retrieved", 0),
    (GOLD_SOURCE, [], [GOLD], True, None, None, "false abstention", 1),
    ({"abstain": True}, [FAR], [FAR], False, None, None, "missed abstention", None),
    (GOLD_SOURCE, [GOLD], [GOLD], False, None, "not in the passage", "invalid quote", 1),
    (GOLD_SOURCE, [], [], False, "RuntimeError: HTTP 500", None, "error", 0),
    ({**GOLD_SOURCE, "not_covered": ["Malaysia"]}, [GOLD], [GOLD], False, None, None, "uncovered part not named", 1),
]


@pytest.mark.parametrize("expect,cited,retrieved,abstained,error,quote,reason,rank", DIAGNOSES)
def test_diagnosis_names_why_a_case_failed(expect, cited, retrieved, abstained, error, quote, reason, rank):
    case, answer = _case(**expect), _answer(cited, retrieved, abstained, quote)
    pages = lambda doc, page: [p.text for p in PASSAGES.values() if p.document_id == doc]  # noqa: E731
    scores = score_case(case, answer, PASSAGES, pages, 10.0, error=error)
    why = diagnose(case, answer, scores, PASSAGES, error)
    assert why.reason == reason and scores.passed == (reason is None)
    assert scores.gold_rank == rank
    if rank is not None:
        assert why.source_ranks == (rank,)
    if reason in ("right document, wrong passage", "wrong document"):
        assert f"ranked {rank}" in why.detail


def test_every_failed_case_has_a_reason_and_a_gold_rank(record):
    failed = [c for c in record["cases"] if not c["passed"]]
    assert failed and all(c["failure"] in REASONS and c["failure_detail"] for c in failed)
    assert all(c["failure"] is None for c in record["cases"] if c["passed"])
    answerable = [c for c in failed if not c["expected"]["abstain"]]
    assert answerable and all(c["gold_rank"] is not None for c in answerable)
    # the fake system's second case in three quotes unrelated text of the right document
    assert {"gold not retrieved", "false abstention", "missed abstention"} <= {c["failure"] for c in failed}
    html = report.render_html(record)
    assert html.count("<div class=why>") == len(failed)
    assert "<table id=reasons>" in html and "right document, wrong passage" not in html.split("<table id=reasons>")[1].split("</table>")[0]


def test_case_row_shows_quotes_side_by_side_and_renders_markdown(record):
    from evals.report_cases import case_row

    c = next(c for c in record["cases"] if c["cited"] and c["expected"]["sources"]
             and c["expected"]["sources"][0]["quote"])
    c = {**c, "answer": "**EU AI Act** — Article 50 [1]\n\n- first\n- second <script>alert(1)</script>"}
    row = case_row(c)
    gold, cited = row.split("<div class=gold>")[1].split("<div class=cited>")
    assert report._esc(c["expected"]["sources"][0]["quote"]) in gold
    assert report._esc(c["cited"][0]["quote"]) in cited
    assert "<strong>EU AI Act</strong>" in row and "<li>first</li>" in row and "<sup class=mk>[1]</sup>" in row
    assert "<script>alert" not in row and "&lt;script&gt;" in row


def _with_latencies(record: dict, latency_by_index) -> dict:
    import copy

    from evals.metrics import percentile

    newer = copy.deepcopy(record)
    for i, case in enumerate(newer["cases"]):
        case["latency_ms"] = latency_by_index(i)
    latencies = [c["latency_ms"] for c in newer["cases"]]
    newer["aggregates"] |= {"latency_p50_ms": percentile(latencies, 50), "latency_p95_ms": percentile(latencies, 95)}
    return newer


def test_compare_ignores_latency_jitter_but_not_a_real_slowdown(record):
    import random

    rng = random.Random(7)
    base = [rng.uniform(20, 80) for _ in record["cases"]]  # the fake system is instant: realistic latencies
    record = _with_latencies(record, lambda i: base[i])
    jitter = _with_latencies(record, lambda i: base[i] * rng.uniform(0.65, 1.35))
    diff = report.compare_records(record, jitter)
    assert not [w for w in diff["worse"] if w[1] == "latency_ms"], diff["worse"]
    assert not [b for b in diff["better"] if b[1] == "latency_ms"]
    slow = _with_latencies(record, lambda i: base[i] * (12.0 if i == 3 else 1.0))
    diff = report.compare_records(record, slow)
    assert [(w[0], w[1]) for w in diff["worse"]] == [(record["cases"][3]["id"], "latency_ms")]
    html = report.render_html(jitter, previous=record)
    section = html.split("<h2 id=comparison>")[1].split("<h2>")[0]
    assert "within noise" in section and "data-direction=noise" in section
    assert "<table id=compare-summary>" in section


def test_compare_in_html_from_the_command_line(record, tmp_path):
    import copy
    import json

    newer = copy.deepcopy(record)
    newer["cases"][1]["metrics"]["citation_recall"], newer["cases"][1]["passed"] = 1.0, True
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.html"
    a.write_text(json.dumps(record))
    b.write_text(json.dumps(newer))
    assert report.main(["--compare", str(a), str(b), "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    better = html.split("<table id=compare-better>")[1].split("</table>")[0]
    assert newer["cases"][1]["id"] in better and "citation_recall" in better


def test_tag_chart_on_a_small_suite(tmp_path):
    suite = tmp_path / "small.yaml"
    suite.write_text("""
- id: sme-001
  question: "Do chatbots have to say they are AI?"
  tags: [transparency]
  expect: {abstain: false, sources: [{document: eu-ai-act-2024-1689, locator: "Article 50(1)"}]}
- id: sme-002
  question: "What is the tax rate on AI?"
  tags: [tax]
  expect: {abstain: true}
""", encoding="utf-8")
    system = FakeSystem()
    small = runner.run_suite(load_suite(suite), system, lambda d, p: [], mode="extractive", progress=False)
    calls = []
    real = report.slice_chart
    try:
        report.slice_chart = lambda dim, groups, least=1: calls.append((dim, least, list(groups))) or real(dim, groups, least)
        report.render_html(small)
    finally:
        report.slice_chart = real
    assert ("tag", 1, ["tax", "transparency"]) in calls  # every tag charted when none has two cases
