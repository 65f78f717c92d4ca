"""The UI's labels in six languages (ui/labels.py): every language gives the full set, nothing is
left in English where a translation exists, choice values stay stable, no label is hard-coded in
ui/, the rendered tables and badges follow the language, and the stored choice is tolerant."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from assistant.i18n import LANGUAGES, t, table, ui_strings
from assistant.types import Comparison, Finding
from tests.test_ui_render import NAMES, QUOTE, cite
from ui import session as sessions
from ui.labels import feedback_options, labels, language_choices, rating_of
from ui.render import answer_markdown, answer_message, badges, comparison_table, sources_table

UI = Path(__file__).resolve().parents[1] / "ui"


def strings(value) -> list[str]:
    """Every text in a label property (a string, a list of strings, (label, value) choices: the labels)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in (strings(v[0]) if isinstance(v, tuple) else strings(v))]
    return []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_gives_the_full_set_of_labels(lang):
    en, got = labels("en"), labels(lang)
    assert got.keys() == en.keys()
    for name, props in got.items():
        assert props.keys() == en[name].keys(), name
        for prop, value in props.items():
            texts = strings(value)
            assert texts and all(x.strip() for x in texts), (name, prop)
            assert len(texts) == len(strings(en[name][prop])), (name, prop)


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_no_english_leftovers_where_a_translation_exists(lang):
    words, english = ui_strings(lang), ui_strings("en")
    same = {v for k, v in english.items() if words[k] == v}  # e.g. "Chat" in Filipino, "Status" in Malay
    same |= {t("language_name", code) for code in LANGUAGES} | {"Like", "Dislike"}  # own names; thumbs
    en = labels("en")
    for name, props in labels(lang).items():
        for prop, value in props.items():
            for mine, theirs in zip(strings(value), strings(en[name][prop])):
                assert mine != theirs or mine in same, (lang, name, prop, mine)


def test_choice_values_are_stable_and_languages_go_by_their_own_names():
    for lang in LANGUAGES:
        got = labels(lang)
        assert [v for _, v in got["persona"]["choices"]] == ["sme", "official"]
        assert [v for _, v in got["language"]["choices"]] == ["auto", *LANGUAGES]
    names = [label for label, _ in language_choices("th")[1:]]
    assert names == ["English", "Bahasa Indonesia", "Bahasa Melayu", "Tiếng Việt", "ภาษาไทย", "Filipino"]
    assert language_choices("vi")[0][0] == t("ui_language_auto", "vi")
    assert labels("vi")["ask"] == {"value": "Hỏi"}
    assert labels("vi")["question"]["placeholder"].startswith("Hỏi về")


def test_a_wrong_citation_rating_is_understood_in_every_language():
    ratings = rating_of()
    for lang in LANGUAGES:
        like, dislike, wrong = feedback_options(lang)
        assert (ratings[like], ratings[dislike], ratings[wrong]) == ("up", "down", "wrong_citation")


def literals(path: Path) -> set[str]:
    """The string constants of a module (f-string parts included), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return {n.value.strip() for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs}


def test_no_label_is_hard_coded_in_ui():
    """Every English UI string lives in assistant/i18n.toml only, not as a string literal in ui/ (a
    literal that is also a key name, such as "official", is a key). The Crosswalk tab is left out:
    its grid (topics, review notes) is English data, and so are its controls."""
    english = {e["en"] for k, e in table().items() if k.startswith("ui_")} - set(ui_strings("en"))
    for path in UI.glob("*.py"):
        if path.name != "crosswalk_tab.py":
            assert not english & literals(path), path


def test_rendered_tables_badges_and_cards_follow_the_language():
    assert ">Mengikat</span>" in badges(True, "EU", "id") and ">Tự nguyện</span>" in badges(False, "", "vi")
    html = answer_message("Ya [1].", [cite(1)], NAMES, "id")
    assert "hlm. 82" in html and "teks resmi ↗" in html and 'aria-label="Sumber 1: EU AI Act' in html
    visible = re.sub(r"<[^>]+>", " ", html).replace(QUOTE, "")
    assert not {"Binding", "official", "p.", "Source"} & set(visible.split()), visible

    class Src:  # the fields sources_table reads
        document_id, label, title, issuer, published = "x", "X", "X", "Someone", "2024-01-01"
        official_url, binding, jurisdiction = "https://example.org", True, "EU"

    table_html = sources_table([(Src(), 12)], "vi")
    assert "<th>Tiêu đề</th><th>Cơ quan ban hành</th><th>Ngày</th><th>Tình trạng</th><th>Đoạn</th>" in table_html
    assert 'data-label="Tiêu đề"' in table_html and "chính thức ↗" in table_html
    finding = Finding(document_id="eu-ai-act-2024-1689", document_title="EU AI Act", addressed=True,
                      answer="Ya [1].", citations=[cite(1)])
    compared = comparison_table(Comparison(question="q", findings=[finding]), {}, "th")
    assert "<th>เอกสาร</th><th>ข้อค้นพบ</th><th>การอ้างอิง</th>" in compared and "หน้า 82" in compared
    md = answer_markdown("Q?", "Ya [1].", [cite(1)], NAMES, "ms")
    assert "### Sumber" in md and "[teks rasmi](https://" in md and ", hlm. 82" in md


@pytest.mark.parametrize("stored, expected", [
    (None, {"choice": "auto", "lang": "en"}),
    ("garbage", {"choice": "auto", "lang": "en"}),
    ({"choice": "vi"}, {"choice": "vi", "lang": "vi"}),
    ({"choice": "vi", "lang": "th"}, {"choice": "vi", "lang": "vi"}),  # a fixed choice is what is shown
    ({"choice": "auto", "lang": "id"}, {"choice": "auto", "lang": "id"}),
    ({"choice": "de", "lang": "xx"}, {"choice": "auto", "lang": "en"}),
])
def test_the_stored_language_choice_is_tolerant(stored, expected):
    assert sessions.language_state(stored) == expected
