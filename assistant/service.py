"""The one service every surface calls: ingest, search, ask, compare, documents, passages."""

from __future__ import annotations

import threading
import time

from index.embed import get_embedder
from index.errors import IndexNotReady
from index.pipeline import IngestReport, ingest
from index.retrieve import Filters, PassageIndex
from index.store import IndexState
from index.types import Passage, ScoredPassage, Source

from .errors import BadRequest, NotFound, NotReady
from .library import add_user_source, all_sources, ingest_config
from .settings import Settings


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.config = ingest_config(self.settings)
        self._index: PassageIndex | None = None
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
                state = IndexState(self.config.chroma.client()).read()
                if state and state["collection"] != self._index.collection:
                    self._index = None
            if self._index is None:
                try:
                    embedder = get_embedder(self.config.embedding_model, self.config.embed_batch_size)
                    self._index = PassageIndex.load(self.config.chroma, self.config.data_dir,
                                                    all_sources(self.settings), embedder)
                except IndexNotReady as exc:
                    raise NotReady(str(exc)) from exc
                self._checked_at = now
            return self._index

    def ready(self) -> bool:
        try:
            return bool(self.index.passages)
        except NotReady:
            return False

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
