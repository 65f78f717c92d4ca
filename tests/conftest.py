"""Shared fixtures. The suite runs offline by construction: sockets may only reach loopback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]


def _find_corpus() -> Path | None:
    for c in (REPO.parent / "shared" / "corpus", Path.cwd().parent / "shared" / "corpus"):
        if (c / "external" / "SOURCES.json").exists():
            return c.resolve()
    return None


CORPUS = _find_corpus()
LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection beyond loopback fails loudly: tests must never need the internet."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in LOOPBACK and not str(host).startswith("127."):
            raise RuntimeError(f"test tried to reach {address}: tests run offline")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if CORPUS is None:
        pytest.skip("../shared/corpus is absent: corpus tests need the shared corpus beside the checkout")
    return CORPUS


@pytest.fixture(scope="session")
def full_assistant(corpus):
    """The assistant over the full real corpus, built once under <repo>/data (incremental: a
    current index is reused as is; .ci/run builds it before the tests)."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=REPO / "data", corpus_dirs=[corpus], allow_download=False)
    assistant = Assistant(settings)
    report = assistant.ingest(progress=False)
    assert not [d for d in report.documents if d.status == "failed"], report.failed
    return assistant
