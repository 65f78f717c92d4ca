"""The source manifest and fetching: mirror folder first, else the official URL; sha256 checked."""

from __future__ import annotations

import hashlib
import re
import tomllib
import urllib.request
from pathlib import Path

from .errors import SourceError
from .types import Source

MANIFEST = Path(__file__).with_name("sources.toml")
FORMATS = {"pdf", "html", "htm", "txt", "md"}


def load_manifest(path: Path = MANIFEST) -> list[Source]:
    """Every document of the manifest, in manifest order."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return [Source(**entry) for entry in data.get("source", [])]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def corpus_hash(document_shas: dict[str, str]) -> str:
    """sha256 over the per-document sha256s (sorted by document id): names one corpus version."""
    h = hashlib.sha256()
    for doc in sorted(document_shas):
        h.update(f"{doc}:{document_shas[doc]}\n".encode())
    return h.hexdigest()


def fetch(source: Source, mirrors: list[Path], cache_dir: Path, allow_download: bool = True) -> Path:
    """Local path of the source's file, checked against its sha256.

    Looks in each mirror folder (the file's manifest path, then its bare name), then in the
    download cache, then downloads the official URL into the cache. Raises SourceError naming
    the document on a missing file or a checksum mismatch.
    """
    candidates = [m / source.file for m in mirrors] + [m / Path(source.file).name for m in mirrors]
    candidates.append(cache_dir / Path(source.file).name)
    if Path(source.file).is_absolute():
        candidates.insert(0, Path(source.file))
    for path in candidates:
        if path.is_file():
            _check(source, path)
            return path
    if not allow_download or not source.official_url:
        where = ", ".join(str(m) for m in mirrors) or "no mirror folder configured"
        raise SourceError(source.document_id, f"file {source.file!r} not found (looked in {where}); set POLICY_CORPUS_DIR")
    target = cache_dir / Path(source.file).name
    _download(source, target)
    _check(source, target)
    return target


def _check(source: Source, path: Path) -> None:
    if source.sha256 and sha256_of(path) != source.sha256:
        raise SourceError(source.document_id, f"checksum mismatch for {path} (expected sha256 {source.sha256[:12]}…)")


def _download(source: Source, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        req = urllib.request.Request(source.official_url, headers={"User-Agent": "policy-assistant/0.1"})
        with urllib.request.urlopen(req, timeout=60) as resp, open(tmp, "wb") as out:
            out.write(resp.read())
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(source.document_id, f"download of {source.official_url} failed: {exc}") from exc


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


def user_source(path_or_url: str, title: str | None, jurisdiction: str, binding: bool, issuer: str = "",
                cache_dir: Path | None = None) -> Source:
    """A Source for a document a user adds (a local path or a URL); its id is slugged from the file name."""
    is_url = path_or_url.startswith(("http://", "https://"))
    name = path_or_url.rstrip("/").rsplit("/", 1)[-1] if is_url else Path(path_or_url).name
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "html"
    if suffix not in FORMATS:
        raise SourceError(slugify(name), f"unsupported file type .{suffix} (supported: pdf, html, txt, md)")
    fmt = "html" if suffix == "htm" else suffix
    stem = name.rsplit(".", 1)[0] if "." in name else name
    src = Source(
        document_id=slugify(stem), title=title or stem, issuer=issuer, jurisdiction=jurisdiction,
        published="", doc_type="user", binding=binding, language="en",
        official_url=path_or_url if is_url else "", sha256=None,
        file=str(Path(path_or_url).resolve()) if not is_url else name, format=fmt, family="",
    )
    return src  # a local file has no public URL; its copy under the data dir is the source
