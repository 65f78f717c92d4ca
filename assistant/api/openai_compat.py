"""What makes the OpenAI-compatible endpoint trustworthy to stock clients, kept out of the route:
which request parameters it can honour (the rest are a 400 naming them), the true model list,
``usage`` counted with tiktoken, sentence-sized stream deltas, ``max_tokens`` truncation and
``url_citation`` annotations pointing at the local viewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from index.tokens import count_tokens, encoding

from ..errors import BadRequest, NotFound
from ..settings import Settings

MODEL_ID = "policy-assistant"
OWNER = "policy-assistant"

# Accepted with no effect on the reply: bookkeeping, or sampling hints for an answer that is
# deterministic (quotes are chosen and verified by code, so there is nothing to sample).
IGNORED = frozenset({"temperature", "top_p", "seed", "user", "metadata", "store", "service_tier",
                     "safety_identifier", "prompt_cache_key"})
# Accepted only at the value that asks for nothing we do not do: name -> predicate on the value.
_NEUTRAL = {
    "n": lambda v: v in (None, 1),
    "logprobs": lambda v: v in (None, False),
    "top_logprobs": lambda v: v in (None, 0),
    "tools": lambda v: not v,
    "functions": lambda v: not v,
    "tool_choice": lambda v: v in (None, "none", "auto"),
    "function_call": lambda v: v in (None, "none", "auto"),
    "parallel_tool_calls": lambda v: True,  # meaningless without tools, which are refused above
    "stop": lambda v: not v,
    "logit_bias": lambda v: not v,
    "presence_penalty": lambda v: v in (None, 0, 0.0),
    "frequency_penalty": lambda v: v in (None, 0, 0.0),
    "response_format": lambda v: v is None or (isinstance(v, Mapping) and v.get("type") == "text"),
    "modalities": lambda v: v is None or list(v) == ["text"],
    "audio": lambda v: v is None,
    "prediction": lambda v: v is None,
    "reasoning_effort": lambda v: v is None,
    "verbosity": lambda v: v is None,
    "web_search_options": lambda v: v is None,
}
HONOURED = frozenset({"max_tokens", "max_completion_tokens", "stream_options"})


class UnsupportedParameter(BadRequest):
    code = "unsupported_parameter"


class ModelNotFound(NotFound):
    code = "model_not_found"


@dataclass(frozen=True)
class Options:
    """The honoured OpenAI options of one request."""

    max_tokens: int | None = None
    include_usage: bool = False


def check_options(extra: Mapping[str, Any], stream: bool) -> Options:
    """Options from the request's non-schema fields; a 400 naming every parameter it cannot honour."""
    refused = [f"{k}={_short(v)}" for k, v in extra.items()
               if k not in IGNORED and k not in HONOURED and not (k in _NEUTRAL and _neutral(k, v))]
    if refused:
        raise UnsupportedParameter(
            f"unsupported parameter(s): {', '.join(sorted(refused))}. This endpoint returns one cited answer "
            "as text (n=1, no tools, logprobs, stop sequences, penalties or response formats); remove them. "
            "Honoured: max_tokens, max_completion_tokens, stream_options.include_usage")
    limits = [extra.get(k) for k in ("max_completion_tokens", "max_tokens") if extra.get(k) is not None]
    for value in limits:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadRequest(f"max_tokens must be a positive integer, got {_short(value)}")
    stream_options = extra.get("stream_options") or {}
    if not isinstance(stream_options, Mapping):
        raise BadRequest("stream_options must be an object such as {\"include_usage\": true}")
    return Options(max_tokens=min(limits) if limits else None,
                   include_usage=bool(stream and stream_options.get("include_usage")))


def _neutral(name: str, value: Any) -> bool:
    try:
        return bool(_NEUTRAL[name](value))
    except TypeError:  # e.g. modalities=3
        return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- models -----------------------------------------------------------------------------
