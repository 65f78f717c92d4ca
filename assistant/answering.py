"""Question -> Answer: plan, retrieve, decide whether the corpus covers it, compose, verify."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field, replace
from functools import partial

from index.annotations import unit_key
from index.lexical import tokenize
from index.retrieve import Filters, PassageIndex
from index.types import ScoredPassage

from . import extractive, shape
from .citations import PageMap, verify
from . import i18n
from .answerability import MIN_MENTIONS, Unheld, asks_about_a_document, lexicon, lexicon_pattern, split_uncovered, unheld
from .query import QueryPlan, expand, out_of_scope, plan as make_plan
from .retrieval import Retrieval, run
from .settings import Settings
from .types import Answer, Citation, Turn

PERSONA_LIMITS = {"sme": (3, 2), "official": (6, 3), "evaluator": (4, 2)}  # (sentences, per passage)
ANSWER_PASSAGES = {"sme": 1, "official": 3, "evaluator": 2}  # top passages an answer may quote
# A short (SME) answer quotes one passage, plus the next one only when the ranking cannot tell
# them apart: on a near tie, quoting both beats betting on one.
NEAR_TIE = 0.85
BINDING_PREMISE = re.compile(r"\b(legally binding|binding|mandatory|compulsory|required by law|law requires|"
                             r"enforceable|fines?|penalt\w*|sanctions?|illegal|obliged|obligations?|"
                             r"licen[cs]es?|permits?|(prior )?approval|register with|registration|compliance deadline)\b", re.I)
VOLUNTARY_QUERY = "voluntary non-binding not legally binding guide framework practical guidance organisations may adopt"
VOLUNTARY_WORDS = re.compile(r"\b(voluntary|non-binding|not (legally )?binding|not mandatory|living document|"
                             r"not intended to be|guide|guidance)\b", re.I)


@dataclass
class Context:
    """What a composer needs besides the question: retrieved passages and how to cite them."""

    index: PassageIndex
    plan: QueryPlan
    retrieval: Retrieval
    persona: str
    history: list[Turn] = field(default_factory=list)
    near_tie: float = NEAR_TIE

    def page_map(self, document_id: str) -> PageMap | None:
        pages = self.index.pages_of(document_id)
        return PageMap(*pages) if pages else None

    def page_maps(self) -> dict[str, PageMap]:
        docs = {h.passage.document_id for h in self.retrieval.hits}
        docs |= {self.index.sources[d].status_source for d in docs if d in self.index.sources and self.index.sources[d].status_source}
        return {d: m for d in docs if (m := self.page_map(d))}


def prepare(index: PassageIndex, settings: Settings, question: str, history: list[Turn], filters: Filters,
            persona: str) -> Context:
    plan = check_answerable(make_plan(question, history, index.sources), index)
    retrieval = run(index, plan, filters, settings.retrieval.k, settings.retrieval)
    return Context(index, plan, retrieval, persona, history, settings.answer.near_tie)


FORECAST = re.compile(r"predict|forecast|expect|going to", re.I)


def check_answerable(plan: QueryPlan, index: PassageIndex) -> QueryPlan:
    """Mark what the question asks about that the corpus does not hold: the whole question (not
    indexed: abstain) or some of its parts (answer the rest, name the parts as not covered)."""
    lang = getattr(plan, "language", "en")
    missing = unheld(plan.standalone, index.sources, lambda text: index.mentions(text, at_most=MIN_MENTIONS), lang,
                     lambda word: index.mentions_word(word, at_most=MIN_MENTIONS),
                     partial(index.mentions_where, at_most=1))
    # A question that names an indexed document by its own name asks what that document says:
    # a topic word (tax, shares) or a place's law beside it is a part to set aside, not a reason to
    # decline the whole question ("… follows the ASEAN Guide, so we needn't check Vietnamese law?").
    names_held = asks_about_a_document(plan.standalone, index.sources)
    if names_held:
        # (a forecast, though, is what the whole question asks for: "do you expect … under the AI Act")
        missing += [Unheld(w, "AI-governance documents do not give it", reason="reason_out_of_scope", aside=True)
                    for w in plan.out_of_scope if not FORECAST.search(w)]
    if not missing:
        return plan
    split = split_uncovered(plan.standalone, missing, lang, index.sources)
    if split is None:
        firm = [u for u in missing if not u.part_only]
        reasons = list(dict.fromkeys(u.reason_text(lang) for u in firm))
        if firm and names_held and all(u.aside for u in firm):
            return replace(plan, out_of_scope=[w for w in plan.out_of_scope if FORECAST.search(w)], uncovered=reasons)
        return replace(plan, not_indexed=reasons) if firm else plan
    rest, dropped = split
    return replace(plan, standalone=rest, retrieval_query=f"{rest} {expand(rest)}".strip(), out_of_scope=out_of_scope(rest, lang),
                   uncovered=[f"“{part}”: {u.reason_text(lang)}" for part, u in dropped])


def not_covered_reason(ctx: Context, settings: Settings) -> str | None:
    """Why the corpus does not answer this question (in the question's language), or None when it does."""
    r, lang = ctx.retrieval, getattr(ctx.plan, "language", "en")
    if ctx.plan.not_indexed:
        return "; ".join(ctx.plan.not_indexed)
    if r.exact:
        return None
    if r.scope is not None and not r.scope:
        return i18n.t("reason_filters", lang)
    if not r.hits:
        return i18n.t("reason_no_match", lang)
    if ctx.plan.out_of_scope:
        return i18n.t("reason_out_of_scope", lang, what=ctx.plan.out_of_scope[0])
    if r.best_dense < settings.answer.min_relevance and r.best_question < settings.answer.min_question_relevance:
        dense, question = r.closeness()
        if dense < settings.answer.min_relevance and question < settings.answer.min_question_relevance:
            return i18n.t("reason_not_close", lang)
    return None


def coverage(ctx: Context) -> float:
    """Share of the question's informative terms (idf-weighted) that the top passages contain."""
    df, n = ctx.index.doc_freq, max(1, len(ctx.index.passages))
    terms = set(tokenize(ctx.plan.standalone))
    if not terms:
        return 0.0
    top = set()
    for h in ctx.retrieval.hits[:4]:
        top |= set(tokenize(h.passage.text + " " + " ".join(h.passage.section_path)))
    weight = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in terms}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in top) / total if total else 0.0


