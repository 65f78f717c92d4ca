"""The Crosswalk tab: the reviewed topic x document grid (filterable, exportable as CSV and
Markdown), every cell opening its citations, binding cells set apart; and the gap view ("I follow
the ASEAN Guide; what more does the EU AI Act ask of a provider?").

A thin edge: the grid and the gaps come from assistant/crosswalk.py; this module renders them.
Its styles travel with its HTML, so the shared stylesheet stays untouched.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import crosswalk
from assistant.errors import AssistantError, NotReady
from assistant.service import Assistant
from index.annotations import ACTORS
from index.sources import load_manifest

log = logging.getLogger("assistant.ui")
CORE = ["asean-guide-ai-governance-ethics-2024", "sg-model-ai-governance-framework-2020", "eu-ai-act-2024-1689",
        "nist-ai-rmf-1.0", "oecd-ai-recommendation-legal-0449", "unesco-ai-ethics-recommendation-2021"]
EXPORT_DIR = Path(tempfile.gettempdir()) / "policy-assistant-crosswalk"

STYLE = """<style>
.pa-cw-wrap {overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch;}
.pa-cw {border-collapse: collapse; font-size: 0.85em; min-width: 100%;}
.pa-cw th, .pa-cw td {border: 1px solid var(--border-color-primary); padding: 6px; vertical-align: top; text-align: left;}
.pa-cw thead th {background: var(--background-fill-secondary); position: sticky; top: 0; min-width: 150px;}
.pa-cw th.pa-cw-topic {position: sticky; left: 0; background: var(--background-fill-secondary); min-width: 130px;
  max-width: 170px; z-index: 1;}
