"""Evaluation suites: load YAML or JSONL (format: docs/suite-format.md), validate every case, and
check the gold against the indexed text so a typo in a quote fails loudly, naming case and field."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PERSONAS = ("sme", "official", "evaluator")
KINDS = ("sme", "comparison", "follow-up", "identifier", "out-of-corpus", "false-premise", "injection",
         "temporal", "mixed")
LANGUAGES = ("en", "id", "ms", "vi", "th", "fil")
SOURCE_GROUPS = ("any", "all")
ROLES = ("user", "assistant")
FILTER_KEYS = ("documents", "jurisdictions", "binding")


class SuiteError(ValueError):
    """A suite that cannot be used; ``problems`` holds one line per bad case field."""

    def __init__(self, path: str, problems: list[str]):
        self.path, self.problems = path, problems
        shown = "\n  ".join(problems[:40]) + (f"\n  … and {len(problems) - 40} more" if len(problems) > 40 else "")
        super().__init__(f"{path}: {len(problems)} problem(s):\n  {shown}")


@dataclass(frozen=True)
class ExpectedSource:
    document: str
    locator: str | None = None
    page: int | None = None
    quote: str | None = None

    def label(self) -> str:
        where = self.locator or (f"p. {self.page}" if self.page else "")
        return f"{self.document} {where}".strip()


@dataclass(frozen=True)
class Expect:
    abstain: bool
    sources: tuple[ExpectedSource, ...] = ()
    source_groups: str = "any"
    key_points: tuple[str, ...] = ()
    not_covered: tuple[str, ...] = ()  # mixed cases: words naming the part the corpus does not answer


@dataclass(frozen=True)
class Case:
    id: str
    persona: str
    kind: str
    question: str
    expect: Expect
    tags: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"

    @property
    def answerable(self) -> bool:
        return not self.expect.abstain


@dataclass(frozen=True)
class Suite:
    name: str
    path: str
    sha256: str
    cases: tuple[Case, ...]


def normalise(text: str) -> str:
    """NFKC and whitespace runs collapsed to one space: the comparison form of every quote."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


# ---------------------------------------------------------------------------- loading


def load_suite(path: str | Path) -> Suite:
    """Read a suite (.yaml/.yml: a list of cases; .jsonl: one case per line) and validate its
    structure. Raises SuiteError listing every problem, each naming the case and the field."""
    path = Path(path)
    if not path.is_file():
        raise SuiteError(str(path), ["file not found"])
    raw_bytes = path.read_bytes()
    items = _read_items(path, raw_bytes.decode("utf-8"))
    problems: list[str] = []
    cases: list[Case] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        label = f"case {item.get('id')!r}" if isinstance(item, dict) and item.get("id") else f"case #{i}"
        item_problems = case_problems(item)
        if isinstance(item, dict) and item.get("id") in seen:
            item_problems.append("id: duplicate case id")
        problems += [f"{label}: {p}" for p in item_problems]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            seen.add(item["id"])
        if not item_problems:
            cases.append(to_case(item))
    if problems:
        raise SuiteError(str(path), problems)
    return Suite(path.stem, str(path), hashlib.sha256(raw_bytes).hexdigest(), tuple(cases))


