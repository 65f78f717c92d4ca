"""Reports from run records: one self-contained HTML file (tables + matplotlib charts embedded as
base64 PNG), a case-by-case comparison of two runs, and a markdown side-by-side table of systems.

    python -m evals.report RUN.json --html report.html
    python -m evals.report --compare PREVIOUS.json RUN.json [--html report.html]
    python -m evals.report RUN.json --html report.html --previous PREVIOUS.json
    python -m evals.report --side-by-side assistant.json baseline.json
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .compare import CASE_METRICS, compare_records, comparison_html, fmt, format_comparison  # noqa: F401 - re-exported
from .metrics import METRICS
from .report_cases import CSS as CASES_CSS
from .report_cases import cases_section

RATIO_METRICS = [m for m in METRICS if not m.endswith("_ms")]
SLICE_METRICS = ["recall_at_k", "citation_precision", "citation_recall", "quote_validity", "key_point_coverage", "pass_rate"]


# ---------------------------------------------------------------------------- charts


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def metrics_chart(aggregates: Mapping[str, float | None]) -> str:
    """Horizontal bars of every 0..1 metric (undefined ones are left out)."""
    plt = _pyplot()
    names = [m for m in RATIO_METRICS if aggregates.get(m) is not None]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(names) + 1))
    values = [aggregates[m] for m in names]
    ax.barh([METRICS[m][0] for m in names], values, color="#3b6ea5")
    for y, v in enumerate(values):
        ax.text(min(v + 0.01, 0.9), y, f"{v:.2f}", va="center", fontsize=8)
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    ax.set_title("Aggregate metrics")
    return _png(fig)


def slice_chart(dimension: str, groups: Mapping[str, Mapping[str, float | None]], min_cases: int = 1) -> str:
    """One small bar chart per metric, one bar per slice value (with at least min_cases cases)."""
    plt = _pyplot()
    values = [v for v in groups if (groups[v].get("cases") or 0) >= min_cases]
    fig, axes = plt.subplots(1, len(SLICE_METRICS), figsize=(3.0 * len(SLICE_METRICS), 0.28 * len(values) + 1.4),
                             sharey=True)
    for ax, metric in zip(axes, SLICE_METRICS, strict=True):
        data = [groups[v].get(metric) for v in values]
        ax.barh(values, [d or 0.0 for d in data], color=["#3b6ea5" if d is not None else "#cccccc" for d in data])
        ax.set_xlim(0, 1)
        ax.set_title(METRICS[metric][0], fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].invert_yaxis()
    fig.suptitle(f"By {dimension}" + (f" (slices with ≥ {min_cases} cases; grey = undefined)" if min_cases > 1
                                      else " (grey = undefined)"), fontsize=10, y=1.04)
    return _png(fig)


def latency_chart(latencies_ms: Sequence[float], p50: float | None, p95: float | None) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.hist(latencies_ms, bins=min(30, max(5, len(latencies_ms) // 2)), color="#3b6ea5")
    for value, label in ((p50, "p50"), (p95, "p95")):
        if value is not None:
            ax.axvline(value, color="#c0392b", linestyle="--")
            ax.text(value, ax.get_ylim()[1] * 0.9, f" {label} {value:,.0f} ms", color="#c0392b", fontsize=8)
    ax.set_xlabel("client-measured latency per case (ms)")
    ax.set_ylabel("cases")
    ax.set_title("Latency")
    return _png(fig)


# ---------------------------------------------------------------------------- HTML

CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}th{background:#f0f3f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}.fail{background:#fdecea}.pass{background:#eaf7ea}
.ok{color:#1e7b34}.bad{color:#b3261e}small,.meta{color:#666}img{max-width:100%;display:block;margin:8px 0 20px}
details summary{cursor:pointer;color:#3b6ea5}td.q{max-width:340px}td.a{max-width:480px;font-size:12px}"""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _summary_table(agg: Mapping[str, float | None]) -> str:
    rows = []
    counts = {"citation_precision": "n_citation_precision", "citation_recall": "n_citation_recall",
              "quote_validity": "n_quotes"}
    for m, (label, _) in METRICS.items():
        n = agg.get(counts[m]) if m in counts else None
        rows.append(f"<tr><td>{_esc(label)}</td><td class=num>{fmt(agg.get(m), m)}</td>"
                    f"<td class=num>{'' if n is None else int(n)}</td></tr>")
    rows.append(f"<tr><td>cases</td><td class=num>{fmt(int(agg.get('cases') or 0))}</td><td></td></tr>")
    return ("<table id=summary><thead><tr><th>metric</th><th>value</th><th>n</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _slice_table(dimension: str, groups: Mapping[str, Mapping[str, float | None]]) -> str:
    head = "".join(f"<th>{_esc(METRICS[m][0])}</th>" for m in SLICE_METRICS)
    rows = "".join(f"<tr><td>{_esc(v)}</td><td class=num>{int(g.get('cases') or 0)}</td>"
                   + "".join(f"<td class=num>{fmt(g.get(m), m)}</td>" for m in SLICE_METRICS) + "</tr>"
                   for v, g in groups.items())
    return f"<table class=slice><thead><tr><th>{_esc(dimension)}</th><th>cases</th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render_html(record: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> str:
    """The whole report as one self-contained HTML document; with ``previous`` (an earlier run
    record) it also shows what changed, latency only beyond noise."""
    agg, slices_ = record["aggregates"], record["slices"]
    img = '<img alt="{alt}" src="data:image/png;base64,{data}">'
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>Eval {_esc(record['suite']['name'])} — "
             f"{_esc(record['system'])}</title><style>{CSS}{CASES_CSS}</style></head><body>",
             f"<h1>Evaluation: {_esc(record['suite']['name'])} · {_esc(record['system'])} · {_esc(record['mode'])}</h1>",
             "<p class=meta>" + " · ".join(f"{k}: <code>{_esc(record.get(k))}</code>" for k in (
                 "timestamp", "git_commit", "settings_hash", "answer_settings_hash", "corpus_hash", "k")) +
             f" · suite sha256: <code>{_esc(record['suite']['sha256'][:16])}</code>"
             f"{' · uncommitted changes' if record.get('git_dirty') else ''}</p>",
             "<h2>Summary</h2>", _summary_table(agg),
             f"<p class=meta>key points: {_esc(record.get('key_point_rule', ''))}. Suite format: "
             "docs/suite-format.md.</p>",
             img.format(alt="aggregate metrics chart", data=metrics_chart(agg))]
    if previous is not None:
        parts.append(comparison_html(compare_records(previous, record)))
    if record.get("judge"):
        parts.append(f"<p>LLM judge key-point coverage: {fmt(record['judge'].get('key_point_coverage'))} "
                     f"(n={record['judge'].get('n')})</p>")
    parts.append("<h2>Latency</h2>" + img.format(alt="latency histogram", data=latency_chart(
        [c["latency_ms"] for c in record["cases"]], agg.get("latency_p50_ms"), agg.get("latency_p95_ms"))))
    for dim in ("persona", "kind", "tag"):
        groups = slices_.get(dim, {})
        parts.append(f"<h2>By {dim}</h2>")
        # tags: chart the slices with 2+ cases when there are some (one-case bars are noise), else all of them
        least = 2 if dim == "tag" and any((g.get("cases") or 0) >= 2 for g in groups.values()) else 1
        if groups:
            parts.append(img.format(alt=f"metrics by {dim}", data=slice_chart(dim, groups, least)))
            parts.append(_slice_table(dim, groups))
        else:
            parts.append(f"<p class=meta>no case has a {dim}</p>")
    parts.append(cases_section(record["cases"]) + "</body></html>")
    return "\n".join(parts)


