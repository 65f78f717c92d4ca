"""The Gradio UI and the source viewer in a real headless Chromium (Debian's /usr/bin/chromium driven
by Playwright): cited answers with clickable [n] markers, the viewer opening the cited page with the
quote highlighted, a conversation that survives a reload, feedback into JSONL and its export as
suite cases, Markdown export, compare, sources, and the phone/dark layouts. Screenshots of the
layouts go to docs/, the rest to test-output/."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from assistant import feedback
from assistant.api.app import create_app
from assistant.cli import app as cli
from evals.suite import check_suite_with_index, load_suite
from tests.live_server import free_port, run_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parents[1] / "test-output"
DOCS = Path(__file__).resolve().parents[1] / "docs"
AI_ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1.0"
CHATBOT_QUESTION = "Do I have to tell people they are talking to an AI chatbot under the EU AI Act?"
TIMEOUT_MS = 120_000

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing: install it with `apt-get install -y chromium` to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

# WCAG contrast of an element's text (or its ::before) against the backgrounds it sits on.
CONTRAST_JS = """([el, pseudo]) => {
  const cv = document.createElement('canvas').getContext('2d');
  const rgba = (c) => { cv.clearRect(0, 0, 1, 1); cv.fillStyle = '#000'; cv.fillStyle = c; cv.fillRect(0, 0, 1, 1);
                        const d = cv.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const layers = [];
  for (let e = el; e; e = e.parentElement) layers.push(rgba(getComputedStyle(e).backgroundColor));
  let bg = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) bg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
  const [r, g, b, a] = rgba(getComputedStyle(el, pseudo || null).color);
  const fg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
  const lum = (c) => { const [x, y, z] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                       return 0.2126 * x + 0.7152 * y + 0.0722 * z; };
  const [l1, l2] = [lum(fg), lum(bg)].sort((p, q) => q - p);
  return (l1 + 0.05) / (l2 + 0.05);
}"""


def fold(text: str) -> str:
    """Letters and digits only, as the viewer matches quotes."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


# ---- fixtures and helpers ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory) -> Iterator[Path]:
    """Feedback goes to a temporary file, not to the real data dir."""
    path = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(feedback, "feedback_path", lambda settings: path)
        yield path


