"""Query-embedding micro-batching and the normalised-question cache (index/query_embedder.py)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embed import HashEmbedder
from index.query_embedder import QueryEmbedder, normalise


class SlowEmbedder(HashEmbedder):
    """Hashing embedder that takes a while per call (like MiniLM) and records every batch."""

    def __init__(self, delay: float = 0.03):
        self.delay, self.batches, self.lock = delay, [], threading.Lock()

    def embed(self, texts):
        with self.lock:
            self.batches.append(list(texts))
        time.sleep(self.delay)
        return super().embed(texts)


QUESTIONS = [f"Question {i}: what must a provider of system {i} document?" for i in range(48)]


def test_concurrent_calls_get_single_call_vectors_in_fewer_larger_batches():
    slow = SlowEmbedder()
    qe = QueryEmbedder(slow)
    with ThreadPoolExecutor(32) as pool:
        got = list(pool.map(qe.embed, QUESTIONS))
    reference = HashEmbedder()
    for q, v in zip(QUESTIONS, got):
        np.testing.assert_allclose(v, reference.embed([q])[0], atol=1e-6)
    sizes = [len(b) for b in slow.batches]
    assert sum(sizes) == len(QUESTIONS)  # each question embedded once
    assert len(sizes) < len(QUESTIONS) / 4 and max(sizes) >= 8, sizes


def test_an_idle_caller_is_embedded_at_once_and_repeats_hit_the_cache():
    slow = SlowEmbedder(delay=0.0)
    qe = QueryEmbedder(slow)
    a = qe.embed("Do I have to tell customers  they talk to a BOT?")
    b = qe.embed("do i have to tell customers they talk to a bot?")
    assert slow.batches == [["do i have to tell customers they talk to a bot?"]]
    assert np.array_equal(a, b) and not b.flags.writeable  # cached vectors are shared: read-only


def test_normalise_keeps_the_words_and_their_order():
    assert normalise("  Ｗhat   is\tAI?\n") == "what is ai?"


def test_cache_is_bounded():
    qe = QueryEmbedder(HashEmbedder(), cache_size=5)
    for q in QUESTIONS[:12]:
        qe.embed(q)
    assert len(qe._cache) == 5


def test_an_embedder_error_reaches_every_waiter_and_the_next_call_works():
    class Failing(SlowEmbedder):
        fail = True

        def embed(self, texts):
            super().embed([])
            if self.fail:
                raise RuntimeError("model crashed")
            return HashEmbedder.embed(self, texts)

    bad = Failing(delay=0.02)
    qe = QueryEmbedder(bad)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(qe.embed, q) for q in QUESTIONS[:8]]
        errors = [f.exception(timeout=5) for f in futures]
    assert all(isinstance(e, RuntimeError) for e in errors)
    bad.fail = False
    assert qe.embed(QUESTIONS[0]).shape == (HashEmbedder.dim,)


@pytest.mark.slow
def test_minilm_vector_of_the_normalised_question_equals_the_original():
    from index.embed import get_embedder

    minilm = get_embedder("all-MiniLM-L6-v2")
    q = "Do I have to tell  Customers they are talking to an AI Chatbot under the EU AI Act?"
    np.testing.assert_allclose(minilm.embed([normalise(q)])[0], minilm.embed([q])[0], atol=1e-5)
    batched = QueryEmbedder(minilm)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(batched.embed, QUESTIONS[:8]))
    for text, v in zip(QUESTIONS[:8], got):
        np.testing.assert_allclose(v, minilm.embed([text])[0], atol=1e-5)


@pytest.mark.slow
def test_the_onnx_query_encoder_gives_torchs_vectors_and_is_what_the_index_uses():
    from index.embed import OnnxMiniLM, get_embedder
    from index.query_embedder import query_embedder

    minilm = get_embedder("all-MiniLM-L6-v2")
    onnx = minilm.for_queries()
    assert isinstance(onnx, OnnxMiniLM), "the ONNX export failed: queries would fall back to torch"
    texts = ["Apakah chatbot wajib memberi tahu pengguna bahwa itu AI?", QUESTIONS[3],
             "What are the obligations of deployers of high-risk AI systems under Article 26 of the EU AI Act " * 12]
    got, want = onnx.embed(texts), minilm.embed(texts)  # padding and truncation at max_seq_length too
    assert got.shape == want.shape == (3, minilm.dim)
    assert np.all(np.sum(got * want, axis=1) > 0.9999)
    assert query_embedder(minilm).embedder.name == minilm.name
    assert isinstance(query_embedder(minilm).embedder, OnnxMiniLM)
    assert query_embedder(minilm) is query_embedder(minilm)
