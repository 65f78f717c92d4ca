"""Hybrid retrieval for one planned question: exact identifiers first, then dense + BM25 fused,
scoped to the documents the question names, with priors that favour operative provisions."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from index.annotations import EXPLANATORY, unit_key
from index.bridge import english_words
from index.provenance import is_user_added
from index.retrieve import Filters, PassageIndex, fuse, fuse_linear
from index.multilingual import channel_for as multilingual_channel, merge_max
from index.types import ScoredPassage

from .query import QueryPlan, derivatives, expand, plan as make_plan, resolve, strip_names
from .settings import RetrievalSettings
from .shape import asks_when

# Obligations live in articles, annex points and subcategories; recitals, front matter and tables
# of contents explain or list them. A mild prior keeps the operative text on top.
KIND_PRIOR = {"recital": 0.75, "front": 0.6, "page": 0.9}
# Documents that restate another document's rules (the Commission guidelines on the AI Act) should
# not crowd out the rules themselves unless the question asks for them.
DERIVATIVE_PRIOR = 0.8
# Guidance issued under an act a question names is searched too (users say "the EU AI rules" of the
# Commission's guidelines), below the act itself: on tune 0.65 kept every binding-first case that
# 0.8 lost, and 0.5 lost the gains.
DERIVED_IN_SCOPE_PRIOR = 0.65
# Units annotated as background or front matter explain; they answer only questions about the
# document itself (its purpose, authors, method, structure).
EXPLANATORY_PRIOR = 0.7
ABOUT_THE_DOCUMENT = re.compile(r"\b(foreword|preface|introduction|background|purpose of (the|this)|objectives? of (the|this)|"
                                r"who (wrote|developed|drafted|prepared)|methodology|acknowledg\w+|table of contents|"
                                r"structure of (the|this)|references|history of)\b", re.I)
# Definitions answer "what is / what counts as" questions; an owner asking "can I…" or "must we…"
# needs the rule that uses the defined term.
ASKS_DEFINITION = re.compile(r"\b(what (is|are|counts as|does .{1,40} mean)|what's|define[sd]?|definition|meaning|"
                             r"considered (a|an)|qualif(y|ies) as|count as)\b", re.I)
# A question asking when (from which date, by which deadline, for how long) is answered by a
# provision that states a date or a period: such passages rank a little higher for it
# (RetrievalSettings.dated_prior; on tune 1.08 took temporal citation recall from 0.738 to 0.754 and
# lost nothing overall, 1.15 lost as many other cases as it gained).
DATED = re.compile(r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
                   r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}\b|"
                   r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|thirty|sixty|ninety)\s+"
                   r"(?:days?|weeks?|months?|years?)\b|\b(?:19|20)\d\d\b|\b(?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|"
                   r"September|Oktober|November|Desember)\b", re.I)
JURISDICTION_BOOST = 1.2
RANK_DEPTH = 20  # answers report this many ranked passages, so evaluators see where the gold ranked  # places named in the question ("we ship to France") favour their rules
# In a follow-up the carried-over topic says where we are, the new turn what is asked now
# ("and for news articles?"): the new turn's own BM25 score, scaled to the same range, is added
# with this weight, so its words count about twice.
FOCUS_WEIGHT = 1.0
# Rules of another place apply less: a clinic in Kuala Lumpur is not governed by the UK white paper.
# International instruments (OECD, UNESCO, G7, Council of Europe) stay neutral, and a member state's
# guidance stays neutral for questions about its region.
JURISDICTION_MISMATCH = 0.8
REGION_OF = {"SG": "ASEAN", "ID": "ASEAN"}
NATIONAL = {"ASEAN", "SG", "ID", "EU", "US", "UK"}
INTERNATIONAL = {"OECD", "UNESCO", "G7", "INTL"}


@dataclass
class Retrieval:
    hits: list[ScoredPassage]
    exact: list[ScoredPassage]  # passages named by an identifier in the question
    best_dense: float  # highest cosine similarity in scope (for the abstention decision)
    scope: set[str] | None
    ranked: list[ScoredPassage] = field(default_factory=list)  # deeper list (RANK_DEPTH), for evaluation
    best_question: float = 0.0  # best annotation-question match in scope (English channel)
    # (best cosine, best question match) of the question as asked, when it was retrieved without the
    # names of its documents: computed only if the closeness decision needs it (one more embedding).
    as_asked: Callable[[], tuple[float, float]] | None = None

    def closeness(self) -> tuple[float, float]:
        """(best cosine, best question match): the better of the retrieved query's and the question's as asked."""
        if self.as_asked is None:
            return self.best_dense, self.best_question
        dense, question = self.as_asked()
        return max(self.best_dense, dense), max(self.best_question, question)


def retrieve(index: PassageIndex, query: str, filters: Filters, k: int, cfg: RetrievalSettings) -> list[ScoredPassage]:
    """Top-k passages for a bare query (the search endpoint)."""
    return run(index, make_plan(query, [], index.sources), filters, k, cfg).hits


def run(index: PassageIndex, plan: QueryPlan, filters: Filters, k: int, cfg: RetrievalSettings) -> Retrieval:
    derived = derivatives(index.sources, set(plan.documents)) if plan.documents else set()
    scope = _scope(index, plan, filters, derived)
    exact = _exact(index, plan, scope)
    dense_query = f"{plan.standalone} {expand(plan.standalone)}" if cfg.expand_dense else plan.standalone
    named_query = ""  # the dense query with the documents' names, when they are stripped from it
    # A question in another language gets its content in English words, for BM25 and the
    # English-only embedder. Without its documents' names, in both queries: within their scope the
    # names only pull up the passages that name the document itself ("Panduan ASEAN" -> "guide
    # asean": the ASEAN Guide's objectives). On tune's non-English cases, gold in the top 5 went
    # from 0.42 to 0.50 (README, fifth session).
    if cfg.bridge and getattr(plan, "language", "en") != "en":
        content = strip_names(plan.standalone, index.sources) if plan.documents else plan.standalone
        if english := english_words(index.knowledge, content, plan.language):
            if plan.documents:
                dense_query = f"{content} {expand(content)}"
                plan = replace(plan, retrieval_query=f"{content} {expand(content)}")
            dense_query = f"{dense_query} {english}"
            plan = replace(plan, retrieval_query=f"{plan.retrieval_query} {english}")
    elif (plan.documents and scope and not ABOUT_THE_DOCUMENT.search(plan.standalone)
          and not asks_when(plan.standalone, "en")):  # "from when": the dates ride on the provision found
        # The same for an English question scoped to the documents it names ("What does the ASEAN
        # Guide recommend on telling users they deal with AI?" quoted the Guide's compendium of
        # use cases, which names the Guide and ASEAN).
        content = strip_names(plan.standalone, index.sources)
        if len(re.findall(r"\w+", content)) >= 3:
            named_query = dense_query
            dense_query = f"{content} {expand(content)}" if cfg.expand_dense else content
            plan = replace(plan, retrieval_query=strip_names(plan.retrieval_query, index.sources))
    vector = index.embed_query(dense_query)
    dense = index.dense(vector, cfg.candidates, scope)
    # How close the question is (the abstention decision) is judged as asked, names included: the
    # thresholds were set on such vectors, and a question without its names matches less of anything.
    as_asked = None
    if named_query:
        def as_asked() -> tuple[float, float]:
            v = index.embed_query(named_query)
            ids = [h.passage.passage_id for h in dense]
            return (float(max(index.cosines(v, ids))) if ids else 0.0,
                    max(index.knowledge.unit_scores(v, scope, plan.language).values(), default=0.0))
    best_question, cross_lingual = 0.0, {}
    if cfg.fusion == "rrf":
        lexical = index.lexical_search(plan.retrieval_query, cfg.candidates, scope)
        fused = fuse([(dense, cfg.dense_weight), (lexical, cfg.lexical_weight)], cfg.rrf_k)
    else:
        units = index.knowledge.unit_scores(vector, scope, plan.language) if cfg.question_weight > 0 else {}
        if units and plan.is_follow_up and plan.focus:
            # A follow-up's own words ("and for a start-up?") may match a unit's questions better
            # than the carried topic does: the unit counts its better match, on the topic's units.
            own = index.knowledge.unit_scores(index.embed_query(f"{plan.standalone.split(' — ')[0]} {plan.focus}"), scope,
                                              plan.language)
            units = merge_max(units, own)
        best_question = max(units.values(), default=0.0)
        cross_lingual = _multilingual_units(index, plan, scope, cfg)
        units = merge_max(units, cross_lingual)
        fused = _linear(index, vector, dense, _lexical(index, plan, scope), cfg, units)
    about_document = bool(ABOUT_THE_DOCUMENT.search(plan.standalone))
    dated_boost = cfg.dated_prior if asks_when(plan.standalone, getattr(plan, "language", "en")) else 1.0
    asks_definition = bool(ASKS_DEFINITION.search(plan.standalone))
    fused = sorted((_with_prior(index, h, plan, about_document, asks_definition, cfg.definition_prior, filters, derived, dated_boost)
                    for h in fused),
                   key=lambda h: -h.score)
    seen = {h.passage.passage_id for h in exact}
    hits = exact + [h for h in fused if h.passage.passage_id not in seen]
    best = max((h.scores.get("dense", 0.0) for h in dense), default=0.0)
    if cross_lingual:  # MiniLM cannot tell how close a non-English question is; e5 can
        best = max(best, max(cross_lingual.values()))
    return Retrieval(hits[: max(k, len(exact))], exact, best, scope, hits[: max(RANK_DEPTH, k, len(exact))],
                     best_question, as_asked)


def _multilingual_units(index: PassageIndex, plan: QueryPlan, scope: set[str] | None,
                        cfg: RetrievalSettings) -> dict[tuple[str, str], float]:
    """For a question not in English: e5 question match per annotated unit (index/multilingual.py),
    on the scale of the MiniLM question match it is merged with (the better of the two counts)."""
    if not cfg.multilingual or getattr(plan, "language", "en") == "en" or cfg.question_weight <= 0:
        return {}
    channel = multilingual_channel(index)
    return channel.unit_scores(plan.standalone, scope, plan.language) if channel is not None else {}


def _lexical(index: PassageIndex, plan: QueryPlan, scope: set[str] | None) -> dict[str, float]:
    scores = index.lexical_scores(plan.retrieval_query, scope)
    if not plan.focus:
        return scores
    focus = index.lexical_scores(plan.focus, scope)
    top = max(focus.values(), default=0.0) or 1.0
    base = max(scores.values(), default=0.0) or 1.0
    return {pid: scores.get(pid, 0.0) + FOCUS_WEIGHT * base * focus.get(pid, 0.0) / top
            for pid in dict.fromkeys([*scores, *focus])}


def _linear(index: PassageIndex, vector, dense: list[ScoredPassage], lexical: dict[str, float],
            cfg: RetrievalSettings, units: dict[tuple[str, str], float]) -> list[ScoredPassage]:
    """Cosine + weighted BM25 + weighted annotation-question match of the passage's unit, over the
    union of the dense, lexical and question-match candidates."""
    top_lexical = heapq.nlargest(cfg.candidates, lexical, key=lexical.__getitem__)
    top_units = heapq.nlargest(cfg.question_candidates, units, key=units.__getitem__)
    by_question = [pid for u in top_units for pid in index.by_unit.get(u, ())]
    ids = list(dict.fromkeys([h.passage.passage_id for h in dense] + top_lexical + by_question))
    cos = dict(zip(ids, index.cosines(vector, ids).tolist()))
    fused = fuse_linear(cos, {pid: lexical.get(pid, 0.0) for pid in ids}, cfg.lexical_weight)
    # The match belongs to the unit, not to each of its chunks: only the unit's best chunk gets it,
    # so a long unit cannot fill the list with its pieces.
    best_chunk: dict[tuple[str, str], str] = {}
    for pid, score in fused.items():
        u = (index.passages[pid].document_id, unit_key(pid))
        if u not in best_chunk or score > fused[best_chunk[u]]:
            best_chunk[u] = pid
    out = []
    for pid, score in fused.items():
        u = (index.passages[pid].document_id, unit_key(pid))
        q = units.get(u, 0.0)
        bonus = cfg.question_weight * max(0.0, q - cfg.question_floor) if best_chunk[u] == pid else 0.0
        if cfg.question_mode == "max" and best_chunk[u] == pid:  # the better of text and question match
            bonus = cfg.question_weight * max(0.0, q - cos[pid])
        out.append(ScoredPassage(index.passages[pid], score + bonus,
                                 {"dense": cos[pid], "bm25": lexical.get(pid, 0.0), "question": q}))
    return out


def _scope(index: PassageIndex, plan: QueryPlan, filters: Filters, derived: set[str] = frozenset()) -> set[str] | None:
    """Explicit filters, narrowed further to the documents the question names and those issued
    under them (``derived``: the Commission's guidelines interpret the AI Act a question names)."""
    allowed = filters.allowed(index.sources)
    if plan.documents:
        named = (set(plan.documents) & set(index.sources)) | derived
        narrowed = named if allowed is None else named & allowed
        if narrowed:
            return narrowed
    return allowed


def _exact(index: PassageIndex, plan: QueryPlan, scope: set[str] | None) -> list[ScoredPassage]:
    out: list[ScoredPassage] = []
    for ident in plan.identifiers:
        for p in resolve(ident, index.by_document, plan.documents):
            if (scope is None or p.document_id in scope) and all(p.passage_id != h.passage.passage_id for h in out):
                out.append(ScoredPassage(p, 1.0, {"exact": 1.0}))
    return out[:8]


def _with_prior(index: PassageIndex, hit: ScoredPassage, plan: QueryPlan, about_document: bool = False,
                asks_definition: bool = True, definition_prior: float = 1.0,
                filters: Filters | None = None, derived: set[str] = frozenset(), dated_boost: float = 1.0) -> ScoredPassage:
    prior = 1.0 if about_document else KIND_PRIOR.get(hit.passage.kind, 1.0)
    if dated_boost != 1.0 and DATED.search(hit.passage.text):
        prior *= dated_boost
    note = index.knowledge.annotation(hit.passage.passage_id)
    if note is not None and note.kind in EXPLANATORY and not about_document:
        prior = min(prior, EXPLANATORY_PRIOR)
    if note is not None and note.kind == "definition" and not asks_definition:
        prior *= definition_prior
    src = index.sources.get(hit.passage.document_id)
    if hit.passage.document_id in derived:  # in scope only because the question names the act it is issued under
        prior *= DERIVED_IN_SCOPE_PRIOR
    elif src is not None and src.doc_type == "guideline" and src.jurisdiction == "EU" and hit.passage.document_id not in plan.documents:
        prior *= DERIVATIVE_PRIOR
    if src is not None and plan.jurisdictions and not plan.documents:
        home_only = plan.markets and src.jurisdiction not in plan.markets and src.jurisdiction in plan.jurisdictions
        if home_only:
            pass  # where the user is based weighs less than where it sells: a Vietnamese shop selling to Germany is under EU rules
        elif src.jurisdiction in plan.jurisdictions or ("INTL" in plan.jurisdictions and src.jurisdiction in INTERNATIONAL):
            prior *= JURISDICTION_BOOST
        elif src.jurisdiction in NATIONAL and REGION_OF.get(src.jurisdiction) not in plan.jurisdictions:
            prior *= JURISDICTION_MISMATCH
    return _below_official(index, hit.with_score(hit.score * prior, prior=prior), plan, filters)


# A document a user added never outranks an official one on the same question unless the question
# names it or the filters select it: its score moves below every official score (fused scores lie
# well within +-UNOFFICIAL_OFFSET), keeping its own order among user documents.
UNOFFICIAL_OFFSET = 100.0


def _below_official(index: PassageIndex, hit: ScoredPassage, plan: QueryPlan, filters: Filters | None) -> ScoredPassage:
    src = index.sources.get(hit.passage.document_id)
    if not is_user_added(src) or src.document_id in plan.documents:
        return hit
    if filters is not None and src.document_id in filters.documents:  # a jurisdiction filter selects a class, not it
        return hit
    return hit.with_score(hit.score - UNOFFICIAL_OFFSET, unofficial=1.0)
