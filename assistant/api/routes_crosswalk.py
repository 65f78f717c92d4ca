"""Crosswalk routes: the reviewed topic x document grid, its topics, and the gap view."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from .. import crosswalk
from ..errors import BadRequest
from .deps import AssistantDep, QueryKey
from .schemas import ErrorBody

ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 503)}
router = APIRouter(prefix="/v1", tags=["crosswalk"], dependencies=[QueryKey], responses=ERRORS)
ListParam = Annotated[list[str] | None, Query(description="Comma-separated, or the parameter repeated.")]


def _split(values: list[str] | None) -> list[str]:
    """``?topics=a,b&topics=c`` -> [a, b, c]."""
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


@router.get("/crosswalk", summary="The crosswalk grid: topics x documents, every cell cited or 'not addressed'")
def grid(assistant: AssistantDep, topics: ListParam = None, documents: ListParam = None) -> dict[str, Any]:
    """Topic ids: see ``GET /v1/crosswalk/topics``; document ids: ``GET /v1/documents``. Empty: all."""
    return crosswalk.grid(crosswalk.default(), assistant.index, _split(topics), _split(documents))


@router.get("/crosswalk/topics", summary="The crosswalk's topic taxonomy")
def topics() -> dict[str, Any]:
    return {"topics": [asdict(t) for t in crosswalk.default().topics.values()]}


@router.get("/crosswalk/gaps", summary="What binding law asks beyond a voluntary framework, each provision cited")
def gaps(assistant: AssistantDep,
         current: Annotated[str, Query(description="The framework followed now, e.g. asean-guide-ai-governance-ethics-2024")],
         target: Annotated[str, Query(description="The binding law to meet, e.g. eu-ai-act-2024-1689")],
         actor: Annotated[str | None, Query(description="Keep provisions for this actor (provider, deployer, …)")] = None,
         scope: Annotated[str | None, Query(max_length=60, description="Keep provisions that mention this, e.g. high-risk")] = None,
         per_topic: Annotated[int, Query(ge=1, le=50)] = 8) -> dict[str, Any]:
    from index.annotations import ACTORS

    if actor and actor not in ACTORS:
        raise BadRequest(f"unknown actor {actor!r}: use one of {', '.join(ACTORS)}")
    return crosswalk.gaps(crosswalk.default(), assistant.index, current, target, actor, scope or None, per_topic)
