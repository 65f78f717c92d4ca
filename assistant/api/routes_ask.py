"""Question routes: ask (JSON or server-sent events), compare, search."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from itertools import chain

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from ..errors import AssistantError
from .deps import AssistantDep, QueryKey, SettingsDep
from .input_rules import check_length
from .schemas import (
    AnswerOut,
    AskRequest,
    CompareRequest,
    ComparisonOut,
    ErrorBody,
    SearchHit,
    SearchOut,
    SearchRequest,
)

log = logging.getLogger("assistant.api")

ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 422, 503)}
router = APIRouter(prefix="/v1", tags=["questions"], dependencies=[QueryKey], responses=ERRORS)


@router.post("/ask", response_model=AnswerOut, summary="Answer a question with verified citations",
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "Answer JSON, or with stream=true events delta*, answer, done."}})
def ask(body: AskRequest, assistant: AssistantDep):
    """With ``stream: true`` the answer arrives as SSE: ``event: delta`` ({"text"}) per paragraph,
    ``event: answer`` (the full Answer JSON), ``event: done``."""
    f = body.filters
    events = assistant.ask_stream(body.question, [t.model_dump() for t in body.history], f.documents,
                                  f.jurisdictions, f.binding, body.persona, body.mode)
    first = next(events)  # validation errors surface here, as a plain 4xx before any stream starts
    if body.stream:
        return EventSourceResponse(_sse(chain([first], events)), ping=15)
    final = first if first["type"] == "answer" else [e for e in events if e["type"] == "answer"][-1]
    return final["answer"]


def _sse(events: Iterator[dict]) -> Iterator[ServerSentEvent]:
    """Service events as SSE frames; a failure mid-stream becomes ``event: error`` (the status is sent)."""
    try:
        for event in events:
            if event["type"] == "delta":
                yield ServerSentEvent(event="delta", data=json.dumps({"text": event["text"]}, ensure_ascii=False))
            elif event["type"] == "answer":
                yield ServerSentEvent(event="answer", data=json.dumps(event["answer"], ensure_ascii=False))
    except AssistantError as exc:
        yield _error_event(exc.code, str(exc))
    except Exception:  # noqa: BLE001 - the 200 is already sent; say so in the stream
        log.exception("ask stream failed")
        yield _error_event("internal_error", "the answer could not be completed; please retry")
    yield ServerSentEvent(event="done", data="{}")


def _error_event(code: str, message: str) -> ServerSentEvent:
    return ServerSentEvent(event="error", data=json.dumps({"error": {"code": code, "message": message}}))


@router.post("/compare", response_model=ComparisonOut, summary="One cited finding per document")
def compare(body: CompareRequest, assistant: AssistantDep, settings: SettingsDep):
    check_length("question", body.question, settings.answer.max_question_chars)
    return assistant.compare(body.question, body.documents).to_dict()


@router.post("/search", response_model=SearchOut, summary="Passages that best match a query")
def search(body: SearchRequest, assistant: AssistantDep, settings: SettingsDep) -> SearchOut:
    check_length("query", body.query, settings.answer.max_question_chars)
    f = body.filters
    hits = assistant.search(body.query, body.k, f.documents, f.jurisdictions, f.binding)
    return SearchOut(results=[SearchHit.from_scored(h) for h in hits])
