"""BM25 over passages (bm25s, English stemming), persisted beside the Chroma index."""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from pathlib import Path

import numpy as np

# Letters and digits of any script (Vietnamese "dữ liệu", Indonesian "undang-undang" stay words), so
# questions in the users' languages match the annotation translations that BM25 also indexes.
_WORD = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")
# Thai is written without spaces between words: its runs are segmented with PyThaiNLP's dictionary
# segmenter (the dictionary ships in the package).
_THAI_RUN = re.compile(r"[\u0E00-\u0E7F]+")
# Bump when tokenize() changes: BM25 files built by another tokenizer are then rebuilt (the version
# is part of the annotation hash that names the BM25 folder, see index/knowledge.py).
TOKENIZER_VERSION = "2"
_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i if in into is it its me my of on or our should "
    "so that the their them there these they this to was we what when where which who will with would you your "
    "any about under need must may tell".split()
    # the same function words and question particles in the users' languages (id, ms, fil, vi, th)
    + "apakah adakah saya kami kita anda yang dan di ke dari untuk dengan ini itu atau pada dalam akan bagi oleh "
    "adalah ialah juga ada bisa boleh harus perlu mesti apa bagaimana bagaimanakah bolehkah perlukah kah".split()
    + "ang ng mga sa na ba ko ako kami namin natin tayo ito iyan iyon ay at kung para si ni kay mo ka nila niya po "
    "ano paano kailangan dapat".split()
    + "tôi chúng bạn có không là và của các những cho với trong được này đó thì mà để khi nào gì như về ra ở "
    "phải cần".split()
    + "ฉัน เรา คุณ ว่า หรือไม่ ไหม อะไร บ้าง ของ ที่ และ กับ ใน การ ได้ ให้ จะ เป็น มี หรือ ไว้ นี้ นั้น ก็ ครับ ค่ะ "
    "คะ ต้อง ควร หรือเปล่า อย่างไร".split()
)


_LOCAL = threading.local()


def _stemmer():
    """One English stemmer per thread (PyStemmer objects are not shared across threads)."""
    stem = getattr(_LOCAL, "stemmer", None)
    if stem is None:
        import Stemmer

        stem = _LOCAL.stemmer = Stemmer.Stemmer("english")
    return stem


def _thai_words(run: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return [w for w in word_tokenize(run, engine="newmm", keep_whitespace=False) if w.strip()]


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.lower())  # "dữ" typed decomposed matches "dữ" stored composed
    if not _THAI_RUN.search(text):
        return _WORD.findall(text)
    out: list[str] = []
    pos = 0
    for m in _THAI_RUN.finditer(text):
        out += _WORD.findall(text[pos:m.start()]) + _thai_words(m.group(0))
        pos = m.end()
    return out + _WORD.findall(text[pos:])


def tokenize(text: str, stem=None) -> list[str]:
    """Lower-cased word tokens without stopwords, stemmed; ids like "1.1" and "gv-1.1-001" stay whole."""
    words = [w for w in _words(text) if w not in _STOP]
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
