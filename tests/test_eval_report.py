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
    first_row = html.index("<tr class=", html.index("<table id=cases>"))
    assert html[first_row:first_row + 20].startswith("<tr class=fail")  # failures first
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
        finally:
            browser.close()
    assert out.stat().st_size > 10_000
