"""Ingestion: sources -> fetch -> parse -> structure -> chunk -> embed -> Chroma + BM25.

Incremental and atomic: a document whose file (sha256) and index settings are unchanged keeps its
passages and embeddings; a changed file replaces exactly its own passages; a document that fails
(missing, corrupt, wrong checksum, no text) is reported and skipped while every other document is
indexed. Each build writes a new generation collection and then switches the state record to it.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .chunk import chunk_document
from .embed import get_embedder
from .embed_cache import EmbeddingCache
from .errors import SourceError
from .hostile import hostile_sentences
from .knowledge import KnowledgeLayer
from .parse import parse
from .sources import fetch, sha256_of
from .store import ChromaLocation, ChromaStore, IndexState, state_passage_ids
from .structure import recognise
from .types import Passage, Source


@dataclass(frozen=True)
class IngestConfig:
    data_dir: Path
    mirrors: tuple[Path, ...]
    chroma: ChromaLocation
    settings_hash: str  # hash of everything that shapes the index (model, chunking, parser)
    embedding_model: str = "all-MiniLM-L6-v2"
    embed_max_tokens: int = 256
    chunk_tokens: int = 220
    chunk_overlap: int = 30
    embed_batch_size: int = 32
    allow_download: bool = True
    workers: int = 2

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "downloads"

    def bm25_dirs(self, collection: str) -> list[Path]:
        """BM25 folders of a collection (one per annotation set it was built with)."""
        return sorted((self.data_dir / "bm25").glob(f"{collection}-a*"))

    @property
    def model_key(self) -> str:
        """Embedding-cache key of the model at this input length (256 word pieces is the model's own limit)."""
        return self.embedding_model if self.embed_max_tokens == 256 else f"{self.embedding_model}@{self.embed_max_tokens}"


def prepare_knowledge(cfg: IngestConfig, collection: str, documents: set[str], passages: list[Passage],
                      progress: bool = False) -> KnowledgeLayer:
    """Embed the annotation questions and build BM25 over passages and questions, so that readers
    load both ready-made (cheap when nothing changed: vectors and BM25 files are reused)."""
    from .embed import get_embedder
    from .retrieve import load_lexical

    embedder = get_embedder(cfg.embedding_model, cfg.embed_batch_size, cfg.embed_max_tokens)
    knowledge = KnowledgeLayer.load(documents, cfg.data_dir, embedder, cfg.model_key, progress=progress)
    load_lexical(cfg.data_dir, collection, passages, knowledge)
    if cfg.embedding_model != "hash":  # test indexes skip it; real ones get the cross-lingual vectors now, not on the first question
        from .multilingual import MultilingualChannel

        MultilingualChannel.load(cfg.data_dir, knowledge, progress=progress)
    return knowledge


@dataclass
class DocReport:
    document_id: str
    status: str  # indexed | unchanged | failed | kept (failed now, previous version kept)
    pages: int = 0
    passages: int = 0
    seconds: float = 0.0
    error: str = ""
    hostile: list[str] = field(default_factory=list)  # sentences that address the reader as a model (never quoted)


@dataclass
class IngestReport:
    documents: list[DocReport] = field(default_factory=list)
    collection: str = ""
    embedded: int = 0  # passages the model embedded (cache misses)
    added: int = 0  # passages written fresh to the new generation (embedded or from the cache)
    embed_seconds: float = 0.0
    seconds: float = 0.0
    changed: bool = False

    @property
    def failed(self) -> list[DocReport]:
        return [d for d in self.documents if d.status in ("failed", "kept")]


def code_version() -> str:
    """Hash of the code that turns files into passages: changing a parser or recogniser must
    never silently reuse passages built by the old code."""
    import hashlib

    root = Path(__file__).parent
    files = [root / "parse.py", root / "chunk.py", *sorted((root / "structure").glob("*.py"))]
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def embedding_text(source: Source, p: Passage) -> str:
    """What the dense model sees: the document and section titles give a passage its topic."""
    path = " > ".join(p.section_path[-2:])
    return f"{source.label} | {p.locator} | {path}\n{p.text}"


def _prepare(source: Source, path: Path, cfg: IngestConfig) -> tuple[dict, list[Passage]]:
    """Parse, recognise structure and chunk one document (runs in a worker process)."""
    started = time.perf_counter()
    doc = parse(source.document_id, path, source.format)
    sections = recognise(source, doc)
    passages = chunk_document(doc, sections, cfg.chunk_tokens, cfg.chunk_overlap)
    if not passages:
        raise SourceError(source.document_id, "no passages could be made from its text")
    pages = {"pages": len(doc.page_numbers), "page_starts": list(doc.page_starts),
             "page_numbers": list(doc.page_numbers), "has_pages": doc.has_pages,
             "hostile": hostile_sentences(doc.text), "seconds": round(time.perf_counter() - started, 2)}
    return pages, passages


def ingest(sources: list[Source], cfg: IngestConfig, progress: bool = True, force: bool = False) -> IngestReport:
    """Build or update the index; one build at a time per data dir (others wait on a file lock)."""
    import fcntl

    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.data_dir / "ingest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ingest(sources, cfg, progress, force)


def _ingest(sources: list[Source], cfg: IngestConfig, progress: bool, force: bool) -> IngestReport:
    t0 = time.perf_counter()
    client = cfg.chroma.client()
    state_store = IndexState(client)
    state = state_store.read() or {}
    # Under the build lock every generation but the live one and the one before it is the orphan of a
    # killed build: it is never read (names are unique, readers load what the state names) and goes now.
    _drop_old_generations(client, cfg, keep={state.get("collection", ""), state.get("previous", "")})
    same_settings = state.get("settings_hash") == cfg.settings_hash and not force
    old_docs: dict = state.get("documents", {}) if same_settings else {}
    # What a document that fails now falls back to: its last good version, with --force too (the same
    # settings made it, so it still belongs in this index).
    fallback: dict = state.get("documents", {}) if state.get("settings_hash") == cfg.settings_hash else {}
    report = IngestReport()

    todo: list[tuple[Source, Path, str]] = []
    kept: dict[str, dict] = {}
    for src in sources:
        try:
            path = fetch(src, list(cfg.mirrors), cfg.cache_dir, cfg.allow_download)
            digest = sha256_of(path)
        except SourceError as exc:
            _failed(report, src.document_id, exc, fallback, kept)
            continue
        old = old_docs.get(src.document_id)
        if old and old["sha256"] == digest:
            kept[src.document_id] = old
            report.documents.append(DocReport(src.document_id, "unchanged", old["pages"], len(old["passages"]),
                                              hostile=old.get("hostile", [])))
        else:
            todo.append((src, path, digest))

    prepared = _prepare_all(todo, cfg, report, fallback, kept, progress)
    if state and same_settings and not prepared and set(kept) == set(old_docs):
        # Nothing changed (a document that failed now was not indexed before, or keeps its last good
        # version): no embedding, no new generation.
        if not _knowledge_ready(cfg, state):  # the annotations changed: refresh their vectors and BM25
            prepare_knowledge(cfg, state["collection"], set(state["documents"]),
                              ChromaStore(client, state["collection"]).passages(state_passage_ids(state)), progress)
        report.collection, report.seconds = state["collection"], time.perf_counter() - t0
        return report

    if not prepared and not kept:  # every document failed: an empty index would answer nothing, keep what is live
        report.collection, report.seconds = state.get("collection", ""), time.perf_counter() - t0
        return report

    generation = int(state.get("generation", 0)) + 1
    build_id = "b" + uuid.uuid4().hex[:11]  # a name is never reused: a killed build's leftovers can never be read as ours
    name = f"passages-{cfg.settings_hash}-g{generation}-{build_id}"
    new = ChromaStore(client, name)
    old_store = ChromaStore(client, state["collection"]) if state.get("collection") and kept else None
    try:
        if old_store is not None:
            _copy_kept(old_store, new, kept)
        t_embed = time.perf_counter()
        report.embedded = _embed_new(new, prepared, cfg, progress)
        report.added = sum(len(plist) for *_rest, plist in prepared)
        report.embed_seconds = time.perf_counter() - t_embed
        docs = dict(kept)
        for src, digest, pages, plist in prepared:
            facts = {k: v for k, v in pages.items() if k != "seconds"}  # timing belongs to the report, not the index
            docs[src.document_id] = {"sha256": digest, **facts, "passages": [p.passage_id for p in plist]}
        new_state = {"settings_hash": cfg.settings_hash, "generation": generation, "collection": name,
                     "previous": state.get("collection", ""), "build_id": build_id, "documents": docs,
                     "built_at": time.time()}
        passages = new.passages(state_passage_ids(new_state))
        present = {p.passage_id for p in passages}
        for doc in docs.values():  # the state names exactly what the collection holds
            doc["passages"] = [pid for pid in doc["passages"] if pid in present]
        prepare_knowledge(cfg, name, set(docs), passages, progress)
    except BaseException:
        client.delete_collection(name)  # the live generation is untouched
        raise
    state_store.write(new_state)
    # The previous generation stays one build longer: a reader that loaded it a moment ago can finish.
    _drop_old_generations(client, cfg, keep={name, state.get("collection", "")})
    report.collection, report.changed = name, True
    report.seconds = time.perf_counter() - t0
    return report


def _failed(report: IngestReport, doc_id: str, exc: Exception, old_docs: dict, kept: dict) -> None:
    if doc_id in old_docs:  # the previous, good version stays searchable
        kept[doc_id] = old = old_docs[doc_id]
        report.documents.append(DocReport(doc_id, "kept", old.get("pages", 0), len(old.get("passages", [])),
                                          error=f"{exc}; kept the last good version", hostile=old.get("hostile", [])))
    else:
        report.documents.append(DocReport(doc_id, "failed", error=str(exc)))


def _prepare_all(todo, cfg: IngestConfig, report: IngestReport, old_docs: dict, kept: dict, progress: bool):
    """Parse documents in worker processes; a document that crashes its worker is retried alone,
    so one hostile file can only fail itself."""
    from concurrent.futures.process import BrokenProcessPool

    from tqdm import tqdm

    prepared, crashed = [], []
    if not todo:
        return prepared
    with tqdm(total=len(todo), desc="parse", unit="doc", disable=not progress) as bar:
        for item, outcome in _run_pool(todo, cfg, max(1, min(cfg.workers, len(todo)))):
            if isinstance(outcome, BrokenProcessPool):
                crashed.append(item)
                continue
            _record(item, outcome, prepared, report, old_docs, kept)
            bar.update(1)
        for item in crashed:  # alone in its own worker: a second crash is this document's own
            for _item, outcome in _run_pool([item], cfg, 1):
                _record(item, outcome, prepared, report, old_docs, kept)
                bar.update(1)
    return prepared


def _run_pool(items, cfg: IngestConfig, workers: int):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [(item, pool.submit(_prepare, item[0], item[1], cfg)) for item in items]
        for item, fut in futures:
            try:
                yield item, fut.result()
            except Exception as exc:  # the document's own error, or a crashed worker (BrokenProcessPool)
                yield item, exc


def _record(item, outcome, prepared: list, report: IngestReport, old_docs: dict, kept: dict) -> None:
    src, _path, digest = item
    if isinstance(outcome, BaseException):
        exc = outcome if isinstance(outcome, SourceError) else SourceError(
            src.document_id, f"{type(outcome).__name__}: {outcome}")
        _failed(report, src.document_id, exc, old_docs, kept)
        return
    pages, passages = outcome
    prepared.append((src, digest, pages, passages))
    report.documents.append(DocReport(src.document_id, "indexed", pages["pages"], len(passages), pages["seconds"],
                                      hostile=pages.get("hostile", [])))


def _copy_kept(old: ChromaStore, new: ChromaStore, kept: dict) -> None:
    """Unchanged documents move to the new generation with their stored embeddings (no re-embedding)."""
    ids = [pid for doc in kept.values() for pid in doc["passages"]]
    by_id = {p.passage_id: p for p in old.passages(ids)}
    ids = [pid for pid in ids if pid in by_id]
    for i in range(0, len(ids), 1000):
        part = ids[i : i + 1000]
        new.add([by_id[pid] for pid in part], old.embeddings(part))


def _embed_new(store: ChromaStore, prepared, cfg: IngestConfig, progress: bool) -> int:
    """Embed new passages (cached vectors reused) and add them to the store; returns how many
    were embedded by the model."""
    from tqdm import tqdm

    items = [(p, embedding_text(src, p)) for src, _d, _n, plist in prepared for p in plist]
    if not items:
        return 0
    cache = EmbeddingCache(cfg.data_dir / "embedding-cache.sqlite", cfg.model_key)
    embedded, batch = 0, 256
    try:
        with tqdm(total=len(items), desc="embed", unit="passage", disable=not progress) as bar:
            for i in range(0, len(items), batch):
                part = items[i : i + batch]
                texts = [t for _p, t in part]
                vectors = cache.get_many(texts)
                missing = [j for j, v in enumerate(vectors) if v is None]
                if missing:
                    embedder = get_embedder(cfg.embedding_model, cfg.embed_batch_size, cfg.embed_max_tokens)
                    fresh = embedder.embed([texts[j] for j in missing])
                    cache.put_many([texts[j] for j in missing], fresh)
                    for j, v in zip(missing, fresh):
                        vectors[j] = v
                    embedded += len(missing)
                store.add([p for p, _t in part], np.vstack(vectors))
                bar.update(len(part))
    finally:
        cache.close()
    return embedded


def _drop_old_generations(client, cfg: IngestConfig, keep: set[str]) -> None:
    import shutil

    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        if name.startswith("passages-") and name not in keep:
            client.delete_collection(name)
    if cfg.chroma.host is None and cfg.chroma.path is not None:
        _remove_orphan_segment_folders(cfg.chroma.path)
    bm25 = cfg.data_dir / "bm25"
    for folder in bm25.iterdir() if bm25.is_dir() else ():  # BM25 files of dropped (or killed) generations
        if folder.name.startswith("passages-") and folder.name.rsplit("-a", 1)[0] not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def _remove_orphan_segment_folders(path: Path) -> None:
    """Embedded Chroma (1.5) keeps a deleted collection's HNSW folder, named by its segment id, on
    disk (24 generations left 107 MB): remove the folders no segment of the store names any more."""
    import shutil
    import sqlite3

    db = path / "chroma.sqlite3"
    if not db.is_file():
        return
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        live = {row[0] for row in conn.execute("SELECT id FROM segments")}
    for folder in path.iterdir():
        try:
            uuid.UUID(folder.name)
        except ValueError:
            continue  # not a segment folder
        if folder.is_dir() and folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)


def _knowledge_ready(cfg: IngestConfig, state: dict) -> bool:
    from .knowledge import annotations_hash, collect

    anns = collect(set(state.get("documents", {})), cfg.data_dir)
    return (cfg.data_dir / "bm25" / f"{state['collection']}-a{annotations_hash(anns)}").is_dir()


def report_rows(report: IngestReport) -> list[dict]:
    return [asdict(d) for d in report.documents]
