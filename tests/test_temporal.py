"""Temporal asks ("from when", "by which date", "how long"): told apart from "when" as a
conjunction, in every language, and answered from passages that state a date or a period."""

from __future__ import annotations

import pytest

from assistant.shape import asks_when


@pytest.mark.parametrize("question,lang,expected", [
    ("When does the transparency duty for chatbots start to apply?", "en", True),
    ("Which checks apply, and from when must an importer run them?", "en", True),
    ("How quickly must a provider report a serious incident?", "en", True),
    ("What should we weigh when choosing a vendor for our chatbot?", "en", False),
    ("Kapan kewajiban transparansi untuk chatbot mulai berlaku?", "id", True),
    ("Bilakah peraturan ini berkuat kuasa untuk syarikat kecil?", "ms", True),
    ("Khi nào nghĩa vụ minh bạch bắt đầu áp dụng?", "vi", True),
    ("กฎนี้มีผลบังคับใช้เมื่อไร", "th", True),
    ("Kailan magkakabisa ang patakaran para sa mga chatbot?", "fil", True),
    ("Apa yang harus kami pertimbangkan saat memilih vendor?", "id", False),
])
def test_temporal_asks_are_told_apart_from_when_as_a_conjunction(question, lang, expected):
    assert asks_when(question, lang) is expected


@pytest.mark.corpus
def test_a_temporal_ask_ranks_passages_that_state_a_date_higher(full_assistant):
    from assistant import retrieval
    from assistant.query import plan as make_plan
    from index.retrieve import Filters

    idx, cfg = full_assistant.index, full_assistant.settings.retrieval
    plan = make_plan("Under the AI Act, from when do the rules for providers of general-purpose AI models apply?", [], idx.sources)

    def dated_share(prior: float) -> float:
        hits = retrieval.run(idx, plan, Filters(), 10, cfg.model_copy(update={"dated_prior": prior})).hits
        return sum(bool(retrieval.DATED.search(h.passage.text)) for h in hits) / len(hits)

    assert dated_share(1.5) > dated_share(1.0)
