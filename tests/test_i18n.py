"""The framing string table (assistant/i18n.toml): complete, placeholders kept, dates per language."""

from __future__ import annotations

import re

import pytest

from assistant.i18n import (LANGUAGES, binding_label, format_date, placeholders, status_word, t, table,
                            ui_strings, where_label)
from index.types import Source

REQUIRED = ["binds_you", "voluntary_guidance", "not_covered_heading", "not_covered_sentence", "closest", "binding",
            "voluntary", "editorial_summary", "applies_to", "applies_from", "unofficial", "premise_note",
            "quote_language_note", "reason_no_match", "reason_not_indexed", "reason_out_of_scope", "reason_not_close",
            "reason_no_sentence", "reason_named_documents", "status_in_force", "status_revoked", "status_superseded",
            "status_draft", "ui_ask", "ui_new_conversation", "ui_thinking", "ui_unexpected", "ui_not_ready",
            "ui_index_ready", "ui_language", "machine_translation"]


def test_every_key_has_all_six_languages_and_nothing_else():
    for key, entry in table().items():
        assert set(entry) == set(LANGUAGES), key
        for lang, text in entry.items():
            assert text.strip(), (key, lang)


@pytest.mark.parametrize("key", REQUIRED)
def test_required_keys_exist(key):
    assert key in table()


def test_every_placeholder_is_kept_in_every_language():
    for key, entry in table().items():
        expected = placeholders(entry["en"])
        for lang, text in entry.items():
            assert placeholders(text) == expected, (key, lang, text)


def test_translations_are_not_english_copies():
    """Sentences (several words) must be translated; short names (SME, Status) may coincide."""
    for key, entry in table().items():
        if len(entry["en"].split()) >= 3 and key not in ("closest_item",):
            for lang in LANGUAGES[1:]:
                assert entry[lang] != entry["en"], (key, lang)


def test_thai_strings_use_thai_script_apart_from_names():
    allowed = {"AI", "SME", "EU", "NIST", "RMF", "Act", "HTTP", "API", "G", "OECD", "ASEAN", "docs", "ค.ศ"}
    for key, entry in table().items():
        latin = set(re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}|\(/docs\)", "", entry["th"])))
        assert latin <= allowed, (key, latin - allowed)


def test_vietnamese_strings_carry_vietnamese_letters():
    for key in ("not_covered_sentence", "closest", "premise_note", "quote_language_note", "ui_unexpected"):
        assert re.search(r"[ơưđăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", t(key, "vi")), key


def test_t_fills_placeholders_and_falls_back_to_english():
    assert t("not_covered_sentence", "id", reason="x") == "Dokumen yang terindeks tidak mencakup pertanyaan ini (x)."
    assert t("applies_from", "vi", date="D", provision="Điều 113") == "Áp dụng từ D (Điều 113)"
    assert t("binds_you", "de") == "What binds you"  # unsupported language: English
    assert t("binds_you", "tl") == t("binds_you", "fil")
    with pytest.raises(KeyError):
        t("no_such_key", "en")


def test_ui_strings_cover_the_ui_and_differ_per_language():
    en, th = ui_strings("en"), ui_strings("th")
    assert set(en) == set(th)
    assert {"ask", "new_conversation", "answer_for", "binding_only", "tab_chat", "not_ready"} <= set(en)
    assert en["ask"] == "Ask" and th["ask"] == "ถาม"
    assert ui_strings("ms")["index_ready"].format(documents=22, passages="5,142") == "Indeks sedia: 22 dokumen, 5,142 petikan."


@pytest.mark.parametrize("lang,expected", [
    ("en", "2 August 2026"), ("id", "2 Agustus 2026"), ("ms", "2 Ogos 2026"),
    ("vi", "ngày 2 tháng 8 năm 2026"), ("th", "2 สิงหาคม 2569 (ค.ศ. 2026)"), ("fil", "Agosto 2, 2026"),
])
def test_dates_per_language(lang, expected):
    assert format_date("2026-08-02", lang) == expected


def test_malformed_date_is_returned_unchanged():
    assert format_date("soon", "id") == "soon"


def _src(binding: bool, doc_type: str, jurisdiction: str) -> Source:
    return Source("d", "T", "I", jurisdiction, "2024", doc_type, binding, "en", "", None, "f", "pdf")


def test_binding_and_where_labels():
    assert binding_label(_src(False, "guideline", "ASEAN"), "en") == "voluntary guideline"
    assert binding_label(_src(False, "guideline", "ASEAN"), "id") == "pedoman sukarela"
    assert binding_label(_src(True, "regulation", "EU"), "vi") == "quy định có tính ràng buộc"
    assert binding_label(_src(True, "code-of-conduct", "G7"), "ms") == "kod tatalaku mengikat"
    assert where_label(_src(True, "regulation", "EU"), "th") == "สหภาพยุโรป"
    assert where_label(_src(True, "regulation", "XX"), "th") == "XX"
    assert status_word("in force", "ms") == "berkuat kuasa"
    assert status_word("superseded", "fil") == "pinalitan na"


@pytest.mark.corpus
@pytest.mark.parametrize("question,note", [
    ("Are the AI ethics rules in Kominfo's circular letter enforced with fines for online shops?", "Note: the "),
    ("Apakah Surat Edaran Kominfo tentang etika AI mengenakan denda bagi toko online?", "Catatan: "),
])
def test_a_binding_premise_about_guidance_in_another_language_is_corrected_from_its_own_text(full_assistant, question, note):
    answer = full_assistant.ask(question, mode="extractive")
    assert not answer.abstained and answer.answer.startswith(note), answer.answer[:200]
    first = answer.citations[0]
    assert first.document_id == "id-kominfo-se-9-2023-etika-kecerdasan-artifisial"
    passage = full_assistant.index.passages[first.passage_id]
    assert first.quote in passage.text and re.search(r"pedoman|panduan|acuan", first.quote)
