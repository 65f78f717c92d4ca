"""The OpenAI-compatibility rules, table-first: which parameters are refused, stream pieces,
max_tokens truncation, annotations and the model list (the HTTP behaviour: test_api_openai.py)."""

from __future__ import annotations

import pytest

from assistant.api.openai_compat import (UnsupportedParameter, annotations, check_options, model_modes,
                                         resolve_mode, sentence_pieces, truncate)
from assistant.errors import BadRequest, NotFound
from assistant.settings import LLMSettings, Settings
from index.tokens import count_tokens


@pytest.mark.parametrize("extra,refused", [
    ({"n": 2}, ["n=2"]),
    ({"n": 1, "temperature": 0.2, "top_p": 0.9, "seed": 1, "user": "u"}, []),
    ({"logprobs": True, "top_logprobs": 3}, ["logprobs=True", "top_logprobs=3"]),
    ({"tools": [{"type": "function"}], "tool_choice": "required"}, ["tool_choice='required'", "tools="]),
    ({"tools": [], "tool_choice": "none"}, []),
    ({"stop": ["END"]}, ["stop="]),
    ({"presence_penalty": 0.5, "frequency_penalty": 0}, ["presence_penalty=0.5"]),
    ({"response_format": {"type": "json_object"}}, ["response_format="]),
    ({"response_format": {"type": "text"}}, []),
    ({"modalities": ["text", "audio"]}, ["modalities="]),
    ({"modalities": 3}, ["modalities=3"]),
    ({"best_of": 2}, ["best_of=2"]),
])
def test_refused_parameters_are_named(extra, refused):
    if not refused:
        check_options(extra, stream=False)
        return
    with pytest.raises(UnsupportedParameter) as exc:
        check_options(extra, stream=False)
    for name in refused:
        assert name in str(exc.value)


def test_honoured_options():
    assert check_options({"max_tokens": 50, "max_completion_tokens": 30}, False).max_tokens == 30
    assert check_options({"stream_options": {"include_usage": True}}, True).include_usage
    assert not check_options({"stream_options": {"include_usage": True}}, False).include_usage
    for bad in (0, -1, "10", True, 1.5):
        with pytest.raises(BadRequest):
            check_options({"max_tokens": bad}, False)


@pytest.mark.parametrize("text,pieces", [
    ("One. Two! Three?", ["One. ", "Two! ", "Three?"]),
    ("“Quoted.” [1] Next sentence [2]. Last", ["“Quoted.” [1] ", "Next sentence [2]. ", "Last"]),
    ("Para one.\n\nPara two\n", ["Para one.\n\n", "Para two\n"]),
    ("- item one\n- item two", ["- item one\n", "- item two"]),
    ("Article 5(1)(a) and GOVERN 1.1 apply", ["Article 5(1)(a) and GOVERN 1.1 apply"]),
    ("", []),
])
def test_sentence_pieces_rejoin_exactly(text, pieces):
    assert sentence_pieces(text) == pieces and "".join(pieces) == text


def test_truncate_stays_within_the_limit():
    text = "Providers shall ensure that AI systems intended to interact directly with natural persons are informed."
    assert truncate(text, None) == (text, False) and truncate(text, 500) == (text, False)
    cut, was_cut = truncate(text, 5)
    assert was_cut and text.startswith(cut) and 0 < count_tokens(cut) <= 5


def test_annotations_point_at_the_local_viewer():
    citations = [{"n": 1, "document_title": "AI Act", "locator": "Article 50(1)", "page": 82,
                  "view_url": "/viewer/?doc=x&page=82", "url": "https://eur-lex/x#page=82"},
                 {"n": 2, "document_title": "NIST", "locator": "GOVERN 1.1", "page": None, "url": "https://nist/x"}]
    body = "Tell them [1]. Also [2] and [9]."
    out = annotations(body, citations, "http://127.0.0.1:8000/")
    assert [a["url_citation"]["url"] for a in out] == ["http://127.0.0.1:8000/viewer/?doc=x&page=82", "https://nist/x"]
    first = out[0]["url_citation"]
    assert body[first["start_index"]:first["end_index"]] == "[1]" and first["title"] == "AI Act, Article 50(1), p. 82"


def test_model_list_follows_the_llm_setting():
    plain = Settings()
    assert list(model_modes(plain)) == ["policy-assistant", "policy-assistant-extractive"]
    with_llm = plain.model_copy(update={"llm": LLMSettings(base_url="http://127.0.0.1:9/v1")})
    assert resolve_mode(with_llm, "policy-assistant-llm", None) == "llm"
    assert resolve_mode(plain, "policy-assistant", "llm") == "llm"  # the bare id follows the request's mode
    with pytest.raises(NotFound):
        resolve_mode(plain, "policy-assistant-llm", None)
    with pytest.raises(BadRequest):
        resolve_mode(plain, "policy-assistant-extractive", "llm")
