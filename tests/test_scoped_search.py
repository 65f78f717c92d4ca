"""Document-scoped dense search (index/scoped.py): exact top-k within the scope, the same on the
embedded store and on a Chroma server, and what the index's dense retriever returns."""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest

from index.scoped import InMemoryVectors, ScopedStore, scope_of
from index.store import ChromaLocation, ChromaStore
from index.types import Passage


def _corpus(n: int, n_docs: int, seed: int = 0, dim: int = 16):
    rng = np.random.default_rng(seed)
    docs = [f"doc-{d}" for d in rng.integers(0, n_docs, n)]  # interleaved: rows are not grouped by document
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"{d}#p{i}" for i, d in enumerate(docs)]
    return ids, docs, vectors


def brute_force(ids, docs, vectors, query, k, scope):
    rows = [i for i, d in enumerate(docs) if scope is None or d in scope]
    sims = vectors[rows] @ query
    order = sorted(range(len(rows)), key=lambda j: (-sims[j], j))[:k]
    return [ids[rows[j]] for j in order], [float(sims[j]) for j in order]


@pytest.mark.parametrize("scope", [{"doc-0"}, {"doc-1", "doc-4", "doc-7"}, {"doc-2", "absent"}, None])
def test_in_memory_search_is_exact_top_k_within_scope(scope):
    ids, docs, vectors = _corpus(600, 9)
    memory = InMemoryVectors(ids, docs, vectors)
    for q in _corpus(20, 1, seed=3)[2]:
        want_ids, want_sims = brute_force(ids, docs, vectors, q, 25, scope)
        got = memory.search(q, 25, scope)
        assert [pid for pid, _ in got] == want_ids
        np.testing.assert_allclose([s for _, s in got], want_sims, atol=1e-5)


def test_in_memory_search_edge_cases():
    ids, docs, vectors = _corpus(50, 3)
    memory = InMemoryVectors(ids, docs, vectors)
    assert memory.search(vectors[0], 10, set()) == [] and memory.search(vectors[0], 10, {"nowhere"}) == []
    in_doc = [pid for pid, d in zip(ids, docs) if d == docs[0]]
    assert {pid for pid, _ in memory.search(vectors[0], 1000, {docs[0]})} == set(in_doc)  # k above the scope
    np.testing.assert_allclose(memory.cosines(vectors[5], [ids[5], ids[9]]), vectors[[5, 9]] @ vectors[5], atol=1e-6)
    assert len(memory) == 50 and all(b - a == docs.count(d) for d, (a, b) in memory.spans.items())


def test_scope_of_reads_only_document_filters():
    assert scope_of({"document_id": {"$in": ["a", "b"]}}) == {"a", "b"}
    assert scope_of({"document_id": "a"}) == {"a"} == scope_of({"document_id": {"$eq": "a"}})
    assert scope_of(None) is None and scope_of({"kind": "article"}) is None
    assert scope_of({"document_id": {"$nin": ["a"]}}) is None


def _passages(ids, docs):
    return [Passage(pid, d, f"Article {i}", ("Chapter I",), 1, 1, i * 10, i * 10 + 5, f"text {i}", "article")
            for i, (pid, d) in enumerate(zip(ids, docs))]


class ScopedContract:
    @pytest.fixture()
    def store(self, location):
        client = location.client()
        name = f"passages-scoped-{uuid.uuid4().hex[:8]}"
        yield ChromaStore(client, name)
        client.delete_collection(name)

    def test_scoped_store_equals_brute_force_and_chroma_filter(self, store):
        ids, docs, vectors = _corpus(300, 6, seed=5)
        store.add(_passages(ids, docs), vectors)
        scoped = ScopedStore(store, InMemoryVectors(ids, docs, store.embeddings(ids)))
        for q in _corpus(10, 1, seed=11)[2]:
            for scope in ({"doc-2"}, {"doc-0", "doc-5"}):
                where = {"document_id": {"$in": sorted(scope)}}
                got = scoped.search(q, 20, where)
                assert [pid for pid, _ in got] == brute_force(ids, docs, vectors, q, 20, scope)[0]
                chroma = store.search(q, 20, where)  # at this size Chroma's filtered search is exact too
                assert [pid for pid, _ in got] == [pid for pid, _ in chroma]
                np.testing.assert_allclose([s for _, s in got], [s for _, s in chroma], atol=1e-4)
        unscoped = scoped.search(vectors[7], 5)  # no scope: Chroma's HNSW index answers
        assert unscoped[0][0] == ids[7] and unscoped == store.search(vectors[7], 5)


