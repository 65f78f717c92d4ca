"""Store-only micro-benchmark: how dense search scales with the corpus, unfiltered and scoped to a
few documents, for Chroma's own filter versus exact search over vectors already in memory.

    python bench/store_scope.py --passages 51420 514200 --documents 2000
    python bench/store_scope.py --passages 51420 --chroma-host 127.0.0.1 --chroma-port 8799

Random 384-d unit vectors (only the store is timed, no text, no embedder). Each size is a fresh
collection in a temporary folder (or on the server; deleted afterwards). Top-40 queries, like the
assistant's dense candidates at its default settings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

DIM, K, QUERIES = 384, 40, 50


def unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def timed(fn, queries: np.ndarray) -> tuple[float, float]:
    """p50/p95 in ms of ``fn(vector)`` over the queries (one warm-up call first)."""
    fn(queries[0])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return pct(times, 50), pct(times, 95)


def fill(col, vectors: np.ndarray, docs: np.ndarray, batch: int = 5000) -> float:
    """Adds every vector with its document id; returns passages per second."""
    t0 = time.perf_counter()
    for i in range(0, len(vectors), batch):
        col.add(ids=[f"p{j}" for j in range(i, min(i + batch, len(vectors)))], embeddings=vectors[i:i + batch],
                metadatas=[{"document_id": str(d)} for d in docs[i:i + batch]])
    return len(vectors) / (time.perf_counter() - t0)


def run_size(client, n: int, n_docs: int, scope_docs: int) -> dict:
    from index.scoped import InMemoryVectors

    vectors = unit_vectors(n, seed=n)
    docs = np.sort(np.random.default_rng(1).integers(0, n_docs, n))
    queries = unit_vectors(QUERIES, seed=7)
    scope = [str(d) for d in range(scope_docs)]
    name = f"bench-scope-{uuid.uuid4().hex[:8]}"
    col = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
    try:
        rate = fill(col, vectors, docs)
        where = {"document_id": {"$in": scope}}
        memory = InMemoryVectors([f"p{i}" for i in range(n)], [str(d) for d in docs], vectors)
        return {
            "passages": n, "ingest/s": rate,
            "chroma": timed(lambda q: col.query(query_embeddings=[q], n_results=K, include=["distances"]), queries),
            "chroma filtered": timed(lambda q: col.query(query_embeddings=[q], n_results=K, where=where,
                                                         include=["distances"]), queries),
            "memory scoped": timed(lambda q: memory.search(q, K, set(scope)), queries),
            "memory all (exact)": timed(lambda q: memory.search(q, K, None), queries),
        }
    finally:
        client.delete_collection(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[51_420, 514_200])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--scope", type=int, default=3, help="documents a scoped query names")
    parser.add_argument("--chroma-host", default=None)
    parser.add_argument("--chroma-port", type=int, default=8000)
    args = parser.parse_args(argv)
    import chromadb
    from chromadb.config import Settings

    tmp = None
    settings = Settings(anonymized_telemetry=False)
    if args.chroma_host:
        client = chromadb.HttpClient(host=args.chroma_host, port=args.chroma_port, settings=settings)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="store-scope-"))
        client = chromadb.PersistentClient(path=str(tmp), settings=settings)
    where = f"server {args.chroma_host}:{args.chroma_port}" if args.chroma_host else "embedded"
    print(f"# {where}; {args.documents} documents, scope {args.scope}; top-{K}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| passages | ingest/s | chroma p50/p95 | chroma filtered | memory scoped | memory all (exact) |")
    print("|---:|---:|---:|---:|---:|---:|")
    try:
        for n in args.passages:
            r = run_size(client, n, args.documents, args.scope)
            cells = " | ".join(f"{r[c][0]:.1f} / {r[c][1]:.1f}" for c in
                               ("chroma", "chroma filtered", "memory scoped", "memory all (exact)"))
            print(f"| {n:,} | {r['ingest/s']:,.0f} | {cells} |", flush=True)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
