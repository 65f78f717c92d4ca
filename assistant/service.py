"""The one service every surface calls: ingest, search, ask, compare, documents, passages."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import Iterator

from index.embed import get_embedder
from index.errors import IndexNotReady
from index.pipeline import IngestReport, ingest
from index.retrieve import Filters, PassageIndex
from index.sources import corpus_hash
from index.store import IndexState, release_freed_memory
from index.types import Passage, ScoredPassage, Source

from .answering import abstention, answer_extractive, prepare
from .compare import as_answer_text, compare
from .errors import BadRequest, NotFound, NotReady
from .library import add_user_source, all_sources, ingest_config
from .settings import Settings
from .types import Answer, Comparison, Turn

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.config = ingest_config(self.settings)
        self._index: PassageIndex | None = None
        self._loaded: str | None = None  # the collection of the last index loaded
        self._lock = threading.Lock()
        self._checked_at = 0.0

    # ---- index lifecycle -------------------------------------------------------------------
    def ingest(self, progress: bool = True, force: bool = False) -> IngestReport:
        report = ingest(all_sources(self.settings), self.config, progress=progress, force=force)
        with self._lock:
            self._index = None  # next query loads the new generation
        return report

    def add_document(self, path_or_url: str, title: str | None = None, jurisdiction: str = "",
                     binding: bool = False, issuer: str = "") -> Source:
        return add_user_source(self.settings, path_or_url, title, jurisdiction, binding, issuer)

    @property
    def index(self) -> PassageIndex:
        """The live index, reloaded when another process switched the generation (checked every few seconds)."""
        with self._lock:
            now = time.monotonic()
            if self._index is not None and now - self._checked_at > 5.0:
                self._checked_at = now
                live = IndexState(self.config.chroma.client()).live_collection()
                if live and live != self._index.collection:
                    self._index = None
            if self._index is None:
                self._load_index()
                self._checked_at = now
            return self._index

    def _load_index(self) -> None:
        """Loads the live generation. A new one (not the first load) gets a new Chroma client: the old
        client's system holds every collection it read, and goes with the last request on the old index."""
        chroma = self.config.chroma
        switched = self._loaded is not None and IndexState(chroma.client()).live_collection() != self._loaded
        if switched:
            chroma.renew()
        try:
            embedder = get_embedder(self.config.embedding_model, self.config.embed_batch_size,
                                    self.config.embed_max_tokens)
            self._index = PassageIndex.load(chroma, self.config.data_dir, all_sources(self.settings), embedder,
                                            self.config.model_key, annotations=self.settings.retrieval.annotations,
                                            vectors=self.settings.retrieval.vectors)
        except IndexNotReady as exc:
            raise NotReady(str(exc)) from exc
        self._loaded = self._index.collection
        if switched:  # the old index goes now unless a request still holds it; its native memory with it
            gc.collect()
            release_freed_memory()

    # One question per language the assistant reads: answering them at start-up builds what each
    # language loads on first use (Thai segmentation's dictionary, the e5 channel, the English-words
    # table, the gazetteers), so no user's first question pays for it (a first Thai one took 2.4 s).
    WARM_QUESTIONS = ("Must a chatbot tell users that it is an AI system?",
                      "Apakah chatbot wajib memberi tahu pengguna bahwa ia adalah sistem AI?",
                      "Adakah chatbot perlu memberitahu pengguna bahawa ia sistem AI?",
                      "Chatbot có phải cho người dùng biết đó là hệ thống AI không?",
                      "แชทบอทต้องแจ้งผู้ใช้ว่าเป็นระบบเอไอหรือไม่",
                      "Kailangan bang sabihin ng chatbot sa mga user na AI system ito?")

    def warm(self, again: bool = False) -> None:
        """Answers WARM_QUESTIONS once per assistant (extractive); errors are the first real question's to report."""
        if getattr(self, "_warmed", False) and not again:
            return
        self._warmed = True
        for question in self.WARM_QUESTIONS:
            try:
                self.ask(question, mode="extractive")
            except Exception:  # noqa: BLE001 - warming is an optimisation, never a reason not to start
                log.warning("warm-up question failed", exc_info=True)
                return

    def ready(self) -> bool:
        try:
            return bool(self.index.passages)
        except NotReady:
            return False

    def fingerprint(self) -> dict[str, str]:
        """What an answer depends on besides the code: index settings, answer settings (no secrets,
        no paths) and the corpus version. Eval run records carry it, in-process or over /readyz."""
        dump = self.settings.model_dump(mode="json", exclude={"api": True, "llm": {"api_key"}, "data_dir": True,
                                                               "corpus_dirs": True, "prompts_dir": True})
        shas = {d: v.get("sha256", "") for d, v in self.index.state.get("documents", {}).items()}
        return {"settings_hash": self.config.settings_hash,
                "answer_settings_hash": hashlib.sha256(repr(sorted(dump.items())).encode()).hexdigest()[:10],
                "corpus_hash": corpus_hash(shas), "default_mode": self.settings.answer.mode}

    # ---- corpus ----------------------------------------------------------------------------
    def documents(self) -> list[tuple[Source, int]]:
        idx = self.index
        return [(s, len(idx.by_document.get(d, []))) for d, s in idx.sources.items()]

    def passage(self, passage_id: str) -> Passage:
        p = self.index.passages.get(passage_id)
        if p is None:
            raise NotFound(f"unknown passage id {passage_id!r}")
        return p

    def filters(self, documents: list[str] | None = None, jurisdictions: list[str] | None = None,
                binding: bool | None = None) -> Filters:
        """Validated filters: unknown document ids are a client error, not an empty result."""
        known = self.index.sources
        unknown = [d for d in documents or [] if d not in known]
        if unknown:
            raise BadRequest(f"unknown document id(s): {', '.join(unknown)} (see GET /v1/documents)")
        return Filters(tuple(documents or ()), tuple(jurisdictions or ()), binding)

    # ---- questions -------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, documents: list[str] | None = None,
               jurisdictions: list[str] | None = None, binding: bool | None = None) -> list[ScoredPassage]:
        from .retrieval import retrieve

        if not query.strip():
            raise BadRequest("the query is empty")
        return retrieve(self.index, query, self.filters(documents, jurisdictions, binding), k, self.settings.retrieval)

    def ask(self, question: str, history: list[Turn] | None = None, documents: list[str] | None = None,
            jurisdictions: list[str] | None = None, binding: bool | None = None, persona: str = "sme",
            mode: str | None = None) -> Answer:
        """Answer a question (with optional chat history) with verified citations, or abstain."""
        events = list(self.ask_stream(question, history, documents, jurisdictions, binding, persona, mode))
        return events[-1]["answer_obj"]

    def ask_stream(self, question: str, history: list[Turn] | None = None, documents: list[str] | None = None,
                   jurisdictions: list[str] | None = None, binding: bool | None = None, persona: str = "sme",
                   mode: str | None = None) -> Iterator[dict]:
        """Events: {"type": "delta", "text"} (verified sentences, in order), then
        {"type": "answer", "answer": <Answer JSON>, "answer_obj": Answer}."""
        t0 = time.perf_counter()
        history = self._check_question(question, history or [], persona, mode)
        mode = mode or self.settings.answer.mode
        filters = self.filters(documents, jurisdictions, binding)
        index = self.index
        ctx = prepare(index, self.settings, question, history, filters, persona)
        timings = {"retrieve": (time.perf_counter() - t0) * 1000}
        if ctx.plan.compare and not filters.documents:
            result = self._compare_answer(ctx, timings)
        elif mode == "llm":
            yield from self._llm_stream(ctx, timings, t0)
            return
        else:
            result = answer_extractive(ctx, timings, self.settings)
        result.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        for paragraph in result.answer.split("\n\n"):
            yield {"type": "delta", "text": paragraph + "\n\n"}
        yield {"type": "answer", "answer": result.to_dict(), "answer_obj": result}

    def _compare_answer(self, ctx, timings: dict[str, float]) -> Answer:
        t = time.perf_counter()
        comparison = compare(ctx.index, self.settings, ctx.plan.standalone, ctx.plan.documents,
                             lang=getattr(ctx.plan, "language", "en"))
        text, citations = as_answer_text(comparison, ctx.index, getattr(ctx.plan, "language", "en"))
        timings["compose"] = (time.perf_counter() - t) * 1000
        if not citations:
            return abstention(ctx, "reason_named_documents", timings)
        return Answer(answer=text, abstained=False, citations=citations, mode="extractive",
                      retrieved=[{"passage_id": c.passage_id, "score": 1.0} for c in citations],
                      timings_ms=timings, standalone_question=ctx.plan.standalone)

    def _llm_stream(self, ctx, timings: dict[str, float], t0: float) -> Iterator[dict]:
        from .llm_answer import llm_stream

        yield from llm_stream(ctx, self.settings, timings, t0)

    def compare(self, question: str, documents: list[str]) -> Comparison:
        """One cited finding per document (2-6 documents), or "not addressed in <document>"."""
        if not question.strip():
            raise BadRequest("the question is empty")
        if not 1 <= len(documents) <= 6:
            raise BadRequest("compare needs between 1 and 6 document ids")
        self.filters(documents)  # validates the ids
        t0 = time.perf_counter()
        result = compare(self.index, self.settings, question, documents)
        result.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        return result

    def _check_question(self, question: str, history: list[Turn], persona: str, mode: str | None) -> list[Turn]:
        limits = self.settings.answer
        if not isinstance(question, str) or not question.strip():
            raise BadRequest("the question is empty")
        if len(question) > limits.max_question_chars:
            raise BadRequest(f"the question is {len(question)} characters long; the limit is {limits.max_question_chars}")
        if len(history) > limits.max_history_turns:
            raise BadRequest(f"{len(history)} history turns; the limit is {limits.max_history_turns}")
        if persona not in ("sme", "official", "evaluator"):
            raise BadRequest(f"unknown persona {persona!r}: use sme, official or evaluator")
        if mode not in (None, "extractive", "llm"):
            raise BadRequest(f"unknown mode {mode!r}: use extractive or llm")
        turns = []
        for t in history:
            t = t if isinstance(t, Turn) else Turn(**t)
            if t.role not in ("user", "assistant") or not isinstance(t.content, str):
                raise BadRequest("history turns need role 'user' or 'assistant' and a text content")
            if len(t.content) > 4 * limits.max_question_chars:
                raise BadRequest("a history turn is too long")
            turns.append(t)
        return turns
