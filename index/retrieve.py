"""The loaded index and its retrievers: dense (Chroma), lexical (BM25), and a pure fusion function.

Filters (documents, jurisdictions, binding) become one set of allowed documents that both
retrievers apply alike.
"""

from __future__ import annotations

from collections.abc import Callable

import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .embed import Embedder
from .errors import IndexNotReady
from .knowledge import KnowledgeLayer
from .lexical import LexicalIndex, lexical_text, tokenize
from .mentions import MentionIndex
from .query_embedder import query_embedder
from .scoped import DocumentRows, InMemoryVectors, ScopedStore, ScoreMap
from .store import ChromaLocation, ChromaStore, IndexState, state_passage_ids
from .annotations import unit_key
from .types import Passage, ScoredPassage, Source


@dataclass(frozen=True)
class Filters:
    documents: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    binding: bool | None = None

    def allowed(self, sources: dict[str, Source]) -> set[str] | None:
        """Allowed document ids, or None when nothing is filtered."""
        if not (self.documents or self.jurisdictions or self.binding is not None):
            return None
        juris = {j.lower() for j in self.jurisdictions}
        return {
            d for d, s in sources.items()
            if (not self.documents or d in self.documents)
            and (not juris or s.jurisdiction.lower() in juris)
            and (self.binding is None or s.binding == self.binding)
        }


class PassageIndex:
    """Everything a query needs, loaded once: passages, sources, BM25, the Chroma collection."""

    def __init__(self, passages: list[Passage], sources: dict[str, Source], store: ChromaStore,
                 lexical: LexicalIndex, embedder: Embedder, state: dict, knowledge: KnowledgeLayer | None = None,
                 vectors: str = "memory"):
        if vectors not in ("memory", "server"):
            raise ValueError(f"vectors must be 'memory' or 'server', not {vectors!r}")
        self.vectors_in = vectors  # memory: every passage vector in this process; server: only in Chroma
        self.passages = {p.passage_id: p for p in passages}
        self.knowledge = knowledge or KnowledgeLayer.empty()
        self.sources = {d: s for d, s in sources.items() if d in state.get("documents", {})}
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.data_dir: Path | None = None  # set by load(); None for an index built in memory
        self.state = state
        self._lex_rows = DocumentRows([self.passages[pid].document_id for pid in lexical.ids])
        self._lex_row = {pid: i for i, pid in enumerate(lexical.ids)}
        self.query_embedder = query_embedder(embedder)
        self._mentions: dict[tuple[str, int | None], int] = {}
        self.by_document: dict[str, list[Passage]] = {}
        for p in sorted(passages, key=lambda p: (p.document_id, p.char_start)):
            self.by_document.setdefault(p.document_id, []).append(p)
        self.by_unit: dict[tuple[str, str], list[str]] = {}
        for pid in lexical.ids:
            self.by_unit.setdefault((self.passages[pid].document_id, unit_key(pid)), []).append(pid)

    @classmethod
    def load(cls, chroma: ChromaLocation, data_dir: Path, sources: list[Source], embedder: Embedder,
             model_key: str = "", annotations_dir: Path | None = None, annotations: bool = True,
             vectors: str = "memory") -> "PassageIndex":
        client = chroma.client()
        state = IndexState(client).read()
        if not state:
            raise IndexNotReady("no index has been built yet: run `policy-assistant ingest`")
        store = ChromaStore(client, state["collection"])
        passages = store.passages(state_passage_ids(state))  # exactly what the state names, nothing a killed build left
        knowledge = KnowledgeLayer.load(set(state.get("documents", {})), data_dir, embedder,
                                        model_key or embedder.name, annotations_dir) if annotations else KnowledgeLayer.empty()
        lexical = load_lexical(data_dir, state["collection"], passages, knowledge)
        index = cls(passages, {s.document_id: s for s in sources}, store, lexical, embedder, state, knowledge, vectors)
        index.data_dir = data_dir  # where query-side channels cache their vectors (index/multilingual.py)
        index._mention_index  # built now, not in the first question's time (about 8 s at 51,000 passages)
        return index

    @cached_property
    def vectors(self) -> InMemoryVectors:
        """Every passage's stored embedding, grouped by document: lets the fusion step score any
        candidate (a BM25-only hit too) by cosine without embedding it again, and answers
        document-scoped dense searches exactly, at a cost that does not grow with the corpus.
        Not loaded when vectors are kept on the server."""
        ids = self.lexical.ids
        return InMemoryVectors(ids, [self.passages[pid].document_id for pid in ids], self.store.embeddings(ids))

    @cached_property
    def scoped_store(self) -> ScopedStore:
        if self.vectors_in == "server":
            return ScopedStore(self.store, None, size=len(self.lexical.ids))
        return ScopedStore(self.store, self.vectors)

    def cosines(self, vector: np.ndarray, passage_ids: list[str]) -> np.ndarray:
        """Cosine of the query with each of these passages (their stored vectors: from memory, or
        fetched from Chroma in one call)."""
        return self.scoped_store.cosines(vector, passage_ids)

    def lexical_scores(self, query: str, allowed: set[str] | None = None) -> ScoreMap:
        """BM25 score of every passage with a positive score (within ``allowed`` documents); a
        mapping that looks up any passage but iterates only the best 8,192 (index/scoped.py)."""
        return ScoreMap(self.lexical.ids, self._lex_row, self._lex_rows.within(self.lexical.scores(query), allowed))

    @cached_property
    def _mention_index(self) -> MentionIndex:
        return MentionIndex([p.text.lower() for p in self.passages.values()])

    def mentions(self, text: str, at_most: int | None = None) -> int:
        """How many passages contain ``text`` (case-insensitive): what the corpus itself says about a
        name. With ``at_most`` the count stops there: callers that compare with a small threshold
        need not scan a large corpus to the end. Memoised (names recur across questions)."""
        key = (text.lower(), at_most)
        found = self._mentions.get(key)
        if found is None:
            needle = key[0]
            found = self._mention_index.count(needle, lambda t: needle in t, at_most)
            if len(self._mentions) > 4096:
                self._mentions.clear()
            self._mentions[key] = found
        return found

    def mentions_word(self, word: str, at_most: int | None = None) -> int:
        """How many passages contain ``word`` as a whole word ("PDP" is not in "PDPC"), counted up to
        ``at_most`` like ``mentions``."""
        return self.mentions_where(word, lambda t: True, at_most, whole_word=True)

    def mentions_where(self, text: str, test: Callable[[str], bool], at_most: int | None = None,
                       whole_word: bool = False) -> int:
        """How many passages contain ``text`` (as a whole word: "SEC" is not in "section") and pass
        ``test`` (on the lower-case text): a name said together with something else ("AI Verify
        Foundation" with a fee or a price)."""
        needle = text.lower()
        if not whole_word:
            return self._mention_index.count(needle, lambda t: needle in t and test(t), at_most)
        pattern = re.compile(rf"(?<![\w-]){re.escape(needle)}(?![\w-])")
        return self._mention_index.count(needle, lambda t: needle in t and pattern.search(t) is not None and test(t),
                                         at_most, whole_word=True)

    @cached_property
    def doc_freq(self) -> dict[str, int]:
        """In how many passages each (stemmed) term occurs: idf weights for sentence scoring."""
        df: Counter[str] = Counter()
        for p in self.passages.values():
            df.update(set(tokenize(p.text)))
        return dict(df)

    def pages_of(self, document_id: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """(page start offsets, page numbers) of a document's text, or None without pages."""
        doc = self.state.get("documents", {}).get(document_id, {})
        if not doc.get("has_pages", True) or "page_starts" not in doc:
            return None
        return tuple(doc["page_starts"]), tuple(doc["page_numbers"])

    @property
    def collection(self) -> str:
        return self.state["collection"]

    def embed_query(self, text: str) -> np.ndarray:
        """Query vector: cached by normalised text (a comparison embeds its topic once, a repeated
        question is free) and batched with concurrent requests' (index/query_embedder.py)."""
        return self.query_embedder.embed(text)

    def dense(self, vector: np.ndarray, k: int, allowed: set[str] | None = None) -> list[ScoredPassage]:
        if allowed is not None and not allowed:
            return []
        where = {"document_id": {"$in": sorted(allowed)}} if allowed is not None else None
        hits = self.scoped_store.search(vector, k, where)
        return [ScoredPassage(self.passages[pid], s, {"dense": s}) for pid, s in hits if pid in self.passages]

    def lexical_search(self, query: str, k: int, allowed: set[str] | None = None) -> list[ScoredPassage]:
        scores = self._lex_rows.within(self.lexical.scores(query), allowed)
        top = np.argpartition(-scores, k)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.lexsort((top, -scores[top]))]  # best first; equal scores in row order
        return [ScoredPassage(self.passages[self.lexical.ids[i]], float(scores[i]), {"bm25": float(scores[i])})
                for i in top if scores[i] > 0]


