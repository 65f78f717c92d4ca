"""The Crosswalk tab in a real headless Chromium (Debian's /usr/bin/chromium via Playwright), at
desktop and phone sizes: the grid, binding cells set apart, a cell opening its citations, the topic
filter, the CSV and Markdown exports, and the gap view. Screenshots go to test-output/ (the ones in
docs/ are copies of them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api.app import create_app
from tests.live_server import free_port, run_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parents[1] / "test-output"
TIMEOUT_MS = 120_000
AI_ACT = "eu-ai-act-2024-1689"

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing: install it with `apt-get install -y chromium` to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")


@pytest.fixture(scope="module")
def base_url(full_assistant) -> Iterator[str]:
    with run_server(create_app(assistant=full_assistant), free_port()) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def open_tab(browser, base_url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/")
    page.get_by_role("tab", name="Crosswalk").click()
    page.wait_for_selector("#pa-cw-out table.pa-cw")
    return context, page


def test_desktop_grid_cells_filter_export_and_gaps(browser, base_url):
    OUT.mkdir(exist_ok=True)
    context, page = open_tab(browser, base_url, 1360, 1100)
    rows = page.locator("#pa-cw-out tbody tr")
    assert rows.count() == 14
    assert page.locator("#pa-cw-out thead th[data-document]").count() == 6
    binding = page.locator("#pa-cw-out td.pa-cw-binding").first
    voluntary = page.locator("#pa-cw-out td.pa-cw-voluntary").first
    style = "e => getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).borderLeftColor"
    assert binding.evaluate(style) != voluntary.evaluate(style)
    assert page.locator("#pa-cw-out td[data-status=not-addressed]").count() > 0

    # a cell opens its citations: the EU AI Act's transparency cell
    row = page.locator('#pa-cw-out tr[data-topic="transparency"]')
    eu_index = [page.locator("#pa-cw-out thead th").nth(i).get_attribute("data-document")
                for i in range(page.locator("#pa-cw-out thead th").count())].index(AI_ACT)
    cell = row.locator("td").nth(eu_index - 1)
    cell.locator("summary").click()
    cite = cell.locator(".pa-cw-cite").first
    sync_api.expect(cite).to_be_visible()
    assert cite.get_attribute("data-passage").startswith(f"{AI_ACT}#art-50")
    assert cite.locator("a").first.get_attribute("href").startswith("/viewer/?doc=eu-ai-act-2024-1689")
    assert len(cite.locator("q").inner_text()) > 40
    page.screenshot(path=str(OUT / "ui-crosswalk.png"), full_page=True)

    # exports: every cell of the shown grid, with its citation
    with page.expect_download() as dl:
        page.click("#pa-cw-csv")
    table = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert {r["topic"] for r in table} >= {"Transparency and disclosure", "Human oversight"}
    assert any(r["locator"] == "Article 50(1)" and r["binding"] == "yes" for r in table)
    with page.expect_download() as dl:
        page.click("#pa-cw-md")
    assert "| Transparency and disclosure | EU AI Act |" in Path(dl.value.path()).read_text(encoding="utf-8")

    # filter by topic: one row left
    page.click("#pa-cw-topics input")
    page.keyboard.type("Human over")
    page.get_by_role("option", name="Human oversight", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelectorAll('#pa-cw-out tbody tr').length === 1")
    assert page.locator("#pa-cw-out tbody tr").get_attribute("data-topic") == "human-oversight"

    # the gap view (defaults: ASEAN Guide -> EU AI Act, provider, high-risk)
    page.click("#pa-gap-go")
    page.wait_for_selector("#pa-gap-out h4")
    topics = [page.locator("#pa-gap-out h4").nth(i).get_attribute("data-topic")
              for i in range(page.locator("#pa-gap-out h4").count())]
    assert "incident-reporting" in topics and "transparency" not in topics
    assert page.locator("#pa-gap-out .pa-cw-cite").first.locator("a").first.get_attribute("href").startswith("/viewer/")
    page.locator("#pa-gap").screenshot(path=str(OUT / "ui-crosswalk-gaps.png"))
    context.close()


def test_phone_grid_scrolls_inside_its_frame(browser, base_url):
    OUT.mkdir(exist_ok=True)
    context, page = open_tab(browser, base_url, 390, 844)
    wrap = page.locator("#pa-cw-out .pa-cw-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # the grid scrolls sideways in its box…
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # …not the page
    topic = page.locator("#pa-cw-out tbody th.pa-cw-topic").first
    wrap.evaluate("e => e.scrollLeft = 400")
    assert topic.evaluate("e => e.getBoundingClientRect().left") >= 0  # topic names stay in view
    wrap.evaluate("e => e.scrollLeft = 0")
    page.locator("#pa-cw-out").screenshot(path=str(OUT / "ui-crosswalk-phone.png"))
    context.close()
