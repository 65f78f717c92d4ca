"""The naive pipeline a newcomer builds with LangChain, scored by the same runner as a reference:

pypdf page text -> RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100) ->
langchain-chroma ``Chroma`` over our local MiniLM (wrapped as a LangChain ``Embeddings``; never a
hub download), persisted under ``<data_dir>/baseline/`` -> the top-3 chunks are the "citations"
(quote = the whole chunk, locator = "page N"); it never abstains, ignores the chat history and
honours only the ``documents`` filter (a plain Chroma metadata filter).

Built from the same sources as the assistant (``all_sources`` + ``fetch``). Text/HTML files have
no pages: they are loaded whole (page null), as LangChain's TextLoader/BSHTMLLoader would.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.types import Answer, Citation
from index.types import Passage, Source

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 100
CITE_K, RETRIEVE_K = 3, 10
BATCH = 256


class LocalMiniLMEmbeddings(Embeddings):
    """LangChain adapter over index.embed's local all-MiniLM-L6-v2 (shipped in a PyPI package)."""

    def __init__(self, model: str = "all-MiniLM-L6-v2"):
        from index.embed import get_embedder

        self._embedder = get_embedder(model)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()


def raw_pages(path: Path, fmt: str) -> list[tuple[int | None, str]]:
    """The text a newcomer's loader sees: pypdf ``extract_text`` per page (1-based), or the whole
    text of a TXT/MD file, or BeautifulSoup's text of an HTML file (page None)."""
    if fmt == "pdf":
        import logging

        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.ERROR)
        reader = PdfReader(path)
        return [(i, page.extract_text() or "") for i, page in enumerate(reader.pages, start=1)]
    raw = path.read_text(encoding="utf-8", errors="replace")
    if fmt in ("html", "htm"):
        from bs4 import BeautifulSoup

        raw = BeautifulSoup(raw, "html.parser").get_text("\n")
    return [(None, raw)]


