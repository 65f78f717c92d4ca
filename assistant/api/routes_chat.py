"""OpenAI-compatible chat completions, so stock OpenAI clients work unchanged.

The last user message is the question; earlier user/assistant messages are the history (the most
recent ``answer.max_history_turns`` of them). System and developer messages are ignored: they
cannot change how the assistant answers or cites. The reply text carries [n] markers followed by a
short "Sources" list, and the response adds a top-level ``citations`` array (in streaming, on the
final chunk, before ``data: [DONE]``) and each [n] marker as a ``url_citation`` annotation.

What stock clients can rely on (openai_compat.py): ``usage`` is counted with tiktoken; the stream
sends one delta per sentence; ``max_tokens`` cuts the reply (``finish_reason: "length"``);
parameters it cannot honour (n>1, tools, logprobs, stop, ...) are a 400 naming them; ``model``
must be one of GET /v1/models (``policy-assistant``: the server's default composer,
``policy-assistant-extractive``, and ``policy-assistant-llm`` when an LLM is configured).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ..errors import AssistantError, BadRequest
from .deps import AssistantDep, QueryKey, SettingsDep
from .openai_compat import (Options, annotations, check_options, model_card, model_modes, resolve_mode,
                            sentence_pieces, truncate, usage)
from .schemas import ChatMessage, ChatRequest, ErrorBody

log = logging.getLogger("assistant.api")

ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 404, 422, 503)}  # 404: unknown model
router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[QueryKey], responses=ERRORS)
SOURCES_HEADING = "\n\nSources:\n"


def split_messages(messages: list[ChatMessage], max_turns: int) -> tuple[str, list[dict[str, str]]]:
    """(question, history) from OpenAI messages; instructions in system messages are not followed."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadRequest("the last message must be a user message with the question")
    history = [{"role": m.role, "content": _without_sources(m.text())} for m in turns[:-1]]
    return turns[-1].text(), history[-max_turns:] if max_turns > 0 else []


def _without_sources(text: str) -> str:
    """Our own earlier replies come back as history: drop the Sources list we appended."""
    return text.split(SOURCES_HEADING, 1)[0]


def sources_footer(citations: list[dict[str, Any]]) -> str:
    if not citations:
        return ""
    lines = []
    for c in citations:
        page = f", p. {c['page']}" if c.get("page") else ""
        lines.append(f"[{c['n']}] {c['document_title']}, {c['locator']}{page} — {c['url']}".rstrip(" —"))
    return SOURCES_HEADING + "\n".join(lines)


@router.get("/models", summary="OpenAI-compatible model list: the models this server really answers with")
def models(settings: SettingsDep) -> dict[str, Any]:
    return {"object": "list", "data": [model_card(m) for m in model_modes(settings)]}


@router.get("/models/{model_id}", summary="One model of the list")
def model(model_id: str, settings: SettingsDep) -> dict[str, Any]:
    resolve_mode(settings, model_id, None)  # 404 model_not_found for any other name
    return model_card(model_id)


@router.post("/chat/completions", summary="OpenAI-compatible chat completion with citations")
def chat_completions(body: ChatRequest, request: Request, assistant: AssistantDep, settings: SettingsDep):
    options = check_options(body.model_extra or {}, body.stream)
    mode = resolve_mode(settings, body.model, body.mode)
    question, history = split_messages(body.messages, settings.answer.max_history_turns)
    f = body.filters
    events = assistant.ask_stream(question, history, f.documents, f.jurisdictions, f.binding, body.persona, mode)
    first = next(events)  # validation errors surface here, as a plain 4xx
    meta = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
    reply = _Reply([(m.role, m.text()) for m in body.messages], options, str(request.base_url))
    if body.stream:
        return StreamingResponse(_chunks(chain([first], events), meta, reply), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    answer = [e for e in chain([first], events) if e["type"] == "answer"][-1]["answer"]
    content, cut = truncate(answer["answer"].rstrip() + sources_footer(answer["citations"]), options.max_tokens)
    message = {"role": "assistant", "content": content, "refusal": None,
               "annotations": reply.annotations(content, answer["citations"])}
    return {**meta, "object": "chat.completion", "system_fingerprint": None,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "length" if cut else "stop"}],
            "usage": reply.usage(content), "citations": answer["citations"], "abstained": answer["abstained"]}


@dataclass
class _Reply:
    """What the reply needs from the request besides the answer: token counts, the limit, the base URL."""

    messages: list[tuple[str, str]]
    options: Options
    base_url: str
    sent: str = ""  # streamed so far
    cut: bool = False  # max_tokens reached

    def usage(self, content: str) -> dict[str, int]:
        return usage(self.messages, content)

    def annotations(self, content: str, citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return annotations(content.split(SOURCES_HEADING, 1)[0], citations, self.base_url)

    def take(self, piece: str) -> str:
        """The part of ``piece`` that fits under max_tokens (all of it without a limit)."""
        if self.cut:
            return ""
        text, self.cut = truncate(self.sent + piece, self.options.max_tokens)
        new = text[len(self.sent):] if text.startswith(self.sent) else ""
        self.sent += new
        return new


def _chunks(events: Iterator[dict], meta: dict[str, Any], reply: _Reply) -> Iterator[str]:
    """``chat.completion.chunk`` frames: role, one content delta per sentence (or line), the final
    chunk with citations and annotations, the usage chunk when asked for, [DONE]. Trailing
    whitespace is held back until more text follows, so the streamed text equals the plain reply."""
    usage_field = {"usage": None} if reply.options.include_usage else {}
    yield _frame(meta, {"role": "assistant", "content": ""}, **usage_field)
    held = ""
    try:
        for event in events:
            if event["type"] == "delta":
                for piece in sentence_pieces(event["text"]):
                    core = piece.rstrip()
                    if core and (out := reply.take(held + core)):
                        yield _frame(meta, {"content": out}, **usage_field)
                    held = piece[len(core):] if core else held + piece
            elif event["type"] == "answer":
                answer = event["answer"]
                for piece in sentence_pieces(sources_footer(answer["citations"])):  # the held space is in it
                    if out := reply.take(piece):
                        yield _frame(meta, {"content": out}, **usage_field)
                yield _frame(meta, {"annotations": reply.annotations(reply.sent, answer["citations"])},
                             finish_reason="length" if reply.cut else "stop", citations=answer["citations"],
                             abstained=answer["abstained"], **usage_field)
                if reply.options.include_usage:
                    yield _data({**meta, "object": "chat.completion.chunk", "choices": [],
                                 "usage": reply.usage(reply.sent)})
    except AssistantError as exc:
        yield _data({"error": {"code": exc.code, "message": str(exc)}})
    except Exception:  # noqa: BLE001 - the 200 is already sent; say so in the stream
        log.exception("chat stream failed")
        yield _data({"error": {"code": "internal_error", "message": "the answer could not be completed; please retry"}})
    yield "data: [DONE]\n\n"


def _frame(meta: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
    return _data({**meta, "object": "chat.completion.chunk",
                  "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}], **extra})


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"
