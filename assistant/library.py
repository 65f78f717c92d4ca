"""The documents the assistant knows: the manifest plus documents users added, and the
index configuration derived from Settings (the index layer takes it as plain arguments)."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from index.pipeline import IngestConfig, code_version
from index.sources import load_manifest, user_source
from index.store import ChromaLocation
from index.types import Source

from .settings import Settings


def ingest_config(settings: Settings) -> IngestConfig:
    data_dir = settings.data_dir.resolve()
    chroma = (ChromaLocation(host=settings.chroma_host, port=settings.chroma_port) if settings.chroma_host
              else ChromaLocation(path=data_dir / "chroma"))
    ing = settings.ingest
    return IngestConfig(
        data_dir=data_dir,
        mirrors=tuple(p.resolve() for p in settings.corpus_dirs) + (data_dir / "user_files",),
        chroma=chroma,
        settings_hash=settings.index_settings_hash(code_version()),
        embedding_model=ing.embedding_model,
        embed_max_tokens=ing.embed_max_tokens,
        chunk_tokens=ing.chunk_tokens,
        chunk_overlap=ing.chunk_overlap,
        embed_batch_size=ing.embed_batch_size,
        allow_download=settings.allow_download,
    )


def _user_file(settings: Settings) -> Path:
    return settings.data_dir / "user_sources.json"


def all_sources(settings: Settings) -> list[Source]:
    """Manifest documents first, then the ones users added (kept under the data dir)."""
    sources = load_manifest()
    path = _user_file(settings)
    if path.exists():
        sources += [Source(**d) for d in json.loads(path.read_text())]
    return sources


def add_user_source(settings: Settings, path_or_url: str, title: str | None, jurisdiction: str,
                    binding: bool = False, issuer: str = "") -> Source:
    """Register a user's document; a local file is copied under the data dir so the index never
    depends on where the user kept it."""
    src = user_source(path_or_url, title, jurisdiction, binding, issuer)
    if not path_or_url.startswith(("http://", "https://")):
        target_dir = settings.data_dir / "user_files"
        target_dir.mkdir(parents=True, exist_ok=True)
        name = f"{src.document_id}.{src.format}"
        shutil.copyfile(path_or_url, target_dir / name)
        src = Source(**{**asdict(src), "file": name})
    path = _user_file(settings)
    existing = [d for d in (json.loads(path.read_text()) if path.exists() else []) if d["document_id"] != src.document_id]
    if any(s.document_id == src.document_id for s in load_manifest()):
        from index.errors import SourceError

        raise SourceError(src.document_id, "a manifest document already has this id; rename the file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(existing + [asdict(src)], indent=1))
    return src