def abstention(ctx: Context, reason: str, timings: dict[str, float]) -> Answer:
    """ "Not covered", with the reason and the nearest passages named, in the question's language;
    ``reason`` is an i18n key (``reason_*``) or already-worded text."""
    lang = getattr(ctx.plan, "language", "en")
    if reason in i18n.table():
        reason = i18n.t(reason, lang)
    closest = _closest(ctx.retrieval.hits, ctx.index, lang)
    text = i18n.t("not_covered_sentence", lang, reason=reason)
    if closest:
        text += " " + i18n.t("closest", lang, items="; ".join(closest))
    return Answer(answer=text, abstained=True, citations=[], mode="extractive",
                  retrieved=_retrieved(ctx.retrieval.ranked or ctx.retrieval.hits), timings_ms=timings, standalone_question=ctx.plan.standalone)


def _closest(hits: list[ScoredPassage], index: PassageIndex, lang: str = "en") -> list[str]:
    """The nearest passages of up to two documents, named as a reader would ("the EU AI Act, Article 36(9)")."""
    out, docs = [], set()
    for h in hits:
        if h.passage.document_id in docs:
            continue
        docs.add(h.passage.document_id)
        src = index.sources.get(h.passage.document_id)
        out.append(i18n.t("closest_item", lang, document=src.label if src else h.passage.document_id,
                          locator=h.passage.locator))
        if len(out) == 2:
            break
    return out


def _retrieved(hits: list[ScoredPassage]) -> list[dict]:
    return [{"passage_id": h.passage.passage_id, "score": round(h.score, 4)} for h in hits]


def compose_extractive(ctx: Context) -> tuple[str, list[Citation]]:
    """Quote the passages that answer: the ones an identifier names, else the best-ranked few."""
    limit, per_passage = PERSONA_LIMITS.get(ctx.persona, PERSONA_LIMITS["sme"])
    retrieval = ctx.retrieval
    if retrieval.exact:
        chosen = _leading_sentences(retrieval.exact, limit)
    else:
        # Precision first: quote only the top passages, so every citation points at the passage
        # the ranking trusts most, not at whatever shares a few words with the question.
        hits = retrieval.hits[:ANSWER_PASSAGES.get(ctx.persona, 2)]
        if ctx.persona == "sme" and len(retrieval.hits) > 1 and retrieval.hits[1].score >= ctx.near_tie * retrieval.hits[0].score:
            hits = retrieval.hits[:2]
        query, extra = ctx.plan.standalone, ctx.plan.retrieval_query
        ranks = None
        if getattr(ctx.plan, "language", "en") != "en":
            # The question's own words share none with an English source: its sentences are scored
            # against the English annotation question nearest to it (e5) among the units retrieved,
            # else all their English questions. Retrieval finds the unit by its translated questions
            # but cannot tell its chunks apart, so every chunk of those units is a candidate.
            from index.multilingual import channel_for as multilingual_channel, english_questions

            hits, ranks = _whole_units(ctx, hits)
            units = {(h.passage.document_id, unit_key(h.passage.passage_id)) for h in hits}
            channel = multilingual_channel(ctx.index)
            nearest = channel.nearest_english(ctx.plan.standalone, ctx.plan.language, units, 1) if channel is not None else []
            query = " ".join(nearest) or english_questions(ctx.index.knowledge, [h.passage.passage_id for h in hits]) or query
        else:
            # An English question over a source in another language (Indonesia's circular): its
            # sentences are scored against that language's annotation questions of the units too.
            from index.multilingual import unit_questions

            for lang in sorted({_source_language(ctx, h) for h in hits} - {"en", ""}):
                ids = [h.passage.passage_id for h in hits if _source_language(ctx, h) == lang]
                query = f"{query} {unit_questions(ctx.index.knowledge, ids, lang)}".strip()
        cands = extractive.candidates(query, hits, ctx.index.doc_freq, max(1, len(ctx.index.passages)),
                                      extra_terms=extra,
                                      normative_bonus=0.3 if ctx.persona == "sme" else 0.1, ranks=ranks)
        chosen = extractive.select(cands, limit, per_passage)
    premise_text, premise_cits = premise_correction(ctx)
    plan = ctx.plan
    text, cits = shape.compose(chosen, ctx.index, ctx.page_maps(), markets=plan.markets, jurisdictions=plan.jurisdictions,
                               named=plan.documents, uncovered=plan.uncovered, temporal=shape.asks_when(plan.standalone, getattr(plan, "language", "en")),
                               lang=getattr(plan, "language", "en"), first_n=len(premise_cits) + 1)
    if premise_text:
        text = premise_text + "\n\n" + text
    return text, premise_cits + cits


