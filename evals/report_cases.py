"""The case-by-case part of the HTML report: why each case failed, where its gold passage ranked,
gold and cited quotes side by side, the answer rendered from Markdown, and filters (kind, tag,
outcome, free text) that work in the saved file without any server or network."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .diagnose import REASONS

_MARKER = re.compile(r"\[(\d+)\]")


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")  # raw HTML is escaped


def markdown(text: str) -> str:
    """Answer Markdown as safe HTML (raw HTML in the text is shown, not run), [n] markers as superscripts."""
    return _MARKER.sub(r"<sup class=mk>[\1]</sup>", _md().render(text or ""))


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def source_label(s: Mapping[str, Any]) -> str:
    locator, page = s.get("locator") or "", s.get("page")
    where = locator or (f"p. {page}" if page else "")
    if page and locator and not locator.startswith("page"):
        where += f" (p. {page})"
    return f"{s.get('document') or s.get('document_id')} {where}".strip()


def _rank(rank: int | None) -> str:
    if rank is None:
        return "–"
    return "<span class=bad>not retrieved</span>" if rank == 0 else f"#{rank}"


def quotes_side_by_side(c: Mapping[str, Any]) -> str:
    """Two columns: each gold source (with its rank and quote) and each citation (with its quote)."""
    exp = c["expected"]
    if exp["abstain"]:
        gold = "<i>should abstain</i>"
    else:
        gold = "".join(f"<div class=src><b>{_esc(source_label(s))}</b> <small>rank {_rank(s.get('rank'))}</small>"
                       + (f"<blockquote>{_esc(s['quote'])}</blockquote>" if s.get("quote") else "") + "</div>"
                       for s in exp["sources"]) or "<i>no gold source</i>"
        gold = f"<small>{_esc(exp['source_groups'])} of:</small>" + gold
    if c["abstained"]:
        cited = "<i>abstained</i>"
    else:
        cited = "".join(
            f"<div class=src><b>[{x['n']}] {_esc(source_label(x))}</b> <span class={'ok' if x['matches'] else 'bad'}>"
            f"{'match' if x['matches'] else 'no match'}</span>"
            + ("" if x["quote_valid"] else " <span class=bad>invalid quote</span>")
            + f"<blockquote>{_esc(x['quote'])}</blockquote></div>" for x in c["cited"]) or "<i>no citation</i>"
    return f"<div class=sbs><div class=gold>{gold}</div><div class=cited>{cited}</div></div>"


def _outcome(c: Mapping[str, Any]) -> str:
    return "pass" if c["passed"] else (c.get("failure") or "fail")


def case_row(c: Mapping[str, Any]) -> str:
    outcome = _outcome(c)
    status = "pass" if c["passed"] else "fail"
    why = "" if c["passed"] else (f"<div class=why>{_esc(outcome)}</div>"
                                  f"<small>{_esc(c.get('failure_detail') or '')}</small>")
    answer = f"<span class=bad>{_esc(c['error'])}</span>" if c.get("error") else markdown(c["answer"])
    if not c.get("error") and len(c["answer"]) > 600:
        answer = f"<details><summary>answer ({len(c['answer']):,} characters)</summary>{answer}</details>"
    meta = " · ".join(_esc(x) for x in (c["kind"], c["persona"], c.get("language", "en")))
    tags = " ".join(f"<span class=tag>{_esc(t)}</span>" for t in c.get("tags", []))
    return (f"<tr id='case-{_esc(c['id'])}' class={status} data-kind='{_esc(c['kind'])}' "
            f"data-tags='{_esc('|'.join(c.get('tags', [])))}' data-outcome='{_esc(outcome)}'>"
            f"<td>{_esc(c['id'])}<br><small>{meta}</small><br>{tags}</td>"
            f"<td class=q>{_esc(c['question'])}</td><td><b>{status.upper()}</b>{why}</td>"
            f"<td class=num>{_rank(c.get('gold_rank'))}</td><td class=quotes>{quotes_side_by_side(c)}</td>"
            f"<td class=num>{c['latency_ms']:,.0f}</td><td class=a>{answer}</td></tr>")


def reasons_table(cases: Sequence[Mapping[str, Any]]) -> str:
    counts = Counter(c.get("failure") or "fail" for c in cases if not c["passed"])
    if not counts:
        return "<p>Every case passed.</p>"
    order = [r for r in REASONS if r in counts] + sorted(set(counts) - set(REASONS))
    rows = "".join(f"<tr><td>{_esc(r)}</td><td class=num>{counts[r]}</td></tr>" for r in order)
    return f"<table id=reasons><thead><tr><th>why it failed</th><th>cases</th></tr></thead><tbody>{rows}</tbody></table>"


def _options(values: Sequence[str], everything: str) -> str:
    return f"<option value=''>{_esc(everything)}</option>" + "".join(
        f"<option value='{_esc(v)}'>{_esc(v)}</option>" for v in values)


FILTER_JS = """(function(){
const rows=[...document.querySelectorAll('#cases tbody tr')];
const get=id=>document.getElementById(id);
function apply(){
  const q=get('f-search').value.trim().toLowerCase(),k=get('f-kind').value,t=get('f-tag').value,o=get('f-outcome').value;
  let n=0;
  for(const r of rows){
    const ok=(!k||r.dataset.kind===k)&&(!t||r.dataset.tags.split('|').includes(t))
      &&(!o||(o==='fail'?r.dataset.outcome!=='pass':r.dataset.outcome===o))
      &&(!q||r.textContent.toLowerCase().includes(q));
    r.hidden=!ok; if(ok) n++;
  }
  get('f-count').textContent=n+' of '+rows.length+' cases shown';
}
for(const id of ['f-search','f-kind','f-tag','f-outcome']) get(id).addEventListener('input',apply);
apply();
})();"""


def cases_section(cases: Sequence[Mapping[str, Any]]) -> str:
    """Failure reasons, the filter bar and the case table (failures first)."""
    ordered = sorted(cases, key=lambda c: (c["passed"], c["id"]))
    kinds = sorted({c["kind"] for c in cases})
    tags = sorted({t for c in cases for t in c.get("tags", [])})
    reasons = [r for r in REASONS if any(c.get("failure") == r for c in cases)]
    outcomes = ["pass", "fail"] + reasons
    bar = (f"<div id=filters><input id=f-search type=search placeholder='search question, answer, quotes…'>"
           f"<select id=f-kind>{_options(kinds, 'every kind')}</select>"
           f"<select id=f-tag>{_options(tags, 'every tag')}</select>"
           f"<select id=f-outcome>{_options(outcomes, 'every outcome')}</select> <span id=f-count></span></div>")
    table = ("<table id=cases><thead><tr><th>case</th><th>question</th><th>result · why</th><th>gold rank</th>"
             "<th>gold quotes · cited quotes</th><th>ms</th><th>answer</th></tr></thead><tbody>"
             + "".join(case_row(c) for c in ordered) + "</tbody></table>")
    failed = sum(not c["passed"] for c in cases)
    return (f"<h2>Why cases failed</h2>{reasons_table(cases)}"
            f"<h2>Cases ({failed} failed of {len(cases)}; failures first)</h2>{bar}{table}<script>{FILTER_JS}</script>")


CSS = """.why{color:#b3261e;font-weight:600;margin-top:4px}.sbs{display:grid;grid-template-columns:1fr 1fr;gap:8px;min-width:420px}
.sbs blockquote{margin:2px 0 6px;padding:2px 6px;border-left:3px solid #ccc;font-size:12px;color:#333}
.gold blockquote{border-color:#1e7b34}.cited blockquote{border-color:#3b6ea5}.src{margin-bottom:4px}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 4px;margin:1px;font-size:11px}
#filters{position:sticky;top:0;background:#fff;padding:6px 0;z-index:1;display:flex;gap:6px;flex-wrap:wrap;align-items:center}
#filters input{min-width:260px}sup.mk{color:#3b6ea5}td.a p{margin:0 0 6px}td.quotes{max-width:640px}"""
