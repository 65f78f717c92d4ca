"""HTML (and Markdown export) of answers, citations, comparisons and the corpus list.

Rules the chat follows: every [n] marker is a link to the local viewer at the cited page with a
hover preview; a quote already in the answer text is not repeated in its card; documents go by
their short names; the tables turn into stacked cards on narrow screens (``data-label`` cells).
Everything user- or corpus-supplied is escaped here. The words the UI adds (badges, headers,
"p.", link texts) come from assistant/i18n.toml in ``lang``; quotes and titles are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from html import escape
from typing import Any
from urllib.parse import quote

from assistant.citations import MARKER
from assistant.i18n import ui_strings
from assistant.types import Citation, Comparison

PREVIEW_CHARS = 240


def citation_from_dict(data: Mapping[str, Any]) -> Citation:
    """A Citation from its JSON, ignoring fields this version does not know (stored sessions)."""
    names = {f.name for f in fields(Citation)}
    return Citation(**{k: v for k, v in data.items() if k in names})


def _norm(text: str) -> str:
    return " ".join(text.split())


def badges(binding: bool, jurisdiction: str, lang: str = "en") -> str:
    s = ui_strings(lang)
    kind = f'<span class="pa-badge pa-binding">{escape(s["badge_binding"])}</span>' if binding else \
        f'<span class="pa-badge pa-voluntary">{escape(s["badge_voluntary"])}</span>'
    return kind + (f'<span class="pa-badge pa-jur">{escape(jurisdiction)}</span>' if jurisdiction else "")


def _link(url: str, text: str, cls: str = "") -> str:
    """A link that opens in a new tab: official (http) or local (/viewer/...) addresses only."""
    attr = f' class="{cls}"' if cls else ""
    if url.startswith(("http://", "https://", "/viewer/", "/v1/")):
        return (f'<a{attr} href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
                f"{escape(text)}</a>")
    return f"<span{attr}>{escape(text)}</span>"


def _page(page: int | None, lang: str) -> str:
    return ui_strings(lang)["page"].format(page=page) if page else ""


def _where(c: Citation, lang: str = "en") -> str:
    return escape(c.locator) + (f" · {escape(_page(c.page, lang))}" if c.page else "")


def short_name(c: Citation, names: Mapping[str, str]) -> str:
    return names.get(c.document_id) or c.document_title


def viewer_link(c: Citation) -> str:
    return c.view_url or c.url


def marker_link(c: Citation, names: Mapping[str, str], lang: str = "en") -> str:
    """[n] as a link to the viewer, with a preview (document, place, start of the quote) on hover."""
    quote = _norm(c.quote)
    preview = quote if len(quote) <= PREVIEW_CHARS else quote[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"
    where = c.locator + (f", {_page(c.page, lang)}" if c.page else "")
    label = ui_strings(lang)["source_label"].format(n=c.n, name=short_name(c, names), where=where)
    return (f'<a class="pa-ref" href="{escape(viewer_link(c), quote=True)}" target="_blank" rel="noopener noreferrer" '
            f'data-n="{c.n}" aria-label="{escape(label, quote=True)}">[{c.n}]'
            f'<span class="pa-pop" role="tooltip"><b>{escape(short_name(c, names))}</b> · {_where(c, lang)}'
            f"<br>“{escape(preview)}”</span></a>")


def answer_text_html(text: str, citations: Sequence[Citation], names: Mapping[str, str], lang: str = "en") -> str:
    """The answer's text (Markdown, escaped) with each known [n] marker turned into a marker link."""
    by_n = {c.n: c for c in citations}
    out, last = [], 0
    for m in MARKER.finditer(text):
        out.append(escape(text[last:m.start()], quote=False))
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if all(n in by_n for n in numbers):
            out.append("".join(marker_link(by_n[n], names, lang) for n in numbers))
        else:
            out.append(escape(m.group(0), quote=False))
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out).strip()


def citation_cards(citations: Sequence[Citation], names: Mapping[str, str], shown_text: str = "",
                   lang: str = "en") -> str:
    """One card per citation: [n] short name (to the viewer), locator and page, badges, a link to
    the official text, and the quote unless the answer text (or an earlier card) already shows it."""
    shown = _norm(shown_text)
    official_text = ui_strings(lang)["official_text"] + " ↗"
    seen: set[str] = set()
    cards = []
    for c in citations:
        quote = _norm(c.quote)
        repeat = (quote and quote in shown) or quote in seen
        seen.add(quote)
        body = "" if repeat else f'<blockquote class="pa-quote">“{escape(c.quote)}”</blockquote>'
        official = f' · {_link(c.url, official_text, "pa-official")}' if c.url.startswith("http") else ""
        cards.append(
            f'<div class="pa-card" title="{escape(c.passage_id, quote=True)}" data-n="{c.n}">'
            f'<div class="pa-card-head">{_link(viewer_link(c), f"[{c.n}] {short_name(c, names)}", "pa-view")}</div>'
            f'<div class="pa-meta"><span class="pa-locator">{_where(c, lang)}</span> '
            f'{badges(c.binding, c.jurisdiction, lang)}'
            f"{official}</div>{body}</div>")
    return f'<div class="pa-cards">{"".join(cards)}</div>' if cards else ""


