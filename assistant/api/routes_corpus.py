"""Corpus routes: the indexed documents and single passages (ids contain '#': send it as %23)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..errors import NotFound
from ..source_files import source_file
from .deps import AssistantDep, QueryKey, RawAssistantDep
from .schemas import DocumentOut, DocumentsOut, ErrorBody, PassageOut

ERRORS = {code: {"model": ErrorBody} for code in (401, 404, 503)}
router = APIRouter(prefix="/v1", tags=["corpus"], dependencies=[QueryKey], responses=ERRORS)


@router.get("/documents", response_model=DocumentsOut, summary="The indexed documents")
def documents(assistant: AssistantDep) -> DocumentsOut:
    return DocumentsOut(documents=[DocumentOut.from_source(src, n) for src, n in assistant.documents()])


@router.get("/documents/{document_id}/file", response_class=FileResponse, summary="The document's mirrored file",
            responses={200: {"content": {"application/pdf": {}, "text/html": {}, "text/plain": {}}}})
def document_file(document_id: str, assistant: RawAssistantDep) -> FileResponse:
    """The PDF, HTML or text file the passages were cut from (checksum-verified), as the local viewer shows it."""
    found = source_file(assistant.settings, document_id)
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if found.media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = "sandbox"  # opened directly, the page's own scripts never run here
    return FileResponse(found.path, media_type=found.media_type, headers=headers,
                        filename=found.path.name, content_disposition_type="inline")


@router.get("/passages/{passage_id:path}", response_model=PassageOut, summary="One passage by id")
def passage(passage_id: str, assistant: AssistantDep) -> PassageOut:
    """``passage_id`` is ``<document_id>#<locator-slug>``; URL-encode the '#' as %23."""
    try:
        p = assistant.passage(passage_id)
    except NotFound:
        hint = "" if "#" in passage_id else " (passage ids contain '#': URL-encode it as %23)"
        raise NotFound(f"unknown passage id {passage_id[:200]!r}{hint}") from None
    return PassageOut.from_passage(p, assistant.index.sources.get(p.document_id))
