"""Query embeddings for concurrent requests: one embedder call per batch of waiting questions, and a
cache keyed by the normalised question.

Each new question costs one MiniLM call (~30 ms on 2 cores under torch, ~3 under ONNX Runtime);
32 clients asking at once used to make 32 calls, each competing for the same cores. Here the first caller embeds at once (no added latency
when idle); callers that arrive while the embedder is busy join one open batch, which the next free
slot embeds in a single call. Batches grow with the load, never by waiting on a timer.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict

import numpy as np

from .embed import Embedder

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The cache key and the text embedded: NFKC, lower case, single spaces. MiniLM's tokenizer
    lower-cases and splits on whitespace itself, so its vector for the key equals the original's."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


class _Batch:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.done = threading.Event()
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryEmbedder:
    """Thread-safe ``embed(text) -> vector`` over an Embedder, batching and caching."""

    def __init__(self, embedder: Embedder, max_batch: int = 64, cache_size: int = 4096):
        self.embedder = embedder
        self.base: Embedder = embedder  # the embedder it was made for (query_embedder's key)
        self.max_batch = max_batch
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._state = threading.Lock()  # guards the cache and the open batch
        self._busy = threading.Lock()  # one embedder call at a time: they share the cores
        self._open: _Batch | None = None
        self.calls: list[int] = []  # batch sizes, for tests and the benchmark

    def embed(self, text: str) -> np.ndarray:
        key = normalise(text)
        with self._state:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            batch, leader = self._open, False
            if batch is None or len(batch.texts) >= self.max_batch:
                batch, leader = _Batch(), True
                self._open = batch
            if key not in batch.texts:
                batch.texts.append(key)
        if leader:
            self._run(batch)
        batch.done.wait()
        if batch.error is not None:
            raise batch.error
        return batch.vectors[batch.texts.index(key)]

    def _run(self, batch: _Batch) -> None:
        with self._busy:  # while the previous batch is embedded, this one fills up
            with self._state:
                if self._open is batch:
                    self._open = None  # closed: later callers start the next batch
            try:
                batch.vectors = np.asarray(self.embedder.embed(batch.texts), dtype=np.float32)
                batch.vectors.setflags(write=False)  # shared by every caller and the cache
                with self._state:
                    self.calls.append(len(batch.texts))
                    del self.calls[:-1000]
                    for t, v in zip(batch.texts, batch.vectors):
                        self._cache[t] = v
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
            except BaseException as exc:  # every waiter gets the error, none hangs
                batch.error = exc
            finally:
                batch.done.set()


_SHARED: dict[int, QueryEmbedder] = {}
_SHARED_LOCK = threading.Lock()


def query_embedder(embedder: Embedder) -> QueryEmbedder:
    """One QueryEmbedder per embedder instance: every loaded index of a process shares its batches
    and its cache (query vectors depend on the model only, not on the index)."""
    with _SHARED_LOCK:
        qe = _SHARED.get(id(embedder))
        if qe is None or qe.base is not embedder:
            faster = getattr(embedder, "for_queries", None)  # same model, a faster runtime
            qe = _SHARED[id(embedder)] = QueryEmbedder(faster() if faster else embedder)
            qe.base = embedder
        return qe