class TestEmbeddedScoped(ScopedContract):
    @pytest.fixture()
    def location(self, tmp_path):
        return ChromaLocation(path=tmp_path / "chroma")


@pytest.mark.chroma_server
class TestServerScoped(ScopedContract):
    @pytest.fixture()
    def location(self):
        host = os.environ.get("CHROMA_TEST_HOST")
        if not host:
            pytest.skip("no Chroma server: set CHROMA_TEST_HOST/CHROMA_TEST_PORT (scripts/test.sh starts one)")
        return ChromaLocation(host=host, port=int(os.environ.get("CHROMA_TEST_PORT", "8000")))


@pytest.mark.parametrize("shuffle", [False, True])
def test_unit_scores_equal_the_per_unit_maximum(shuffle):
    from index.knowledge import KnowledgeLayer

    rng = np.random.default_rng(2)
    rows = sorted((f"doc-{d}", f"u{u}") for d in range(4) for u in range(6) for _ in range(int(rng.integers(1, 4))))
    if shuffle:
        rows = [rows[i] for i in rng.permutation(len(rows))]
    vectors = rng.normal(size=(len(rows), 8)).astype(np.float32)
    layer = KnowledgeLayer({}, rows, vectors)
    q = rng.normal(size=8).astype(np.float32)
    for allowed in (None, {"doc-1", "doc-3"}, set()):
        want: dict = {}
        for r, s in zip(rows, vectors @ q):
            want[r] = max(want.get(r, -1.0), float(s))
        want = {u: s for u, s in want.items() if s > 0 and (allowed is None or u[0] in allowed)}
        got = layer.unit_scores(q, allowed)
        assert got.keys() == want.keys() and all(abs(got[u] - want[u]) < 1e-6 for u in want)


def test_score_map_looks_up_everything_and_iterates_the_best_in_row_order():
    from index.scoped import ScoreMap

    ids = [f"p{i}" for i in range(10)]
    scores = np.array([0, 3, 1, 0, 5, 2, 0, 4, 0.5, 0], dtype=np.float32)
    full = ScoreMap(ids, {p: i for i, p in enumerate(ids)}, scores)
    assert list(full) == ["p1", "p2", "p4", "p5", "p7", "p8"] and full["p4"] == 5.0 and "p0" not in full
    top = ScoreMap(ids, {p: i for i, p in enumerate(ids)}, scores, limit=3)
    assert list(top) == ["p1", "p4", "p7"] and max(top.values()) == 5.0
    assert top.get("p8") == 0.5 and top.get("p0", 0.0) == 0.0  # ids beyond the limit still look up exactly


def test_document_rows_mask_only_the_scope():
    from index.scoped import DocumentRows

    rows = DocumentRows(["a", "b", "a", "c"])
    scores = np.array([1, 2, 3, 4], dtype=np.float32)
    assert rows.within(scores, {"a", "zz"}).tolist() == [1, 0, 3, 0] and rows.within(scores, None) is scores


def test_a_question_is_matched_with_english_questions_and_those_of_its_own_language():
    """MiniLM is an English model: a translated question's vector only counts for a question in
    that language (a Vietnamese row that happens to lie close to an English question is noise)."""
    from index.annotations import Annotation
    from index.knowledge import KnowledgeLayer

    a = Annotation("doc", "u1", "obligation", ("en one", "en two"), translations=(("vi", ("vi one",)), ("th", ("th one",))))
    b = Annotation("doc", "u2", "obligation", ("en three",))
    rows = [("doc", "u1")] * 4 + [("doc", "u2")]
    vectors = np.array([[0.1, 0], [0.2, 0], [0.9, 0], [0, 0.8], [0.5, 0]], dtype=np.float32)
    layer = KnowledgeLayer({"doc": {"u1": a, "u2": b}}, rows, vectors)
    q = np.array([1.0, 1.0], dtype=np.float32)
    assert layer.unit_scores(q) == pytest.approx({("doc", "u1"): 0.2, ("doc", "u2"): 0.5})
    assert layer.unit_scores(q, language="vi") == pytest.approx({("doc", "u1"): 0.9, ("doc", "u2"): 0.5})
    assert layer.unit_scores(q, language="th") == pytest.approx({("doc", "u1"): 0.8, ("doc", "u2"): 0.5})
    assert layer.unit_scores(q, {"other"}, language="vi") == {}
