"""The interoperability crosswalk: for each topic of the taxonomy and each document, the provisions
that address it (cited: passage, locator, page, verbatim quote) or an explicit "not addressed".

The grid is reviewed data (``index/crosswalk/mapping.toml``, derived by
``scripts/build_crosswalk.py`` from the annotations' topics plus retrieval, then corrected by the
review decisions in ``index/crosswalk/review.toml``), so it is stable and auditable; this module
only reads it. Alignments the documents themselves state ("draws on the OECD definition") are kept
in ``index/crosswalk/alignments.toml``, each with its own citation.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.annotations import TOPICS_FILE, Annotation, unit_key
from index.retrieve import PassageIndex

from .citations import PageMap, cite, page_url
from .crosswalk_quotes import best_quote
from .errors import BadRequest
from .types import Citation

CROSSWALK_DIR = TOPICS_FILE.parent
MAPPING_FILE = CROSSWALK_DIR / "mapping.toml"
ALIGNMENTS_FILE = CROSSWALK_DIR / "alignments.toml"
# Kinds that ask something of someone: what a gap view lists on the binding side, and what makes
# a cell an "obligation" cell. A recommendation is the voluntary counterpart.
OBLIGATION_KINDS = frozenset({"obligation", "prohibition", "penalty", "deadline"})
NORMATIVE_KINDS = OBLIGATION_KINDS | {"recommendation", "right", "procedure"}


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    cues: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _cue_pattern(self.cues)


@dataclass(frozen=True)
class Provision:
    passage_id: str
    locator: str
    page: int | None
    kind: str  # the annotation kind of the provision's unit
    actors: tuple[str, ...]
    quote: str  # exact substring of the passage, on ``page``
    via: str = "annotation"  # annotation (its topics name the topic) | retrieval | review


@dataclass(frozen=True)
class Cell:
    topic: str
    document_id: str
    addressed: bool
    kind: str  # obligation | recommendation | another annotation kind | "" when not addressed
    binding: bool  # the document is binding law and the cell holds an obligation-kind provision
    actors: tuple[str, ...]
    provisions: tuple[Provision, ...]
    reviewed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Alignment:
    """A document's own statement that it draws on, or aligns with, another framework."""

    document_id: str
    aligns_with: str  # document id, or a framework the corpus lacks ("ISO/IEC 42001")
    relation: str  # draws-on | aligns-with | complements | builds-on
    passage_id: str
    locator: str
    page: int | None
    quote: str
    note: str = ""


@dataclass(frozen=True)
class Crosswalk:
    topics: dict[str, Topic]
    cells: dict[tuple[str, str], Cell]  # (topic, document_id) -> cell
    alignments: tuple[Alignment, ...] = ()

    def cell(self, topic: str, document_id: str) -> Cell | None:
        return self.cells.get((topic, document_id))

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(d for _t, d in self.cells))


@lru_cache(maxsize=8)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    # PDF text breaks lines anywhere: a space or hyphen in a cue also matches a line break.
    cues = tuple(c.replace("[- ]", r"[-\s]").replace(" ", r"\s+") for c in cues)
    return re.compile(r"\b(?:" + "|".join(cues) + ")", re.I) if cues else re.compile(r"(?!x)x")


def load_topics(path: Path = TOPICS_FILE) -> dict[str, Topic]:
    with open(path, "rb") as f:
        raw = tomllib.load(f)["topics"]
    return {t: Topic(t, v["title"], v["description"], tuple(v.get("cues", ()))) for t, v in raw.items()}


def load(mapping: Path = MAPPING_FILE, alignments: Path = ALIGNMENTS_FILE, topics: Path = TOPICS_FILE) -> Crosswalk:
    """The reviewed crosswalk, as kept in the repository."""
    with open(mapping, "rb") as f:
        data = tomllib.load(f)
    cells = {}
    for raw in data.get("cell", []):
        provisions = tuple(Provision(p["passage_id"], p["locator"], p.get("page"), p["kind"], tuple(p.get("actors", ())),
                                     p["quote"], p.get("via", "annotation")) for p in raw.get("provisions", []))
        cell = Cell(raw["topic"], raw["document"], raw["status"] == "addressed", raw.get("kind", ""),
                    bool(raw.get("binding", False)), tuple(raw.get("actors", ())), provisions,
                    bool(raw.get("reviewed", False)), raw.get("note", ""))
        cells[(cell.topic, cell.document_id)] = cell
    aligns: tuple[Alignment, ...] = ()
    if alignments.is_file():
        with open(alignments, "rb") as f:
            aligns = tuple(Alignment(a["document"], a["aligns_with"], a["relation"], a["passage_id"], a["locator"],
                                     a.get("page"), a["quote"], a.get("note", "")) for a in tomllib.load(f).get("alignment", []))
    return Crosswalk(load_topics(topics), cells, aligns)


