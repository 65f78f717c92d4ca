"""The UI's language in a real headless Chromium (Debian's /usr/bin/chromium via Playwright): the
Language selector relabels the page (and a reload keeps the choice), and with "Auto" the labels
follow the language of the question asked. Screenshots: docs/ui-language-vi.png (desktop) and
docs/ui-language-id-phone.png (375x812, dark)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.api.app import create_app
from assistant.i18n import t, ui_strings
from tests.live_server import free_port, run_server
from tests.test_ui_browser import (ARGS, CHATBOT_QUESTION, CHROMIUM, CONTRAST_JS, DOCS, OUT, TIMEOUT_MS, ask,
                                   open_ui, sync_api)

pytestmark = pytest.mark.browser

VIETNAMESE_QUESTION = "Tôi có phải thông báo cho khách hàng rằng họ đang trò chuyện với chatbot AI không?"
INDONESIAN_QUESTION = "Apakah saya wajib memberi tahu pelanggan bahwa mereka berbicara dengan chatbot AI?"


@pytest.fixture(scope="module")
def base_url(full_assistant) -> Iterator[str]:
    with run_server(create_app(assistant=full_assistant), free_port()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url):
    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        sync_api.expect.set_options(timeout=TIMEOUT_MS)  # relabelling waits for a (slow, shared) server
        yield b
        sync_api.expect.set_options(timeout=5_000)  # Playwright's default, for the other modules
        b.close()


def choose(page, label: str) -> None:
    """Pick a language in the selector (a single-choice dropdown: open it, click the option)."""
    page.click("#pa-lang input")
    page.get_by_role("option", name=label, exact=True).click()


def expect_labels(page, lang: str, tabs: tuple[str, ...] = ("chat", "compare", "sources", "crosswalk")) -> None:
    """The chat's labels, tab titles and index status are all in ``lang`` (on a phone, the tabs that
    do not fit are under Gradio's "More tabs" menu)."""
    words = ui_strings(lang)
    expect = sync_api.expect
    expect(page.locator("#pa-ask")).to_have_text(words["ask"])
    expect(page.locator("#pa-new")).to_have_text(words["new_conversation"])
    expect(page.locator("#pa-question textarea")).to_have_attribute("placeholder", words["question_placeholder"])
    expect(page.locator("#pa-head h2")).to_have_text(words["title"])
    expect(page.locator("#pa-status")).to_contain_text(words["index_ready"].split("{")[0].strip())
    for tab in tabs:
        expect(page.get_by_role("tab", name=words[f"tab_{tab}"], exact=True)).to_be_visible()
    expect(page.locator("#pa-persona")).to_contain_text(words["persona_sme"])
    expect(page.locator("#pa-persona")).to_contain_text(words["answer_for"])
    expect(page.locator("#pa-binding")).to_contain_text(words["binding_only"])


def test_the_selector_relabels_the_page_and_a_reload_keeps_the_choice(browser, base_url):
    page = open_ui(browser, base_url, 1366, 900, "light")
    sync_api.expect(page.locator("#pa-lang input")).to_have_value(ui_strings("en")["language_auto"])
    page.get_by_label(t("ui_persona_official", "en")).check()
    choose(page, "Tiếng Việt")
    expect_labels(page, "vi")
    assert page.locator("#pa-ask").inner_text() == "Hỏi"
    assert page.get_by_label(t("ui_persona_official", "vi")).is_checked()  # relabelled, still chosen
    page.get_by_label(t("ui_persona_sme", "vi")).check()

    ask(page, VIETNAMESE_QUESTION)
    badge = page.locator("#pa-chat .pa-card .pa-badge").first
    assert badge.inner_text() == t("ui_badge_binding", "vi")
    assert t("ui_page", "vi", page="") in page.locator("#pa-chat .pa-card .pa-locator").first.inner_text()
    page.mouse.move(0, 0)
    page.wait_for_timeout(1000)  # Gradio scrolls a new answer into view when it settles
    page.locator("#pa-chat").get_by_text(VIETNAMESE_QUESTION).last.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "ui-language-vi.png"))

    ask(page, CHATBOT_QUESTION)  # a chosen language stays, whatever the question's language
    page.wait_for_timeout(1500)  # (with "Auto", the relabelling would follow the answer)
    expect_labels(page, "vi")
    assert page.locator("#pa-chat .pa-cards").last.locator(".pa-badge").first.inner_text() == \
        t("ui_badge_binding", "vi")

    page.reload()
    sync_api.expect(page.locator("#pa-lang input")).to_have_value("Tiếng Việt")
    expect_labels(page, "vi")
    page.wait_for_function("document.querySelectorAll('#pa-chat .pa-card').length > 0")
    assert page.locator("#pa-chat .pa-card .pa-badge").first.inner_text() == t("ui_badge_binding", "vi")

    page.get_by_role("tab", name=t("ui_tab_sources", "vi"), exact=True).click()
    page.wait_for_selector("#pa-sources table.pa-sources")
    assert page.locator("#pa-sources th").first.inner_text() == t("ui_th_title", "vi")

    page.get_by_role("tab", name=t("ui_tab_chat", "vi"), exact=True).click()
    choose(page, ui_strings("vi")["language_auto"])  # back to Auto: the question was English
    expect_labels(page, "en")
    page.context.close()


def test_auto_follows_the_question_language_on_a_phone_in_dark_mode(browser, base_url):
    page = open_ui(browser, base_url, 375, 812, "dark")
    expect_labels(page, "en", tabs=("chat",))
    ask(page, INDONESIAN_QUESTION)
    expect_labels(page, "id", tabs=("chat", "compare", "sources"))
    sync_api.expect(page.locator("#pa-lang input")).to_have_value(ui_strings("id")["language_auto"])
    chat = page.locator("#pa-chat")
    sync_api.expect(chat).to_contain_text(t("binds_you", "id"))  # the answer's headings (from the backend)
    sync_api.expect(chat).to_contain_text(t("voluntary_guidance", "id"))
    sync_api.expect(chat.locator(".pa-card .pa-badge").first).to_have_text(t("ui_badge_binding", "id"))
    assert page.evaluate("document.body.scrollWidth") <= 375  # nothing sticks out sideways
    for selector in ("#pa-ask", "#pa-chat .pa-card .pa-meta", "#pa-chat .pa-badge"):
        element = page.locator(selector).first
        assert page.evaluate(CONTRAST_JS, [element.element_handle(), None]) >= 4.5, selector
    page.locator("#pa-chat").get_by_text(INDONESIAN_QUESTION).last.evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollTo(0, 0)")  # the conversation scrolled to the question, the page to its top
    page.screenshot(path=str(DOCS / "ui-language-id-phone.png"))
    page.context.close()
