"""Drafts of provision annotations for documents the repository does not annotate (documents a
user added), written by the configured LLM into ``<data dir>/annotations/<document_id>.toml`` for
review. Every draft is validated like a reviewed annotation; a unit whose reply is unusable is
skipped and counted, never guessed. Retrieval reads these drafts once they exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from index.annotations import ACTORS, KINDS, AnnotationError, _annotation, topic_ids, unit_key
from index.retrieve import PassageIndex

from .errors import BadRequest
from .llm import ChatModel, load_prompt

MAX_UNIT_CHARS = 6000  # the model sees the unit's start: enough to say what it rules


def draft(index: PassageIndex, document_id: str, model: ChatModel, prompts_dir: Path,
          progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, dict], int]:
    """({unit: annotation fields}, number of units skipped) for every unit of a document."""
    if document_id not in index.sources:
        raise BadRequest(f"unknown document id {document_id!r} (see `policy-assistant documents list`)")
    units: dict[str, list] = {}
    for p in index.by_document.get(document_id, []):
        units.setdefault(unit_key(p.passage_id), []).append(p)
    template = load_prompt(prompts_dir, "annotate")
    src, topics = index.sources[document_id], topic_ids()
    out, skipped = {}, 0
    for i, (unit, passages) in enumerate(units.items(), 1):
        text = "\n".join(p.text for p in passages)[:MAX_UNIT_CHARS]
        prompt = template.format(kinds=", ".join(KINDS), actors=", ".join(ACTORS), document=src.label,
                                 locator=passages[0].locator, text=text)
        reply = "".join(model.complete([{"role": "user", "content": prompt}]))
        fields = _parse(reply)
        try:
            if fields is None:
                raise AnnotationError("no JSON object in the reply")
            _annotation(document_id, unit, fields, topics, "draft")
            out[unit] = fields
        except AnnotationError:
            skipped += 1
        if progress:
            progress(i, len(units))
    return out, skipped


def _parse(reply: str) -> dict | None:
    m = re.search(r"\{.*\}", reply, re.S)
    try:
        data = json.loads(m.group(0)) if m else None
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    keep = {"kind": data.get("kind"), "actors": [a for a in data.get("actors") or [] if isinstance(a, str)],
            "questions": [q.strip() for q in data.get("questions") or [] if isinstance(q, str) and q.strip()][:6]}
    if isinstance(data.get("gist"), str) and data["gist"].strip():
        keep["gist"] = data["gist"].strip()
    return keep


def to_toml(document_id: str, units: dict[str, dict]) -> str:
    """TOML in the repository's annotation format (JSON strings are valid TOML basic strings)."""
    s = json.dumps
    lines = ["# Drafted by an LLM for review: edit, then move to index/annotations/ to adopt.",
             f"document_id = {s(document_id)}", ""]
    for unit, f in units.items():
        lines.append(f"[units.{s(unit)}]")
        lines.append(f"kind = {s(f['kind'])}")
        lines.append(f"actors = {s(f['actors'], ensure_ascii=False)}")
        if f.get("gist"):
            lines.append(f"gist = {s(f['gist'], ensure_ascii=False)}")
        lines.append(f"questions = {s(f['questions'], ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)
