"""`policy-assistant annotate` drafts annotations with an LLM: tested against a real
OpenAI-compatible HTTP server started by the test, on a real document of the index."""

from __future__ import annotations

import json

import pytest

from assistant.annotate import draft, to_toml
from assistant.llm import OpenAIChatModel
from assistant.settings import LLMSettings
from index.annotations import load_file, unit_key
from tests.fake_llm_server import FakeLLMServer, Reply

pytestmark = pytest.mark.corpus
DOC = "g7-hiroshima-code-of-conduct-2023"  # 12 units: small enough to draft in a test


@pytest.fixture()
def server():
    s = FakeLLMServer().start()
    yield s
    s.stop()


def test_annotate_drafts_valid_annotations_and_skips_unusable_replies(full_assistant, server, tmp_path):
    good = {"kind": "recommendation", "actors": ["developer"], "gist": "Developers should test their models.",
            "questions": ["Should we red-team our model before release?", "How do we test an advanced AI model?",
                          "Who should check our AI for risks?"]}
    units = {unit_key(p.passage_id) for p in full_assistant.index.by_document[DOC]}
    server.enqueue(Reply("Sure! " + json.dumps(good)), Reply("I cannot help with that."),
                   Reply(json.dumps({**good, "kind": "made-up-kind"})), Reply(json.dumps(good)))
    model = OpenAIChatModel(LLMSettings(base_url=server.base_url, api_key="test", model="fake-model", timeout_s=5))
    drafted, skipped = draft(full_assistant.index, DOC, model, full_assistant.settings.prompts_dir)
    assert skipped == 2 and len(drafted) == len(units) - 2  # the fake repeats its last reply
    path = tmp_path / f"{DOC}.toml"
    path.write_text(to_toml(DOC, drafted), encoding="utf-8")
    loaded = load_file(path)
    assert set(loaded) == set(drafted) and all(a.questions == tuple(good["questions"]) for a in loaded.values())
    # The model saw the provision as data, with the allowed kinds.
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "<provision>" in prompt and "recommendation" in prompt
    assert any(p.text[:60] in prompt for p in full_assistant.index.by_document[DOC])


def test_annotate_refuses_an_unknown_document(full_assistant, server):
    from assistant.errors import BadRequest

    model = OpenAIChatModel(LLMSettings(base_url=server.base_url, api_key="test", model="fake-model"))
    with pytest.raises(BadRequest):
        draft(full_assistant.index, "no-such-document", model, full_assistant.settings.prompts_dir)
