"""OpenAI-compatible chat completions, so stock OpenAI clients work unchanged.

The last user message is the question; earlier user/assistant messages are the history (the most
recent ``answer.max_history_turns`` of them). System and developer messages are ignored: they
cannot change how the assistant answers or cites. The reply text carries [n] markers followed by a
short "Sources" list, and the response adds a top-level ``citations`` array (in streaming, on the
final chunk, before ``data: [DONE]``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from itertools import chain
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from ..errors import AssistantError, BadRequest
from .deps import AssistantDep, QueryKey, SettingsDep
from .schemas import ChatMessage, ChatRequest, ErrorBody

log = logging.getLogger("assistant.api")

ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 422, 503)}
router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[QueryKey], responses=ERRORS)
MODEL_ID = "policy-assistant"
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


@router.get("/models", summary="OpenAI-compatible model list (one model)")
def models() -> dict[str, Any]:
    model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "policy-assistant"}
    return {"object": "list", "data": [model]}


@router.post("/chat/completions", summary="OpenAI-compatible chat completion with citations")
def chat_completions(body: ChatRequest, assistant: AssistantDep, settings: SettingsDep):
    question, history = split_messages(body.messages, settings.answer.max_history_turns)
    f = body.filters
    events = assistant.ask_stream(question, history, f.documents, f.jurisdictions, f.binding, body.persona, body.mode)
    first = next(events)  # validation errors surface here, as a plain 4xx
    meta = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model or MODEL_ID}
    if body.stream:
        return StreamingResponse(_chunks(chain([first], events), meta), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    answer = [e for e in chain([first], events) if e["type"] == "answer"][-1]["answer"]
    content = answer["answer"] + sources_footer(answer["citations"])
    return {**meta, "object": "chat.completion", "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "citations": answer["citations"], "abstained": answer["abstained"]}


def _chunks(events: Iterator[dict], meta: dict[str, Any]) -> Iterator[str]:
    """``chat.completion.chunk`` frames: role, content deltas, the final chunk with citations, [DONE]."""
    yield _frame(meta, {"role": "assistant", "content": ""})
    streamed = ""
    try:
        for event in events:
            if event["type"] == "delta":
                streamed += event["text"]
                yield _frame(meta, {"content": event["text"]})
            elif event["type"] == "answer":
                answer = event["answer"]
                footer = sources_footer(answer["citations"])
                if footer:
                    yield _frame(meta, {"content": _after(streamed, footer)})
                yield _frame(meta, {}, finish_reason="stop", citations=answer["citations"],
                             abstained=answer["abstained"])
    except AssistantError as exc:
        yield _data({"error": {"code": exc.code, "message": str(exc)}})
    except Exception:  # noqa: BLE001 - the 200 is already sent; say so in the stream
        log.exception("chat stream failed")
        yield _data({"error": {"code": "internal_error", "message": "the answer could not be completed; please retry"}})
    yield "data: [DONE]\n\n"


def _after(streamed: str, footer: str) -> str:
    """The footer without the newlines the deltas already sent, so the streamed text equals the
    non-streamed reply (deltas end with a paragraph break; the footer starts with one)."""
    trailing = len(streamed) - len(streamed.rstrip("\n"))
    return footer[min(trailing, len(SOURCES_HEADING) - len(SOURCES_HEADING.lstrip("\n"))):]


def _frame(meta: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> str:
    return _data({**meta, "object": "chat.completion.chunk",
                  "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}], **extra})


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"