def load_chunks(sources: Sequence[Source], paths: dict[str, Path]) -> list[Document]:
    """Page documents split into 1,000-character chunks; metadata carries document id, page, offset."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    chunks: list[Document] = []
    for src in sources:
        if src.document_id not in paths:
            continue
        pages = [Document(page_content=text, metadata={"document_id": src.document_id, "page": page or -1})
                 for page, text in raw_pages(paths[src.document_id], src.format) if text.strip()]
        per_page: dict[int, int] = {}
        for chunk in splitter.split_documents(pages):
            page = chunk.metadata["page"]
            n = per_page[page] = per_page.get(page, -1) + 1
            where = f"page-{page}" if page > 0 else "chunk"
            chunk.id = f"{src.document_id}#{where}~{n}"
            chunks.append(chunk)
    return chunks


class NaiveRAG:
    """The baseline pipeline with the Assistant's ``ask(...) -> Answer`` shape."""

    name = "baseline"

    def __init__(self, settings: Any, progress: bool = True):
        from assistant.library import all_sources, ingest_config
        from index.sources import fetch, sha256_of

        cfg = ingest_config(settings)
        self.sources = {s.document_id: s for s in all_sources(settings)}
        self.paths: dict[str, Path] = {}
        self.shas: dict[str, str] = {}
        for src in self.sources.values():
            try:
                self.paths[src.document_id] = fetch(src, list(cfg.mirrors), cfg.cache_dir, allow_download=False)
            except Exception:  # noqa: BLE001 - a missing file is left out, as the assistant's ingest does
                continue
            self.shas[src.document_id] = src.sha256 or sha256_of(self.paths[src.document_id])
        from index.sources import corpus_hash

        self.corpus_hash = corpus_hash(self.shas)
        self.settings_hash = hashlib.sha256(
            f"pypdf|recursive-{CHUNK_SIZE}-{CHUNK_OVERLAP}|all-MiniLM-L6-v2|top-{CITE_K}".encode()).hexdigest()[:10]
        self.persist_dir = Path(settings.data_dir).resolve() / "baseline"
        self.store = self._open(progress)
        self.chunks = self._load_chunks()

    def _open(self, progress: bool):
        from langchain_chroma import Chroma

        from index.store import ChromaLocation

        client = ChromaLocation(path=self.persist_dir).client()
        name = f"baseline-{self.settings_hash}-{self.corpus_hash[:10]}"
        store = Chroma(collection_name=name, embedding_function=LocalMiniLMEmbeddings(), client=client)
        if store._collection.count() == 0:
            self._build(store, progress)
        return store

    def _build(self, store: Any, progress: bool) -> None:
        from tqdm import tqdm

        t0 = time.perf_counter()
        chunks = load_chunks(list(self.sources.values()), self.paths)
        for i in tqdm(range(0, len(chunks), BATCH), desc="baseline: embedding chunks", disable=not progress):
            batch = chunks[i:i + BATCH]
            store.add_documents(batch, ids=[c.id for c in batch])
        if progress:
            print(f"baseline index: {len(chunks)} chunks in {time.perf_counter() - t0:.0f} s")

    def _load_chunks(self) -> dict[str, Passage]:
        got = self.store.get(include=["documents", "metadatas"])
        out = {}
        for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            out[pid] = self._passage(pid, text, meta)
        return out

    @staticmethod
    def _passage(pid: str, text: str, meta: dict[str, Any]) -> Passage:
        page = meta.get("page", -1)
        page = page if page and page > 0 else None
        start = int(meta.get("start_index", 0))
        return Passage(pid, meta["document_id"], f"page {page}" if page else "", (), page, page,
                       start, start + len(text), text)

    def passage(self, passage_id: str) -> Passage | None:
        return self.chunks.get(passage_id)

    def ask(self, question: str, history: list | None = None, documents: list[str] | None = None,
            jurisdictions: list[str] | None = None, binding: bool | None = None, persona: str = "sme",
            mode: str | None = None) -> Answer:
        """Top-3 chunks as citations; history, jurisdictions, binding, persona and mode are ignored."""
        t0 = time.perf_counter()
        where = None
        if documents:
            where = {"document_id": documents[0]} if len(documents) == 1 else {"document_id": {"$in": documents}}
        # Chroma's default space is squared L2; on unit vectors cosine = 1 - d/2.
        hits = [(d, 1.0 - dist / 2.0) for d, dist in
                self.store.similarity_search_with_score(question, k=RETRIEVE_K, filter=where)]
        t1 = time.perf_counter()
        citations = [self._citation(n, doc) for n, (doc, _) in enumerate(hits[:CITE_K], 1)]
        text = "\n\n".join(f"{' '.join(c.quote.split())} [{c.n}]" for c in citations)
        t2 = time.perf_counter()
        return Answer(answer=text, abstained=False, citations=citations, mode="baseline",
                      retrieved=[{"passage_id": d.id, "score": round(float(s), 4)} for d, s in hits],
                      timings_ms={"retrieve": (t1 - t0) * 1000, "compose": (t2 - t1) * 1000, "total": (t2 - t0) * 1000})

    def _citation(self, n: int, doc: Document) -> Citation:
        p = self.chunks.get(doc.id) or self._passage(doc.id, doc.page_content, doc.metadata)
        src = self.sources.get(p.document_id)
        url = (src.official_url if src else "") + (f"#page={p.page_start}" if src and p.page_start else "")
        return Citation(n=n, passage_id=p.passage_id, document_id=p.document_id,
                        document_title=src.title if src else p.document_id, locator=p.locator, page=p.page_start,
                        quote=p.text, url=url, binding=bool(src and src.binding),
                        jurisdiction=src.jurisdiction if src else "")


class BaselineSystem:
    """The runner's System adapter over NaiveRAG."""

    name = "baseline"

    def __init__(self, rag: NaiveRAG):
        self.rag = rag

    def ask(self, case: Any, mode: str | None) -> Answer:
        from .runner import case_request

        return self.rag.ask(**case_request(case), mode=mode)

    def passage(self, passage_id: str) -> Passage | None:
        return self.rag.passage(passage_id)

    def describe(self) -> dict[str, str]:
        return {"settings_hash": self.rag.settings_hash, "answer_settings_hash": self.rag.settings_hash,
                "corpus_hash": self.rag.corpus_hash, "default_mode": "baseline"}

    def warm_up(self) -> None:
        self.rag.ask("warm up the embedding model")
