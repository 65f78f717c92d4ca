"""Document-scoped dense search that does not slow down as the corpus grows.

Chroma answers a metadata-filtered query by first collecting every id the filter allows, which costs
time linear in the collection (measured, bench/store_scope.py: 40 ms at 51k passages, 330 ms at
514k, for 3 documents of 2,000). The assistant keeps every passage vector in memory anyway (fusion
scores any candidate by cosine), so a scope is answered there: rows are grouped by document, a scope
is a few contiguous slices, and the search is exact and costs what the scope holds. Unscoped
searches still go to Chroma's HNSW index, which scales well.

With vectors kept on the server (no in-memory vectors), scopes go to Chroma's filtered query and
cosines are fetched from Chroma by id: less memory per process, more time per question.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .types import Passage


class InMemoryVectors:
    """Every passage vector in one float32 matrix, rows grouped by document."""

    def __init__(self, ids: list[str], documents: list[str], vectors: np.ndarray):
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        docs = np.asarray(documents, dtype=object)
        runs = 1 + int(np.count_nonzero(docs[1:] != docs[:-1])) if len(docs) else 0
        if runs != len(set(documents)):  # some document's rows are not contiguous: group them (one copy)
            order = np.argsort(np.asarray(documents), kind="stable")
            ids, docs, vectors = [ids[i] for i in order], docs[order], vectors[order]
        self.ids = list(ids)
        self.matrix = np.ascontiguousarray(vectors)
        self.row = {pid: i for i, pid in enumerate(self.ids)}
        self.spans: dict[str, tuple[int, int]] = {}
        for i, d in enumerate(docs):
            start, _ = self.spans.get(d, (i, i))
            self.spans[d] = (start, i + 1)

    def __len__(self) -> int:
        return len(self.ids)

    def cosines(self, vector: np.ndarray, passage_ids: list[str]) -> np.ndarray:
        rows = [self.row[pid] for pid in passage_ids]
        return self.matrix[rows] @ vector if rows else np.zeros(0, dtype=np.float32)

    def search(self, vector: np.ndarray, k: int, documents: set[str] | None = None) -> list[tuple[str, float]]:
        """Exact top-k (passage id, cosine) within ``documents`` (all when None), best first; equal
        scores keep row order so results are reproducible."""
        spans = [(0, len(self.ids))] if documents is None else sorted(self.spans[d] for d in documents if d in self.spans)
        if not spans or k <= 0:
            return []
        sims = np.concatenate([self.matrix[a:b] @ vector for a, b in spans])
        rows = np.concatenate([np.arange(a, b) for a, b in spans])
        if k < len(sims):
            part = np.argpartition(-sims, k - 1)[:k]
        else:
            part = np.arange(len(sims))
        best = part[np.lexsort((rows[part], -sims[part]))]
        return [(self.ids[rows[i]], float(sims[i])) for i in best]


def scope_of(where: dict[str, Any] | None) -> set[str] | None:
    """The document ids of a ``{"document_id": {"$in": [...]}}`` (or ``$eq``) filter, None for any
    other filter (which then goes to the store as it is)."""
    if not where or list(where) != ["document_id"]:
        return None
    cond = where["document_id"]
    if isinstance(cond, str):
        return {cond}
    if isinstance(cond, dict) and list(cond) == ["$in"]:
        return set(cond["$in"])
    if isinstance(cond, dict) and list(cond) == ["$eq"]:
        return {cond["$eq"]}
    return None


class ScopedStore:
    """A PassageStore for a loaded index: document-scoped searches run on the in-memory vectors,
    everything else (unscoped search, writes, reads) goes to the wrapped Chroma store. Without
    in-memory vectors (``vectors=None``: they stay on the server) everything goes to the store."""

    def __init__(self, store, vectors: InMemoryVectors | None, size: int | None = None):
        self.store = store
        self.vectors = vectors
        # the loaded generation never changes: its size is known, no count() round trip per query
        self.size = len(vectors) if vectors is not None else size

    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        documents = scope_of(where)
        if documents is not None and self.vectors is not None:
            return self.vectors.search(vector, k, documents)
        return self.store.search(vector, k, where, size=self.size)

    def cosines(self, vector: np.ndarray, passage_ids: list[str]) -> np.ndarray:
        """Cosine of ``vector`` with each passage's stored vector (in memory, or fetched in one call)."""
        if self.vectors is not None:
            return self.vectors.cosines(vector, passage_ids)
        if not passage_ids:
            return np.zeros(0, dtype=np.float32)
        return self.store.embeddings(passage_ids) @ np.asarray(vector, dtype=np.float32)

    def add(self, passages: list[Passage], embeddings: np.ndarray) -> None:
        raise TypeError("a ScopedStore serves a loaded index; write through the ChromaStore")

    def delete(self, passage_ids: list[str]) -> None:
        raise TypeError("a ScopedStore serves a loaded index; write through the ChromaStore")

    def count(self) -> int:
        return self.store.count()

    def all_passages(self) -> list[Passage]:
        return self.store.all_passages()

    def embeddings(self, passage_ids: list[str]) -> np.ndarray:
        if self.vectors is None:
            return self.store.embeddings(passage_ids)
        return self.vectors.matrix[[self.vectors.row[pid] for pid in passage_ids]]


class DocumentRows:
    """Row numbers of each document's passages in an id list (BM25's order): a document scope
    masks score rows directly instead of comparing every passage's document id (np.isin over
    500,000 strings costs more than the BM25 scoring itself)."""

    def __init__(self, documents: list[str]):
        groups: dict[str, list[int]] = {}
        for i, d in enumerate(documents):
            groups.setdefault(d, []).append(i)
        self.rows = {d: np.asarray(r, dtype=np.int64) for d, r in groups.items()}

    def within(self, scores: np.ndarray, allowed: set[str] | None) -> np.ndarray:
        """``scores`` with every row outside the ``allowed`` documents set to 0 (all when None)."""
        if allowed is None:
            return scores
        out = np.zeros_like(scores)
        for d in allowed:
            rows = self.rows.get(d)
            if rows is not None:
                out[rows] = scores[rows]
        return out


class ScoreMap(dict):
    """The positive scores of one query: a dict of the ``limit`` best (in row order, as a dict built
    by scanning the rows would be), whose ``get`` also answers exactly for any other passage. At
    500,000 passages a common word scores most of them; a dict of all of them per query cost more
    than the search. Callers take the top candidates and the maximum, which the best ``limit``
    hold, and look up the scores of other candidates with ``get``."""

    def __init__(self, ids: list[str], row: dict[str, int], scores: np.ndarray, limit: int = 4096):
        nz = np.flatnonzero(scores > 0)
        if len(nz) > limit:
            nz = np.sort(nz[np.argpartition(-scores[nz], limit - 1)[:limit]])
        super().__init__(zip([ids[i] for i in nz.tolist()], scores[nz].tolist()))
        self._row, self._scores = row, scores

    def get(self, pid, default=None):
        if pid in self:
            return self[pid]
        i = self._row.get(pid)
        return float(self._scores[i]) if i is not None and self._scores[i] > 0 else default
