"""Feedback lines (JSONL) and `policy-assistant feedback export` turning them into draft suite cases
that evals/suite.py loads and that pass the gold check against the real index."""

from __future__ import annotations

import json
import threading

import pytest
import yaml
from typer.testing import CliRunner

from assistant import feedback
from assistant.cli import app
from evals.suite import check_suite_with_index, load_suite

ANSWER = {
    "answer": "Providers shall ensure that AI systems intended to interact directly with natural persons … [1]",
    "abstained": False,
    "citations": [{"n": 1, "passage_id": "eu-ai-act-2024-1689#art-50-1", "document_id": "eu-ai-act-2024-1689",
                   "locator": "Article 50(1)", "page": 82, "url": "https://x", "binding": True,
                   "quote": "Providers shall ensure that AI systems intended to interact directly with natural persons "
                            "are designed and developed in"}],
}
HISTORY = [{"role": "user", "content": "What is the AI Act?"}, {"role": "assistant", "content": "A regulation."}]


def entry(rating: str, question: str = "Must a chatbot say it is an AI?", history=(), answer=ANSWER, **filters):
    return feedback.feedback_entry(rating, question, list(history), "sme", filters, answer)


def test_entries_keep_what_replays_the_question(tmp_path):
    path = tmp_path / "fb" / "feedback.jsonl"
    feedback.record(path, entry("up", documents=["eu-ai-act-2024-1689"], jurisdictions=None))
    (line,) = path.read_text().splitlines()
    data = json.loads(line)
    assert data["rating"] == "up" and data["question"].startswith("Must a chatbot")
    assert data["filters"] == {"documents": ["eu-ai-act-2024-1689"]}  # empty filters dropped
    assert data["citations"][0] == {k: ANSWER["citations"][0][k] for k in ("n", "passage_id", "document_id",
                                                                          "locator", "page", "quote")}
    with pytest.raises(ValueError):
        entry("meh")


def test_read_skips_broken_lines_and_concurrent_writes_never_interleave(tmp_path):
    path = tmp_path / "feedback.jsonl"
    threads = [threading.Thread(target=feedback.record, args=(path, entry("down", f"q{i}?"))) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(path, "a") as f:
        f.write('{"rating": "up", "question": "cut sh\n')
    assert sorted(e["question"] for e in feedback.read(path)) == sorted(f"q{i}?" for i in range(20))
    assert feedback.read(tmp_path / "absent.jsonl") == []


@pytest.mark.parametrize("rating, history, abstained, kind, abstain, n_sources", [
    ("up", [], False, "sme", False, 1),
    ("up", HISTORY, False, "follow-up", False, 1),
    ("up", [], True, "out-of-corpus", True, 0),
    ("down", [], False, "sme", False, 0),
    ("down", [], True, "sme", False, 0),  # a disliked abstention should have answered
    ("wrong_citation", [], False, "sme", False, 0),
])
def test_draft_cases_by_rating(rating, history, abstained, kind, abstain, n_sources):
    answer = {**ANSWER, "abstained": abstained, "citations": [] if abstained else ANSWER["citations"]}
    ((case, comments),) = feedback.draft_cases([entry(rating, history=history, answer=answer)])
    assert case["kind"] == kind and case["expect"]["abstain"] is abstain
    assert len(case["expect"]["sources"]) == n_sources
    assert "draft" in case["tags"] and case["id"].startswith("feedback-")
    assert (case.get("history") or []) == list(history)
    if rating == "wrong_citation":
        assert any("eu-ai-act-2024-1689#art-50-1" in c for c in comments)


def test_repeated_feedback_on_one_question_makes_one_case():
    drafts = feedback.draft_cases([entry("up"), entry("up"), entry("down")])
    assert len(drafts) == 2 and len({c["id"] for c, _ in drafts}) == 2


@pytest.mark.parametrize("suffix", [".yaml", ".jsonl"])
def test_cli_export_writes_a_suite_that_loads_and_matches_the_index(tmp_path, full_assistant, suffix):
    source = tmp_path / "feedback.jsonl"
    for e in (entry("up", documents=["eu-ai-act-2024-1689"]), entry("wrong_citation", "Deep fakes?", HISTORY),
              entry("down", "Tax on AI?", answer={"answer": "Not covered.", "abstained": True, "citations": []})):
        feedback.record(source, e)
    out = tmp_path / f"drafts{suffix}"
    result = CliRunner().invoke(app, ["feedback", "export", "--from", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 draft case(s)" in result.output
    suite = load_suite(out)
    assert [c.kind for c in suite.cases] == ["sme", "follow-up", "sme"]
    liked = suite.cases[0]
    assert liked.expect.sources[0].document == "eu-ai-act-2024-1689" and liked.expect.sources[0].page == 82
    assert liked.filters == {"documents": ["eu-ai-act-2024-1689"]}
    assert check_suite_with_index(suite, full_assistant.index) == []  # the liked quote is real gold
    if suffix == ".yaml":
        text = out.read_text()
        assert "# 👍 feedback of" in text and "# wrong citation feedback of" in text
        assert isinstance(yaml.safe_load(text), list)


def test_cli_export_without_feedback_says_so(tmp_path):
    result = CliRunner().invoke(app, ["feedback", "export", "--from", str(tmp_path / "none.jsonl"),
                                      "--out", str(tmp_path / "d.yaml")])
    assert result.exit_code == 0 and "no feedback" in result.output and not (tmp_path / "d.yaml").exists()