def model_modes(settings: Settings) -> dict[str, str | None]:
    """Model id -> composer mode. The bare id answers in the server's default mode; the LLM model
    is listed only when an LLM endpoint is configured (without one it would be the extractive one)."""
    models: dict[str, str | None] = {MODEL_ID: None, f"{MODEL_ID}-extractive": "extractive"}
    if settings.llm.base_url:
        models[f"{MODEL_ID}-llm"] = "llm"
    return models


def model_card(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": OWNER}


def resolve_mode(settings: Settings, model: str, mode: str | None) -> str | None:
    """The composer mode a request asks for; an unknown model is a 404, as OpenAI answers it."""
    models = model_modes(settings)
    if model not in models:
        raise ModelNotFound(f"the model {model[:100]!r} does not exist here; use one of {', '.join(models)} "
                            "(GET /v1/models)")
    implied = models[model]
    if implied and mode and mode != implied:
        raise BadRequest(f"model {model!r} answers in {implied} mode but the request asks for mode={mode!r}")
    return mode or implied


# ---- tokens -----------------------------------------------------------------------------
def prompt_tokens(messages: Iterable[tuple[str, str]]) -> int:
    """Tokens of the messages as received (role, text), cl100k_base, with OpenAI's chat framing
    (3 per message, 3 to prime the reply). The extractive composer calls no model, so this is the
    size of the request, not an upstream bill."""
    return sum(3 + count_tokens(role) + count_tokens(text) for role, text in messages) + 3


def usage(messages: Iterable[tuple[str, str]], content: str) -> dict[str, int]:
    prompt, completion = prompt_tokens(messages), count_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def truncate(text: str, max_tokens: int | None) -> tuple[str, bool]:
    """``text`` cut to at most ``max_tokens`` tokens (whether it was cut), as a model stops at its limit."""
    if max_tokens is None:
        return text, False
    tokens = encoding().encode_ordinary(text)
    if len(tokens) <= max_tokens:
        return text, False
    cut = encoding().decode(tokens[:max_tokens])
    while cut and count_tokens(cut) > max_tokens:  # re-encoding a cut can merge differently: stay under
        cut = cut[:-1]
    return (cut if text.startswith(cut) else ""), True


# ---- stream pieces ----------------------------------------------------------------------
# After sentence punctuation, closing quotes/brackets and any [n] markers, at the whitespace that
# follows; or at a line break (list items, paragraphs).
_PIECE_END = re.compile(r"[.!?…;:][\"'”’)\]]*(?:\s*\[\d+\])*[ \t]+|\n+")


def sentence_pieces(text: str) -> list[str]:
    """``text`` in sentence-sized pieces whose concatenation is exactly ``text``."""
    pieces, start = [], 0
    for m in _PIECE_END.finditer(text):
        if m.end() > start:
            pieces.append(text[start:m.end()])
            start = m.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


# ---- annotations ------------------------------------------------------------------------
_MARKER = re.compile(r"\[(\d+)\]")


def annotations(body: str, citations: list[Mapping[str, Any]], base_url: str) -> list[dict[str, Any]]:
    """One ``url_citation`` per [n] marker in ``body`` (the reply before its Sources list), at the
    marker's character span, pointing at the local viewer (``view_url``; else the official ``url``)."""
    by_n = {c["n"]: c for c in citations}
    out = []
    for m in _MARKER.finditer(body):
        c = by_n.get(int(m.group(1)))
        if c is None:
            continue
        url = c.get("view_url") or c.get("url") or ""
        if url.startswith("/"):
            url = base_url.rstrip("/") + url
        page = f", p. {c['page']}" if c.get("page") else ""
        out.append({"type": "url_citation", "url_citation": {
            "start_index": m.start(), "end_index": m.end(), "url": url,
            "title": f"{c.get('document_title', '')}, {c.get('locator', '')}{page}".strip(", ")}})
    return out
