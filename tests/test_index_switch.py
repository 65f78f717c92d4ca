"""Memory per index switch (issue #15): one Chroma client per process and location, and a new
embedded Chroma system for each new generation, so the old index and every collection its system
loaded are freed once nothing serves from them. Hash embedder and tiny documents: fast."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import numpy as np

from assistant.library import all_sources
from assistant.service import Assistant
from assistant.settings import Settings
from index.pipeline import ingest
from index.store import ChromaLocation, ChromaStore
from index.types import Passage

POLICY = """# Widget AI Policy

## Section 1 Transparency

Operators of chatbots must tell users that they are talking to an AI system before the conversation starts.

## Section 2 Records

Operators must keep logs of automated decisions for five years.
"""


def tiny_assistant(root: Path, **retrieval) -> Assistant:
    (root / "doc").mkdir(parents=True, exist_ok=True)
    (root / "doc" / "widget-policy.md").write_text(POLICY)
    settings = Settings(data_dir=root / "data", corpus_dirs=[], allow_download=False, ingest={"embedding_model": "hash"},
                        uploads={"allowed_dirs": [root / "doc"]}, retrieval=retrieval)
    assistant = Assistant(settings)
    assistant.add_document(str(root / "doc" / "widget-policy.md"), title="Widget AI Policy", jurisdiction="XX")
    assistant.ingest(progress=False)
    return assistant


def chroma_system(client):
    """The object holding chromadb's native bindings for this client (what a new system replaces)."""
    return client._server


def test_one_client_per_location_and_renew_keeps_the_old_client_working(tmp_path):
    location = ChromaLocation(path=tmp_path / "chroma")
    first = location.client()
    assert location.client() is first and ChromaLocation(path=tmp_path / "chroma").client() is first
    store = ChromaStore(first, "passages-renew")
    passages = [Passage(f"d#s-{i}", "d", f"Section {i}", (), None, None, i, i + 1, f"text {i}") for i in range(20)]
    vectors = np.random.default_rng(0).standard_normal((20, 8)).astype(np.float32)
    store.add(passages, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))

    location.renew()
    second = location.client()
    assert second is not first and chroma_system(second) is not chroma_system(first)
    old_hits = store.search(vectors[3], 5)  # a request still on the old index: its client still works
    assert old_hits[0][0] == "d#s-3" and ChromaStore(second, "passages-renew").search(vectors[3], 5) == old_hits

    old_system = weakref.ref(chroma_system(first))
    del first, store
    gc.collect()
    assert old_system() is None  # nothing holds the old system: its native memory went with it


def test_a_new_generation_frees_the_old_index_and_its_chroma_system(tmp_path):
    assistant = tiny_assistant(tmp_path)
    index = assistant.index
    old_index, old_system = weakref.ref(index), weakref.ref(chroma_system(index.store.client))
    old_collection = index.collection
    del index

    # Another process builds a new generation; the service notices at its next check.
    report = ingest(all_sources(assistant.settings), assistant.config, progress=False, force=True)
    assert report.collection != old_collection
    assistant._checked_at = 0.0
    assert assistant.index.collection == report.collection
    gc.collect()
    assert old_index() is None, gc.get_referrers(old_index())
    assert old_system() is None, "the old generation's Chroma system (and every collection it loaded) is still alive"
    hits = assistant.search("Must operators keep logs of automated decisions?", k=2)
    assert hits and hits[0].passage.passage_id.startswith("widget-policy#")


def test_reloading_the_same_generation_keeps_the_client(tmp_path):
    assistant = tiny_assistant(tmp_path)
    client = assistant.index.store.client
    assistant._index = None  # e.g. an in-process ingest that changed nothing
    assert assistant.index.store.client is client
