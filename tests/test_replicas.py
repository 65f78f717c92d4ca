"""The multi-replica recipe (README "Scale"): one Chroma server, `policy-assistant serve --workers 2`
on one port, BM25 and the knowledge layer built once beforehand and only loaded by the replicas,
and a bounded load test (200 unique questions) with no errors.

Needs a Chroma server (CHROMA_TEST_HOST; scripts/test.sh starts one) and the built x1 index under
./data, from which three documents are copied into the server (no re-parsing, no re-embedding).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = ("eu-ai-act-2024-1689", "nist-ai-rmf-1.0", "asean-guide-ai-governance-ethics-2024")

pytestmark = pytest.mark.chroma_server


def copy_index(src_data: Path, dst_data: Path, host: str, port: int, documents: tuple[str, ...]):
    """Copies the named documents of the embedded index under ``src_data`` into a new generation on
    the server and makes it live there; returns the collection name."""
    from index.store import ChromaLocation, ChromaStore, IndexState, state_passage_ids

    src_client = ChromaLocation(path=src_data / "chroma").client()
    state = IndexState(src_client).read()
    if not state:
        pytest.skip("no built index under ./data (run `policy-assistant ingest`)")
    missing = [d for d in documents if d not in state["documents"]]
    if missing:
        pytest.skip(f"the built index lacks {missing}")
    state = state | {"documents": {d: state["documents"][d] for d in documents}}
    src = ChromaStore(src_client, state["collection"])
    ids = state_passage_ids(state)
    name = f"{state['collection']}-replicas-{uuid.uuid4().hex[:6]}"
    dst_client = ChromaLocation(host=host, port=port).client()
    ChromaStore(dst_client, name).add(src.passages(ids), src.embeddings(ids))
    dst_data.mkdir(parents=True)
    for cache in ("knowledge", "embedding-cache.sqlite"):  # the annotation-question vectors, already embedded
        if (src_data / cache).is_dir():
            shutil.copytree(src_data / cache, dst_data / cache)
        elif (src_data / cache).is_file():
            shutil.copy2(src_data / cache, dst_data / cache)
    return name, state, dst_client


@pytest.fixture()
def server_index(tmp_path):
    host = os.environ.get("CHROMA_TEST_HOST")
    if not host:
        pytest.skip("no Chroma server: set CHROMA_TEST_HOST/CHROMA_TEST_PORT (scripts/test.sh starts one)")
    port = int(os.environ.get("CHROMA_TEST_PORT", "8000"))
    from index.store import IndexState

    name, state, client = copy_index(REPO / "data", tmp_path / "data", host, port, DOCUMENTS)
    record = IndexState(client)
    previous = record.read()
    record.write(state | {"collection": name})
    try:
        yield host, port, tmp_path / "data"
    finally:
        if previous is not None:
            record.write(previous)
        client.delete_collection(name)


def test_two_replicas_share_one_server_and_prebuilt_files(server_index, tmp_path):
    host, port, data = server_index
    from assistant.settings import Settings
    from assistant.service import Assistant

    # Built once, before any replica starts (what `policy-assistant ingest` does on a real deployment).
    settings = Settings(data_dir=data, chroma_host=host, chroma_port=port, allow_download=False)
    assert Assistant(settings).index.passages
    prebuilt = {p: p.stat().st_mtime_ns for p in (data / "bm25").rglob("*") if p.is_file()}
    assert prebuilt

    api_port = free_port()
    env = os.environ | {"CHROMA_HOST": host, "CHROMA_PORT": str(port), "POLICY_DATA_DIR": str(data),
                        "POLICY_ALLOW_DOWNLOAD": "false", "PYTHONPATH": str(REPO)}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--workers", "2", "--port", str(api_port),
                             "--log-level", "info"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{api_port}"
        replicas, deadline = set(), time.monotonic() + 150
        while len(replicas) < 2 and time.monotonic() < deadline:  # both workers ready, not just the first
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")[-2000:]
            try:
                with httpx.Client(timeout=10) as fresh:  # a new connection may reach the other worker
                    r = fresh.get(f"{base}/readyz")
                if r.status_code == 200:
                    replicas.add(r.json()["replica"])
                    assert r.json()["passages"] == len(Assistant(settings).index.passages)
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert len(replicas) == 2, (replicas, (tmp_path / "serve.log").read_text(errors="replace")[-2000:])

        check = subprocess.run([sys.executable, str(REPO / "bench" / "load_check.py"), "--url", base, "--clients", "8",
                                "--requests", "25", "--unique", "--budget", "60"],
                               capture_output=True, text=True, timeout=120, env=env)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "| 200" in check.stdout and "errors             | 0" in check.stdout, check.stdout
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    now = {p: p.stat().st_mtime_ns for p in (data / "bm25").rglob("*") if p.is_file()}
    assert now == prebuilt  # no replica rebuilt or rewrote BM25
