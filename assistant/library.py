"""The documents the assistant knows: the manifest plus documents users added, and the
index configuration derived from Settings (the index layer takes it as plain arguments).

Documents users add pass one gate here (CLI and API alike): local files only from configured
folders, at most ``uploads.max_mb``, and only PDF, HTML or UTF-8 text by their content (never by
their extension). A user's document is labelled "added by a user, unofficial", and the uploader's
``binding`` is a request that only an operator can confirm.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from index.errors import SourceError
from index.pipeline import IngestConfig, IngestReport, code_version
from index.provenance import USER_DOC_TYPE, USER_LABEL
from index.sources import load_manifest, sha256_of, slugify
from index.store import ChromaLocation
from index.types import Source

from .settings import Settings

SOURCE_FIELDS = {f.name for f in fields(Source)}
SNIFF_BYTES = 1 << 16


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


def _user_files_dir(settings: Settings) -> Path:
    return settings.data_dir / "user_files"


def _backup_dir(settings: Settings) -> Path:
    return settings.data_dir / "user_files" / ".previous"


def _entries(settings: Settings) -> list[dict[str, Any]]:
    path = _user_file(settings)
    return json.loads(path.read_text()) if path.exists() else []


def _write_entries(settings: Settings, entries: list[dict[str, Any]]) -> None:
    path = _user_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(entries, indent=1))
    tmp.replace(path)  # a crash never leaves half a registry


def as_user_source(entry: dict[str, Any]) -> Source:
    """The Source of a registry entry: labelled unofficial, binding only when an operator confirmed it.
    Its own title stays an alias, so a question can still name it."""
    src = Source(**{k: v for k, v in entry.items() if k in SOURCE_FIELDS})
    binding = bool(entry.get("binding_requested", src.binding)) and bool(entry.get("binding_confirmed", False))
    title = src.title if src.title.endswith(f"({USER_LABEL})") else f"{src.title} ({USER_LABEL})"
    aliases = tuple(dict.fromkeys(a for a in (src.title, *src.aliases) if a and a != title))
    return replace(src, title=title, short_title="", aliases=aliases, binding=binding, doc_type=USER_DOC_TYPE)


def all_sources(settings: Settings) -> list[Source]:
    """Manifest documents first, then the ones users added (kept under the data dir)."""
    return load_manifest() + [as_user_source(d) for d in _entries(settings)]


def user_entries(settings: Settings) -> list[dict[str, Any]]:
    """The registry of documents users added (what `documents list` shows besides the manifest)."""
    return _entries(settings)


# ---- the gate for added files ----------------------------------------------------------------------
def allowed_dirs(settings: Settings) -> list[Path]:
    """Folders local files may be added from: configured ones, the corpus mirrors, <data_dir>/inbox
    (and <data_dir>/uploads, where the API keeps an upload while it is added)."""
    data = settings.data_dir.resolve()
    return [p.resolve() for p in (*settings.uploads.allowed_dirs, *settings.corpus_dirs)] + [data / "inbox", data / "uploads"]


def check_local_path(settings: Settings, path_text: str) -> Path:
    """The resolved file, if it lies under an allowed folder (symlinks resolved first), is a regular
    file and is within the size limit; SourceError otherwise."""
    doc_id = slugify(Path(path_text).stem)
    path = Path(path_text).expanduser().resolve()
    folders = allowed_dirs(settings)
    if not any(path.is_relative_to(folder) for folder in folders):
        where = ", ".join(str(f) for f in folders)
        raise SourceError(doc_id, f"{path_text} is outside the folders documents may be added from ({where}); "
                                  "copy it into one of them or set POLICY_UPLOADS__ALLOWED_DIRS")
    if not path.is_file():
        raise SourceError(doc_id, f"{path_text} is not a readable file")
    size = path.stat().st_size
    if size > settings.uploads.max_bytes:
        raise SourceError(doc_id, f"{path_text} is {size / 1e6:.1f} MB; the limit is {settings.uploads.max_mb:g} MB "
                                  "(POLICY_UPLOADS__MAX_MB)")
    return path


def sniff_format(path: Path, suffix_hint: str = "") -> str | None:
    """pdf, html, md or txt by the file's content; None for anything else (binaries, archives,
    images, text that is not UTF-8). The extension only tells Markdown from plain text."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"%PDF-":
        return "pdf"
    if b"\x00" in head:
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text[:SNIFF_BYTES] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * max(1, len(text[:SNIFF_BYTES])):
        return None
    lead = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if lead.startswith(("<!doctype html", "<html", "<?xml")) or any(t in lead for t in ("<html", "<body", "<head>")):
        return "html"
    return "md" if suffix_hint.lower() in (".md", ".markdown") else "txt"