def load_lexical(data_dir: Path, collection: str, passages: list[Passage], knowledge: KnowledgeLayer) -> LexicalIndex:
    """BM25 over passages and their annotation questions, saved per collection and annotation set;
    built here when missing (another machine built the index, or the annotations changed)."""
    folder = data_dir / "bm25" / f"{collection}-a{knowledge.hash}"
    try:
        lexical = LexicalIndex.load(folder)
        if len(lexical.ids) != len(passages):
            raise ValueError("stale BM25 index")
        return lexical
    except (OSError, ValueError):
        lexical = LexicalIndex.build([p.passage_id for p in passages],
                                     [lexical_text(p.section_path, p.text, knowledge.questions_text(p.passage_id))
                                      for p in passages])
        # Replicas sharing a data dir may build at once: each writes its own folder and renames it
        # into place, so a reader never loads half-written files (the first rename wins).
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        lexical.save(tmp)
        try:
            tmp.rename(folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
        return lexical


def fuse(ranked: list[tuple[list[ScoredPassage], float]], rrf_k: int = 60) -> list[ScoredPassage]:
    """Weighted reciprocal rank fusion of several ranked lists, merged by passage id (pure)."""
    merged: dict[str, ScoredPassage] = {}
    for hits, weight in ranked:
        for rank, hit in enumerate(hits):
            pid = hit.passage.passage_id
            contribution = weight / (rrf_k + rank + 1)
            if pid in merged:
                prev = merged[pid]
                merged[pid] = prev.with_score(prev.score + contribution, **hit.scores)
            else:
                merged[pid] = ScoredPassage(hit.passage, contribution, dict(hit.scores))
    return sorted(merged.values(), key=lambda h: -h.score)


def fuse_linear(dense: dict[str, float], lexical: dict[str, float], lexical_weight: float) -> dict[str, float]:
    """Convex-style fusion of cosine similarity and max-normalised BM25 over the union of ids (pure).

    Unlike rank fusion it keeps the margin between a strong and a weak hit, so a noisy lexical list
    cannot push the best dense hit down just by rank."""
    top = max(lexical.values(), default=0.0) or 1.0
    ids = dict.fromkeys([*dense, *lexical])  # ordered: equal scores keep a reproducible order
    return {pid: dense.get(pid, 0.0) + lexical_weight * lexical.get(pid, 0.0) / top for pid in ids}