.pa-cw td {min-width: 150px; max-width: 260px;}
.pa-cw td.pa-cw-binding {background: rgba(207, 34, 46, 0.10); border-left: 4px solid #cf222e;}
.pa-cw td.pa-cw-voluntary {background: rgba(26, 127, 55, 0.06);}
.pa-cw td.pa-cw-none {color: var(--body-text-color-subdued); font-style: italic;}
.pa-cw details summary {cursor: pointer; list-style: revert;}
.pa-cw .pa-cw-kind {display: inline-block; border-radius: 10px; padding: 0 7px; font-size: 0.85em; font-weight: 600;}
.pa-cw .pa-cw-kind-b {background: #ffebe9; color: #a40e26;}
.pa-cw .pa-cw-kind-v {background: #dafbe1; color: #116329;}
.pa-cw .pa-cw-cite {margin: 4px 0; padding-left: 6px; border-left: 3px solid var(--border-color-primary);}
.pa-cw .pa-cw-cite q {font-style: italic;}
.pa-cw .pa-cw-note {color: var(--body-text-color-subdued); font-size: 0.9em;}
.pa-cw-legend {font-size: 0.85em; margin: 4px 0;}
.pa-gap h4 {margin: 10px 0 4px 0;}
.pa-gap .pa-cw-cite {margin: 4px 0 4px 0; padding-left: 8px; border-left: 3px solid #cf222e; font-size: 0.9em;}
</style>"""


def _names() -> dict[str, str]:
    return {s.document_id: s.short_title or s.title for s in load_manifest()}


def _link(url: str, text: str) -> str:
    if url.startswith(("http://", "https://", "/viewer/")):
        return f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{escape(text)}</a>'
    return escape(text)


def _cite_html(c: dict[str, Any]) -> str:
    where = escape(c["locator"]) + (f", p. {c['page']}" if c.get("page") else "")
    links = _link(c.get("view_url") or c["url"], where)
    if c.get("view_url") and c.get("url"):
        links += " · " + _link(c["url"], "official text")
    return (f'<div class="pa-cw-cite" data-passage="{escape(c["passage_id"], quote=True)}">[{c["n"]}] {links} '
            f'<span class="pa-cw-note">({escape(c.get("kind", ""))})</span><br><q>{escape(" ".join(c["quote"].split()))}</q></div>')


def _cell_html(cell: dict[str, Any] | None) -> str:
    if cell is None or cell["status"] != "addressed":
        note = f'<div class="pa-cw-note">{escape(cell["note"])}</div>' if cell and cell.get("note") else ""
        return f'<td class="pa-cw-none" data-status="not-addressed">Not addressed{note}</td>'
    binding = cell["binding"]
    kind = f'{"Binding" if binding else "Voluntary"} {cell["kind"]}'.strip()
    first = cell["citations"][0] if cell["citations"] else None
    summary = (f'<span class="pa-cw-kind {"pa-cw-kind-b" if binding else "pa-cw-kind-v"}">{escape(kind)}</span> '
               + (escape(first["locator"]) if first else "")
               + (f" +{len(cell['citations']) - 1}" if len(cell["citations"]) > 1 else ""))
    actors = f'<div class="pa-cw-note">Actors: {escape(", ".join(cell["actors"]))}</div>' if cell["actors"] else ""
    note = f'<div class="pa-cw-note">Review note: {escape(cell["note"])}</div>' if cell.get("note") else ""
    body = "".join(_cite_html(c) for c in cell["citations"])
    return (f'<td class="{"pa-cw-binding" if binding else "pa-cw-voluntary"}" data-status="addressed" '
            f'data-binding="{str(binding).lower()}"><details><summary>{summary}</summary>{actors}{body}{note}'
            f"</details></td>")


def grid_html(grid: dict[str, Any]) -> str:
    """Rows = topics, columns = documents; a cell's summary opens to its cited provisions."""
    docs = grid["documents"]
    head = "".join(f'<th data-document="{escape(d["document_id"], quote=True)}">{escape(d["short_title"])}<br>'
                   f'<span class="pa-cw-note">{"binding" if d["binding"] else "voluntary"} · {escape(d["jurisdiction"])}'
                   f"</span></th>" for d in docs)
    rows = []
    for row in grid["rows"]:
        by_doc = {c["document_id"]: c for c in row["cells"]}
        cells = "".join(_cell_html(by_doc.get(d["document_id"])) for d in docs)
        rows.append(f'<tr data-topic="{escape(row["topic"], quote=True)}"><th class="pa-cw-topic">{escape(row["title"])}'
                    f"</th>{cells}</tr>")
    legend = ('<div class="pa-cw-legend"><span class="pa-cw-kind pa-cw-kind-b">Binding</span> obligations of binding law · '
              '<span class="pa-cw-kind pa-cw-kind-v">Voluntary</span> recommendations and other provisions · '
              "click a cell to open its citations (each opens the source at its page).</div>")
    return (f'{STYLE}{legend}<div class="pa-cw-wrap"><table class="pa-cw"><thead><tr><th class="pa-cw-topic">Topic</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{alignments_html(grid)}')


def alignments_html(grid: dict[str, Any]) -> str:
    if not grid.get("alignments"):
        return ""
    names = _names()
    items = []
    for a in grid["alignments"]:
        where = a["locator"] + (f", p. {a['page']}" if a.get("page") else "")
        items.append(f'<div class="pa-cw-cite"><b>{escape(names.get(a["document_id"], a["document_id"]))}</b> '
                     f'{escape(a["relation"])} <b>{escape(names.get(a["aligns_with"], a["aligns_with"]))}</b> — '
                     f'{_link(a["url"], where)}: <q>{escape(" ".join(a["quote"].split()))}</q></div>')
    items = "".join(items)
    return f'<div class="pa-cw pa-cw-align"><h4>Alignments the documents state</h4>{items}</div>'


# ---- export ----------------------------------------------------------------------------------
COLUMNS = ["topic", "document", "status", "kind", "binding", "actors", "locator", "page", "quote", "url", "passage_id"]


def flat_rows(grid: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per cited provision (a "not addressed" cell is one row without a citation)."""
    names = {d["document_id"]: d["short_title"] for d in grid["documents"]}
    out = []
    for row in grid["rows"]:
        for cell in row["cells"]:
            base = {"topic": row["title"], "document": names[cell["document_id"]], "status": cell["status"],
                    "kind": cell["kind"], "binding": "yes" if cell["binding"] else "no", "actors": ", ".join(cell["actors"])}
            cites = cell["citations"] or [None]
            for c in cites:
                out.append(base | ({"locator": c["locator"], "page": c["page"] or "", "quote": " ".join(c["quote"].split()),
                                    "url": c["url"], "passage_id": c["passage_id"]} if c else
                                   {"locator": "", "page": "", "quote": "", "url": "", "passage_id": ""}))
    return out


def to_csv(grid: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS)
    writer.writeheader()
    writer.writerows(flat_rows(grid))
    return buf.getvalue()


def to_markdown(grid: dict[str, Any]) -> str:
    def cell(text: Any) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["# AI-governance crosswalk", "", "| " + " | ".join(COLUMNS[:-2]) + " |",
             "|" + "---|" * (len(COLUMNS) - 2)]
    for r in flat_rows(grid):
        quote = f"“{r['quote']}”" if r["quote"] else ""
        lines.append("| " + " | ".join(cell(v) for v in [r["topic"], r["document"], r["status"], r["kind"], r["binding"],
                                                             r["actors"], r["locator"], r["page"], quote]) + " |")
    return "\n".join(lines) + "\n"


def _write(text: str, name: str) -> str:
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=EXPORT_DIR)) / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- gap view --------------------------------------------------------------------------------
def gaps_html(view: dict[str, Any]) -> str:
    cur, tgt = view["current"]["short_title"], view["target"]["short_title"]
    who = f" of a {view['actor']}" if view.get("actor") else ""
    scope = f" ({view['scope']})" if view.get("scope") else ""
    parts = [STYLE, f'<div class="pa-gap"><p>What the <b>{escape(tgt)}</b> asks{escape(who + scope)} on topics where the '
                    f'<b>{escape(cur)}</b> has no counterpart recommendation. Every provision is quoted from the binding text.</p>']
    if not view["gaps"]:
        parts.append("<p><i>No binding provision found on a topic the current framework leaves open.</i></p>")
    for g in view["gaps"]:
        more = f" (first {len(g['provisions'])} of {g['total']})" if g["total"] > len(g["provisions"]) else ""
        parts.append(f'<h4 data-topic="{escape(g["topic"], quote=True)}">{escape(g["title"])}{more}</h4>')
        parts.extend(_cite_html(c) for c in g["provisions"])
    if view["covered"]:
        parts.append(f'<p class="pa-cw-note">Topics both cover ({escape(cur)} recommends, so no gap listed): '
                     f'{escape(", ".join(c["title"] for c in view["covered"]))}.</p>')
    return "".join(parts) + "</div>"


# ---- the tab ---------------------------------------------------------------------------------
class CrosswalkActions:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def show(self, topics: list[str] | None, documents: list[str] | None, binding_only: bool) -> tuple:
        try:
            grid = crosswalk.grid(crosswalk.default(), self.assistant.index, topics or None, documents or None)
        except AssistantError as exc:
            msg = f"The index is not ready yet ({exc})." if isinstance(exc, NotReady) else str(exc)
            return f'<div class="pa-notice">⚠ {escape(msg)}</div>', gr.update(), gr.update()
        except Exception:  # noqa: BLE001 - the details go to the server log
            log.exception("the UI could not build the crosswalk")
            return '<div class="pa-notice">⚠ Something went wrong on the server.</div>', gr.update(), gr.update()
        if binding_only:
            keep = {d["document_id"] for d in grid["documents"] if d["binding"]}
            grid = grid | {"documents": [d for d in grid["documents"] if d["document_id"] in keep],
                           "rows": [r | {"cells": [c for c in r["cells"] if c["document_id"] in keep]} for r in grid["rows"]]}
        return (grid_html(grid), gr.update(value=_write(to_csv(grid), "crosswalk.csv"), interactive=True),
                gr.update(value=_write(to_markdown(grid), "crosswalk.md"), interactive=True))

    def gaps(self, current: str | None, target: str | None, actor: str | None, scope: str | None) -> str:
        if not current or not target:
            return '<div class="pa-notice">⚠ Pick the framework you follow and the binding law to meet.</div>'
        try:
            view = crosswalk.gaps(crosswalk.default(), self.assistant.index, current, target, actor or None,
                                  (scope or "").strip() or None)
        except AssistantError as exc:
            return f'<div class="pa-notice">⚠ {escape(str(exc))}</div>'
        except Exception:  # noqa: BLE001
            log.exception("the UI could not build the gap view")
            return '<div class="pa-notice">⚠ Something went wrong on the server.</div>'
        return gaps_html(view)


def crosswalk_tab(assistant: Assistant) -> None:
    """Build the tab's components inside the current gr.Tab (see ui/app.py)."""
    actions = CrosswalkActions(assistant)
    topics = crosswalk.default().topics
    sources = load_manifest()
    doc_choices = [(s.short_title or s.title, s.document_id) for s in sources]
    with gr.Row():
        cw_topics = gr.Dropdown([(t.title, t.id) for t in topics.values()], multiselect=True, label="Topics",
                                info="Empty: all 14", elem_id="pa-cw-topics", scale=2)
        cw_docs = gr.Dropdown(doc_choices, value=CORE, multiselect=True, label="Documents", info="Empty: all 22",
                              elem_id="pa-cw-docs", scale=3)
    with gr.Row():
        cw_binding = gr.Checkbox(label="Binding law only", elem_id="pa-cw-binding-only")
        cw_show = gr.Button("Show grid", variant="primary", elem_id="pa-cw-go")
        cw_csv = gr.DownloadButton("Export CSV", value=None, interactive=False, elem_id="pa-cw-csv")
        cw_md = gr.DownloadButton("Export Markdown", value=None, interactive=False, elem_id="pa-cw-md")
    cw_out = gr.HTML(elem_id="pa-cw-out")
    with gr.Accordion("Gap view: what more does binding law ask?", open=True, elem_id="pa-gap"):
        voluntary = [(s.short_title or s.title, s.document_id) for s in sources if not s.binding]
        binding = [(s.short_title or s.title, s.document_id) for s in sources if s.binding]
        with gr.Row():
            gap_current = gr.Dropdown(voluntary, value=CORE[0], label="I follow", elem_id="pa-gap-current")
            gap_target = gr.Dropdown(binding, value="eu-ai-act-2024-1689", label="I must meet", elem_id="pa-gap-target")
            gap_actor = gr.Dropdown([("any", "")] + [(a, a) for a in ACTORS], value="provider", label="As a",
                                    elem_id="pa-gap-actor")
            gap_scope = gr.Textbox(value="high-risk", label="Only provisions mentioning", elem_id="pa-gap-scope")
        gap_go = gr.Button("Show gaps", elem_id="pa-gap-go")
        gap_out = gr.HTML(elem_id="pa-gap-out")
    inputs = [cw_topics, cw_docs, cw_binding]
    for trigger in (cw_show.click, cw_topics.change, cw_docs.change, cw_binding.change):
        trigger(actions.show, inputs, [cw_out, cw_csv, cw_md])
    gap_go.click(actions.gaps, [gap_current, gap_target, gap_actor, gap_scope], gap_out)
    # The grid (and its exports) on page load, without an edit to the page's own load event.
    root = gr.context.Context.root_block
    if root is not None:
        root.load(actions.show, inputs, [cw_out, cw_csv, cw_md])