UNIT_CHUNKS = 8  # chunks of one unit a composer reads (the longest units run to dozens)


def _whole_units(ctx: Context, hits: list[ScoredPassage]) -> tuple[list[ScoredPassage], list[int]]:
    """The hits with the other chunks of their units, each at its hit's rank."""
    out, ranks, seen = [], [], set()
    for rank, hit in enumerate(hits):
        pid = hit.passage.passage_id
        for other in [pid, *ctx.index.by_unit.get((hit.passage.document_id, unit_key(pid)), [])[:UNIT_CHUNKS]]:
            if other not in seen:
                seen.add(other)
                out.append(hit if other == pid else ScoredPassage(ctx.index.passages[other], hit.score, hit.scores))
                ranks.append(rank)
    return out, ranks


def _source_language(ctx: Context, hit: ScoredPassage) -> str:
    src = ctx.index.sources.get(hit.passage.document_id)
    return src.language if src is not None else ""


def _leading_sentences(exact: list[ScoredPassage], limit: int) -> list[extractive.Candidate]:
    """What a named provision says: its first sentences, in order."""
    out = []
    for rank, hit in enumerate(exact):
        for start, end in extractive.sentences(hit.passage.text):
            terms = frozenset(tokenize(hit.passage.text[start:end]))
            if len(terms) >= 4:
                out.append(extractive.Candidate(hit.passage, rank, start, end, 1.0 / (1 + len(out)), terms))
            if len(out) >= limit:
                return out
    return out


def _voluntary_words(language: str) -> tuple[str, re.Pattern[str]]:
    """What to look for in a document, in its own language, for the sentence that says it is guidance."""
    if language in ("en", ""):
        return VOLUNTARY_QUERY, VOLUNTARY_WORDS
    return " ".join(lexicon()["voluntary_words"].get(language, [])), re.compile(lexicon_pattern("voluntary_words", language), re.I)


def premise_correction(ctx: Context) -> tuple[str, list[Citation]]:
    """A question that treats voluntary guidance as binding law gets the premise corrected, cited."""
    lang = getattr(ctx.plan, "language", "en")
    if not (BINDING_PREMISE.search(ctx.plan.question)
            or lang != "en" and re.search(lexicon_pattern("binding_premise", lang), ctx.plan.question, re.I)):
        return "", []
    for doc_id in ctx.plan.documents:
        src = ctx.index.sources.get(doc_id)
        if src is None or src.binding:
            continue
        query, words = _voluntary_words(src.language)
        hits = ctx.index.lexical_search(query, 8, {doc_id})
        cands = [c for c in extractive.candidates(query, hits, ctx.index.doc_freq, len(ctx.index.passages))
                 if words.search(c.passage.text[c.start:c.end])]
        best = extractive.select(cands, 1)
        if best:
            text, cits = extractive.compose(best, ctx.index.sources, {doc_id: m} if (m := ctx.page_map(doc_id)) else {})
            note = i18n.t("premise_note", lang, document=src.label, label=i18n.binding_label(src, lang))
            return note + " " + text.split(" — ", 1)[1], cits
    return "", []


def answer_extractive(ctx: Context, timings: dict[str, float], settings: Settings) -> Answer:
    from .missing_refs import with_missing_provisions  # "Article 120" of a 113-article Act is said not to exist

    return with_missing_provisions(ctx, _answer_extractive(ctx, timings, settings))


def _answer_extractive(ctx: Context, timings: dict[str, float], settings: Settings) -> Answer:
    reason = not_covered_reason(ctx, settings)
    if reason:
        return abstention(ctx, reason, timings)
    t = time.perf_counter()
    text, citations = compose_extractive(ctx)
    timings["compose"] = (time.perf_counter() - t) * 1000
    if not citations:
        return abstention(ctx, "reason_no_sentence", timings)
    verify(text, citations, ctx.index.passages)
    return Answer(answer=text, abstained=False, citations=citations, mode="extractive",
                  retrieved=_retrieved(ctx.retrieval.ranked or ctx.retrieval.hits), timings_ms=timings, standalone_question=ctx.plan.standalone)
