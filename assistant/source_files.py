"""The mirrored file of a document (PDF, HTML, text), for GET /v1/documents/{id}/file and the viewer.

Only files the manifest (or a user's addition) names are served, found where ingestion finds
them (mirror folders, the user-files folder, the download cache) and checked against their sha256,
so the viewer shows exactly the bytes the passages were cut from. Nothing is downloaded here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from index.errors import SourceError
from index.sources import fetch
from index.types import Source

from .errors import NotFound
from .library import all_sources, ingest_config
from .settings import Settings

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",  # no charset: the file's own <meta charset> says it
    "htm": "text/html",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class SourceFile:
    source: Source
    path: Path
    media_type: str


log = logging.getLogger("assistant.files")
_verified: dict[tuple[str, str, int, int], Path] = {}  # (id, path, mtime, size): checksum already checked
_lock = threading.Lock()


def source_file(settings: Settings, document_id: str) -> SourceFile:
    """The document's local file and media type; NotFound for an unknown id or a file not on disk."""
    source = next((s for s in all_sources(settings) if s.document_id == document_id), None)
    if source is None:
        raise NotFound(f"unknown document id {document_id[:200]!r} (see GET /v1/documents)")
    media_type = MEDIA_TYPES.get(source.format.lower(), "application/octet-stream")
    return SourceFile(source, _local_path(settings, source), media_type)


def _local_path(settings: Settings, source: Source) -> Path:
    cfg = ingest_config(settings)
    for folder in cfg.mirrors + (cfg.cache_dir,):  # fast path: a file whose checksum was checked before
        for candidate in (folder / source.file, folder / Path(source.file).name):
            key = _key(source, candidate)
            if key is not None and key in _verified:
                return _verified[key]
    try:
        path = fetch(source, list(cfg.mirrors), cfg.cache_dir, allow_download=False)
    except SourceError as exc:
        log.warning("document file not served: %s", exc)  # the reason names server paths: log it, don't send it
        raise NotFound(f"the file of {source.document_id} is not on this server") from None
    key = _key(source, path)
    if key is not None:
        with _lock:
            _verified[key] = path
    return path


def _key(source: Source, path: Path) -> tuple[str, str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (source.document_id, str(path), st.st_mtime_ns, st.st_size)
