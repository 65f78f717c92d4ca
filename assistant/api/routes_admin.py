"""Admin routes (need ``api.admin_key``; disabled with 403 when none is set): re-index, add documents.

Builds run in the background (202 + job state; GET /v1/admin/reindex polls it), or to completion
with ``wait: true``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from index.errors import SourceError

from ..errors import AssistantError, BadRequest
from .deps import AdminKey, JobDep, RawAssistantDep
from .schemas import AddDocumentRequest, ErrorBody, JobOut, ReindexRequest

ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 403, 409, 422, 500)}
router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[AdminKey], responses=ERRORS)
UPLOAD_SUFFIXES = {".pdf", ".html", ".htm", ".txt", ".md"}


class BuildFailed(AssistantError):
    code, status = "index_build_failed", 500


def _job_response(status: dict[str, Any], waited: bool) -> JSONResponse:
    if waited and status.get("add_error"):  # the document's own fault: a client error, and nothing of it is kept
        raise BadRequest(f"could not add the document {status['document_id']}: {status['add_error']}")
    if waited and status["state"] == "failed":
        raise BuildFailed(f"the index build failed: {status['message']}")
    return JSONResponse(JobOut(**status).model_dump(), status_code=200 if waited else 202)


@router.post("/reindex", response_model=JobOut, status_code=202, summary="Rebuild the index (incremental)")
def reindex(job: JobDep, body: ReindexRequest | None = None) -> JSONResponse:
    body = body or ReindexRequest()
    return _job_response(job.start(force=body.force, wait=body.wait), body.wait)


@router.get("/reindex", response_model=JobOut, summary="State of the last index build of this process")
def reindex_status(job: JobDep) -> JobOut:
    return JobOut(**job.status())


@router.post("/documents", response_model=JobOut, status_code=202, summary="Add a document, then re-index",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": AddDocumentRequest.model_json_schema()},
                 "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                     "file": {"type": "string", "format": "binary"}, "title": {"type": "string"},
                     "jurisdiction": {"type": "string"}, "binding": {"type": "boolean"},
                     "issuer": {"type": "string"}, "wait": {"type": "boolean"}}}}}}})
async def add_document(request: Request, assistant: RawAssistantDep, job: JobDep) -> JSONResponse:
    """JSON ``{path_or_url, title?, jurisdiction?, binding?, issuer?, wait?}`` or a multipart upload
    (``file`` plus the same fields as form fields)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        body, upload = await _from_form(request)
    else:
        body, upload = _from_json(await _json(request)), None
    path = await run_in_threadpool(_save_upload, upload, assistant.settings.data_dir) if upload else None
    try:
        src = await run_in_threadpool(assistant.add_document, str(path or body.path_or_url), body.title,
                                      body.jurisdiction, body.binding, body.issuer)
    except (SourceError, OSError) as exc:
        raise BadRequest(f"could not add the document: {exc}") from None
    finally:
        if path is not None:  # add_document keeps its own copy under the data dir
            shutil.rmtree(path.parent, ignore_errors=True)
    status = await run_in_threadpool(job.start, False, body.wait, src.document_id)
    return _job_response(status, body.wait)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except Exception:  # noqa: BLE001 - any undecodable body is the client's error
        raise BadRequest("the body is not valid JSON (or send a multipart upload with a 'file' field)") from None


def _from_json(data: Any, strict: bool = True) -> AddDocumentRequest:
    try:  # form fields are all text ("true"): only they are read leniently
        return AddDocumentRequest.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise BadRequest(_first_error(exc)) from None


async def _from_form(request: Request) -> tuple[AddDocumentRequest, UploadFile]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadRequest("a multipart upload needs a 'file' field with the document")
    fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
    fields.setdefault("path_or_url", upload.filename)
    return _from_json(fields, strict=False), upload


def _save_upload(upload: UploadFile, data_dir: Path) -> Path:
    """The upload under a temporary folder, named after its (sanitised) file name: the name becomes the id."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(upload.filename or "").name).strip(".-")
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise BadRequest(f"unsupported file type {Path(name).suffix or '(none)'}: upload pdf, html, txt or md")
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=_ensure(data_dir / "uploads")))
    target = folder / name
    upload.file.seek(0)
    with open(target, "wb") as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)
    return target


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    where = ".".join(str(x) for x in e["loc"]) or "body"
    return f"invalid field {where}: {e['msg']}"
