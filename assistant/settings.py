"""One settings object for every surface (CLI, API, UI, evals).

Environment variables use the prefix ``POLICY_`` and ``__`` for nested groups, e.g.
``POLICY_DATA_DIR``, ``POLICY_RETRIEVAL__K=8``, ``POLICY_LLM__BASE_URL``. The Chroma server is
also read from the conventional ``CHROMA_HOST`` / ``CHROMA_PORT``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_corpus_dirs() -> list[Path]:
    """The shared corpus beside the checkout (this environment's mirror), if present."""
    candidates = [Path.cwd().parent / "shared" / "corpus", REPO_ROOT.parent / "shared" / "corpus"]
    seen: list[Path] = []
    for c in candidates:
        c = c.resolve()
        if c.is_dir() and c not in seen:
            seen.append(c)
    return seen


class IngestSettings(BaseModel):
    embedding_model: str = Field(
        "all-MiniLM-L6-v2", description="Embedding model: 'all-MiniLM-L6-v2' (local, shipped in a PyPI package) or 'hash' (tests only)."
    )
    chunk_tokens: int = Field(220, ge=32, le=2000, description="Maximum tokens (cl100k) per passage.")
    chunk_overlap: int = Field(30, ge=0, le=500, description="Tokens repeated between consecutive passages of one section.")
    embed_batch_size: int = Field(32, ge=1, description="Passages per embedding batch.")
    embed_max_tokens: int = Field(128, ge=16, le=512, description="Word pieces of each passage the embedder reads (the rest is cut).")


class RetrievalSettings(BaseModel):
    k: int = Field(6, ge=1, le=50, description="Passages handed to the composer.")
    candidates: int = Field(60, ge=5, le=500, description="Candidates taken from each retriever before fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense list in fusion.")
    lexical_weight: float = Field(0.6, ge=0, description="Weight of the BM25 list in fusion.")
    rrf_k: int = Field(30, ge=1, description="Rank constant of reciprocal rank fusion.")
    fusion: Literal["linear", "rrf"] = Field("linear", description="linear: cosine + weighted max-normalised BM25; rrf: reciprocal rank fusion.")
    expand_dense: bool = Field(False, description="Append glossary expansions to the dense query too.")
    annotations: bool = Field(True, description="Use the provision annotations (index/annotations/); off: passage text alone.")
    question_weight: float = Field(1.0, ge=0, description="Weight of the best annotation-question match of a passage's unit (0: off).")
    question_floor: float = Field(0.45, ge=0, le=1, description="Question similarity below which an annotation adds nothing.")
    question_mode: Literal["bonus", "max"] = Field("bonus", description="bonus: add the question match above the floor; max: lift the text match to the question match.")
    definition_prior: float = Field(1.0, ge=0, le=1, description="Weight of definitions when the question does not ask what something is.")
    dated_prior: float = Field(1.08, ge=1, le=2, description="Weight of passages that state a date or period when the question asks when.")
    question_candidates: int = Field(30, ge=0, le=500, description="Annotated units taken as candidates by question match.")
    multilingual: bool = Field(True, description="For questions not in English, also match annotation questions with multilingual-e5 (index/multilingual.py).")
    bridge: bool = Field(True, description="For questions not in English, add the English words the annotations' translations pair with the question's words to the lexical and dense queries (index/bridge.py).")
    vectors: Literal["memory", "server"] = Field("memory", description="memory: each process holds every passage vector (exact scoped search); server: only Chroma does (scoped searches use its filter, fusion fetches candidates' vectors by id): less memory, slower.")


class AnswerSettings(BaseModel):
    mode: Literal["extractive", "llm"] = Field("extractive", description="Default composer.")
    max_question_chars: int = Field(4000, description="Longer questions are rejected with a 4xx.")
    max_history_turns: int = Field(20, description="More history turns are rejected with a 4xx.")
    near_tie: float = Field(0.85, ge=0, le=1.01, description="SME answers also quote the second passage when its score is at least this share of the first's (above 1: never). Tune: 0.95 -> 0.85 took case citation recall 0.488 -> 0.519, precision 0.381 -> 0.361.")
    min_question_relevance: float = Field(0.65, description="Annotation-question similarity at which a question counts as covered even when no passage text is close.")
    min_relevance: float = Field(0.30, description="Dense similarity under which a question is treated as not covered.")
    crosswalk: bool = Field(True, description="Comparisons quote each named document's crosswalk cell (index/crosswalk/) before retrieval.")


class LLMSettings(BaseModel):
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1. None: no LLM.")
    api_key: SecretStr | None = Field(None, description="Key for the endpoint (many local servers accept any).")
    model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    timeout_s: float = Field(30.0, description="Seconds before falling back to the extractive answer.")
    temperature: float = Field(0.0)


class APISettings(BaseModel):
    admin_key: SecretStr | None = Field(None, description="Enables admin routes (re-index, add documents). Unset: they are disabled.")
    query_key: SecretStr | None = Field(None, description="If set, question routes also require this key.")
    body_timeout_s: float = Field(15.0, gt=0, description="Seconds a client may take to send its request body before a 408.")


class UploadSettings(BaseModel):
    """Documents users add (CLI --add, POST /v1/admin/documents)."""

    max_mb: float = Field(50.0, gt=0, description="Largest file a user may add, in MB (10^6 bytes).")
    allowed_dirs: list[Path] = Field(default_factory=list, description=(
        "Folders local files may be added from, besides the corpus mirror folders and <data_dir>/inbox."))

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Index, state and caches live here.")
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=_default_corpus_dirs,
        validation_alias=AliasChoices("POLICY_CORPUS_DIR", "POLICY_CORPUS_DIRS", "corpus_dirs", "corpus_dir"),
        description="Mirror folder(s) searched for source files before their official URL.",
    )
    allow_download: bool = Field(True, description="Fetch a source from its official URL when no mirror has it.")
    chroma_host: str | None = Field(None, validation_alias=AliasChoices("CHROMA_HOST", "POLICY_CHROMA_HOST", "chroma_host"))
    chroma_port: int = Field(8000, validation_alias=AliasChoices("CHROMA_PORT", "POLICY_CHROMA_PORT", "chroma_port"))
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    api: APISettings = APISettings()
    uploads: UploadSettings = UploadSettings()
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Prompt templates.")

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _one_or_many_paths(cls, value: Any) -> Any:
        """POLICY_CORPUS_DIR=/path (as the README says), a JSON list, or several paths joined by ':'."""
        if isinstance(value, (str, os.PathLike)):
            text = os.fspath(value).strip()
            if text.startswith("["):
                return json.loads(text)
            return [p for p in text.split(os.pathsep) if p]
        return value

    def index_settings_hash(self, parser_version: str) -> str:
        """Hash of everything that shapes the index: a change never silently reuses a stale one."""
        shaping = {
            "model": self.ingest.embedding_model,
            "embed_max_tokens": self.ingest.embed_max_tokens,
            "chunk_tokens": self.ingest.chunk_tokens,
            "chunk_overlap": self.ingest.chunk_overlap,
            "parser": parser_version,
        }
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:10]
