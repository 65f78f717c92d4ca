"""Mention counts from word postings (index/mentions.py) equal a scan of every text, for substrings
and whole words, with and without a limit; and on the real corpus for names the answerability
check asks about."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.mentions import MentionIndex

# Few letters and some punctuation, so random needles often hit word edges, hyphens and underscores.
ALPHABET = "abcé1 -_.()\n"
texts_st = st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=30)
needle_st = st.text(alphabet=ALPHABET, min_size=1, max_size=8)


def scan_substring(texts, needle, at_most=None):
    found = 0
    for t in texts:
        if needle in t:
            found += 1
            if at_most is not None and found >= at_most:
                break
    return found


def whole_word_test(needle):
    pattern = re.compile(rf"(?<![\w-]){re.escape(needle)}(?![\w-])")
    return lambda t: pattern.search(t) is not None


@settings(max_examples=400, deadline=None)
@given(texts_st, needle_st, st.sampled_from([None, 1, 2, 3]))
def test_substring_counts_equal_a_scan(texts, needle, at_most):
    index = MentionIndex(texts)
    assert index.count(needle, lambda t: needle in t, at_most) == scan_substring(texts, needle, at_most)


@settings(max_examples=400, deadline=None)
@given(texts_st, needle_st, st.sampled_from([None, 2]))
def test_whole_word_counts_equal_a_scan(texts, needle, at_most):
    index = MentionIndex(texts)
    test = whole_word_test(needle)
    want = sum(1 for t in texts if test(t))
    want = min(want, at_most) if at_most else want
    assert index.count(needle, test, at_most, whole_word=True) == want


def test_postings_narrow_the_rows_a_name_can_be_in():
    texts = ["the pdpc issued guidance", "pdp rules apply", "nothing here", "singaporean firms", "ai in singapore"]
    index = MentionIndex(texts)
    assert index.candidates("brunei").tolist() == []  # no word holds it: nothing to check
    assert index.candidates("pdp").tolist() == [0, 1]  # a substring may be inside a longer word
    assert index.candidates("pdp", whole_word=True).tolist() == [1]
    assert index.candidates("singapore").tolist() == [3, 4]
    assert index.candidates("in singapore").tolist() == [4]
    assert index.candidates("--") is None  # no letters or digits: every row is checked


@pytest.mark.corpus
def test_real_corpus_counts_equal_a_scan(full_assistant):
    index = full_assistant.index
    texts = [p.text.lower() for p in index.passages.values()]
    for name in ["Brunei", "PDPC", "PDP", "Article 50", "Personal Data Protection Order", "LGPD", "watermark",
                 "Hiroshima", "Kenya", "AI Verify", "deep fake", "ai"]:
        needle = name.lower()
        assert index.mentions(name) == scan_substring(texts, needle), name
        test = whole_word_test(needle)
        assert index.mentions_word(name) == sum(1 for t in texts if test(t)), name
        assert index.mentions_word(name, at_most=2) == min(2, sum(1 for t in texts if test(t))), name
