"""The chat's HTML and Markdown, table-first: clickable [n] markers with previews, each quote shown
once, short names, escaping, the stored session (what a reload restores)."""

from __future__ import annotations

import re

import pytest

from assistant.citations import view_url
from assistant.types import Answer, Citation
from ui import session as sessions
from ui.render import answer_markdown, answer_message, answer_text_html, citation_cards, citation_from_dict

NAMES = {"eu-ai-act-2024-1689": "EU AI Act"}
QUOTE = "Providers shall ensure that AI systems intended to interact directly with natural persons are informed"


def cite(n: int, quote: str = QUOTE, passage: str = "eu-ai-act-2024-1689#art-50-1", page: int | None = 82) -> Citation:
    return Citation(n=n, passage_id=passage, document_id=passage.split("#")[0],
                    document_title="Regulation (EU) 2024/1689 … (Artificial Intelligence Act)", locator="Article 50(1)",
                    page=page, quote=quote, url="https://eur-lex.europa.eu/eli/reg/2024/1689/oj#page=82", binding=True,
                    jurisdiction="EU", view_url=view_url(passage.split("#")[0], page, quote))


@pytest.mark.parametrize("text, links, plain", [
    ("Providers must inform people [1].", ["1"], []),
    ("Both apply [1][2].", ["1", "2"], []),
    ("Both apply [1, 2].", ["1", "2"], []),
    ("A marker without a citation [7] stays text.", [], ["[7]"]),
    ("No markers at all.", [], []),
])
def test_markers_become_viewer_links(text, links, plain):
    html = answer_text_html(text, [cite(1), cite(2, "Another sentence of the passage.")], NAMES)
    assert re.findall(r'class="pa-ref" href="/viewer/\?[^"]+"[^>]*data-n="(\d+)"', html) == links
    for p in plain:
        assert p in html
    if links:
        assert '<span class="pa-pop" role="tooltip"><b>EU AI Act</b> · Article 50(1) · p. 82' in html


def test_answer_text_is_escaped_but_markdown_survives():
    html = answer_text_html("**Bold** <script>alert(1)</script> & more [1]", [cite(1)], NAMES)
    assert "<script>" not in html and "&lt;script&gt;" in html and "**Bold**" in html and "&amp; more" in html


def test_a_quote_in_the_answer_text_is_not_repeated_in_its_card():
    text = f"**EU AI Act** — Article 50(1): “{QUOTE}.” [1] And a paraphrase [2]."
    other = "Deployers of an emotion recognition system shall inform the natural persons exposed thereto"
    html = answer_message(text, [cite(1), cite(2, other)], NAMES)
    visible = re.sub(r'<span class="pa-pop".*?</span>', "", html)  # previews show on hover only
    assert visible.count(QUOTE) == 1 and visible.count(other) == 1
    assert '<blockquote class="pa-quote">“Deployers' in html


def test_duplicate_quotes_show_once_and_cards_use_short_names_and_both_links():
    cards = citation_cards([cite(1), cite(2)], NAMES)
    assert cards.count("<blockquote") == 1
    assert "[1] EU AI Act" in cards and "Regulation (EU)" not in cards
    assert 'href="/viewer/?doc=eu-ai-act-2024-1689&amp;page=82&amp;q=' in cards
    assert 'href="https://eur-lex.europa.eu/eli/reg/2024/1689/oj#page=82"' in cards
    assert citation_cards([cite(1)], {}).count("Regulation (EU) 2024/1689") == 1  # no short name known: the title


def test_markdown_export_has_the_answer_and_every_citation():
    md = answer_markdown("Must I  disclose a chatbot?", "Yes: providers must inform people [1].", [cite(1)], NAMES)
    assert md.startswith("## Must I disclose a chatbot?\n\nYes: providers must inform people [1].")
    assert "### Sources" in md
    assert "1. **EU AI Act**, Article 50(1), p. 82 — [official text](https://eur-lex.europa.eu/" in md
    assert f"> “{QUOTE}”" in md and "`eu-ai-act-2024-1689#art-50-1`" in md


def test_session_round_trip_gives_messages_history_and_the_turn_of_a_message():
    answer = Answer(answer="Yes [1].", abstained=False, citations=[cite(1)], mode="extractive")
    s = sessions.add_turn(sessions.EMPTY, "First?", answer, "sme", {"documents": None})
    s = sessions.add_turn(s, "Second?", answer, "official", {})
    assert [m["role"] for m in sessions.messages(s, NAMES)] == ["user", "assistant"] * 2
    assert sessions.history(s)[2] == {"role": "user", "content": "Second?"}
    assert sessions.turn_at_message(s, 3)[1]["question"] == "Second?"
    assert sessions.turn_at_message(s, 2) is None and sessions.turn_at_message(s, 9) is None
    assert citation_from_dict({**s["turns"][0]["citations"][0], "unknown_field": 1}) == cite(1)


@pytest.mark.parametrize("stored", [None, "garbage", {"turns": "x"}, {"turns": [1, {"question": 2}]},
                                    {"turns": [{"question": "q", "answer": "a", "citations": [{"n": 1}]}]}])
def test_malformed_stored_sessions_do_not_break_the_page(stored):
    messages = sessions.messages(stored, NAMES)
    assert all(m["role"] in ("user", "assistant") for m in messages)


def test_sessions_keep_at_most_the_last_turns():
    answer = Answer(answer="a", abstained=False, citations=[], mode="extractive")
    s = sessions.EMPTY
    for i in range(sessions.MAX_TURNS + 5):
        s = sessions.add_turn(s, f"q{i}", answer, "sme", {})
    assert len(s["turns"]) == sessions.MAX_TURNS and s["turns"][-1]["question"] == f"q{sessions.MAX_TURNS + 4}"


def test_storage_secret_is_stable_per_data_dir(tmp_path):
    first = sessions.storage_secret(tmp_path)
    assert first == sessions.storage_secret(tmp_path) and len(first) >= 24
    assert sessions.storage_secret(tmp_path / "other") != first
