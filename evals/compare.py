"""Run versus run: aggregate deltas and, per case, each metric that got better or worse.

Latency is measured once per case, so two runs of the same code differ by jitter (tens of
percent on 30 ms answers). A latency change counts only beyond the noise of this pair of runs:
3 scaled MADs of the paired per-case differences (never less than ``MIN_NOISE_MS``), and, per
case, also more than ``latency_tolerance`` of the earlier value.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from statistics import median
from typing import Any

from .metrics import METRICS

# Per-case values compared between runs: record key -> higher is better.
CASE_METRICS = {"recall_at_k": True, "reciprocal_rank": True, "citation_precision": True, "citation_recall": True,
                "quote_validity": True, "key_point_coverage": True, "passed": True, "latency_ms": False}
MIN_NOISE_MS = 20.0
MAD_TO_SIGMA = 1.4826


def fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{value:,.0f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _case_values(c: Mapping[str, Any]) -> dict[str, float | None]:
    m = c["metrics"]
    quotes = m["quotes_valid"] / m["quotes_total"] if m["quotes_total"] else None
    return {"recall_at_k": m["recall_at_k"], "reciprocal_rank": m["reciprocal_rank"],
            "citation_precision": m["citation_precision"], "citation_recall": m["citation_recall"],
            "quote_validity": quotes, "key_point_coverage": m["key_point_coverage"],
            "passed": float(c["passed"]), "latency_ms": c["latency_ms"]}


def latency_noise_ms(previous: Mapping[str, Any], current: Mapping[str, Any]) -> float:
    """How far one case's latency moves between these two runs by chance (ms)."""
    before = {c["id"]: c["latency_ms"] for c in previous["cases"]}
    diffs = [c["latency_ms"] - before[c["id"]] for c in current["cases"] if c["id"] in before]
    if len(diffs) < 3:
        return MIN_NOISE_MS
    centre = median(diffs)
    return max(MIN_NOISE_MS, 3 * MAD_TO_SIGMA * median(abs(d - centre) for d in diffs))


def _direction(metric: str, a: float | None, b: float | None, noise_ms: float, relative: float) -> str:
    """better | worse | same | noise (a latency move within noise) | n/a."""
    if a is None or b is None:
        return "n/a"
    if a == b:
        return "same"
    if metric.endswith("_ms") and (abs(b - a) <= noise_ms or abs(b - a) <= relative * max(a, 1.0)):
        return "noise"
    higher = METRICS[metric][1] if metric in METRICS else CASE_METRICS.get(metric, True)
    return "better" if (b > a) == higher else "worse"


def compare_records(previous: Mapping[str, Any], current: Mapping[str, Any],
                    latency_tolerance: float = 0.25) -> dict[str, Any]:
    """Aggregate deltas (each with a direction) and per-case changes; latency only beyond noise."""
    noise = latency_noise_ms(previous, current)
    agg = {m: (previous["aggregates"].get(m), current["aggregates"].get(m)) for m in METRICS}
    directions = {m: _direction(m, a, b, noise, 0.1) for m, (a, b) in agg.items()}
    prev_cases = {c["id"]: c for c in previous["cases"]}
    better, worse = [], []
    for c in current["cases"]:
        if c["id"] not in prev_cases:
            continue
        old, new = _case_values(prev_cases[c["id"]]), _case_values(c)
        for metric in CASE_METRICS:
            way = _direction(metric, old[metric], new[metric], noise, latency_tolerance)
            if way in ("better", "worse"):
                (better if way == "better" else worse).append((c["id"], metric, old[metric], new[metric]))
    return {"aggregates": agg, "directions": directions, "latency_noise_ms": noise, "better": better, "worse": worse,
            "added": sorted({c["id"] for c in current["cases"]} - set(prev_cases)),
            "removed": sorted(set(prev_cases) - {c["id"] for c in current["cases"]}),
            "same_suite": previous["suite"]["sha256"] == current["suite"]["sha256"],
            "previous": {k: previous.get(k) for k in ("timestamp", "git_commit", "system", "mode")}}


