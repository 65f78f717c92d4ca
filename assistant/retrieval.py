"""Hybrid retrieval for one question: exact identifiers first, then dense + BM25 fused."""

from __future__ import annotations

from index.retrieve import Filters, PassageIndex, fuse
from index.types import ScoredPassage

from .settings import RetrievalSettings


def retrieve(index: PassageIndex, query: str, filters: Filters, k: int, cfg: RetrievalSettings) -> list[ScoredPassage]:
    allowed = filters.allowed(index.sources)
    dense = index.dense(index.embed_query(query), cfg.candidates, allowed)
    lexical = index.lexical_search(query, cfg.candidates, allowed)
    fused = fuse([(dense, cfg.dense_weight), (lexical, cfg.lexical_weight)], cfg.rrf_k)
    return fused[:k]