@lru_cache(maxsize=1)
def default() -> Crosswalk:
    return load()


def topics_in(text: str, crosswalk: Crosswalk) -> list[str]:
    """The taxonomy topics a question names (by the topics' cue words), most cues first."""
    counts = {t: len(topic.pattern.findall(text)) for t, topic in crosswalk.topics.items()}
    return [t for t, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]


def cell_kind(kinds: list[str]) -> str:
    if any(k in OBLIGATION_KINDS for k in kinds):
        return "obligation"
    if "recommendation" in kinds:
        return "recommendation"
    return kinds[0] if kinds else ""


# ---- the grid as the API and UI show it ------------------------------------------------------

def citation_of(index: PassageIndex, document_id: str, provision: Provision, n: int = 1) -> Citation:
    """The provision as a Citation (the same shape every answer uses), its quote located again in
    the passage so a stale mapping can never produce a quote the passage lacks."""
    passage = index.passages[provision.passage_id]
    start = passage.text.index(provision.quote)
    pages = index.pages_of(document_id)
    return cite(n, passage, index.sources[document_id], start, start + len(provision.quote),
                PageMap(*pages) if pages else None)


def grid(crosswalk: Crosswalk, index: PassageIndex, topics: list[str] | None = None,
         documents: list[str] | None = None) -> dict[str, Any]:
    """The grid restricted to ``topics`` x ``documents`` (all when empty), every cell cited."""
    topics = _valid(topics, list(crosswalk.topics), "topic", "GET /v1/crosswalk/topics")
    known = [d for d in crosswalk.documents if d in index.sources]
    documents = _valid(documents, known, "document id", "GET /v1/documents")
    rows = []
    for t in topics:
        cells = []
        for d in documents:
            cell = crosswalk.cell(t, d)
            if cell is not None:
                cells.append(cell_json(cell, index))
        rows.append({"topic": t, "title": crosswalk.topics[t].title, "cells": cells})
    return {
        "topics": [asdict(crosswalk.topics[t]) for t in topics],
        "documents": [document_json(index, d) for d in documents],
        "rows": rows,
        "alignments": [alignment_json(a, index) for a in crosswalk.alignments
                       if a.document_id in documents and a.passage_id in index.passages],
    }


def _valid(asked: list[str] | None, allowed: list[str], what: str, hint: str) -> list[str]:
    if not asked:
        return allowed
    unknown = [a for a in asked if a not in allowed]
    if unknown:
        raise BadRequest(f"unknown {what}(s): {', '.join(unknown)} (see {hint})")
    return list(dict.fromkeys(asked))


def document_json(index: PassageIndex, document_id: str) -> dict[str, Any]:
    src = index.sources[document_id]
    return {"document_id": document_id, "title": src.title, "short_title": src.label, "binding": src.binding,
            "jurisdiction": src.jurisdiction}


def cell_json(cell: Cell, index: PassageIndex) -> dict[str, Any]:
    citations = [asdict(citation_of(index, cell.document_id, p, i + 1)) | {"kind": p.kind, "actors": list(p.actors),
                                                                          "via": p.via}
                 for i, p in enumerate(cell.provisions) if p.passage_id in index.passages]
    return {"topic": cell.topic, "document_id": cell.document_id,
            "status": "addressed" if cell.addressed else "not addressed", "kind": cell.kind,
            "binding": cell.binding, "actors": list(cell.actors), "reviewed": cell.reviewed, "note": cell.note,
            "citations": citations}


def alignment_json(a: Alignment, index: PassageIndex) -> dict[str, Any]:
    src = index.sources[a.document_id]
    return asdict(a) | {"url": page_url(src, a.page), "document_title": src.title}


# ---- the gap view ----------------------------------------------------------------------------