def _download(settings: Settings, url: str, folder: Path) -> Path:
    """A URL's content into ``folder``, stopped at the size limit."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "document"
    target = folder / name
    limit = settings.uploads.max_bytes
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "policy-assistant/0.1"})
        with urllib.request.urlopen(req, timeout=60) as resp, open(target, "wb") as out:
            seen = 0
            while block := resp.read(1 << 20):
                seen += len(block)
                if seen > limit:
                    raise SourceError(slugify(Path(name).stem), f"{url} is over the {settings.uploads.max_mb:g} MB limit")
                out.write(block)
    except OSError as exc:
        raise SourceError(slugify(Path(name).stem), f"download of {url} failed: {exc}") from exc
    return target


# ---- adding, settling and removing ----------------------------------------------------------------
def add_user_source(settings: Settings, path_or_url: str, title: str | None, jurisdiction: str,
                    binding: bool = False, issuer: str = "") -> Source:
    """Register a user's document after the gate; the file is copied under the data dir so the index
    never depends on where the user kept it. The previous version of the same id is kept aside until
    the next build settles the add (``settle_add``)."""
    is_url = path_or_url.startswith(("http://", "https://"))
    with tempfile.TemporaryDirectory() as tmp:
        path = _download(settings, path_or_url, Path(tmp)) if is_url else check_local_path(settings, path_or_url)
        fmt = sniff_format(path, path.suffix)
        stem = Path(path.name).stem if "." in path.name else path.name
        src = Source(document_id=slugify(stem), title=(title or stem).strip() or stem, issuer=issuer,
                     jurisdiction=jurisdiction, published="", doc_type=USER_DOC_TYPE, binding=False, language="en",
                     official_url="", sha256=None, file="", format=fmt or "txt", family="")
        if fmt is None:
            raise SourceError(src.document_id, "unsupported content: add a PDF, an HTML page or UTF-8 text "
                                               "(the type is read from the file's content, not its extension)")
        if path.stat().st_size > settings.uploads.max_bytes:
            raise SourceError(src.document_id, f"the file is over the {settings.uploads.max_mb:g} MB limit")
        if any(s.document_id == src.document_id for s in load_manifest()):
            raise SourceError(src.document_id, "a manifest document already has this id; rename the file")
        target_dir = _user_files_dir(settings)
        target_dir.mkdir(parents=True, exist_ok=True)
        name = f"{src.document_id}.{fmt}"
        entries = _entries(settings)
        previous = next((e for e in entries if e["document_id"] == src.document_id), None)
        _keep_aside(settings, previous)
        shutil.copyfile(path, target_dir / name)
    src = replace(src, file=name, format=fmt, sha256=sha256_of(target_dir / name),
                  official_url=path_or_url if is_url else "")
    entry = {**asdict(src), "binding_requested": bool(binding), "binding_confirmed": False}
    _write_entries(settings, [e for e in entries if e["document_id"] != src.document_id] + [entry])
    return as_user_source(entry)


def _keep_aside(settings: Settings, previous: dict[str, Any] | None) -> None:
    """The registered version of a document being replaced, so a failed add can be undone."""
    if previous is None:
        return
    backup = _backup_dir(settings)
    backup.mkdir(parents=True, exist_ok=True)
    old_file = _user_files_dir(settings) / previous["file"]
    if old_file.is_file():
        shutil.copyfile(old_file, backup / previous["file"])
    (backup / f"{previous['document_id']}.json").write_text(json.dumps(previous))


def settle_add(settings: Settings, document_id: str, report: IngestReport) -> str | None:
    """After the build that followed an add: keep the add if its document was indexed, else undo it
    (the previous version comes back, or the document is forgotten) and return why it failed."""
    outcome = next((d for d in report.documents if d.document_id == document_id), None)
    backup = _backup_dir(settings)
    saved = backup / f"{document_id}.json"
    if outcome is not None and outcome.status in ("indexed", "unchanged"):
        if saved.exists():
            previous = json.loads(saved.read_text())
            (backup / previous["file"]).unlink(missing_ok=True)
            current = next((e for e in _entries(settings) if e["document_id"] == document_id), {})
            if previous["file"] != current.get("file"):  # the old version had another format
                (_user_files_dir(settings) / previous["file"]).unlink(missing_ok=True)
            saved.unlink()
        return None
    entries = [e for e in _entries(settings) if e["document_id"] != document_id]
    current = next((e for e in _entries(settings) if e["document_id"] == document_id), None)
    if current is not None:
        (_user_files_dir(settings) / current["file"]).unlink(missing_ok=True)
    if saved.exists():  # the last good version is what the index still holds: register it again
        previous = json.loads(saved.read_text())
        if (backup / previous["file"]).is_file():
            shutil.move(backup / previous["file"], _user_files_dir(settings) / previous["file"])
        entries.append(previous)
        saved.unlink()
    _write_entries(settings, entries)
    return outcome.error if outcome is not None else "the document was not indexed"


def remove_user_source(settings: Settings, document_id: str) -> Source:
    """Forget a document a user added (its file too); manifest documents cannot be removed here."""
    if any(s.document_id == document_id for s in load_manifest()):
        raise SourceError(document_id, "is part of the project's manifest (index/sources.toml), not a user's document")
    entries = _entries(settings)
    entry = next((e for e in entries if e["document_id"] == document_id), None)
    if entry is None:
        raise SourceError(document_id, "no document a user added has this id (see `policy-assistant documents list`)")
    (_user_files_dir(settings) / entry["file"]).unlink(missing_ok=True)
    _write_entries(settings, [e for e in entries if e["document_id"] != document_id])
    return as_user_source(entry)


def confirm_binding(settings: Settings, document_id: str, binding: bool = True) -> Source:
    """The operator's confirmation that a user's document is (or is not) binding law."""
    entries = _entries(settings)
    entry = next((e for e in entries if e["document_id"] == document_id), None)
    if entry is None:
        raise SourceError(document_id, "no document a user added has this id (see `policy-assistant documents list`)")
    entry.update(binding_requested=binding, binding_confirmed=binding)
    _write_entries(settings, entries)
    return as_user_source(entry)
