"""The LLM composer against a real OpenAI-compatible HTTP server started by the test.

The server is deterministic (tests/fake_llm_server.py); the client is the real `openai` client,
so these tests cover the wire protocol, streaming, timeouts and malformed replies end to end.
"""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from assistant.settings import LLMSettings
from tests.fake_llm_server import FakeLLMServer, Malformed, Reply, Status

QUESTION = "Do I have to tell people that they are talking to an AI chatbot under the EU AI Act?"
pytestmark = pytest.mark.corpus


@pytest.fixture()
def server():
    s = FakeLLMServer().start()
    yield s
    s.stop()


@pytest.fixture()
def llm_assistant(full_assistant, server):
    """The real index with an LLM endpoint configured (a short timeout for the slow-server test)."""
    settings = full_assistant.settings.model_copy(
        update={"llm": LLMSettings(base_url=server.base_url, api_key="test", model="fake-model", timeout_s=2.0)})
    a = Assistant(settings)
    a._index = full_assistant.index  # share the loaded index: same data, no reload
    return a


def _passage_text(a: Assistant, pid: str) -> str:
    return a.passage(pid).text


def test_grounded_reply_is_kept_with_exact_quotes(llm_assistant, server):
    server.enqueue(Reply("Providers must design chatbots so that people are informed that they are interacting "
                         "with an AI system [1]. This is a binding obligation of the EU AI Act [1]."))
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert ans.mode == "llm" and not ans.abstained
    assert "[1]" in ans.answer and ans.citations
    for c in ans.citations:
        assert c.quote in _passage_text(llm_assistant, c.passage_id)
    assert any(c.locator.startswith("Article 50") for c in ans.citations)
    # The model was shown numbered passages and the question as data.
    shown = server.requests[-1]["messages"][-1]["content"]
    assert "[1]" in shown and "<question>" in shown and server.requests[-1]["stream"] is True


def test_invented_and_out_of_range_markers_are_dropped_and_counted(llm_assistant, server):
    server.enqueue(Reply("People must be informed that they are interacting with an AI system [1][9]. "
                         "The Act bans every chatbot in Europe [0]. Penalties are a billion euros."))
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert "bans every chatbot" not in ans.answer  # cited nothing that maps: removed
    assert "billion" not in ans.answer  # cited nothing at all: removed
    assert "[9]" not in ans.answer and "[0]" not in ans.answer
    assert [c.n for c in ans.citations] == [1]
    assert any("dropped 2 unsupported citation marker(s)" in n for n in ans.notes)


def test_claim_not_supported_by_its_cited_passage_is_dropped(llm_assistant, server):
    """The unsupported claim goes; with nothing left the answer is extractive, never "not covered"."""
    server.enqueue(Reply("The moon landing was filmed in a studio in Nevada [1]."))
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert "moon" not in ans.answer
    assert not ans.abstained and ans.mode == "extractive"
    assert any(c.locator.startswith("Article 50(1)") for c in ans.citations)


def test_uncited_prose_falls_back_to_the_extractive_answer(llm_assistant, server):
    """A small model that writes many sentences and cites none: all are dropped, and the user gets
    the extractive answer with a note instead of an abstention that names the covering provision."""
    prose = " ".join(f"Chatbots are an important topic for businesses number {i}." for i in range(12))
    server.enqueue(Reply(prose))
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert not ans.abstained and ans.mode == "extractive"
    assert "important topic" not in ans.answer
    assert any(c.locator.startswith("Article 50(1)") for c in ans.citations)
    assert any("no sentence the passages support" in n for n in ans.notes)
    assert any("dropped 0 unsupported citation marker(s) and 12 uncited sentence(s)" in n for n in ans.notes)


def test_model_saying_not_covered_gives_an_abstention(llm_assistant, server):
    server.enqueue(Reply("NOT COVERED"))
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert ans.abstained and ans.citations == []


