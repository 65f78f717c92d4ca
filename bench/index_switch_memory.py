"""Memory kept per index switch: the resident memory of a serving process after each of N new
index generations, reloaded through the real service path (``Assistant.index`` notices that the
state record names a new collection and loads it).

    python bench/index_switch_memory.py --generations 6 --passages 3000
    python bench/index_switch_memory.py --generations 6 --passages 3000 --writer inline
    python bench/index_switch_memory.py --generations 6 --passages 3000 --vectors server

Synthetic corpus: ``--passages`` passages spread over the manifest's documents (so the service
knows their sources), random words for text, random unit vectors of the hash embedder's 256
dimensions. Each generation is written like an ingest writes one: a new collection, then the state
record, then every generation but the live one and the one before it is deleted. ``--writer child``
(default) writes it in another process, as `policy-assistant ingest` beside a running server does;
``inline`` in this process, as the admin re-index does. After each switch the reader asks a few
searches (unfiltered and scoped to two documents), collects garbage and prints its RSS, the Python
heap (tracemalloc, with ``--tracemalloc``) and how many of the indexes it loaded are still alive.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
import weakref
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

DIM = 256  # the hash embedder's
QUERIES = ["operators must keep records of automated decisions", "transparency of chatbots to users",
           "risk assessment before deployment", "penalties for providers"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def malloc_mb() -> tuple[float, float] | None:
    """(in use, free but kept) by glibc's malloc, all arenas: tells retained memory from fragmentation."""
    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in
                    "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = MallInfo2
    m = mallinfo2()
    return round((m.uordblks + m.hblkhd) / 2**20, 1), round(m.fordblks / 2**20, 1)


def document_ids(n: int) -> list[str]:
    from index.sources import load_manifest

    return [s.document_id for s in load_manifest()][:n]


def write_generation(data_dir: Path, generation: int, passages: int, n_docs: int) -> str:
    """A new generation as ingest writes one: collection, state record, then old generations go."""
    from index.store import ChromaLocation, ChromaStore, IndexState
    from index.types import Passage

    rng = np.random.default_rng(generation)
    vocab = [f"w{i}" for i in range(3000)] + QUERIES[0].split() + QUERIES[1].split()
    docs = document_ids(n_docs)
    ps = [Passage(f"{docs[i % len(docs)]}#sec-{i}", docs[i % len(docs)], f"Section {i}", ("Part I",), None, None,
                  i * 400, i * 400 + 399, " ".join(rng.choice(vocab, 60)), "section") for i in range(passages)]
    vectors = rng.standard_normal((passages, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    client = ChromaLocation(path=data_dir / "chroma").client()
    state_store = IndexState(client)
    state = state_store.read() or {}
    name = f"passages-bench-g{generation}-b{uuid.uuid4().hex[:8]}"
    ChromaStore(client, name).add(ps, vectors)
    documents: dict[str, dict] = {}
    for p in ps:
        documents.setdefault(p.document_id, {"sha256": "", "pages": 0, "has_pages": False, "passages": []})
        documents[p.document_id]["passages"].append(p.passage_id)
    state_store.write({"settings_hash": "bench", "generation": generation, "collection": name,
                       "previous": state.get("collection", ""), "build_id": name[-9:], "documents": documents,
                       "built_at": time.time()})
    keep = {name, state.get("collection", "")}
    for col in client.list_collections():
        col_name = col if isinstance(col, str) else col.name
        if col_name.startswith("passages-") and col_name not in keep:
            client.delete_collection(col_name)
    return name


def settings_for(data_dir: Path, vectors: str):
    from assistant.settings import Settings

    retrieval = {"annotations": False, "multilingual": False}
    if vectors != "memory":  # older checkouts have no such setting: measure them with the default
        retrieval["vectors"] = vectors
    return Settings(data_dir=data_dir, corpus_dirs=[], allow_download=False, ingest={"embedding_model": "hash"},
                    retrieval=retrieval)


def run(args: argparse.Namespace) -> list[dict]:
    import tracemalloc

    from assistant.service import Assistant

    data_dir = args.work / "data"
    if args.tracemalloc:
        tracemalloc.start()

    def write(g: int) -> str:
        if args.writer == "inline":
            return write_generation(data_dir, g, args.passages, args.documents)
        out = subprocess.run([sys.executable, __file__, "--write-generation", str(g), "--work", str(args.work),
                              "--passages", str(args.passages), "--documents", str(args.documents)],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    write(0)
    assistant = Assistant(settings_for(data_dir, args.vectors))
    loaded: list[weakref.ref] = []
    systems: list[weakref.ref] = []  # the Chroma system (its Rust bindings) each index was read through
    rows = []
    for g in range(args.generations + 1):
        if g:
            write(g)
            assistant._checked_at = 0.0  # the next access checks the state record now, not in 5 s
        index = assistant.index
        loaded.append(weakref.ref(index))
        server = getattr(index.store.client, "_server", None)
        if server is not None and all(r() is not server for r in systems):
            systems.append(weakref.ref(server))
        scope = sorted(index.sources)[:2]
        for q in QUERIES:
            assistant.search(q, k=6)
            assistant.search(q, k=6, documents=scope)
        del index
        gc.collect()
        row = {"generation": g, "collection": assistant.index.collection, "rss_mb": round(rss_mb(), 1),
               "indexes_alive": sum(r() is not None for r in loaded),
               "chroma_systems_alive": sum(r() is not None for r in systems)}
        heap = malloc_mb()
        if heap:
            row["malloc_in_use_mb"], row["malloc_free_mb"] = heap
        if args.tracemalloc:
            row["python_heap_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--generations", type=int, default=6, help="switches to new generations after the first load")
    ap.add_argument("--passages", type=int, default=3000, help="passages per generation")
    ap.add_argument("--documents", type=int, default=12, help="manifest documents the passages are spread over")
    ap.add_argument("--writer", choices=["child", "inline"], default="child")
    ap.add_argument("--vectors", choices=["memory", "server"], default="memory", help="POLICY_RETRIEVAL__VECTORS")
    ap.add_argument("--tracemalloc", action="store_true", help="also report the Python heap (slower)")
    ap.add_argument("--work", type=Path, help="folder for the store (default: a new temporary one)")
    ap.add_argument("--write-generation", type=int, help=argparse.SUPPRESS)  # the child writer
    args = ap.parse_args(argv)
    if args.write_generation is not None:
        print(write_generation(args.work / "data", args.write_generation, args.passages, args.documents))
        return 0
    with tempfile.TemporaryDirectory(prefix="switch-bench-") as tmp:
        args.work = args.work or Path(tmp)
        rows = run(args)
    first, last = rows[1], rows[-1]  # from the first switch on: the first load's own cost is not a leak
    per = (last["rss_mb"] - first["rss_mb"]) / max(1, len(rows) - 2)
    print(f"RSS after the first load {rows[0]['rss_mb']:.0f} MB, after switch 1 {first['rss_mb']:.0f} MB, after "
          f"switch {len(rows) - 1} {last['rss_mb']:.0f} MB: {per:+.1f} MB per further switch; "
          f"{last['indexes_alive']} index(es) alive (writer: {args.writer}, vectors: {args.vectors})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
