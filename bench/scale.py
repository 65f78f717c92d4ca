"""Scale benchmark: the assistant over 10x and 100x the real corpus, on the embedded store and on a
Chroma server this script starts (`chroma run`).

    python bench/scale.py --factors 10 100 --backends embedded server
    python bench/scale.py --factors 100 --backends server --build-only   # build (slow) now, measure later
    python bench/scale.py --factors 10 --backends embedded --vectors server  # no passage vectors in process

Synthetic corpus, from the built x1 index under ./data: copy 0 of each of the 22 documents is the
real document; copies 1..F-1 are new documents ("<id>-x<c>", titled "... (synthetic copy c)") whose
passages are the real ones with perturbed text (about 10% of the words dropped or repeated, seeded)
and perturbed vectors (the real MiniLM vector plus Gaussian noise, sigma 0.02 per dimension,
re-normalised; cosine to the original about 0.93), so nothing is re-embedded and BM25 sees a
realistic vocabulary. Only the real documents carry annotations.

Per backend and factor it reports: ingest rate (passages/s through ChromaStore.add, the real ingest
path) and index size on disk (Chroma folder + BM25 files); the resident memory of a process that
has loaded the index and answered the questions (the API process holds the same objects); and
extractive answer p50/p95/p99 over unique questions (bench/load_check.py's generator, so every
question costs a query embedding), unfiltered and filtered to 3 documents (one real, two copies).
Builds are kept under --work and reused.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import dataclasses
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

NOISE = 0.02


def copy_id(document_id: str, c: int) -> str:
    return document_id if c == 0 else f"{document_id}-x{c}"


def perturb_text(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.05:
            continue  # dropped
        out.append(w)
        if r > 0.95:
            out.append(w)  # repeated
    return " ".join(out) or text


def synthetic_sources(sources, factor: int):
    return [s if c == 0 else dataclasses.replace(s, document_id=copy_id(s.document_id, c), aliases=(),
                                                  title=f"{s.title} (synthetic copy {c})", short_title="")
            for s in sources for c in range(factor)]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20 if path.exists() else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run` on loopback over a persistent folder, stopped on exit."""

    def __init__(self, path: Path):
        self.path, self.port = path, free_port()

    def __enter__(self) -> "ChromaServer":
        self.path.mkdir(parents=True, exist_ok=True)
        chroma = Path(sys.executable).with_name("chroma")
        self.log = open(self.path.parent / "chroma.log", "ab")
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("chroma run did not start")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def settings_for(work: Path, server: ChromaServer | None, vectors: str = "memory"):
    from assistant.settings import Settings

    kw = {"chroma_host": "127.0.0.1", "chroma_port": server.port} if server else {}
    return Settings(data_dir=work / "data", allow_download=False, retrieval={"vectors": vectors}, **kw)


def build(work: Path, factor: int, server: ChromaServer | None) -> dict:
    """Writes the synthetic collection and its state record, then loads it once (which builds and
    saves BM25 and the knowledge layer); returns ingest figures."""
    from assistant.library import ingest_config
    from assistant.settings import Settings
    from index.store import ChromaStore, IndexState, state_passage_ids

    real_cfg = ingest_config(Settings(allow_download=False))
    real_client = real_cfg.chroma.client()
    real_state = IndexState(real_client).read()
    real = ChromaStore(real_client, real_state["collection"])
    ids = state_passage_ids(real_state)
    passages, vectors = real.passages(ids), real.embeddings(ids)
    if len(passages) != len(ids):
        raise SystemExit("the x1 index under ./data is incomplete: run `policy-assistant ingest`")

    settings = settings_for(work, server)
    cfg = ingest_config(settings)
    for cache in ("knowledge", "embedding-cache.sqlite"):  # annotation-question vectors: not the thing timed
        src, dst = real_cfg.data_dir / cache, cfg.data_dir / cache
        if src.is_dir() and not dst.exists():
            shutil.copytree(src, dst)
        elif src.is_file() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    client = cfg.chroma.client()
    name = f"{real_state['collection']}-scale{factor}"
    store = ChromaStore(client, name)
    state = {k: v for k, v in real_state.items() if k != "documents"} | {"collection": name, "documents": {}}
    seconds, added = 0.0, 0
    for c in range(factor):
        rng = np.random.default_rng(c)
        rename = {p.passage_id: p.passage_id.replace(p.document_id, copy_id(p.document_id, c), 1) for p in passages}
        part = [dataclasses.replace(p, passage_id=rename[p.passage_id], document_id=copy_id(p.document_id, c),
                                    text=p.text if c == 0 else perturb_text(p.text, rng)) for p in passages]
        vec = vectors if c == 0 else vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
        vec = vec / np.linalg.norm(vec, axis=1, keepdims=True)
        if store.count() < (c + 1) * len(passages):  # a build that was stopped resumes at its last copy
            t0 = time.perf_counter()
            store.add(part, vec)  # upserts: the interrupted copy is simply written again
            seconds += time.perf_counter() - t0
            added += len(part)
        for doc, rec in real_state["documents"].items():
            rec = copy.deepcopy(rec)
            rec["passages"] = [rename[pid] for pid in rec.get("passages", [])]
            state["documents"][copy_id(doc, c)] = rec
        print(f"  x{factor}: copy {c + 1}/{factor}, {added:,} passages added, {added / max(seconds, 1e-9):,.0f}/s",
              flush=True)
    IndexState(client).write(state)
    t0 = time.perf_counter()
    load_index(settings, factor)  # builds BM25 (and the knowledge layer) once, saved under the data dir
    figures = {"passages": store.count(), "ingest_per_s": added / max(seconds, 1e-9),  # rate of this run's adds
               "bm25_build_s": time.perf_counter() - t0}
    (work / "built.json").write_text(json.dumps(figures))
    return figures