def _read_items(path: Path, text: str) -> list[Any]:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SuiteError(str(path), [f"line {n}: not valid JSON: {exc.msg}"]) from exc
        return items
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SuiteError(str(path), [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, list):
        raise SuiteError(str(path), ["a YAML suite must be a list of cases"])
    return data


def case_problems(item: Any) -> list[str]:
    """Structural problems of one raw case, each as '<field>: <what is wrong>'."""
    if not isinstance(item, dict):
        return ["case: must be a mapping"]
    p: list[str] = []
    if not isinstance(item.get("id"), str) or not item["id"].strip():
        p.append("id: missing or not a string")
    if not isinstance(item.get("question"), str) or not item["question"].strip():
        p.append("question: missing or empty")
    if item.get("persona", "sme") not in PERSONAS:
        p.append(f"persona: {item.get('persona')!r} is not one of {', '.join(PERSONAS)}")
    if item.get("kind", "sme") not in KINDS:
        p.append(f"kind: {item.get('kind')!r} is not one of {', '.join(KINDS)}")
    if item.get("language", "en") not in LANGUAGES:
        p.append(f"language: {item.get('language')!r} is not one of {', '.join(LANGUAGES)}")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        p.append("tags: must be a list of strings")
    p += _history_problems(item.get("history", []) or [])
    p += _filter_problems(item.get("filters", {}) or {})
    expect = item.get("expect")
    if not isinstance(expect, dict):
        return p + ["expect: missing or not a mapping"]
    if not isinstance(expect.get("abstain"), bool):
        p.append("expect.abstain: must be true or false")
    if expect.get("source_groups", "any") not in SOURCE_GROUPS:
        p.append(f"expect.source_groups: {expect.get('source_groups')!r} is not 'any' or 'all'")
    kps = expect.get("key_points", []) or []
    if not isinstance(kps, list) or not all(isinstance(k, str) for k in kps):
        p.append("expect.key_points: must be a list of strings")
    nc = expect.get("not_covered", []) or []
    if not isinstance(nc, list) or not all(isinstance(k, str) for k in nc):
        p.append("expect.not_covered: must be a list of strings")
    sources = expect.get("sources", []) or []
    if not isinstance(sources, list):
        return p + ["expect.sources: must be a list"]
    for j, src in enumerate(sources):
        where = f"expect.sources[{j}]"
        if not isinstance(src, dict) or not isinstance(src.get("document"), str) or not src["document"]:
            p.append(f"{where}.document: missing")
            continue
        page = src.get("page")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
            p.append(f"{where}.page: must be a positive integer or null, got {page!r}")
        if src.get("quote") is not None and not isinstance(src["quote"], str):
            p.append(f"{where}.quote: must be a string")
        if not any(src.get(k) for k in ("quote", "locator", "page")):
            p.append(f"{where}: needs a quote, a locator or a page to be matchable")
    return p


def _history_problems(history: Any) -> list[str]:
    if not isinstance(history, list):
        return ["history: must be a list of {role, content}"]
    return [f"history[{i}]: needs role user|assistant and a text content" for i, t in enumerate(history)
            if not (isinstance(t, dict) and t.get("role") in ROLES and isinstance(t.get("content"), str))]


def _filter_problems(filters: Any) -> list[str]:
    if not isinstance(filters, dict):
        return ["filters: must be a mapping"]
    p = [f"filters.{k}: unknown filter (use {', '.join(FILTER_KEYS)})" for k in filters if k not in FILTER_KEYS]
    for k in ("documents", "jurisdictions"):
        if k in filters and not (isinstance(filters[k], list) and all(isinstance(x, str) for x in filters[k])):
            p.append(f"filters.{k}: must be a list of strings")
    if "binding" in filters and filters["binding"] is not None and not isinstance(filters["binding"], bool):
        p.append("filters.binding: must be true, false or null")
    return p


def to_case(item: dict[str, Any]) -> Case:
    """A validated raw case as a typed, immutable Case."""
    expect = item["expect"]
    sources = tuple(ExpectedSource(s["document"], s.get("locator"), s.get("page"), s.get("quote"))
                    for s in expect.get("sources", []) or [])
    return Case(
        id=item["id"], persona=item.get("persona", "sme"), kind=item.get("kind", "sme"),
        question=item["question"], tags=tuple(item.get("tags", []) or []),
        history=tuple({"role": t["role"], "content": t["content"]} for t in item.get("history", []) or []),
        filters=dict(item.get("filters", {}) or {}),
        expect=Expect(expect["abstain"], sources, expect.get("source_groups", "any"),
                      tuple(expect.get("key_points", []) or []), tuple(expect.get("not_covered", []) or [])),
        language=item.get("language", "en"),
    )


# ---------------------------------------------------------------------------- gold vs the index


def covered_text(passages: Sequence[Any]) -> str:
    """The document text its passages cover, rebuilt from their char offsets (overlaps merged,
    gaps as a space): a quote across a passage boundary is still found."""
    parts: list[str] = []
    end = -1
    for p in sorted(passages, key=lambda p: (p.char_start, p.char_end)):
        if p.char_end <= end:
            continue
        parts.append(p.text[end - p.char_start:] if p.char_start < end else (" " + p.text if parts else p.text))
        end = p.char_end
    return "".join(parts)


def check_against_index(suite: Suite, known_documents: Iterable[str],
                        document_passages: Mapping[str, Sequence[Any]]) -> list[str]:
    """Unknown document ids and quotes that do not occur in the named document's indexed text
    (its passages, whitespace-normalised) raise SuiteError; a bad quote shows the closest match.

    Returns warnings: quotes that occur only across a passage boundary, which no retrieved or
    cited passage can ever match."""
    known = set(known_documents)
    problems: list[str] = []
    warnings: list[str] = []
    texts: dict[str, tuple[str, list[str]]] = {}
    for case in suite.cases:
        for doc in case.filters.get("documents", []) or []:
            if doc not in known:
                problems.append(f"case {case.id!r}: filters.documents: unknown document id {doc!r}{_did_you_mean(doc, known)}")
        for j, src in enumerate(case.expect.sources):
            where = f"case {case.id!r}: expect.sources[{j}]"
            if src.document not in known:
                problems.append(f"{where}.document: unknown document id {src.document!r}{_did_you_mean(src.document, known)}")
                continue
            if not src.quote:
                continue
            if src.document not in texts:
                passages = document_passages.get(src.document, ())
                texts[src.document] = (normalise(covered_text(passages)), [normalise(p.text) for p in passages])
            whole, singles = texts[src.document]
            quote = normalise(src.quote)
            if quote not in whole:
                problems.append(f"{where}.quote: not found in the indexed text of {src.document}: {quote!r}; "
                                f"closest match: {closest_match(quote, whole)!r}")
            elif not any(quote in t for t in singles):
                warnings.append(f"{where}.quote: spans a passage boundary of {src.document}; no single passage "
                                f"holds it, so it can never be matched: {quote!r}")
    if problems:
        raise SuiteError(suite.path, problems)
    return warnings


def check_suite_with_index(suite: Suite, index: Any) -> list[str]:
    """check_against_index with a PassageIndex (``.sources`` and ``.by_document``); returns warnings."""
    return check_against_index(suite, index.sources.keys(), index.by_document)


def _did_you_mean(doc: str, known: set[str]) -> str:
    near = difflib.get_close_matches(doc, sorted(known), n=1, cutoff=0.5)
    return f" (did you mean {near[0]!r}?)" if near else ""


def closest_match(quote: str, text: str) -> str:
    """The span of ``text`` (about as many words as the quote) most similar to ``quote`` (difflib
    ratio). A coarse pass over windows every few words, then a fine pass over starts and lengths
    around the best window, keeps this fast on a 500-page document."""
    words, n = text.split(" "), max(1, len(quote.split(" ")))
    if not text.strip():
        return ""
    step = max(1, n // 3)

    def score(start: int, length: int = n) -> float:
        m = difflib.SequenceMatcher(None, quote, " ".join(words[start:start + length]), autojunk=False)
        return m.ratio() if m.real_quick_ratio() > 0.2 and m.quick_ratio() > 0.2 else 0.0

    coarse = max(range(0, max(1, len(words) - n + 1), step), key=score)
    spans = [(a, length) for a in range(max(0, coarse - step), min(len(words), coarse + step + 1))
             for length in range(max(1, n - 2), n + 3)]
    start, length = max(spans, key=lambda s: score(s[0], s[1]))
    return " ".join(words[start:start + length])