def counterpart(cell: Cell | None) -> bool:
    """Whether a framework's cell gives the topic a counterpart: a provision that asks something."""
    return bool(cell and cell.addressed and any(p.kind in NORMATIVE_KINDS for p in cell.provisions))


def gaps(crosswalk: Crosswalk, index: PassageIndex, current: str, target: str, actor: str | None = None,
         scope: str | None = None, per_topic: int = 8) -> dict[str, Any]:
    """What more ``target`` (binding law) asks than ``current`` recommends: the target's binding
    provisions on every topic where the current framework has no counterpart, each cited.

    ``actor`` keeps provisions that name that actor (or no actor); ``scope`` keeps provisions whose
    headings, text or annotation mention it ("high-risk")."""
    for d in (current, target):
        if d not in index.sources:
            raise BadRequest(f"unknown document id {d!r} (see GET /v1/documents)")
    if current == target:
        raise BadRequest("current and target are the same document")
    if not index.sources[target].binding:
        raise BadRequest(f"the target {index.sources[target].label} is voluntary guidance: a gap view lists what "
                         "binding law asks; pick a binding target (e.g. eu-ai-act-2024-1689)")
    annotations = index.knowledge.annotations.get(target, {})
    covered, missing = [], []
    for t, topic in crosswalk.topics.items():
        cur = crosswalk.cell(t, current)
        if counterpart(cur):
            covered.append({"topic": t, "title": topic.title, "current": cell_json(cur, index),
                            "target": cell_json(crosswalk.cell(t, target), index) if crosswalk.cell(t, target) else None})
            continue
        units = [u for u, a in annotations.items() if t in a.topics and a.kind in OBLIGATION_KINDS
                 and _fits(a, actor) and _in_scope(index, target, u, a, scope)]
        # provisions mainly about the topic first, each group in document order
        ordered = _in_document_order(index, target, units)
        ordered = [u for u in ordered if annotations[u].topics[0] == t] + [u for u in ordered if annotations[u].topics[0] != t]
        provisions = [_unit_citation(index, target, u, crosswalk.topics[t]) for u in ordered]
        provisions = [c for c in provisions if c is not None]
        if provisions:
            missing.append({"topic": t, "title": topic.title,
                            "current": cell_json(cur, index) if cur else None,
                            "total": len(provisions),
                            "provisions": [asdict(c) | {"kind": annotations[unit_key(c.passage_id)].kind,
                                                        "actors": list(annotations[unit_key(c.passage_id)].actors)}
                                           for c in provisions[:per_topic]]})
    n = 1
    for g in missing:  # one numbering over the whole view
        for c in g["provisions"]:
            c["n"], n = n, n + 1
    return {"current": document_json(index, current), "target": document_json(index, target), "actor": actor,
            "scope": scope, "gaps": missing, "covered": covered}


def _fits(a: Annotation, actor: str | None) -> bool:
    return not actor or not a.actors or actor in a.actors or "organisation" in a.actors


def _in_scope(index: PassageIndex, doc: str, unit: str, a: Annotation, scope: str | None) -> bool:
    if not scope:
        return True
    pids = index.by_unit.get((doc, unit), [])
    if not pids:
        return False
    p = index.passages[pids[0]]
    words = re.compile(re.escape(scope).replace(r"\-", "[- ]").replace(r"\ ", "[- ]"), re.I)
    return bool(words.search(" ".join(p.section_path)) or words.search(a.gist) or words.search(p.text))


def _in_document_order(index: PassageIndex, doc: str, units: list[str]) -> list[str]:
    first = {u: index.passages[pids[0]].char_start for u in units if (pids := index.by_unit.get((doc, u)))}
    return sorted(first, key=first.get)


def _unit_citation(index: PassageIndex, doc: str, unit: str, topic: Topic) -> Citation | None:
    """A unit's citation: its sentence that names the topic best (else its first sentence)."""
    pids = index.by_unit.get((doc, unit), [])
    best = best_quote([index.passages[p] for p in pids], topic)
    if best is None:
        return None
    passage, start, end = best
    pages = index.pages_of(doc)
    return cite(1, passage, index.sources[doc], start, end, PageMap(*pages) if pages else None)


__all__ = ["Alignment", "Cell", "Crosswalk", "Provision", "Topic", "default", "gaps", "grid", "load", "topics_in"]
