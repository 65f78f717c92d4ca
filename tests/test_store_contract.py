"""One contract for every PassageStore backend: embedded Chroma and a real Chroma server.

The server case runs when CHROMA_TEST_HOST/CHROMA_TEST_PORT point at a running `chroma run`
(scripts/test.sh starts one on loopback); otherwise it is skipped with that message.
"""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest

from index.store import ChromaLocation, ChromaStore, IndexState
from index.types import Passage


def _passages(n: int, doc: str = "doc-a") -> list[Passage]:
    return [Passage(f"{doc}#p{i}", doc, f"Article {i}", ("Chapter I", f"Article {i}"), i + 1, i + 1, i * 100,
                    i * 100 + 50, f"text of passage {i} about topic {i % 3}", "article" if i % 2 else "recital")
            for i in range(n)]


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 16)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class StoreContract:
    """Inherited by each backend's test class, which provides the ``location`` fixture."""

    @pytest.fixture()
    def store(self, location):
        client = location.client()
        name = f"passages-test-{uuid.uuid4().hex[:8]}"
        yield ChromaStore(client, name)
        client.delete_collection(name)

    def test_add_count_and_round_trip(self, store):
        ps, vs = _passages(5), _vectors(5)
        store.add(ps, vs)
        assert store.count() == 5
        assert sorted(store.all_passages(), key=lambda p: p.passage_id) == sorted(ps, key=lambda p: p.passage_id)
        np.testing.assert_allclose(store.embeddings([ps[3].passage_id, ps[1].passage_id]), vs[[3, 1]], atol=1e-5)

    def test_search_ranks_the_nearest_first_and_filters(self, store):
        ps = _passages(6) + _passages(3, doc="doc-b")
        vs = _vectors(9)
        store.add(ps, vs)
        hits = store.search(vs[4], k=3)
        assert hits[0][0] == ps[4].passage_id and hits[0][1] == pytest.approx(1.0, abs=1e-4)
        only_b = store.search(vs[4], k=9, where={"document_id": {"$in": ["doc-b"]}})
        assert {pid.split("#")[0] for pid, _ in only_b} == {"doc-b"} and len(only_b) == 3

    def test_upsert_is_idempotent_and_delete_removes_exactly(self, store):
        ps, vs = _passages(4), _vectors(4)
        store.add(ps, vs)
        store.add(ps, vs)
        assert store.count() == 4
        store.delete([ps[0].passage_id, ps[2].passage_id])
        assert {p.passage_id for p in store.all_passages()} == {ps[1].passage_id, ps[3].passage_id}

    def test_empty_store_search_returns_nothing(self, store):
        assert store.search(_vectors(1)[0], k=5) == []

    def test_state_record_round_trip(self, location):
        state = IndexState(location.client())
        previous = state.read()
        try:
            state.write({"collection": "passages-x-g1", "documents": {"a": {"sha256": "1"}}})
            assert state.read()["collection"] == "passages-x-g1"
            assert state.live_collection() == "passages-x-g1"  # from the record's metadata
            # a record written before the name was kept in its metadata is still read whole
            state._col.delete(ids=["state"])
            state._col.add(ids=["state"], documents=['{"collection": "passages-old-g7", "documents": {}}'],
                           embeddings=[[0.0]])
            assert state.live_collection() == "passages-old-g7"
        finally:
            if previous is not None:
                state.write(previous)


class TestEmbeddedStore(StoreContract):
    @pytest.fixture()
    def location(self, tmp_path):
        return ChromaLocation(path=tmp_path / "chroma")


class TestServerStore(StoreContract):
    @pytest.fixture()
    def location(self):
        host = os.environ.get("CHROMA_TEST_HOST")
        if not host:
            pytest.skip("no Chroma server: set CHROMA_TEST_HOST/CHROMA_TEST_PORT (scripts/test.sh starts one)")
        return ChromaLocation(host=host, port=int(os.environ.get("CHROMA_TEST_PORT", "8000")))
