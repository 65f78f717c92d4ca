"""The annotation layer as the index uses it: annotation questions embedded once, matched against a
question (question-to-question similarity is what MiniLM was trained for), and each unit's kind,
actors and dates at hand for ranking and composing.

The question vectors are cached in the data dir under a hash of the questions and the model, so a
changed annotation file re-embeds only its new questions (the embedding cache holds the rest).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .annotations import Annotation, for_passage, load_all, unit_key
from .embed import Embedder
from .embed_cache import embed_cached
from .scoped import DocumentRows


def annotations_hash(annotations: dict[str, dict[str, Annotation]]) -> str:
    """Hash of everything in the annotations that retrieval reads (questions and kinds), and of the
    tokenizer version: the BM25 folder it names indexes the questions as that tokenizer split them."""
    from .lexical import TOKENIZER_VERSION

    h = hashlib.sha256(f"tokenizer-{TOKENIZER_VERSION}".encode())
    for doc in sorted(annotations):
        for unit in sorted(annotations[doc]):
            a = annotations[doc][unit]
            h.update(json.dumps([doc, unit, a.kind, a.all_questions()], ensure_ascii=False).encode())
    return h.hexdigest()[:10]


class KnowledgeLayer:
    """Annotations of the indexed documents plus a matrix of their question vectors."""

    def __init__(self, annotations: dict[str, dict[str, Annotation]], rows: list[tuple[str, str]],
                 vectors: np.ndarray):
        self.annotations = annotations
        self.rows = rows  # (document_id, unit) per question vector
        self.hash = annotations_hash(annotations)
        units = sorted(set(rows))
        self._units = units
        self._unit_docs = DocumentRows([u[0] for u in units])
        # MiniLM is an English model: an English question is matched with the English questions only
        # (a Thai question's vector says little to it), a question in another language with the
        # English ones and those of its own language. One block of rows per language, each unit by unit.
        langs = np.array(_row_languages(annotations, rows), dtype=object)
        unit_index = {u: i for i, u in enumerate(units)}
        row_unit = np.array([unit_index[r] for r in rows], dtype=np.int64)
        self._blocks = {}
        for lang in dict.fromkeys(langs.tolist()):
            at = np.flatnonzero(langs == lang)
            self._blocks[lang] = (np.ascontiguousarray(vectors[at], dtype=np.float32), UnitMax(row_unit[at], len(units)))

    @classmethod
    def empty(cls) -> "KnowledgeLayer":
        return cls({}, [], np.zeros((0, 1), dtype=np.float32))

    @classmethod
    def load(cls, documents: set[str], data_dir: Path, embedder: Embedder, model_key: str,
             folder: Path | None = None, progress: bool = False) -> "KnowledgeLayer":
        """Annotations of ``documents`` from the repository (and the data dir's drafts for user
        documents), with their question vectors (cached on disk)."""
        annotations = collect(documents, data_dir, folder)
        rows, texts = [], []
        for doc in sorted(annotations):
            for unit in sorted(annotations[doc]):
                for q in annotations[doc][unit].all_questions():
                    rows.append((doc, unit))
                    texts.append(q)
        if not texts:
            return cls(annotations, [], np.zeros((0, getattr(embedder, "dim", 1)), dtype=np.float32))
        key = hashlib.sha256(json.dumps([model_key, rows, texts], ensure_ascii=False).encode()).hexdigest()[:16]
        path = data_dir / "knowledge" / f"questions-{key}.npy"
        if path.is_file():
            vectors = np.load(path)
        else:
            vectors = embed_cached(texts, embedder.embed, data_dir / "embedding-cache.sqlite", model_key,
                                   "annotation questions", progress)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        return cls(annotations, rows, vectors)

    def annotation(self, passage_id: str) -> Annotation | None:
        return for_passage(self.annotations, passage_id)

    def unit_scores(self, vector: np.ndarray, allowed: set[str] | None = None,
                    language: str = "en") -> dict[tuple[str, str], float]:
        """Best question similarity per annotated unit (within ``allowed`` documents), over the English
        questions and, for a question in another language, that language's too."""
        if not self.rows:
            return {}
        best = np.full(len(self._units), -1.0, dtype=np.float32)
        for lang in {"en", language}:
            if lang in self._blocks:
                block, unit_max = self._blocks[lang]
                best = np.maximum(best, unit_max(block @ vector))
        keep = np.flatnonzero(self._unit_docs.within(best, allowed) > 0)
        return dict(zip([self._units[i] for i in keep.tolist()], best[keep].tolist()))

    def questions_text(self, passage_id: str) -> str:
        """The annotation questions of a passage's unit, for the lexical index."""
        a = self.annotation(passage_id)
        return " ".join(a.all_questions()) if a else ""


class UnitMax:
    """Best score per unit over rows that come unit by unit, by one ``np.maximum.reduceat``
    (``np.maximum.at`` is ~10x slower): over all rows of ``row_unit``, or the subset ``rows``.
    A unit without rows scores -inf. One-dimensional scores may also come in several runs per unit."""

    def __init__(self, row_unit: np.ndarray, n_units: int, rows: np.ndarray | None = None):
        self.rows = rows
        units = row_unit if rows is None else row_unit[rows]
        self.starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]]) if len(units) else np.zeros(0, np.int64)
        self.units = units[self.starts]
        self.n_units = n_units
        self._unique = len(np.unique(self.units)) == len(self.units)

    def __call__(self, sims: np.ndarray) -> np.ndarray:
        """``sims``: one score per row (or a matrix, one question per line)."""
        best = np.full((*sims.shape[:-1], self.n_units), -np.inf, dtype=np.float32)
        if len(self.starts):
            runs = np.maximum.reduceat(sims if self.rows is None else sims[..., self.rows], self.starts, axis=-1)
            if self._unique:
                best[..., self.units] = runs
            else:
                np.maximum.at(best, self.units, runs)
        return best


def _row_languages(annotations: dict[str, dict[str, Annotation]], rows: list[tuple[str, str]]) -> list[str]:
    """The language of each question row, as ``load`` lays them out (a unit's ``all_questions()``:
    its English questions, then its translations); rows of unknown units count as English."""
    out: list[str] = []
    i = 0
    while i < len(rows):
        unit = rows[i]
        j = i
        while j < len(rows) and rows[j] == unit:
            j += 1
        a = annotations.get(unit[0], {}).get(unit[1])
        langs = ["en"] * len(a.questions) + [lang for lang, qs in a.translations for _ in qs] if a else []
        out += langs[: j - i] + ["en"] * max(0, (j - i) - len(langs))
        i = j
    return out


def collect(documents: set[str], data_dir: Path, folder: Path | None = None) -> dict[str, dict[str, Annotation]]:
    """The repository's annotations of ``documents``, plus reviewed drafts in the data dir for
    documents the repository does not annotate (user documents)."""
    annotations = {d: a for d, a in load_all(*([folder] if folder else [])).items() if d in documents}
    drafts = data_dir / "annotations"
    if drafts.is_dir():
        for d, a in load_all(drafts).items():
            if d in documents and d not in annotations:
                annotations[d] = a
    return annotations


__all__ = ["KnowledgeLayer", "annotations_hash", "unit_key"]
