"""Request and response models of the HTTP API (v1), kept apart from the domain types.

Responses mirror the Answer contract of DESIGN.md; `from_*` helpers convert domain objects so the
routes stay thin.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from index.types import Passage, ScoredPassage, Source

from ..citations import page_url
from ..types import Citation
from .input_rules import (
    MAX_ITEMS,
    MAX_MESSAGES,
    Identifier,
    Label,
    PathText,
    Question,
    Strict,
    StrictOpen,
    TurnText,
)

Persona = Literal["sme", "official", "evaluator"]
Mode = Literal["extractive", "llm"]


# ---- requests ------------------------------------------------------------------------------
class Filters(Strict):
    documents: list[Identifier] | None = Field(None, max_length=MAX_ITEMS, description="Only these document ids (see GET /v1/documents).")
    jurisdictions: list[Identifier] | None = Field(None, max_length=MAX_ITEMS, description="Only these jurisdictions, e.g. EU, SG, ASEAN.")
    binding: bool | None = Field(None, description="true: only binding law; false: only voluntary guidance.")


class HistoryTurn(Strict):
    role: Literal["user", "assistant"]
    content: TurnText


class AskRequest(Strict):
    question: Question = Field(..., description="The question (at most 4,000 characters).",
                          examples=["Do I have to tell people they are talking to an AI chatbot under the EU AI Act?"])
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_MESSAGES, description="Earlier turns, oldest first (at most 20).")
    filters: Filters = Field(default_factory=Filters)
    mode: Mode | None = Field(None, description="Composer: extractive (default, no LLM) or llm.")
    persona: Persona = Field("sme", description="sme (plain words), official (legal precision) or evaluator.")
    stream: bool = Field(False, description="Server-sent events: delta*, answer, done.")


class CompareRequest(Strict):
    question: Question = Field(..., description="The question (at most 4,000 characters).",
                               examples=["How do they treat human oversight?"])
    documents: list[Identifier] = Field(..., min_length=2, max_length=4, description="2-4 document ids.",
                                 examples=[["eu-ai-act-2024-1689", "nist-ai-rmf-1.0"]])


class SearchRequest(Strict):
    query: Question = Field(..., description="The query (at most 4,000 characters).",
                            examples=["transparency obligations for chatbots"])
    k: int = Field(5, ge=1, le=50)
    filters: Filters = Field(default_factory=Filters)


class ReindexRequest(Strict):
    force: bool = Field(False, description="Rebuild every document, even unchanged ones.")
    wait: bool = Field(False, description="Answer when the build is done (else 202 at once).")


class AddDocumentRequest(Strict):
    path_or_url: PathText = Field(..., description="A file path on the server (under an allowed folder) or an http(s) URL.")
    title: Label | None = None
    jurisdiction: Identifier = ""
    binding: bool = Field(False, description="Ask for it to count as binding law; only an operator can confirm that.")
    issuer: Label = ""
    wait: bool = Field(False, description="Answer when the re-index is done (else 202 at once).")


# ---- responses -----------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class AnswerOut(BaseModel):
    answer: str
    abstained: bool
    citations: list[Citation]  # the service dataclass: one definition of a citation
    mode: str
    retrieved: list[dict[str, Any]] = []
    timings_ms: dict[str, float] = {}
    notes: list[str] = []
    standalone_question: str = ""


class FindingOut(BaseModel):
    document_id: str
    document_title: str
    addressed: bool
    answer: str
    citations: list[Citation]  # the service dataclass: one definition of a citation


class ComparisonOut(BaseModel):
    question: str
    findings: list[FindingOut]
    timings_ms: dict[str, float] = {}


class SearchHit(BaseModel):
    passage_id: str
    document_id: str
    locator: str
    page_start: int | None
    page_end: int | None
    text: str
    score: float

    @classmethod
    def from_scored(cls, hit: ScoredPassage) -> SearchHit:
        p = hit.passage
        return cls(passage_id=p.passage_id, document_id=p.document_id, locator=p.locator, page_start=p.page_start,
                   page_end=p.page_end, text=p.text, score=round(hit.score, 6))


class SearchOut(BaseModel):
    results: list[SearchHit]


class DocumentOut(BaseModel):
    id: str
    title: str
    issuer: str
    jurisdiction: str
    published: str
    doc_type: str
    binding: bool
    url: str
    passages: int

    @classmethod
    def from_source(cls, src: Source, passages: int) -> DocumentOut:
        return cls(id=src.document_id, title=src.title, issuer=src.issuer, jurisdiction=src.jurisdiction,
                   published=src.published, doc_type=src.doc_type, binding=src.binding, url=src.official_url,
                   passages=passages)


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class PassageOut(BaseModel):
    passage_id: str
    document_id: str
    document_title: str
    locator: str
    section_path: list[str]
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    kind: str
    text: str
    url: str

    @classmethod
    def from_passage(cls, p: Passage, src: Source | None) -> PassageOut:
        return cls(passage_id=p.passage_id, document_id=p.document_id, document_title=src.title if src else "",
                   locator=p.locator, section_path=list(p.section_path), page_start=p.page_start,
                   page_end=p.page_end, char_start=p.char_start, char_end=p.char_end, kind=p.kind, text=p.text,
                   url=page_url(src, p.page_start) if src else "")


class HealthOut(BaseModel):
    status: str
    detail: str = ""
    passages: int | None = None
    # when ready: what answers depend on (eval run records over HTTP carry these)
    settings_hash: str | None = None
    answer_settings_hash: str | None = None
    corpus_hash: str | None = None
    default_mode: str | None = None
    indexing: dict[str, Any] | None = None
    replica: str | None = None  # host:pid of the process that answered (several serve one port)
    error: ErrorDetail | None = None  # set with 503, so every non-2xx body carries {"error": ...}


class JobOut(BaseModel):
    """The state of the index build run by this process."""

    state: Literal["idle", "running", "done", "failed"]
    started_at: float | None = None
    finished_at: float | None = None
    message: str = ""
    report: dict[str, Any] | None = None
    document_id: str | None = None


# ---- OpenAI-compatible chat ------------------------------------------------------------------
MAX_TURN_PARTS = 50
class ContentPart(StrictOpen):
    type: Identifier
    text: TurnText | None = None


class ChatMessage(StrictOpen):  # name, tool_calls, ... are accepted and ignored
    role: Identifier
    content: TurnText | Annotated[list[ContentPart], Field(max_length=MAX_TURN_PARTS)] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(StrictOpen):
    """OpenAI chat-completions request. Other OpenAI options arrive as extra fields and are checked by
    ``openai_compat.check_options`` (honoured, harmless, or a 400 naming them); ``filters``,
    ``persona`` and ``mode`` are extensions (send them via ``extra_body``)."""

    model: Identifier = "policy-assistant"
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    filters: Filters = Field(default_factory=Filters)
    persona: Persona = "sme"
    mode: Mode | None = None