def answer_message(text: str, citations: Sequence[Citation], names: Mapping[str, str], lang: str = "en") -> str:
    body = answer_text_html(text, citations, names, lang)
    return body + ("\n\n" + citation_cards(citations, names, text, lang) if citations else "")


def comparison_table(comparison: Comparison, sources: Mapping[str, Any], lang: str = "en") -> str:
    """One row per document (a stacked card on a phone): its finding and every citation."""
    s = ui_strings(lang)
    heads = [escape(s[k], quote=True) for k in ("th_document", "th_finding", "th_citations")]
    names = {d: s.label for d, s in sources.items()}
    rows = []
    for f in comparison.findings:
        src = sources.get(f.document_id)
        doc = f"<b>{escape(names.get(f.document_id, f.document_title))}</b><br>" + \
            (badges(src.binding, src.jurisdiction, lang) if src else "")
        cites = "".join(f'<div class="pa-cite">{marker_link(c, names, lang)} {_link(viewer_link(c), c.locator)}'
                        f'{" " + escape(_page(c.page, lang)) if c.page else ""} — <i>“{escape(c.quote)}”</i></div>'
                        for c in f.citations) or "—"
        finding = answer_text_html(f.answer, f.citations, names, lang) if f.addressed else \
            f"<i>{escape(f.answer)}</i>"
        rows.append(f'<tr data-document="{escape(f.document_id, quote=True)}"><td data-label="{heads[0]}">{doc}</td>'
                    f'<td data-label="{heads[1]}">{finding}</td><td data-label="{heads[2]}">{cites}</td></tr>')
    return ('<table class="pa-table pa-compare"><thead><tr>' + "".join(f"<th>{h}</th>" for h in heads) +
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def sources_table(documents: Sequence[tuple[Any, int]], lang: str = "en") -> str:
    words = ui_strings(lang)
    h = {k: escape(words[f"th_{k}"], quote=True) for k in ("title", "issuer", "date", "status", "passages")}
    official = words["official"] + " ↗"
    rows = "".join(
        f'<tr data-document="{escape(s.document_id, quote=True)}">'
        f'<td data-label="{h["title"]}">{_link(f"/viewer/?doc={quote(s.document_id)}", s.label, "pa-view")}'
        f'{" · " + _link(s.official_url, official, "pa-official") if s.official_url.startswith("http") else ""}'
        f'{f"<div class=pa-full-title>{escape(s.title)}</div>" if s.title != s.label else ""}</td>'
        f'<td data-label="{h["issuer"]}">{escape(s.issuer)}</td><td data-label="{h["date"]}">{escape(s.published)}</td>'
        f'<td data-label="{h["status"]}">{badges(s.binding, s.jurisdiction, lang)}</td>'
        f'<td data-label="{h["passages"]}">{n:,}</td></tr>'
        for s, n in documents)
    return ('<table class="pa-table pa-sources"><thead><tr>' + "".join(f"<th>{v}</th>" for v in h.values()) +
            f"</tr></thead><tbody>{rows}</tbody></table>")


def notice(message: str) -> str:
    return f'<div class="pa-notice">⚠ {escape(message)}</div>' if message else ""


# ---- Markdown export -------------------------------------------------------------------------
def answer_markdown(question: str, text: str, citations: Sequence[Citation], names: Mapping[str, str],
                    lang: str = "en") -> str:
    """One answer with its citations as a standalone Markdown file (official links, exact quotes)."""
    words = ui_strings(lang)
    lines = [f"## {' '.join(question.split())}", "", text.strip(), ""]
    if citations:
        lines += [f"### {words['tab_sources']}", ""]
        for c in citations:
            page = f", {_page(c.page, lang)}" if c.page else ""
            link = f" — [{words['official_text']}]({c.url})" if c.url.startswith("http") else ""
            quote = _norm(c.quote).replace("\n", " ")
            lines.append(f"{c.n}. **{short_name(c, names)}**, {c.locator}{page}{link}  ")
            lines.append(f"   > “{quote}”  ")
            lines.append(f"   `{c.passage_id}`")
        lines.append("")
    return "\n".join(lines)
