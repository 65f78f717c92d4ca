"""The latency cost of keeping vectors on the server (``POLICY_RETRIEVAL__VECTORS=server``), measured
A/B in one process so both modes see the same load: one loaded index answers each question twice,
once with its in-memory vectors and once with a store that reads them from Chroma (scoped dense
searches through Chroma's filtered query, fusion's cosines fetched by id), in alternating order.

    python bench/scale.py --factors 10 --backends embedded --build-only   # the synthetic x10 index
    python bench/server_vectors.py --factor 10 --backend embedded --questions 30

Uses the builds of bench/scale.py (same --work). Prints p50/p95 per mode for unfiltered and filtered
(3 documents) questions, extractive, warm (each question is asked once untimed first, so both modes
find its query vector cached), and counts the answers whose citations differ between the modes. The memory each process saves is what the in-memory matrix holds (printed); the
whole-process RSS of each mode comes from `bench/scale.py --vectors memory|server`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import ChromaServer, copy_id, load_index, settings_for  # noqa: E402


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(work: Path, factor: int, server: ChromaServer | None, n_questions: int) -> dict:
    from assistant.service import Assistant
    from bench.load_check import unique_questions
    from index.scoped import ScopedStore

    settings = settings_for(work, server)
    assistant = Assistant(settings)
    index = load_index(settings, factor)
    assistant._index, assistant._checked_at = index, time.monotonic()
    stores = {"memory": index.scoped_store, "server": ScopedStore(index.store, None, size=len(index.lexical.ids))}
    scope = [d for d in ("eu-ai-act-2024-1689", copy_id("nist-ai-rmf-1.0", 1 % factor),
                         copy_id("oecd-ai-principles", 2 % factor)) if d in index.sources] or sorted(index.sources)[:3]
    timings = {(mode, kind): [] for mode in stores for kind in ("unfiltered", "filtered")}
    differ = 0
    for i, question in enumerate(unique_questions(2 * n_questions + 1, seed=40 + factor)):
        kind = "filtered" if i % 2 else "unfiltered"
        documents = scope if kind == "filtered" else None
        assistant.ask(question, documents=documents, mode="extractive")  # untimed: embeds the question for both
        cited = {}
        for mode in (("memory", "server") if i % 4 < 2 else ("server", "memory")):
            index.__dict__["scoped_store"] = stores[mode]  # the cached property PassageIndex reads
            t = time.perf_counter()
            answer = assistant.ask(question, documents=documents, mode="extractive")
            if i:  # the first question warms both modes up
                timings[(mode, kind)].append((time.perf_counter() - t) * 1000)
            cited[mode] = [c.passage_id for c in answer.citations]
        differ += cited["memory"] != cited["server"]
    return {"passages": len(index.passages), "matrix_mb": index.vectors.matrix.nbytes / 2**20, "scope": scope,
            "answers_citing_differently": differ,
            **{f"{mode} {kind}": (pct(v, 50), pct(v, 95)) for (mode, kind), v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--backend", choices=["embedded", "server"], default="embedded")
    ap.add_argument("--work", type=Path, default=Path("/tmp/policy-scale"), help="bench/scale.py's builds")
    ap.add_argument("--questions", type=int, default=30, help="unique questions per kind (filtered, unfiltered)")
    args = ap.parse_args(argv)
    work = args.work / f"{args.backend}-x{args.factor}"
    if not (work / "built.json").exists():
        raise SystemExit(f"no build in {work}: run `python bench/scale.py --factors {args.factor} "
                         f"--backends {args.backend} --build-only` first")
    server = ChromaServer(work / "chroma-server") if args.backend == "server" else None
    la0 = os.getloadavg()[0]
    with server or contextlib.nullcontext():
        result = run(work, args.factor, server, args.questions)
    result["load_average"] = (la0, os.getloadavg()[0])
    print(json.dumps(result))
    f = lambda t: f"{t[0]:.0f} / {t[1]:.0f}"  # noqa: E731
    print(f"\n| vectors | unfiltered p50/p95 (ms) | filtered p50/p95 (ms) |   ({args.backend}, x{args.factor}, "
          f"{result['passages']:,} passages; in-memory matrix {result['matrix_mb']:.0f} MB; load average "
          f"{la0:.1f}-{result['load_average'][1]:.1f})")
    print("|---|---:|---:|")
    for mode in ("memory", "server"):
        print(f"| {mode} | {f(result[f'{mode} unfiltered'])} | {f(result[f'{mode} filtered'])} |")
    print(f"\n{result['answers_citing_differently']} of {2 * args.questions + 1} answers cite different passages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
