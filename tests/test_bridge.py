"""The English words of a non-English question come from the annotations' own translations (the
real annotation files): a word is paired with the English words of the units it appears in."""

from __future__ import annotations

import pytest

from index.annotations import Annotation, load_all
from index.bridge import build


@pytest.fixture(scope="module")
def table():
    return build(load_all())


@pytest.mark.parametrize("lang,word,english", [
    ("vi", "phạt", "fine"), ("th", "ค่าปรับ", "fine"), ("id", "denda", "fine"), ("ms", "pelanggan", "customer"),
    ("fil", "empleyado", "employees"), ("th", "ข้อมูล", "data"),
])
def test_words_of_the_translations_get_their_english(table, lang, word, english):
    assert english in table[lang][word]


def test_function_words_get_no_english(table):
    # in most units of their language: they say nothing about a provision
    assert "của" not in table["vi"] and "yang" not in table["id"] and "ang" not in table["fil"]


def test_the_pairing_is_learned_from_the_units_not_listed():
    def unit(i, en, vi):
        return Annotation("doc", f"u{i}", "obligation", (en,), translations=(("vi", (vi,)),))
    units = {f"u{i}": unit(i, f"Must the robot arm stop when {w} appears?", f"Cánh tay robot có phải dừng khi {v} xuất hiện?")
             for i, (w, v) in enumerate([("smoke", "khói"), ("water", "nước"), ("dust", "bụi"), ("fire", "lửa"), ("rain", "mưa")] * 3)}
    table = build({"doc": units})["vi"]
    assert table["khói"][0] == "smoke" and table["nước"][0] == "water"
    assert "robot" not in table  # in every unit: no content of its own


def test_malay_and_indonesian_lend_each_other_the_words_one_table_lacks(table):
    from index import bridge

    only_id = sorted(w for w in table["id"] if w not in table["ms"] and w.isalpha())
    assert only_id, "the Indonesian table should hold words the Malay one lacks"
    word = only_id[0]

    class Knowledge:  # the two attributes english_words reads
        hash = "test-sibling"
        annotations = {"doc": {"u": None}}

    bridge._tables[Knowledge.hash] = table
    try:
        got = bridge.english_words(Knowledge, f"apa {word}", "ms").split()
        assert got and set(got) <= set(table["id"][word])
        assert bridge.english_words(Knowledge, f"apa {word}", "vi") == ""  # no sibling for Vietnamese
    finally:
        del bridge._tables[Knowledge.hash]


def test_vietnamese_syllable_pairs_are_words_of_their_own(table):
    # "dữ liệu" (data) is one word of two syllables; its pair, not "dữ" alone, means data
    assert "data" in table["vi"].get("dữ_liệu", [])