@pytest.fixture(scope="module")
def base_url(full_assistant, feedback_file) -> Iterator[str]:
    with run_server(create_app(assistant=full_assistant), free_port()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url):
    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def open_ui(browser, base_url: str, width: int = 1360, height: int = 1100, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/")
    wait_loaded(page)
    return page


def wait_loaded(page) -> None:
    page.wait_for_function("document.querySelector('#pa-status')?.innerText.includes('Index ready')")


@pytest.fixture(scope="module")
def page(browser, base_url):
    page = open_ui(browser, base_url)
    yield page
    page.context.close()


def ask(page, question: str) -> None:
    before = page.locator("#pa-chat .pa-cards").count()
    page.fill("#pa-question textarea", question)
    page.click("#pa-ask")
    try:
        page.wait_for_function(f"document.querySelectorAll('#pa-chat .pa-cards').length > {before}")
    except sync_api.TimeoutError:  # say what the page shows instead (an abstention, a notice, still thinking)
        raise AssertionError(f"no cited answer to {question!r}; the chat shows:\n{page.locator('#pa-chat').inner_text()}"
                             f"\nnotice: {page.locator('#pa-chat-notice').inner_text()!r}") from None
    try:  # the answer is in; let Gradio clear its progress overlays before anyone takes a screenshot
        page.wait_for_function("!document.querySelector('.pending, .eta-bar, .progress-text')", timeout=5000)
    except sync_api.TimeoutError:
        pass


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


def lines(path: Path, n: int, seconds: float = 30) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= n:
            return [json.loads(x) for x in path.read_text().splitlines()]
        time.sleep(0.2)
    raise AssertionError(f"{path} never got {n} line(s)")


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


# ---- chat ----------------------------------------------------------------------------------------
def test_empty_question_gets_a_clear_message(page):
    page.fill("#pa-question textarea", "")
    page.click("#pa-ask")
    sync_api.expect(page.locator("#pa-chat-notice")).to_contain_text("Please type a question")


def test_chat_answer_with_clickable_markers_cards_and_follow_up(page):
    ask(page, CHATBOT_QUESTION)
    cards = page.locator("#pa-chat .pa-card")
    locators = [cards.nth(i).locator(".pa-locator").inner_text() for i in range(cards.count())]
    assert any(loc.startswith("Article 50") for loc in locators), locators
    card = cards.filter(has=page.locator(".pa-locator", has_text=re.compile(r"^Article 50"))).first
    assert card.get_attribute("title").startswith(f"{AI_ACT}#")  # the passage id, as a tooltip
    assert card.locator(".pa-view").inner_text().endswith("EU AI Act")  # the short name, not the full title
    assert card.locator(".pa-view").get_attribute("href").startswith(f"/viewer/?doc={AI_ACT}&page=")
    assert card.locator(".pa-official").get_attribute("href").startswith("https://")
    assert card.locator(".pa-badge").first.inner_text() == "Binding"

    marker = page.locator("#pa-chat .pa-ref").first
    assert marker.inner_text().startswith("[1]") and marker.get_attribute("href").startswith("/viewer/?")
    preview = marker.locator(".pa-pop")
    assert not preview.is_visible()
    marker.hover()
    sync_api.expect(preview).to_be_visible()
    assert "EU AI Act" in preview.inner_text() and "Article 50" in preview.inner_text()
    page.mouse.move(0, 0)

    # each quote once: the extractive answer quotes the passage, so its card does not repeat it
    quote = parse_qs(urlsplit(marker.get_attribute("href")).query)["q"][0]
    chat_text = " ".join(page.locator("#pa-chat").inner_text().split())
    assert chat_text.count(quote[:80]) == 1, chat_text
    show_from(page, "Do I have to tell people")
    page.screenshot(path=str(OUT / "ui-chat.png"), full_page=True)

    ask(page, "And what about deep fakes?")
    followup = page.locator("#pa-chat .pa-cards").last.locator(".pa-card")
    titles = [followup.nth(i).get_attribute("title") for i in range(followup.count())]
    assert any(t.startswith(f"{AI_ACT}#") for t in titles), titles
    assert page.locator("#pa-chat").inner_text().lower().count("deep fake") >= 2  # the question and its answer
    show_from(page, "And what about deep fakes?")
    page.screenshot(path=str(OUT / "ui-chat-follow-up.png"), full_page=True)


def test_a_marker_opens_the_viewer_with_the_quote_highlighted_on_the_cited_page(page):
    marker = page.locator("#pa-chat .pa-ref").first
    query = parse_qs(urlsplit(marker.get_attribute("href")).query)
    cited_page, quote = int(query["page"][0]), query["q"][0]
    with page.expect_popup() as popup:
        marker.click()
    viewer = popup.value
    viewer.set_viewport_size({"width": 1100, "height": 900})
    viewer.wait_for_function("document.body.dataset.state === 'ready'", timeout=TIMEOUT_MS)
    assert viewer.evaluate("document.body.dataset.match") == "full", viewer.locator("#pa-viewer-status").inner_text()
    assert viewer.evaluate("document.body.dataset.page") == str(cited_page)
    marks = viewer.locator(".pa-hl")
    pages = {m.evaluate("e => e.closest('.page').dataset.pageNumber") for m in marks.all()}
    assert pages == {str(cited_page)}
    assert fold("".join(m.text_content() for m in marks.all())) == fold(quote)
    assert in_viewport(viewer, marks.first)  # scrolled to it
    assert viewer.locator(f'.page[data-page-number="{cited_page}"] canvas').count() >= 1  # the page is drawn
    viewer.screenshot(path=str(DOCS / "viewer-pdf.png"))
    viewer.close()


@pytest.mark.parametrize("document_id, question", [
    ("uk-ai-white-paper-2023", "What are the principles regulators should apply?"),  # HTML
    ("asean-guide-ai-governance-ethics-2024", "What is human involvement in AI-augmented decision-making?"),  # text
])
def test_html_and_text_sources_scroll_to_the_quote(browser, base_url, full_assistant, document_id, question):
    citation = full_assistant.ask(question, documents=[document_id]).citations[0]
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    viewer = context.new_page()
    viewer.goto(base_url + citation.view_url)
    viewer.wait_for_function("document.body.dataset.state === 'ready'", timeout=TIMEOUT_MS)
    assert viewer.evaluate("document.body.dataset.match") == "full", viewer.locator("#pa-viewer-status").inner_text()
    marks = viewer.locator("#pa-text mark.pa-hl")
    assert fold("".join(m.text_content() for m in marks.all())) == fold(citation.quote)
    assert in_viewport(viewer, marks.first)
    assert viewer.locator("#pa-text script, #pa-text link, #pa-text iframe").count() == 0  # shown inert
    context.close()


def test_feedback_clicks_land_in_the_jsonl_file_and_export_as_valid_suite_cases(page, feedback_file, full_assistant,
                                                                                tmp_path):
    page.locator("#pa-chat button[aria-label='Like']").last.click()
    (liked,) = lines(feedback_file, 1)
    assert liked["rating"] == "up" and liked["question"] == "And what about deep fakes?"
    assert [t["content"] for t in liked["history"]][0] == CHATBOT_QUESTION  # the follow-up keeps its context
    assert liked["citations"] and all(c["passage_id"].startswith(AI_ACT) for c in liked["citations"])
    sync_api.expect(page.locator("#pa-chat-notice")).to_contain_text("feedback was saved")

    page.locator("#pa-chat button[aria-label='Feedback']").first.click()
    page.locator("#pa-chat .extra-feedback-option", has_text="Wrong citation").first.click()
    wrong = lines(feedback_file, 2)[1]
    assert wrong["rating"] == "wrong_citation" and wrong["question"] == CHATBOT_QUESTION and wrong["history"] == []

    out = tmp_path / "drafts.yaml"
    result = CliRunner().invoke(cli, ["feedback", "export", "--from", str(feedback_file), "--out", str(out)])
    assert result.exit_code == 0, result.output
    suite = load_suite(out)
    by_id = {c.id.split("-")[1]: c for c in suite.cases}
    assert by_id["up"].kind == "follow-up" and by_id["up"].expect.sources
    assert by_id["wrong"].expect.sources == () and "feedback-wrong-citation" in by_id["wrong"].tags
    assert check_suite_with_index(suite, full_assistant.index) == []


def test_export_downloads_the_last_answer_with_its_citations_as_markdown(page):
    with page.expect_download() as download:
        page.click("#pa-export")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert text.startswith("## And what about deep fakes?")
    assert "[1]" in text and "### Sources" in text and "1. **EU AI Act**, Article " in text
    assert "(https://eur-lex.europa.eu/" in text


def test_the_conversation_survives_a_reload_and_new_conversation_clears_it(page):
    before = page.locator("#pa-chat .pa-card").count()
    page.reload()
    wait_loaded(page)
    page.wait_for_function(f"document.querySelectorAll('#pa-chat .pa-card').length === {before}")
    text = page.locator("#pa-chat").inner_text()
    assert CHATBOT_QUESTION in text and "And what about deep fakes?" in text
    assert page.locator("#pa-export").is_enabled()
    ask(page, "And what about emotion recognition of staff in the workplace?")  # a follow-up after the reload
    assert page.locator("#pa-chat .pa-cards").count() == 3

    page.click("#pa-new")
    page.wait_for_function("document.querySelectorAll('#pa-chat .pa-card').length === 0")
    page.reload()
    wait_loaded(page)
    page.wait_for_timeout(1500)  # the stored (now empty) conversation is restored on load
    assert page.locator("#pa-chat .pa-card").count() == 0
    assert CHATBOT_QUESTION not in page.locator("#pa-chat").inner_text()


# ---- compare and sources ---------------------------------------------------------------------
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
        assert cite.locator(".pa-ref").get_attribute("href").startswith("/viewer/?")
    assert "p. " in rows.nth(0).locator(".pa-cite").first.inner_text()
    page.screenshot(path=str(OUT / "ui-compare.png"), full_page=True)


def test_sources_tab_lists_the_corpus(page, full_assistant):
    page.get_by_role("tab", name="Sources").click()
    page.wait_for_selector("#pa-sources table.pa-sources")
    rows = page.locator("#pa-sources tbody tr")
    assert rows.count() == len(full_assistant.documents())
    assert "NIST AI RMF" in page.locator("#pa-sources").inner_text()
    first = rows.first.locator(".pa-view")
    assert first.get_attribute("href").startswith("/viewer/?doc=")
    page.screenshot(path=str(OUT / "ui-sources.png"), full_page=True)


# ---- phone, dark mode, desktop -------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_layout_question_box_above_the_fold_and_stacked_tables(browser, base_url, full_assistant, scheme):
    page = open_ui(browser, base_url, 375, 812, scheme)
    assert page.evaluate("document.body.scrollWidth") <= 375  # nothing sticks out sideways
    assert page.evaluate("window.scrollY") == 0
    assert in_viewport(page, page.locator("#pa-question textarea")) and in_viewport(page, page.locator("#pa-ask"))
    ask(page, CHATBOT_QUESTION)
    assert page.evaluate("window.scrollY") == 0 and in_viewport(page, page.locator("#pa-question textarea"))
    page.locator("#pa-chat .pa-ref").first.hover()
    for selector in ("#pa-chat .pa-card .pa-meta", "#pa-chat .pa-card .pa-view", "#pa-chat .pa-ref",
                     "#pa-chat .pa-pop", "#pa-chat .pa-quote", "#pa-chat .pa-badge"):
        for element in page.locator(selector).all()[:3]:
            ratio = page.evaluate(CONTRAST_JS, [element.element_handle(), None])
            assert ratio >= 4.5, (scheme, selector, ratio)
    page.mouse.move(0, 0)
    page.locator("#pa-chat").evaluate("e => e.querySelector('.pa-cards').scrollIntoView({block: 'end'})")
    page.screenshot(path=str(DOCS / f"ui-mobile-{scheme}.png"))

    page.get_by_role("tab", name="Sources").click()
    page.wait_for_selector("#pa-sources table.pa-sources")
    cell = page.locator("#pa-sources td[data-label='Passages']").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"  # rows are stacked cards
    assert page.evaluate("document.querySelector('#pa-sources table').scrollWidth") <= 375
    assert page.evaluate(CONTRAST_JS, [cell.element_handle(), "::before"]) >= 4.5  # the field labels
    assert page.evaluate(CONTRAST_JS, [cell.element_handle(), None]) >= 4.5
    if scheme == "dark":
        page.screenshot(path=str(DOCS / "ui-mobile-dark-sources.png"))
    page.context.close()


def test_phone_compare_is_stacked_cards(browser, base_url, full_assistant):
    page = open_ui(browser, base_url, 375, 812, "dark")
    page.get_by_role("tab", name="Compare").click()
    pick(page, "#pa-cmp-docs", option_label(full_assistant, AI_ACT))
    pick(page, "#pa-cmp-docs", option_label(full_assistant, NIST))
    page.fill("#pa-cmp-question textarea", "How do they treat human oversight of AI systems?")
    page.click("#pa-cmp-go")
    page.wait_for_selector("#pa-cmp-out table.pa-compare")
    finding = page.locator("#pa-cmp-out td[data-label='Finding']").first
    assert finding.evaluate("e => getComputedStyle(e).display") == "block"
    assert finding.bounding_box()["width"] > 250  # a readable column, not one word per line
    assert page.evaluate("document.querySelector('#pa-cmp-out table').scrollWidth") <= 375
    assert page.evaluate(CONTRAST_JS, [finding.element_handle(), None]) >= 4.5
    page.context.close()


def test_desktop_screenshot_and_dark_table_headers(browser, base_url):
    page = open_ui(browser, base_url, 1366, 900, "light")
    ask(page, CHATBOT_QUESTION)
    page.mouse.move(0, 0)
    page.screenshot(path=str(DOCS / "ui-desktop.png"))
    page.context.close()

    dark = open_ui(browser, base_url, 1366, 900, "dark")
    dark.get_by_role("tab", name="Sources").click()
    dark.wait_for_selector("#pa-sources table.pa-sources")
    header = dark.locator("#pa-sources th").first
    assert header.is_visible() and header.inner_text() == "Title"
    assert dark.evaluate(CONTRAST_JS, [header.element_handle(), None]) >= 4.5
    dark.context.close()


SME_ANSWERS = [
    # (question, screenshot, words the answer must show)
    ("We run a small web shop in Vietnam and sell to customers in Germany. Our chat assistant answers "
     "buyers automatically: must it say that it is an AI?", "ui-sme-binding.png", ["What binds you", "Article 50(1)"]),
    ("From when are the AI Act's bans on prohibited AI practices in force?", "ui-sme-temporal.png",
     ["2 February 2025", "Article 113"]),
    ("What does the ASEAN Guide recommend on telling users they deal with AI, and what does Malaysia's "
     "AI law require?", "ui-sme-mixed.png", ["Voluntary guidance", "Not covered", "Malaysia"]),
]


@pytest.mark.parametrize("question, shot, expected", SME_ANSWERS)
def test_sme_answers_show_what_binds_the_dates_and_what_is_not_covered(browser, base_url, question, shot, expected):
    """Three SME answers as a user sees them (screenshots in docs/): the binding act of the market
    first, the date with the provision that sets it, and the uncovered part named."""
    page = open_ui(browser, base_url, 1366, 1000, "light")
    ask(page, question)
    text = page.locator("#pa-chat").inner_text()
    for words in expected:
        assert words in text, (words, text[-1500:])
    page.mouse.move(0, 0)
    show_from(page, question[:40])
    page.screenshot(path=str(DOCS / shot))
    page.context.close()
