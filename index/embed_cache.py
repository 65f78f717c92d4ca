"""A persistent cache of passage embeddings keyed by (model, text): a rebuild after a parser or
structure change embeds only the passages whose text changed."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
from tqdm import tqdm


class EmbeddingCache:
    def __init__(self, path: Path, model: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        self._model = model

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._model}\0{text}".encode()).hexdigest()

    def get_many(self, texts: list[str]) -> list[np.ndarray | None]:
        keys = [self._key(t) for t in texts]
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
            found.update(rows.fetchall())
        return [np.frombuffer(found[k], dtype=np.float32) if k in found else None for k in keys]

    def put_many(self, texts: list[str], vectors: np.ndarray) -> None:
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors)]
        self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        self._db.commit()

    def close(self) -> None:
        self._db.close()


def embed_cached(texts: list[str], embed, cache_path: Path, model: str, desc: str, progress: bool = False) -> np.ndarray:
    """Vectors of ``texts`` from the cache, embedding (``embed(list) -> array``) only the missing
    ones, saved as it goes (an interrupted build keeps its work), with a progress bar."""
    cache = EmbeddingCache(cache_path, model)
    try:
        vectors = cache.get_many(texts)
        missing = [i for i, v in enumerate(vectors) if v is None]
        with tqdm(total=len(missing), desc=desc, unit="text", disable=not progress or not missing) as bar:
            for start in range(0, len(missing), 256):
                part = missing[start:start + 256]
                fresh = embed([texts[i] for i in part])
                cache.put_many([texts[i] for i in part], fresh)
                for i, v in zip(part, fresh):
                    vectors[i] = v
                bar.update(len(part))
    finally:
        cache.close()
    return np.vstack(vectors).astype(np.float32)
