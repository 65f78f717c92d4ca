"""The default composer: a query-focused answer assembled from the most relevant sentences of the
retrieved passages. No LLM: every sentence of the answer is a verbatim quote with its citation;
the only words added are framing from the manifest (which document, binding or voluntary, where)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from index.chunk import sentence_spans
from index.hostile import addresses_model
from index.lexical import tokenize
from index.types import Passage, ScoredPassage, Source

from .citations import PageMap, cite
from .types import Citation

JURISDICTION_NAMES = {
    "EU": "the EU", "SG": "Singapore", "ID": "Indonesia", "US": "the United States", "UK": "the United Kingdom",
    "ASEAN": "ASEAN member states", "OECD": "OECD adherents", "UNESCO": "UNESCO member states", "G7": "G7 members",
    "INTL": "Council of Europe Convention parties",
}
NORMATIVE = re.compile(r"\b(shall|must|should|required|prohibited|obliged|ensure|may not|need to)\b", re.I)
MAX_QUOTE_WORDS = 70


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    rank: int
    start: int  # span in passage.text
    end: int
    score: float
    terms: frozenset[str]


def binding_label(src: Source) -> str:
    kind = src.doc_type.replace("-", " ")
    return f"{'binding' if src.binding else 'voluntary'} {kind}"


def where_label(src: Source) -> str:
    return JURISDICTION_NAMES.get(src.jurisdiction, src.jurisdiction)


def candidates(query: str, hits: list[ScoredPassage], doc_freq: dict[str, int], n_docs: int,
               extra_terms: str = "", normative_bonus: float = 0.0, ranks: list[int] | None = None) -> list[Candidate]:
    """Every sentence of the retrieved passages, scored by idf-weighted overlap with the query
    (``ranks``: each hit's rank, when several hits share one)."""
    q_terms = set(tokenize(query))
    x_terms = set(tokenize(extra_terms)) - q_terms
    out: list[Candidate] = []
    for i, hit in enumerate(hits):
        rank = ranks[i] if ranks is not None else i
        text = hit.passage.text
        rank_weight = 1.0 / (1.0 + 0.25 * rank)
        for start, end in sentences(text):
            terms = frozenset(tokenize(text[start:end]))
            if len(terms) < 4:
                continue  # headings, list labels, page furniture
            overlap = sum(_idf(t, doc_freq, n_docs) for t in terms & q_terms)
            overlap += 0.4 * sum(_idf(t, doc_freq, n_docs) for t in terms & x_terms)
            if overlap <= 0 and "exact" not in hit.scores:
                continue
            score = (overlap / math.sqrt(len(terms) + 4) + 0.3) * rank_weight
            if normative_bonus and NORMATIVE.search(text[start:end]):
                score *= 1.0 + normative_bonus
            out.append(Candidate(hit.passage, rank, start, end, score, terms))
    return out


def _idf(term: str, doc_freq: dict[str, int], n_docs: int) -> float:
    return math.log(1 + n_docs / (1 + doc_freq.get(term, 0)))


def sentences(text: str) -> list[tuple[int, int]]:
    """Quotable sentences: split again at paragraph/page breaks (a quote never spans two pages)
    and after heading lines, and without the headings themselves."""
    out = []
    for start, end in sentence_spans(text):
        pos = start
        for m in re.finditer(r"\n\n|\n", text[start:end]):
            line, after = text[pos:start + m.start()], text[start + m.end():start + m.end() + 1]
            if m.group(0) == "\n\n" or (_is_heading(line) and (after.isupper() or after.isdigit() or after == "(")):
                out.append((pos, start + m.start()))
                pos = start + m.end()
        out.append((pos, end))
    # A sentence that speaks to the reader as a model ("ignore previous instructions...") is data, never a quote.
    spans = [(s, e) for s, e in out if e - s > 25 and not _is_heading(text[s:e]) and not addresses_model(text[s:e])]
    return _with_items(text, spans)


def _with_items(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A list lead-in ("The following AI practices shall be prohibited:") is never a quote alone:
    it is joined to the item it introduces, and dropped when its items lie outside the passage."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        if text[s:e].rstrip().endswith(":"):
            if i + 1 < len(spans) and "\n\n" not in text[e:spans[i + 1][0]]:  # never across a page break
                out.append((s, spans[i + 1][1]))
                i += 2
                continue
            i += 1  # items are in the next passage
            continue
        out.append((s, e))
        i += 1
    return out


_OPEN_END = re.compile(r"\b(the|of|and|to|in|for|a|an|by|with|or|on|that|as|at|from|its|their|this|such)$", re.I)


def _is_heading(line: str) -> bool:
    """A title line: short, capitalised, no closing punctuation ("Article 50", "CHAPTER IV")."""
    line = line.strip()
    return (bool(line) and len(line.split()) < 13 and (line[0].isupper() or line[0].isdigit())
            and not re.search(r"[.;:?!,)’”\"]$", line) and not _OPEN_END.search(line))


def select(cands: list[Candidate], limit: int, per_passage: int = 2) -> list[Candidate]:
    """Best sentences, skipping near-duplicates (overlapping passages repeat sentences)."""
    chosen: list[Candidate] = []
    for c in sorted(cands, key=lambda c: -c.score):
        if len(chosen) >= limit:
            break
        if sum(1 for x in chosen if x.passage.passage_id == c.passage.passage_id) >= per_passage:
            continue
        if any(_jaccard(c.terms, x.terms) > 0.6 for x in chosen):
            continue
        chosen.append(c)
    return chosen


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shorten an over-long sentence at a clause boundary; the quote stays an exact substring."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) <= MAX_QUOTE_WORDS:
        return start, end
    limit = start + words[MAX_QUOTE_WORDS - 1].end()
    cut = max(text.rfind(";", start, limit), text.rfind(",", start, limit), text.rfind(":", start, limit))
    if cut <= start + (limit - start) // 2:
        cut = limit
    return start, cut


def compose(chosen: list[Candidate], sources: dict[str, Source], pages: dict[str, PageMap],
            first_n: int = 1) -> tuple[str, list[Citation]]:
    """Answer text grouped by document (best document first), each sentence quoted and cited."""
    groups: dict[str, list[Candidate]] = {}
    for c in sorted(chosen, key=lambda c: c.rank):
        groups.setdefault(c.passage.document_id, []).append(c)
    lines, citations, n = [], [], first_n
    for doc_id, items in groups.items():
        src = sources[doc_id]
        parts = []
        for c in sorted(items, key=lambda c: (c.rank, c.start)):
            start, end = trim(c.passage.text, c.start, c.end)
            citation = cite(n, c.passage, src, start, end, pages.get(doc_id))
            citations.append(citation)
            ellipsis = "…" if end < c.end else ""
            parts.append(f"{c.passage.locator}: “{_flat(citation.quote)}{ellipsis}” [{n}]")
            n += 1
        lines.append(f"**{src.label}** ({binding_label(src)}, {where_label(src)}) — " + " ".join(parts))
    return "\n\n".join(lines), citations


def _flat(text: str) -> str:
    return " ".join(text.split())
