"""Liveness (/healthz: the process answers) and readiness (/readyz: the index is loaded and answers)."""

from __future__ import annotations

import os
import socket

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from .deps import JobDep, RawAssistantDep
from .schemas import ErrorDetail, HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, response_model_exclude_none=True, summary="Liveness")
def healthz(job: JobDep) -> HealthOut:
    return HealthOut(status="ok", indexing={"state": job.state})


@router.get("/readyz", response_model=HealthOut, response_model_exclude_none=True,
            summary="Readiness: 200 when questions can be answered, else 503", responses={503: {"model": HealthOut}})
def readyz(assistant: RawAssistantDep, job: JobDep):
    ready, message = job.check_ready()
    if ready:
        return HealthOut(status="ready", passages=len(assistant.index.passages), indexing={"state": job.state},
                         replica=f"{socket.gethostname()}:{os.getpid()}", **assistant.fingerprint())
    body = HealthOut(status="not_ready", detail=message, indexing={"state": job.state, "started_at": job.started_at},
                     error=ErrorDetail(code="index_not_ready", message=message))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