@pytest.mark.parametrize("behaviour, note", [
    (Status(500), "failed"),
    (Malformed(), "malformed"),
    (Reply("too late [1].", delay=4.0), "timed out"),
])
def test_endpoint_failures_fall_back_to_the_extractive_answer(llm_assistant, server, behaviour, note):
    server.enqueue(behaviour)
    ans = llm_assistant.ask(QUESTION, mode="llm")
    assert ans.mode == "extractive" and not ans.abstained
    assert any(note in n for n in ans.notes), ans.notes
    assert ans.citations and all(c.quote in _passage_text(llm_assistant, c.passage_id) for c in ans.citations)


def test_no_endpoint_configured_falls_back_with_a_clear_note(full_assistant):
    ans = full_assistant.ask(QUESTION, mode="llm")
    assert ans.mode == "extractive" and ans.citations
    assert any("POLICY_LLM__BASE_URL" in n for n in ans.notes)


def test_streaming_yields_verified_sentences_then_the_answer(llm_assistant, server):
    server.enqueue(Reply("People must be told that they are interacting with an AI system [1]. Unsupported filler here [4]."))
    events = list(llm_assistant.ask_stream(QUESTION, mode="llm"))
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    final = events[-1]
    assert final["type"] == "answer" and deltas
    assert "".join(deltas).strip() == final["answer"]["answer"].strip()
    assert "filler" not in final["answer"]["answer"]


def test_out_of_corpus_question_never_calls_the_model(llm_assistant, server):
    ans = llm_assistant.ask("What does Thailand's draft AI law require from chatbot operators?", mode="llm")
    assert ans.abstained and server.requests == []


def test_follow_up_is_condensed_by_the_model(llm_assistant, server):
    server.enqueue(Reply("Does the ASEAN Guide on AI Governance and Ethics require transparency about chatbots?"),
                   Reply("Organisations should be transparent about the use of AI [1]."))
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Yes [1]."}]
    llm_assistant.ask("Does the ASEAN guide say the same?", history=history, mode="llm")
    assert "Standalone question" in server.requests[0]["messages"][0]["content"]


@pytest.mark.parametrize("sentence, kept, dropped_markers", [
    ("People must be told that they are interacting with an AI system [1].", "[1]", 0),
    ("People must be told that they are interacting with an AI system [1][1].", "[1]", 0),  # duplicate
    ("People must be told that they are interacting with an AI system [0].", None, 1),  # [0] never maps
    ("People must be told that they are interacting with an AI system [42].", None, 1),  # out of range
    ("People must be told that they are interacting with an AI system [1][42].", "[1]", 1),
    ("Bananas are an excellent source of potassium [1].", None, 1),  # cited passage does not support it
    ("People must be told that they are interacting with an AI system.", None, 0),  # cites nothing
])
def test_composer_keeps_only_supported_markers(full_assistant, sentence, kept, dropped_markers):
    from assistant.answering import prepare
    from assistant.llm_answer import GroundedComposer
    from index.retrieve import Filters

    ctx = prepare(full_assistant.index, full_assistant.settings, QUESTION, [], Filters(), "sme")
    composer = GroundedComposer(ctx)
    out = composer.add(sentence)
    assert composer.dropped_markers == dropped_markers
    if kept is None:
        assert out is None and composer.dropped_sentences == 1
    else:
        assert out is not None and out.endswith(kept) and "[42]" not in out
        (citation,) = composer.citations
        assert citation.quote in full_assistant.passage(citation.passage_id).text


def test_composer_with_empty_context_cites_nothing(full_assistant):
    from dataclasses import replace

    from assistant.answering import prepare
    from assistant.llm_answer import GroundedComposer
    from index.retrieve import Filters

    ctx = prepare(full_assistant.index, full_assistant.settings, QUESTION, [], Filters(), "sme")
    ctx.retrieval = replace(ctx.retrieval, hits=[], exact=[])
    composer = GroundedComposer(ctx)
    assert composer.add("People must be told they are talking to an AI system [1].") is None
    assert composer.dropped_markers == 1
