"""BM25 over passages (bm25s, English stemming), persisted beside the Chroma index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

_WORD = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i if in into is it its me my of on or our should "
    "so that the their them there these they this to was we what when where which who will with would you your "
    "any about under need must may tell".split()
)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str, stem=None) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed; ids like "1.1" and "gv-1.1-001" stay whole."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    stem = stem or _stemmer()
    return stem.stemWords(words)


def lexical_text(section_path: tuple[str, ...], text: str, questions: str = "") -> str:
    """What BM25 indexes: the passage with its section titles (a title states the topic that its
    paragraphs only imply, e.g. "Obligations of deployers of high-risk AI systems") and its
    annotation questions (the everyday words people use for it)."""
    return " ".join(section_path[-2:]) + "\n" + text + ("\n" + questions if questions else "")


class LexicalIndex:
    """BM25 scores for every passage, aligned with ``ids``."""

    def __init__(self, ids: list[str], retriever):
        self.ids = ids
        self._retriever = retriever
        self._stem = _stemmer()
        self._vocab = set(retriever.vocab_dict) if getattr(retriever, "vocab_dict", None) else None

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        import bm25s

        stem = _stemmer()
        corpus_tokens = [tokenize(t, stem) or ["_empty_"] for t in texts]
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(corpus_tokens, show_progress=False)
        return cls(ids, retriever)

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query, self._stem) if self._vocab is None or t in self._vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(json.loads((folder / "ids.json").read_text()), retriever)
