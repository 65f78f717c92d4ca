"""LangChain integration: the index as a ``BaseRetriever`` and the assistant as a ``Runnable``.

    from assistant.langchain import PolicyRetriever, assistant_runnable
    docs = PolicyRetriever(k=3).invoke("human oversight of high-risk AI")
    docs[0].metadata["locator"], docs[0].metadata["view_url"]      # "Article 14(1)", "/viewer/?doc=..."
    answer = assistant_runnable().invoke("Do I have to tell customers they are talking to a chatbot?")
    answer["answer"], answer["citations"]                          # the Answer JSON (assistant/types.py)

Both use the same service as the API and CLI (hybrid retrieval, verified citations). Each
``Document`` carries the citation metadata of its passage: passage id, document, locator, page,
binding, jurisdiction, the official URL and the local viewer URL (absolute when ``base_url`` is
set, e.g. the address where ``policy-assistant serve`` runs).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict, Field, PrivateAttr

from index.types import ScoredPassage

from .citations import page_url, view_url
from .service import Assistant


class PolicyRetriever(BaseRetriever):
    """Passages of the policy index for a query (dense + BM25 fused, exact identifiers first)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant | None = Field(None, description="The service to search; default: one from the environment's Settings.")
    k: int = Field(5, ge=1, le=50, description="How many passages to return.")
    documents: list[str] | None = Field(None, description="Only these document ids.")
    jurisdictions: list[str] | None = Field(None, description="Only these jurisdictions, e.g. EU, SG, ASEAN.")
    binding: bool | None = Field(None, description="true: binding law only; false: voluntary guidance only.")
    base_url: str = Field("", description="Prefix for view_url, e.g. http://127.0.0.1:8000 (else a relative path).")
    _service: Assistant | None = PrivateAttr(None)

    @property
    def service(self) -> Assistant:
        if self.assistant is not None:
            return self.assistant
        if self._service is None:
            self._service = Assistant()
        return self._service

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, **filters: Any) -> list[Document]:
        """``k`` and the filters (documents, jurisdictions, binding) may be overridden per call."""
        unknown = set(filters) - {"documents", "jurisdictions", "binding"}
        if unknown:
            raise TypeError(f"unknown retriever argument(s): {', '.join(sorted(unknown))}")
        hits = self.service.search(query, k or self.k, filters.get("documents", self.documents),
                                   filters.get("jurisdictions", self.jurisdictions), filters.get("binding", self.binding))
        return [self.to_document(hit, rank) for rank, hit in enumerate(hits, 1)]

    def to_document(self, hit: ScoredPassage, rank: int = 1) -> Document:
        """One passage as a Document with its citation metadata (flat values, vector-store friendly)."""
        p = hit.passage
        src = self.service.index.sources.get(p.document_id)
        metadata = {
            "passage_id": p.passage_id, "document_id": p.document_id,
            "document_title": src.title if src else "", "locator": p.locator,
            "section_path": " > ".join(p.section_path), "page": p.page_start, "page_end": p.page_end,
            "binding": bool(src.binding) if src else None, "jurisdiction": src.jurisdiction if src else "",
            "url": page_url(src, p.page_start) if src else "",
            "view_url": self.base_url.rstrip("/") + view_url(p.document_id, p.page_start, p.text),
            "score": round(hit.score, 6), "rank": rank,  # fused ranking; exact identifiers first
        }
        return Document(id=p.passage_id, page_content=p.text, metadata=metadata)


def _ask(assistant: Assistant, request: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(request, str):
        request = {"question": request}
    if not isinstance(request, dict) or "question" not in request:
        raise TypeError("the input is a question string or a dict with 'question' "
                        "(and optional history, documents, jurisdictions, binding, persona, mode)")
    allowed = {"question", "history", "documents", "jurisdictions", "binding", "persona", "mode"}
    unknown = set(request) - allowed
    if unknown:
        raise TypeError(f"unknown input key(s): {', '.join(sorted(unknown))}; use {', '.join(sorted(allowed))}")
    return assistant.ask(**request).to_dict()


def assistant_runnable(assistant: Assistant | None = None) -> Runnable[str | dict[str, Any], dict[str, Any]]:
    """The assistant as a Runnable: a question (or {question, history?, documents?, persona?, ...})
    in, the Answer JSON out (answer text with [n] markers, citations, abstained, ...)."""
    service: list[Assistant] = [assistant] if assistant is not None else []

    def ask(request: str | dict[str, Any]) -> dict[str, Any]:
        if not service:
            service.append(Assistant())
        return _ask(service[0], request)

    return RunnableLambda(ask, name="policy-assistant")
