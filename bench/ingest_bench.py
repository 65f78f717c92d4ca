"""Ingest benchmark (a script, not a timed test): the full corpus from scratch into a fresh data
dir, then an unchanged re-ingest. Prints throughput, peak memory and index size as a table.

    python bench/ingest_bench.py [--data-dir /tmp/bench-data] [--keep]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from assistant.library import all_sources, ingest_config
from assistant.settings import Settings
from index.pipeline import ingest


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the data dir afterwards")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    settings = Settings(data_dir=data_dir)
    cfg = ingest_config(settings)
    sources = all_sources(settings)

    t0 = time.perf_counter()
    first = ingest(sources, cfg, progress=True)
    cold = time.perf_counter() - t0
    t1 = time.perf_counter()
    second = ingest(sources, cfg, progress=False)
    warm = time.perf_counter() - t1

    pages = sum(d.pages for d in first.documents)
    passages = sum(d.passages for d in first.documents)
    parse_s = sum(d.seconds for d in first.documents)  # summed over worker processes
    peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    rows = [
        ("documents", f"{len(first.documents)} ({len(first.failed)} failed)"),
        ("pages", f"{pages}"),
        ("passages", f"{passages}"),
        ("from scratch, total", f"{cold:.1f} s"),
        ("  pages/s", f"{pages / cold:.1f}"),
        ("  passages/s", f"{passages / cold:.1f}"),
        ("  parse+structure+chunk (CPU s, summed over workers)", f"{parse_s:.1f} s"),
        ("  embedding passages/s", f"{first.embedded / max(1e-9, first.embed_seconds):.1f} ({first.embed_seconds:.0f} s)"),
        ("unchanged re-ingest", f"{warm:.2f} s (embedded {second.embedded})"),
        ("peak memory (RSS, largest process)", f"{peak_mb:.0f} MB"),
        ("index size on disk", f"{_size_mb(data_dir):.1f} MB"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n| {'measure'.ljust(width)} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    if not args.keep and args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