def _delta(metric: str, a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return ""
    return f"{b - a:+,.0f}" if metric.endswith("_ms") else f"{b - a:+.3f}"


def format_comparison(diff: Mapping[str, Any]) -> str:
    lines = [] if diff["same_suite"] else ["note: the two runs used different suite files"]
    noise = diff.get("latency_noise_ms", MIN_NOISE_MS)
    lines.append("metric                          previous    current      delta")
    for m, (a, b) in diff["aggregates"].items():
        delta = _delta(m, a, b)
        if diff.get("directions", {}).get(m) == "noise":
            delta = f"~0 (noise ±{noise:,.0f})"
        lines.append(f"{METRICS[m][0]:<30} {fmt(a, m):>10} {fmt(b, m):>10} {delta:>10}")
    for title, rows in (("better", diff["better"]), ("worse", diff["worse"])):
        lines.append(f"\n{len(rows)} case metric(s) {title}:")
        for cid, metric, a, b in rows:
            lines.append(f"  {cid:<16} {metric:<20} {fmt(a, metric):>8} -> {fmt(b, metric):<8} ({b - a:+.3g})")
    lines.append(f"\nlatency changes within ±{noise:,.0f} ms (this pair's noise) are not counted")
    for title in ("added", "removed"):
        if diff[title]:
            lines.append(f"\ncases {title}: {', '.join(diff[title])}")
    return "\n".join(lines)


def comparison_html(diff: Mapping[str, Any]) -> str:
    """The comparison section of the HTML report."""
    esc = html.escape
    noise = diff["latency_noise_ms"]
    prev = diff.get("previous", {})
    rows = []
    for m, (a, b) in diff["aggregates"].items():
        way = diff["directions"][m]
        shown = f"within noise (±{noise:,.0f} ms)" if way == "noise" else _delta(m, a, b)
        css = {"better": "ok", "worse": "bad"}.get(way, "meta")
        rows.append(f"<tr><td>{esc(METRICS[m][0])}</td><td class=num>{fmt(a, m)}</td><td class=num>{fmt(b, m)}</td>"
                    f"<td class='num {css}' data-direction={way}>{esc(shown)}</td></tr>")
    parts = [f"<h2 id=comparison>Compared with the previous run</h2><p class=meta>previous: "
             f"{esc(str(prev.get('timestamp')))} · commit <code>{esc(str(prev.get('git_commit'))[:10])}</code> · "
             f"{esc(str(prev.get('system')))} ({esc(str(prev.get('mode')))}). Latency differences count only beyond "
             f"this pair's noise, ±{noise:,.0f} ms (3 scaled MADs of the per-case differences).</p>"]
    if not diff["same_suite"]:
        parts.append("<p class=bad>The two runs used different suite files.</p>")
    parts.append("<table id=compare-summary><thead><tr><th>metric</th><th>previous</th><th>current</th><th>change</th>"
                 "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    for title, items in (("better", diff["better"]), ("worse", diff["worse"])):
        body = "".join(f"<tr><td><a href='#case-{esc(cid)}'>{esc(cid)}</a></td><td>{esc(metric)}</td>"
                       f"<td class=num>{fmt(a, metric)}</td><td class=num>{fmt(b, metric)}</td></tr>"
                       for cid, metric, a, b in items)
        parts.append(f"<h3>{len(items)} case metric(s) {title}</h3>" + (
            f"<table id=compare-{title}><thead><tr><th>case</th><th>metric</th><th>previous</th><th>current</th></tr>"
            f"</thead><tbody>{body}</tbody></table>" if items else ""))
    for title in ("added", "removed"):
        if diff[title]:
            parts.append(f"<p>cases {title}: {esc(', '.join(diff[title]))}</p>")
    return "\n".join(parts)
