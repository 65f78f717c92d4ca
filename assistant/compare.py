"""Side-by-side comparison for officials: one cited finding per document, or "not addressed"."""

from __future__ import annotations

import re

from index.retrieve import Filters, PassageIndex

from . import extractive, i18n
from .answering import Context, coverage
from .citations import PageMap, verify
from .query import COMPARE_CUES, QueryPlan, expand, strip_names
from .retrieval import run
from .settings import Settings
from .types import Citation, Comparison, Finding

FINDING_SENTENCES = 2
# Function words and words that frame a comparison rather than name its subject ("how do A and B
# each deal with X").
NOT_TOPIC = re.compile(r"\b(how|do|does|the|and|between|on|what|are|is|in|with|regarding|about|"
                       r"each|say|says|said|deal|deals|treat|treats|handle|handles|approach|approaches|address|"
                       r"addresses|tackle|tackles|same|use|uses|their|they|them|it|its|either|other|one|two|"
                       r"respective(ly)?)\b", re.I)
COVERAGE_PASSAGES = 4
FINDING_PASSAGES = 2


def topic_of(question: str, index: PassageIndex) -> str:
    """The compared subject: the question without document names and comparison words."""
    topic = strip_names(question, index.sources)
    topic = COMPARE_CUES.sub(" ", topic)
    topic = NOT_TOPIC.sub(" ", topic)
    return re.sub(r"\s+", " ", topic).strip(" ?.,") or question


def compare(index: PassageIndex, settings: Settings, question: str, documents: list[str],
            first_n: int = 1, lang: str = "en") -> Comparison:
    topic = topic_of(question, index)
    findings: list[Finding] = []
    n = first_n
    for doc_id in documents:
        finding = _finding(index, settings, topic, doc_id, n, lang)
        findings.append(finding)
        n += len(finding.citations)
    return Comparison(question=question, findings=findings)


def _finding(index: PassageIndex, settings: Settings, topic: str, doc_id: str, first_n: int, lang: str = "en") -> Finding:
    if settings.answer.crosswalk:  # the reviewed crosswalk cell first; retrieval when it has none
        from .crosswalk_compare import finding_from_cell

        cell_finding = finding_from_cell(index, topic, doc_id, first_n, settings=settings)
        if cell_finding is not None:
            return cell_finding
    src = index.sources[doc_id]
    plan = QueryPlan(question=topic, standalone=topic, retrieval_query=f"{topic} {expand(topic)}", documents=[doc_id],
                     language=lang)
    # Whether the document addresses the topic is judged on its top passages (as for a question);
    # the finding quotes the best one.
    retrieval = run(index, plan, Filters(documents=(doc_id,)), COVERAGE_PASSAGES, settings.retrieval)
    ctx = Context(index, plan, retrieval, "official")
    not_addressed = Finding(doc_id, src.title, False, i18n.t("not_addressed", lang, document=src.label), [])
    # A topic not in English shares no words with the passages: its e5 match to the units' questions
    # (in best_dense) decides, and their English questions are the words to pick sentences by.
    english = lang == "en"
    if (not retrieval.hits or (retrieval.best_dense < settings.answer.min_relevance and retrieval.closeness()[0] < settings.answer.min_relevance)
            or (english and coverage(ctx) < 0.25)):
        return not_addressed
    terms = plan.retrieval_query
    if not english:
        from index.multilingual import english_questions

        terms = english_questions(index.knowledge, [h.passage.passage_id for h in retrieval.hits[:FINDING_PASSAGES]]) or terms
    cands = extractive.candidates(topic if english else terms, retrieval.hits[:FINDING_PASSAGES], index.doc_freq,
                                  len(index.passages), extra_terms=terms)
    chosen = extractive.select(cands, FINDING_SENTENCES, per_passage=FINDING_SENTENCES)
    if not chosen:
        return not_addressed
    pages = index.pages_of(doc_id)
    text, citations = extractive.compose(chosen, index.sources, {doc_id: PageMap(*pages)} if pages else {}, first_n)
    verify(text, citations, index.passages)
    return Finding(doc_id, src.title, True, text.split(" — ", 1)[1], citations)


def as_answer_text(comparison: Comparison, index: PassageIndex, lang: str = "en") -> tuple[str, list[Citation]]:
    """The comparison rendered as one answer: a line per document, every cell cited."""
    lines, citations = [], []
    for f in comparison.findings:
        src = index.sources[f.document_id]
        label = f"**{src.label}** ({i18n.binding_label(src, lang)}, {i18n.where_label(src, lang)})"
        lines.append(f"{label} — {f.answer}")
        citations.extend(f.citations)
    return "\n\n".join(lines), citations
