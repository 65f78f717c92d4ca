"""Per-format parsers: a source file -> ParsedDocument (clean text with page boundaries).

Cleaning is the same for every format so that a passage's text can always be found again on its
page: NFKC (ligatures), horizontal whitespace collapsed, running headers/footers and page numbers
removed, words hyphenated across lines rejoined.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from .errors import SourceError
from .types import PAGE_SEP, ParsedDocument


_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—(\s]*\d{1,3}\s*(?:/\s*\d{1,3})?[-–—)\s]*$", re.I)
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def parse(document_id: str, path: Path, fmt: str) -> ParsedDocument:
    """Parse one file; raises SourceError (naming the document) when it is unreadable or has no text."""
    try:
        if fmt == "pdf":
            pages = _pdf_pages(path)
        elif fmt in ("html", "htm"):
            pages = [(1, _html_text(path.read_bytes()))]
        elif fmt in ("txt", "md"):
            pages = _text_pages(path.read_text(encoding="utf-8", errors="replace"))
        else:
            raise SourceError(document_id, f"unsupported format {fmt!r}")
    except SourceError:
        raise
    except Exception as exc:  # pypdf and lxml raise many types on hostile input
        raise SourceError(document_id, f"cannot be parsed as {fmt}: {type(exc).__name__}: {exc}") from exc
    numbers = [n for n, _ in pages]
    texts = remove_running_lines([clean(t) for _, t in pages])
    texts = [_HYPHEN_BREAK.sub("", t).strip() for t in texts]
    if sum(len(t) for t in texts) < 20:
        raise SourceError(document_id, "no extractable text (empty file, image-only scan or a page without content)")
    return assemble(document_id, texts, numbers, has_pages=fmt == "pdf" or len(texts) > 1)


def assemble(document_id: str, pages: list[str], numbers: list[int], has_pages: bool = True) -> ParsedDocument:
    starts, offset = [], 0
    for p in pages:
        starts.append(offset)
        offset += len(p) + len(PAGE_SEP)
    return ParsedDocument(document_id, PAGE_SEP.join(pages), tuple(starts), tuple(numbers), has_pages)


def clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").replace("\x00", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _pdf_pages(path: Path) -> list[str]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable PDFs warn a lot
    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    return [(i, page.extract_text() or "") for i, page in enumerate(reader.pages, start=1)]


def _html_text(raw: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "button", "svg", "template"]):
        tag.decompose()
    for sel in ["#global-cookie-message", ".gem-c-cookie-banner", ".govuk-skip-link", "[role=navigation]",
                ".gem-c-contents-list", ".govuk-breadcrumbs", "[aria-hidden=true]"]:
        for tag in soup.select(sel):
            tag.decompose()
    root = soup.select_one("main") or soup.select_one("[role=main]") or soup.body or soup
    blocks = root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote", "dt", "dd"])
    if not blocks:
        return root.get_text("\n")
    out = []
    for b in blocks:
        if b.find(["p", "li", "td"]):  # a container block: its children are emitted themselves
            continue
        text = b.get_text(" ", strip=True)
        if text:
            out.append(text)
    return "\n".join(out)


def _text_pages(text: str) -> list[tuple[int | None, str]]:
    """Recover pages of a layout text extraction (pdftotext -layout without form feeds).

    A page ends with a right-aligned printed page number; a page starts with the running header
    (a line at column 0 that recurs on many pages). Pages without a printed number are numbered
    from their neighbours, so page numbers are those of the original PDF.
    """
    if "\f" in text:
        return list(enumerate(text.split("\f"), start=1))
    lines = text.split("\n")
    counts = Counter(line for line in lines if line and not line[0].isspace())
    headers = {line for line, c in counts.items() if c >= 5 and len(line) > 10}
    chunks: list[tuple[int | None, list[str]]] = [(None, [])]
    for line in lines:
        if line in headers and any(x.strip() for x in chunks[-1][1]):
            chunks.append((None, []))
        chunks[-1][1].append(line)
        m = re.fullmatch(r"\s{20,}(\d{1,3})\s*", line)
        if m:
            chunks[-1] = (int(m.group(1)), chunks[-1][1])
            chunks.append((None, []))
    chunks = [(n, ls) for n, ls in chunks if any(x.strip() for x in ls)]
    if not any(n for n, _ in chunks):
        return [(1, text)]
    numbers = [n for n, _ in chunks]
    for i in range(len(numbers)):  # forward fill: previous + 1
        if numbers[i] is None and i > 0 and numbers[i - 1] is not None:
            numbers[i] = numbers[i - 1] + 1
    for i in range(len(numbers) - 1, -1, -1):  # leading pages: next - 1
        if numbers[i] is None:
            numbers[i] = max(1, numbers[i + 1] - 1)
    merged: dict[int, list[str]] = {}
    for n, (_, ls) in zip(numbers, chunks):
        merged.setdefault(n, []).extend(ls)
    return [(n, "\n".join(ls)) for n, ls in sorted(merged.items())]


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def remove_running_lines(pages: list[str], edge: int = 3) -> list[str]:
    """Drop page numbers and lines that recur at the top or bottom of many pages."""
    if len(pages) < 4:
        return [_strip_page_numbers(p, edge) for p in pages]
    counts: Counter[str] = Counter()
    for p in pages:
        lines = [line for line in p.split("\n") if line.strip()]
        counts.update({_shape(line) for line in lines[:edge] + lines[-edge:]})
    threshold = max(3, int(0.25 * len(pages)))
    running = {s for s, c in counts.items() if c >= threshold and len(s) > 1}
    out = []
    for p in pages:
        lines = p.split("\n")
        nonblank = [i for i, line in enumerate(lines) if line.strip()]
        edges = set(nonblank[:edge] + nonblank[-edge:])
        kept = [line for i, line in enumerate(lines) if not (i in edges and (_shape(line) in running or _PAGE_NUMBER.match(line)))]
        out.append("\n".join(kept).strip())
    return out


def _strip_page_numbers(page: str, edge: int) -> str:
    lines = page.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    edges = set(nonblank[:edge] + nonblank[-edge:])
    return "\n".join(line for i, line in enumerate(lines) if not (i in edges and _PAGE_NUMBER.match(line))).strip()
