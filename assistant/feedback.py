"""User feedback on answers (👍, 👎, "wrong citation"), kept as JSONL in the data dir, and its
conversion into draft eval-suite cases for evaluators to finish (``policy-assistant feedback export``).

A feedback line carries everything needed to replay the question: the question, the earlier turns,
persona, filters, and the answer as given (text, abstained, citations). Drafts follow the suite
format of evals/suite.py: a liked answer proposes its own citations as the expected sources; a
disliked one or a wrong citation gets no expected source, only comments saying what to fill in.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .settings import Settings

RATINGS = {"up": "👍", "down": "👎", "wrong_citation": "wrong citation"}
FILTER_KEYS = ("documents", "jurisdictions", "binding")
_lock = threading.Lock()


def feedback_path(settings: Settings) -> Path:
    return settings.data_dir / "feedback.jsonl"


def feedback_entry(rating: str, question: str, history: Sequence[Mapping[str, str]], persona: str,
                   filters: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """One feedback line; ``answer`` is the Answer JSON (or the part of it the UI keeps)."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}: use {', '.join(RATINGS)}")
    keep = ("n", "passage_id", "document_id", "locator", "page", "quote")
    return {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rating": rating,
        "question": question,
        "history": [{"role": t["role"], "content": t["content"]} for t in history],
        "persona": persona,
        "filters": {k: v for k, v in filters.items() if k in FILTER_KEYS and v not in (None, [], "")},
        "answer": answer.get("answer", ""),
        "abstained": bool(answer.get("abstained", False)),
        "citations": [{k: c.get(k) for k in keep} for c in answer.get("citations", [])],
    }


def record(path: Path, entry: Mapping[str, Any]) -> None:
    """Append one line (a whole line per write, under a lock: concurrent clicks never interleave)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(line)


def read(path: Path) -> list[dict[str, Any]]:
    """Every well-formed line; a line cut short by a crash is skipped, not fatal."""
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and item.get("rating") in RATINGS and str(item.get("question", "")).strip():
            entries.append(item)
    return entries


# ---- draft suite cases ------------------------------------------------------------------------
def draft_cases(entries: Iterable[Mapping[str, Any]]) -> list[tuple[dict[str, Any], list[str]]]:
    """(case, comment lines) per distinct (question, history, rating); the latest feedback wins."""
    latest: dict[str, Mapping[str, Any]] = {}
    for e in entries:
        latest[_key(e)] = e
    return [(_case(key, e), _comments(e)) for key, e in latest.items()]


def _key(e: Mapping[str, Any]) -> str:
    raw = json.dumps([e["question"], e.get("history", []), e["rating"]], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:8]


def _case(key: str, e: Mapping[str, Any]) -> dict[str, Any]:
    rating, history = e["rating"], list(e.get("history", []))
    liked = rating == "up"
    abstain = bool(e.get("abstained")) if liked else False  # a disliked abstention should have answered
    sources = _sources(e.get("citations", [])) if liked and not abstain else []
    kind = "follow-up" if history else ("out-of-corpus" if abstain else "sme")
    case: dict[str, Any] = {
        "id": f"feedback-{rating.replace('_', '-')}-{key}",
        "persona": e.get("persona") if e.get("persona") in ("sme", "official", "evaluator") else "sme",
        "kind": kind,
        "tags": ["draft", "from-feedback", f"feedback-{rating.replace('_', '-')}"],
        "question": e["question"],
    }
    if history:
        case["history"] = history
    if e.get("filters"):
        case["filters"] = dict(e["filters"])
    case["expect"] = {"abstain": abstain, "sources": sources, "source_groups": "any", "key_points": []}
    return case


def _sources(citations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out, seen = [], set()
    for c in citations:
        if not c.get("document_id") or c.get("passage_id") in seen:
            continue
        seen.add(c.get("passage_id"))
        src = {"document": c["document_id"], "locator": c.get("locator") or None, "quote": c.get("quote") or None}
        if isinstance(c.get("page"), int) and c["page"] >= 1:
            src["page"] = c["page"]
        out.append({k: v for k, v in src.items() if v is not None})
    return [s for s in out if any(s.get(k) for k in ("quote", "locator", "page"))]


def _comments(e: Mapping[str, Any]) -> list[str]:
    rating = e["rating"]
    todo = {"up": "check that these citations are the best ones, then drop the draft tag",
            "down": "say what the answer should do: set expect.abstain, add expect.sources and key_points",
            "wrong_citation": "add expect.sources: the passage that should have been cited (not the ones below)"}[rating]
    lines = [f"{RATINGS[rating]} feedback of {e.get('ts', '?')}: {todo}",
             "answer given: " + " ".join(str(e.get("answer", "")).split())[:300]]
    for c in e.get("citations", []):
        page = f" p. {c['page']}" if c.get("page") else ""
        lines.append(f"cited [{c.get('n')}] {c.get('passage_id')} ({c.get('locator')}{page}): "
                     + " ".join(str(c.get("quote", "")).split())[:160])
    return lines


def write_drafts(drafts: Sequence[tuple[dict[str, Any], list[str]]], out: Path) -> Path:
    """A YAML suite (each case under its comments) or, for .jsonl, one case per line."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() in (".jsonl", ".ndjson"):
        out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c, _ in drafts), encoding="utf-8")
        return out
    parts = ["# Draft cases from user feedback (policy-assistant feedback export): review each before use.\n"]
    for case, comments in drafts:
        text = "".join(f"# {' '.join(line.split())}\n" for line in comments)
        parts.append("\n" + text + yaml.safe_dump([case], sort_keys=False, allow_unicode=True, width=110))
    out.write_text("".join(parts) if drafts else "[]\n", encoding="utf-8")
    return out
