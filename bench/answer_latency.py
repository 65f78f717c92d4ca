"""Extractive-mode answer latency over an evaluation suite with a warm index.

    python bench/answer_latency.py [--suite evals/suites/dev.yaml] [--repeat 1] [--json out.json]

Loads the index and the embedding models first (not timed), answers the server's warm-up questions, then asks
every case of the suite in turn and prints p50 / p95 / max of the wall time and of the service's
own retrieve / compose / total timings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def summarise(samples: dict[str, list[float]]) -> dict[str, dict[str, float | None]]:
    from evals.metrics import percentile

    return {name: {"n": float(len(v)), "p50": percentile(v, 50), "p95": percentile(v, 95),
                   "max": max(v) if v else None} for name, v in samples.items()}


def measure(suite_path: Path, repeat: int) -> tuple[dict[str, list[float]], dict[str, str]]:
    from assistant.service import Assistant
    from assistant.settings import Settings
    from evals.runner import case_request
    from evals.suite import load_suite

    suite = load_suite(suite_path)
    assistant = Assistant(Settings())
    t0 = time.perf_counter()
    assistant.warm()  # as the server does before /readyz: one question per language, so e5 is loaded too
    warm = (time.perf_counter() - t0) * 1000
    samples: dict[str, list[float]] = {"wall": [], "retrieve": [], "compose": [], "total": []}
    for _ in range(repeat):
        for case in suite.cases:
            t = time.perf_counter()
            answer = assistant.ask(**case_request(case), mode="extractive")
            samples["wall"].append((time.perf_counter() - t) * 1000)
            for key in ("retrieve", "compose", "total"):
                if key in answer.timings_ms:
                    samples[key].append(answer.timings_ms[key])
    info = {"suite": str(suite_path), "cases": str(len(suite.cases)), "repeat": str(repeat),
            "index": assistant.index.collection, "warm_up_ms": f"{warm:.0f}", "cpus": str(os.cpu_count())}
    return samples, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", type=Path, default=ROOT / "evals" / "suites" / "dev.yaml")
    ap.add_argument("--repeat", type=int, default=1, help="Passes over the suite.")
    ap.add_argument("--json", type=Path, help="Also write the summary as JSON.")
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    samples, info = measure(args.suite, args.repeat)
    summary = summarise(samples)
    table = Table(title="Extractive answer latency (ms), warm index",
                  caption=", ".join(f"{k}: {v}" for k, v in info.items()))
    for col in ("timing", "n", "p50", "p95", "max"):
        table.add_column(col, justify="left" if col == "timing" else "right")
    for name, row in summary.items():
        table.add_row(name, f"{row['n']:.0f}", *(f"{row[c]:,.1f}" if row[c] is not None else "–" for c in ("p50", "p95", "max")))
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({"info": info, "summary": summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
