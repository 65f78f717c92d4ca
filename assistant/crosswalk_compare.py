"""Comparison findings from the crosswalk: when a compared subject names a taxonomy topic, each
named document's reviewed cell grounds its finding, so every framework the cell covers is cited;
a passage that retrieval ranks high for the question and that the annotations put under the same
topic comes first (it is the more specific one). Without a topic, or for scope questions (what a
text leaves out), the caller retrieves as before."""

from __future__ import annotations

import re

from index.annotations import unit_key
from index.retrieve import Filters, PassageIndex
from index.types import ScoredPassage

from . import crosswalk, extractive
from .citations import PageMap, verify
from .query import QueryPlan, expand
from .types import Finding

FINDING_SENTENCES = 2
FINDING_PASSAGES = 2
MAX_TOPICS = 2
RETRIEVED = 4  # retrieval hits looked at for an on-topic passage more specific than the cell's
# Questions about what a text covers or leaves out are about scope, not about a topic of the grid.
SCOPE_QUESTION = re.compile(r"\b(scope|exempt\w*|exclud\w*|outside|legal force|legally binding|appl(?:y|ies) to)\b", re.I)


def finding_from_cell(index: PassageIndex, topic_text: str, doc_id: str, first_n: int,
                      cw: crosswalk.Crosswalk | None = None, settings=None) -> Finding | None:
    """The document's finding quoted from its crosswalk cell(s) for the topics ``topic_text`` names;
    None when it names no topic, asks about scope, or the document's cells address none of them."""
    cw = cw or crosswalk.default()
    if SCOPE_QUESTION.search(topic_text):
        return None
    topics = crosswalk.topics_in(topic_text, cw)[:MAX_TOPICS]
    cell_pids: list[str] = []
    for t in topics:
        cell = cw.cell(t, doc_id)
        if cell and cell.addressed:
            cell_pids += [p.passage_id for p in cell.provisions if p.passage_id in index.passages]
    if not cell_pids:
        return None
    query = f"{topic_text} {expand(topic_text)}".strip()
    scores = index.cosines(index.embed_query(topic_text), list(dict.fromkeys(cell_pids)))
    ranked = [pid for _s, pid in sorted(zip(scores, dict.fromkeys(cell_pids)), key=lambda sp: -sp[0])]
    pids = list(dict.fromkeys(_on_topic_hits(index, settings, topic_text, query, doc_id, topics) + ranked))
    hits = [ScoredPassage(index.passages[p], 1.0 / (1 + i), {"crosswalk": 1.0 / (1 + i)})
            for i, p in enumerate(pids[:FINDING_PASSAGES])]
    cands = extractive.candidates(topic_text, hits, index.doc_freq, len(index.passages), extra_terms=query)
    chosen = extractive.select(cands, FINDING_SENTENCES, per_passage=1)
    if not chosen:
        return None
    pages = index.pages_of(doc_id)
    text, citations = extractive.compose(chosen, index.sources, {doc_id: PageMap(*pages)} if pages else {}, first_n)
    verify(text, citations, index.passages)
    return Finding(doc_id, index.sources[doc_id].title, True, text.split(" — ", 1)[1], citations)


def _on_topic_hits(index: PassageIndex, settings, topic_text: str, query: str, doc_id: str,
                   topics: list[str]) -> list[str]:
    """Retrieval's best passages in the document whose annotated topics include a named topic."""
    if settings is None:
        return []
    from .retrieval import run

    plan = QueryPlan(question=topic_text, standalone=topic_text, retrieval_query=query, documents=[doc_id])
    retrieval = run(index, plan, Filters(documents=(doc_id,)), RETRIEVED, settings.retrieval)
    annotations = index.knowledge.annotations.get(doc_id, {})
    out = []
    for hit in retrieval.hits[:RETRIEVED]:
        a = annotations.get(unit_key(hit.passage.passage_id))
        if a is not None and set(a.topics) & set(topics):
            out.append(hit.passage.passage_id)
    return out[:1]
