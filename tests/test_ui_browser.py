"""The Gradio UI in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
ask a corpus question and a follow-up, check the citation cards; compare two documents; list
sources. Screenshots go to test-output/."""

from __future__ import annotations

import re
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
AI_ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1.0"
TIMEOUT_MS = 120_000

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing: install it with `apt-get install -y chromium` to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")


@pytest.fixture(scope="module")
def base_url(full_assistant) -> Iterator[str]:
    with run_server(create_app(assistant=full_assistant), free_port()) as base:
        yield base


@pytest.fixture(scope="module")
def page(base_url):
    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1360, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base_url}/")
        page.wait_for_function("document.querySelector('#pa-status')?.innerText.includes('Index ready')")
        yield page
        browser.close()


def option_label(assistant, document_id: str) -> str:
    src = assistant.index.sources[document_id]
    return f"{src.label} ({src.jurisdiction})"


def pick(page, dropdown: str, label: str) -> None:
    page.click(f"{dropdown} input")
    page.keyboard.type(label[:12])
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def show_from(page, user_text: str) -> None:
    """Scroll the conversation so the screenshot starts at this user turn."""
    page.locator("#pa-chat").get_by_text(user_text).last.evaluate("e => e.scrollIntoView({block: 'start'})")


def test_empty_question_gets_a_clear_message(page):
    page.fill("#pa-question textarea", "")
    page.click("#pa-ask")
    sync_api.expect(page.locator("#pa-chat-notice")).to_contain_text("Please type a question")


def test_chat_answer_with_citation_cards_and_follow_up(page):
    page.fill("#pa-question textarea", "Do I have to tell people they are talking to an AI chatbot under the EU AI Act?")
    page.click("#pa-ask")
    page.wait_for_selector("#pa-chat .pa-card")
    cards = page.locator("#pa-chat .pa-card")
    locators = [cards.nth(i).locator(".pa-locator").inner_text() for i in range(cards.count())]
    assert any(loc.startswith("Article 50") for loc in locators), locators
    card = cards.filter(has=page.locator(".pa-locator", has_text=re.compile(r"^Article 50"))).first
    assert card.get_attribute("title").startswith(f"{AI_ACT}#")  # the passage id, as a tooltip
    assert len(card.locator(".pa-quote").inner_text().strip("“” ")) > 20
    assert card.locator(".pa-badge").first.inner_text() == "Binding"
    assert card.locator("a").get_attribute("href").startswith("https://")
    assert "[1]" in page.locator("#pa-chat").inner_text()
    show_from(page, "Do I have to tell people")
    page.screenshot(path=str(OUT / "ui-chat.png"), full_page=True)

    before = cards.count()
    page.fill("#pa-question textarea", "And what about deep fakes?")
    page.click("#pa-ask")
    page.wait_for_function(f"document.querySelectorAll('#pa-chat .pa-card').length > {before}")
    followup = page.locator("#pa-chat .pa-cards").last.locator(".pa-card")
    titles = [followup.nth(i).get_attribute("title") for i in range(followup.count())]
    quotes = [followup.nth(i).locator(".pa-quote").inner_text().lower() for i in range(followup.count())]
    pairs = list(zip(titles, quotes, strict=True))
    assert any(t.startswith(f"{AI_ACT}#") and "deep fake" in q for t, q in pairs), pairs
    show_from(page, "And what about deep fakes?")
    page.screenshot(path=str(OUT / "ui-chat-follow-up.png"), full_page=True)


def test_compare_two_documents(page, full_assistant):
    page.get_by_role("tab", name="Compare").click()
    pick(page, "#pa-cmp-docs", option_label(full_assistant, AI_ACT))
    pick(page, "#pa-cmp-docs", option_label(full_assistant, NIST))
    page.fill("#pa-cmp-question textarea", "How do they treat human oversight of AI systems?")
    page.click("#pa-cmp-go")
    page.wait_for_selector("#pa-cmp-out table.pa-compare")
    rows = page.locator("#pa-cmp-out tr[data-document]")
    assert [rows.nth(i).get_attribute("data-document") for i in range(rows.count())] == [AI_ACT, NIST]
    for i in range(2):
        cite = rows.nth(i).locator(".pa-cite").first
        text = cite.inner_text()
        assert re.match(r"\[\d+\] \S.*", text) and "“" in text, text
    assert "p. " in rows.nth(0).locator(".pa-cite").first.inner_text()
    page.screenshot(path=str(OUT / "ui-compare.png"), full_page=True)


def test_sources_tab_lists_the_corpus(page, full_assistant):
    page.get_by_role("tab", name="Sources").click()
    page.wait_for_selector("#pa-sources table.pa-sources")
    rows = page.locator("#pa-sources tbody tr")
    assert rows.count() == len(full_assistant.documents())
    assert "NIST AI RMF" in page.locator("#pa-sources").inner_text()
    page.screenshot(path=str(OUT / "ui-sources.png"), full_page=True)
