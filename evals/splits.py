"""The measuring instrument's fixed split: tune (suites tuned on) and blind (never looked at while
tuning; run once at the end of a change set). Combines the run records of a split's suites into
one set of figures, with the gold passage's rank (top 1 / 5 / 20) by kind and by language.

    python -m evals.splits blind --out test-output/blind.json      # runs each suite in-process
    python -m evals.splits tune --records a.json b.json c.json      # combine existing run records
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import metrics
from .suite import load_suite

SUITES = Path(__file__).with_name("suites")
# A blind split is spent once run at the end of its change set: it joins tune, and fresh cases replace it.
SPLITS = {
    "tune": ["dev.yaml", "holdout.yaml", "tune.yaml", "blind.yaml", "blind-multilingual.yaml", "blind2.yaml",
             "blind2-multilingual.yaml", "blind3.yaml", "blind3-multilingual.yaml", "blind4.yaml", "blind4-multilingual.yaml",
             "blind5.yaml", "blind5-multilingual.yaml", "blind6.yaml", "blind6-multilingual.yaml", "blind7.yaml",
             "blind7-multilingual.yaml", "blind8.yaml", "blind8-multilingual.yaml",
             "blind9.yaml", "blind9-multilingual.yaml", "blind10.yaml", "blind10-multilingual.yaml",
             "blind11.yaml", "blind11-multilingual.yaml", "blind12.yaml", "blind12-multilingual.yaml",
             "blind13.yaml", "blind13-multilingual.yaml"],
    "blind": ["blind14.yaml", "blind14-multilingual.yaml"],
}
SHOWN = ("gold_top1", "gold_top5", "gold_top20", "citation_precision", "citation_recall", "abstention_precision",
         "abstention_recall", "quote_validity", "not_covered_named", "binding_first", "frameworks_grounded", "pass_rate", "latency_p50_ms", "latency_p95_ms")


def combine(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One set of aggregates and slices over the cases of several run records."""
    cases = [c for r in records for c in r["cases"]]
    suites = {r["suite"]["name"]: r["suite"]["path"] for r in records}
    loaded = {c.id: c for path in suites.values() for c in load_suite(path).cases}
    scores = [metrics.CaseScores(**c["metrics"]) for c in cases]
    typed = [loaded[c["id"]] for c in cases]
    return {"suites": sorted(suites), "cases": len(cases), "aggregates": metrics.aggregate(scores),
            "slices": metrics.slices(typed, scores)}


def table(combined: dict[str, Any]) -> str:
    """Markdown: the headline figures, then gold ranks by kind and by language."""
    agg = combined["aggregates"]
    lines = [f"{combined['cases']} cases ({', '.join(combined['suites'])})", "", "| metric | value |", "|---|---:|"]
    lines += [f"| {metrics.METRICS.get(k, (k,))[0]} | {_fmt(agg.get(k))} |" for k in SHOWN]
    for dim in ("kind", "language"):
        lines += ["", f"| {dim} | cases | gold first | top 5 | top 20 | citation recall | pass |", "|---|---:|---:|---:|---:|---:|---:|"]
        for value, a in combined["slices"][dim].items():
            lines.append(f"| {value} | {int(a['cases'])} | {_fmt(a.get('gold_top1'))} | {_fmt(a.get('gold_top5'))} | "
                         f"{_fmt(a.get('gold_top20'))} | {_fmt(a.get('citation_recall'))} | {_fmt(a.get('pass_rate'))} |")
    return "\n".join(lines)


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}" if v > 1.5 else f"{v:.3f}"


def run(split: str, progress: bool = True) -> list[dict[str, Any]]:
    from assistant.service import Assistant
    from assistant.settings import Settings

    from . import runner

    settings = Settings()
    system = runner.InProcessSystem(Assistant(settings))
    pages = runner.SourcePages.from_settings(settings)
    return [runner.run_suite(load_suite(SUITES / name), system, pages, progress=progress) for name in SPLITS[split]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("split", choices=sorted(SPLITS))
    ap.add_argument("--records", nargs="*", type=Path, help="combine these run records instead of running")
    ap.add_argument("--out", type=Path, help="write the combined figures (JSON) here")
    ap.add_argument("--save", type=Path, help="also write each suite's run record (<suite>.json) into this folder")
    args = ap.parse_args(argv)
    records = [json.loads(p.read_text(encoding="utf-8")) for p in args.records] if args.records else run(args.split)
    if args.save and not args.records:
        args.save.mkdir(parents=True, exist_ok=True)
        for record in records:
            (args.save / f"{record['suite']['name']}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    combined = combine(records)
    print(table(combined))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(combined, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