def load_index(settings, factor: int):
    from assistant.library import all_sources, ingest_config
    from index.embed import get_embedder
    from index.retrieve import PassageIndex

    cfg = ingest_config(settings)
    embedder = get_embedder(cfg.embedding_model, cfg.embed_batch_size, cfg.embed_max_tokens)
    return PassageIndex.load(cfg.chroma, cfg.data_dir, synthetic_sources(all_sources(settings), factor), embedder,
                             cfg.model_key, vectors=settings.retrieval.vectors)


def pcts(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


def measure(work: Path, factor: int, server: ChromaServer | None, n_questions: int, profile: Path | None = None,
            vectors: str = "memory") -> dict:
    from assistant.service import Assistant
    from bench.load_check import unique_questions

    settings = settings_for(work, server, vectors)
    assistant = Assistant(settings)
    rss0 = rss_mb()[0]
    t0 = time.perf_counter()
    assistant._index = load_index(settings, factor)  # the synthetic copies are not in the manifest
    assistant._checked_at = time.monotonic()
    load_s = time.perf_counter() - t0
    index = assistant.index
    scope = [s for s in index.sources if s.startswith("eu-ai-act")][:1] + [copy_id("nist-ai-rmf-1.0", 1 % factor),
                                                                          copy_id("oecd-ai-principles", 2 % factor)]
    scope = [d for d in scope if d in index.sources] or sorted(index.sources)[:3]
    assistant.ask("Do providers have to tell people they are talking to an AI system?", mode="extractive")
    questions = unique_questions(2 * n_questions, seed=factor)
    timings: dict[str, list[float]] = {"unfiltered": [], "filtered": []}
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    for i, q in enumerate(questions):
        kind = "filtered" if i % 2 else "unfiltered"
        t = time.perf_counter()
        assistant.ask(q, documents=scope if kind == "filtered" else None, mode="extractive")
        timings[kind].append((time.perf_counter() - t) * 1000)
    if profiler:
        profiler.disable()
        with open(profile, "w") as out:  # where the time per question goes, heaviest first
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    rss, peak = rss_mb()
    return {"passages": len(index.passages), "load_s": load_s, "rss_mb": rss, "peak_rss_mb": peak,
            "index_rss_mb": rss - rss0, "scope": scope, **{k: pcts(v) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factors", type=int, nargs="+", default=[10, 100])
    ap.add_argument("--backends", nargs="+", choices=["embedded", "server"], default=["embedded", "server"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/policy-scale"), help="builds are kept (and reused) here")
    ap.add_argument("--questions", type=int, default=60, help="unique questions per kind (filtered, unfiltered)")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the timed questions to this file")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--vectors", choices=["memory", "server"], default="memory",
                    help="where the answering process reads passage vectors from (POLICY_RETRIEVAL__VECTORS)")
    args = ap.parse_args(argv)
    rows = []
    for backend in args.backends:
        for factor in args.factors:
            work = args.work / f"{backend}-x{factor}"
            if args.rebuild:
                shutil.rmtree(work, ignore_errors=True)
            server = ChromaServer(work / "chroma-server") if backend == "server" else None
            with server or contextlib.nullcontext():
                built = json.loads((work / "built.json").read_text()) if (work / "built.json").exists() else None
                if built is None:
                    print(f"building {backend} x{factor} (load average {os.getloadavg()[0]:.2f})", flush=True)
                    built = build(work, factor, server)
                if args.build_only:
                    continue
                la = os.getloadavg()[0]
                m = measure(work, factor, server, args.questions, args.profile, args.vectors)
                size = du_mb(work / ("chroma-server" if server else "data/chroma")) + du_mb(work / "data" / "bm25")
                label = backend if args.vectors == "memory" else f"{backend}, vectors on the server"
                rows.append((label, factor, built, size, m, la, os.getloadavg()[0]))
                print(json.dumps({"backend": backend, "factor": factor, "vectors": args.vectors, **built, "size_mb": size,
                                  **m}), flush=True)
    if rows:
        print("\n| store | corpus | passages | ingest/s | index size (MB) | load (s) | process RSS (MB) | "
              "unfiltered p50/p95/p99 (ms) | filtered p50/p95/p99 (ms) | load average |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for backend, factor, built, size, m, la0, la1 in rows:
            f = lambda t: "/".join(f"{x:.0f}" for x in t)  # noqa: E731
            print(f"| {backend} | x{factor} | {m['passages']:,} | {built['ingest_per_s']:,.0f} | {size:,.0f} | "
                  f"{m['load_s']:.0f} | {m['rss_mb']:,.0f} | {f(m['unfiltered'])} | {f(m['filtered'])} | "
                  f"{la0:.1f}-{la1:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