def write_html(record: Mapping[str, Any], path: str | Path, previous: Mapping[str, Any] | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(record, previous), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- side by side


def side_by_side(records: Sequence[Mapping[str, Any]]) -> str:
    """A markdown table of headline metrics, one column per run (e.g. assistant vs baseline)."""
    head = "| metric | " + " | ".join(f"{r['system']} ({r['mode']})" for r in records) + " |"
    rows = [head, "|---|" + "---:|" * len(records)]
    for m, (label, _) in METRICS.items():
        rows.append(f"| {label} | " + " | ".join(fmt(r["aggregates"].get(m), m) for r in records) + " |")
    rows.append("| cases | " + " | ".join(str(r["suite"]["cases"]) for r in records) + " |")
    notes = "; ".join(f"{r['system']}: suite {r['suite']['name']} ({r['suite']['sha256'][:8]}), commit "
                      f"{str(r['git_commit'])[:8]}, settings {r['settings_hash']}, {r['timestamp']}" for r in records)
    return "\n".join(rows) + f"\n\n<sub>recall@k with k={records[0].get('k')}; latency = client wall time per case. {notes}</sub>\n"


def rich_summary(record: Mapping[str, Any]) -> Any:
    """The aggregate metrics (and pass rate per kind) as a rich Table for the terminal."""
    from rich.table import Table

    agg = record["aggregates"]
    table = Table(title=f"{record['suite']['name']} · {record['system']} · {record['mode']} · "
                        f"{int(agg.get('cases') or 0)} cases · {record['wall_seconds']} s")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for m, (label, _) in METRICS.items():
        table.add_row(label, fmt(agg.get(m), m))
    table.add_row("false abstentions / missed abstentions",
                  f"{int(agg.get('false_abstentions') or 0)} / {int(agg.get('missed_abstentions') or 0)}")
    for kind, g in record["slices"]["kind"].items():
        table.add_row(f"[dim]pass rate · {kind} ({int(g.get('cases') or 0)})[/dim]", fmt(g.get("pass_rate")))
    return table


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("record", nargs="?", help="a run record (JSON) to render")
    ap.add_argument("--html", help="write the HTML report here")
    ap.add_argument("--compare", nargs=2, metavar=("PREVIOUS", "CURRENT"),
                    help="print what changed; with --html, write CURRENT's report with the comparison in it")
    ap.add_argument("--previous", metavar="RECORD", help="with RECORD --html: show the comparison with this run")
    ap.add_argument("--side-by-side", nargs="+", metavar="RECORD")
    args = ap.parse_args(argv)

    def load(p: str) -> dict[str, Any]:
        return json.loads(Path(p).read_text(encoding="utf-8"))

    if args.side_by_side:
        print(side_by_side([load(p) for p in args.side_by_side]))
    if args.compare:
        print(format_comparison(compare_records(load(args.compare[0]), load(args.compare[1]))))
    if args.html and (args.record or args.compare):
        current = load(args.record) if args.record else load(args.compare[1])
        previous = load(args.previous) if args.previous else load(args.compare[0]) if args.compare else None
        print(f"report written to {write_html(current, args.html, previous)}")
    if not (args.side_by_side or args.compare or (args.record and args.html)):
        ap.print_help()
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
