"""Vectors kept on the server (``retrieval.vectors = "server"``, issue #15): no passage vector is
loaded into the process; scoped dense search goes to Chroma's filtered query and fusion's cosines
are fetched by id. Results equal the in-memory mode's (exact at this size). Hash embedder: fast."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from index.scoped import InMemoryVectors, ScopedStore
from index.store import ChromaLocation, ChromaStore
from index.types import Passage

TOPICS = {
    "widget-policy": ["chatbot transparency", "decision records", "data retention", "human oversight",
                      "incident reporting", "risk assessment", "model registration", "staff training"],
    "gadget-rules": ["gadget registration", "battery safety", "consumer complaints", "repair rights",
                     "export licences", "market surveillance", "labelling duties", "penalty amounts"],
}
QUESTIONS = ["Must operators keep decision records?", "What are the rules on battery safety?",
             "Who handles incident reporting?", "Are there penalty amounts for gadgets?"]


def document(title: str, topics: list[str]) -> str:
    sections = [f"## Section {i} {t.title()}\n\nOperators must follow the {t} rules: every {t} duty applies "
                f"to providers and deployers, and the authority checks {t} each year.\n"
                for i, t in enumerate(topics, 1)]
    return f"# {title}\n\n" + "\n".join(sections)


@pytest.fixture(scope="module")
def assistants(tmp_path_factory):
    """The same tiny index served with vectors in memory and with vectors on the server."""
    root = tmp_path_factory.mktemp("vectors")
    (root / "doc").mkdir()
    base = Settings(data_dir=root / "data", corpus_dirs=[], allow_download=False, ingest={"embedding_model": "hash"},
                    uploads={"allowed_dirs": [root / "doc"]})
    builder = Assistant(base)
    for doc_id, topics in TOPICS.items():
        path = root / "doc" / f"{doc_id}.md"
        path.write_text(document(doc_id.replace("-", " ").title(), topics))
        builder.add_document(str(path), title=doc_id.replace("-", " ").title(), jurisdiction="XX")
    builder.ingest(progress=False)
    server = base.model_copy(update={"retrieval": base.retrieval.model_copy(update={"vectors": "server"})})
    return Assistant(base), Assistant(server)


def test_server_mode_never_loads_the_vectors_and_answers_like_memory_mode(assistants):
    memory, server = assistants
    assert server.index.vectors_in == "server" and memory.index.vectors_in == "memory"
    for question in QUESTIONS:
        for documents in (None, ["gadget-rules"], ["widget-policy", "gadget-rules"]):
            want, got = memory.ask(question, documents=documents), server.ask(question, documents=documents)
            assert (got.answer, got.abstained) == (want.answer, want.abstained), (question, documents)
            assert [c.passage_id for c in got.citations] == [c.passage_id for c in want.citations]
            assert [h.passage.passage_id for h in server.search(question, k=5, documents=documents)] == \
                   [h.passage.passage_id for h in memory.search(question, k=5, documents=documents)]
    assert any(not memory.ask(q).abstained for q in QUESTIONS)  # the comparison covers real answers
    assert "vectors" not in server.index.__dict__  # the cached matrix was never built in this process
    assert "vectors" in memory.index.__dict__


def test_server_cosines_equal_the_in_memory_ones(assistants):
    memory, server = assistants
    ids = list(memory.index.passages)[::-1]  # any order, any subset
    for question in QUESTIONS:
        vector = memory.index.embed_query(question)
        np.testing.assert_allclose(server.index.cosines(vector, ids), memory.index.cosines(vector, ids), atol=1e-6)
    assert server.index.cosines(vector, []).shape == (0,)
    twice = [ids[0], ids[1], ids[0]]  # a caller may name a passage twice; Chroma's get may not
    np.testing.assert_allclose(server.index.cosines(vector, twice), memory.index.cosines(vector, twice), atol=1e-6)


def test_scoped_store_without_vectors_uses_chromas_filter(tmp_path):
    rng = np.random.default_rng(4)
    docs = [f"doc-{d}" for d in rng.integers(0, 6, 300)]
    ids = [f"{d}#p{i}" for i, d in enumerate(docs)]
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = ChromaStore(ChromaLocation(path=tmp_path / "chroma").client(), "passages-server-vectors")
    store.add([Passage(pid, d, f"Article {i}", (), None, None, i, i + 1, f"text {i}") for i, (pid, d) in
               enumerate(zip(ids, docs))], vectors)
    memory, server = ScopedStore(store, InMemoryVectors(ids, docs, vectors)), ScopedStore(store, None, size=300)
    for q in rng.standard_normal((5, 16)).astype(np.float32):
        q /= np.linalg.norm(q)
        for where in ({"document_id": {"$in": ["doc-1", "doc-4"]}}, {"document_id": "doc-2"}, None):
            want, got = memory.search(q, 20, where), server.search(q, 20, where)
            assert [pid for pid, _ in got] == [pid for pid, _ in want]
            np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-4)
        np.testing.assert_allclose(server.cosines(q, ids[:50]), memory.cosines(q, ids[:50]), atol=1e-6)
    np.testing.assert_allclose(server.embeddings(ids[5:8]), vectors[5:8], atol=1e-6)
