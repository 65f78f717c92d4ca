"""Passage storage in Chroma: embedded (PersistentClient) by default, a Chroma server when a host is
given; the same code path for both.

Each index build writes a new *generation* collection; a small state record (in its own
collection) names the live generation. Switching it is one write, so readers see the old index or
the new one, never half of one, and an interrupted build leaves the previous one usable.
"""

from __future__ import annotations

import ctypes
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .types import Passage

STATE_COLLECTION = "policy-index-state"
STATE_ID = "state"


class PassageStore(Protocol):
    def add(self, passages: list[Passage], embeddings: np.ndarray) -> None: ...
    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]: ...
    def delete(self, passage_ids: list[str]) -> None: ...
    def count(self) -> int: ...
    def all_passages(self) -> list[Passage]: ...
    def embeddings(self, passage_ids: list[str]) -> np.ndarray: ...


_clients: dict["ChromaLocation", Any] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class ChromaLocation:
    path: Path | None = None  # embedded store folder
    host: str | None = None  # Chroma server
    port: int = 8000

    def client(self):
        """This process's one client for this location, made on first use. chromadb registers a new
        System for every server client and never frees it (measured: 1.6 MB and 60 ms a call, and the
        service checks the live generation every 5 s); embedded clients of one folder share one anyway."""
        with _clients_lock:
            client = _clients.get(self)
            if client is None:
                client = _clients[self] = self._open()
            return client

    def renew(self) -> None:
        """After an index switch: the next ``client()`` of an embedded store opens a new Chroma system.
        One system keeps in memory every collection it has read (the HNSW index, about 2 KB a passage)
        for as long as it lives, deleted collections too. Holders of the old client (a request still
        served by the old index, a build in progress) keep using it; once the last lets go, the old
        system is freed with everything it loaded. A server client keeps nothing per collection."""
        with _clients_lock:
            old = _clients.pop(self, None)
            if old is not None and not self.host:
                _forget_shared_system(old)

    def _open(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.host:
            return chromadb.HttpClient(host=self.host, port=self.port, settings=settings)
        assert self.path is not None, "an embedded Chroma store needs a path"
        self.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.path), settings=settings)


def _forget_shared_system(client) -> None:
    """Unregister ``client``'s system from chromadb's per-folder registry without stopping it (the old
    client keeps working), so the next client of that folder starts a new one. A chromadb without
    that registry keeps sharing, as before."""
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = getattr(client, "_identifier", None)
    systems = getattr(SharedSystemClient, "_identifier_to_system", None)
    refcounts = getattr(SharedSystemClient, "_identifier_to_refcount", None)
    if identifier is None or not isinstance(systems, dict) or not isinstance(refcounts, dict):
        return
    with getattr(SharedSystemClient, "_refcount_lock", threading.Lock()):
        systems.pop(identifier, None)
        refcounts.pop(identifier, None)


def release_freed_memory() -> None:
    """Return memory freed by native code to the OS (glibc's malloc_trim; a no-op elsewhere). A
    dropped Chroma system frees its indexes inside the allocator's per-thread arenas, which
    otherwise keep them resident."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class ChromaStore:
    """One Chroma collection of passages. Embeddings are always passed in explicitly (Chroma's
    default embedding function would download a model)."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self._col = client.get_or_create_collection(name=name, embedding_function=None,
                                                    metadata={"hnsw:space": "cosine"})

    def add(self, passages: list[Passage], embeddings: np.ndarray, batch: int = 500) -> None:
        for i in range(0, len(passages), batch):
            part = passages[i : i + batch]
            self._col.upsert(
                ids=[p.passage_id for p in part],
                embeddings=embeddings[i : i + batch].tolist(),
                documents=[p.text for p in part],
                metadatas=[p.to_metadata() for p in part],
            )

    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None,
               size: int | None = None) -> list[tuple[str, float]]:
        n = self.count() if size is None else size  # a caller that knows the size saves a round trip
        if n == 0:
            return []
        res = self._col.query(query_embeddings=[vector.tolist()], n_results=min(k, n), where=where or None,
                              include=["distances"])
        return [(pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0])]

    def delete(self, passage_ids: list[str]) -> None:
        for i in range(0, len(passage_ids), 500):
            self._col.delete(ids=passage_ids[i : i + 500])

    def count(self) -> int:
        return self._col.count()

    def all_passages(self) -> list[Passage]:
        out: list[Passage] = []
        total, offset = self.count(), 0
        while offset < total:
            res = self._col.get(include=["documents", "metadatas"], limit=2000, offset=offset)
            out.extend(_passage(pid, doc, meta) for pid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"]))
            offset += 2000
        return out

    def passages(self, passage_ids: list[str]) -> list[Passage]:
        """Exactly these passages, in this order (ids the collection lacks are left out): readers load
        what the state record names, never whatever else a killed build may have left in a collection."""
        found: dict[str, Passage] = {}
        for i in range(0, len(passage_ids), 2000):
            res = self._col.get(ids=passage_ids[i : i + 2000], include=["documents", "metadatas"])
            found.update((pid, _passage(pid, doc, meta)) for pid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"]))
        return [found[pid] for pid in passage_ids if pid in found]

    def embeddings(self, passage_ids: list[str]) -> np.ndarray:
        """The stored vectors of these passages, in this order (one call per 1,000 distinct ids). The
        matrix is filled batch by batch: loading every vector costs the matrix, not twice it."""
        unique = list(dict.fromkeys(passage_ids))  # Chroma refuses a get that names an id twice
        row = {pid: i for i, pid in enumerate(unique)}
        out: np.ndarray | None = None
        filled = 0
        for i in range(0, len(unique), 1000):
            res = self._col.get(ids=unique[i : i + 1000], include=["embeddings"])
            if not res["ids"]:
                continue
            got = np.asarray(res["embeddings"], dtype=np.float32)
            if out is None:
                out = np.empty((len(unique), got.shape[1]), dtype=np.float32)
            out[[row[pid] for pid in res["ids"]]] = got
            filled += len(res["ids"])
        if filled < len(unique):
            raise KeyError(f"{len(unique) - filled} of these passages have no stored vector")
        if out is None:
            return np.zeros((0, 0), dtype=np.float32)
        return out if len(unique) == len(passage_ids) else out[[row[pid] for pid in passage_ids]]


def _passage(pid: str, text: str, meta: dict[str, Any]) -> Passage:
    page_start, page_end = meta.get("page_start", -1), meta.get("page_end", -1)
    return Passage(
        passage_id=pid, document_id=meta["document_id"], locator=meta["locator"],
        section_path=tuple(x for x in str(meta.get("section_path", "")).split(" > ") if x),
        page_start=None if page_start == -1 else int(page_start), page_end=None if page_end == -1 else int(page_end),
        char_start=int(meta["char_start"]), char_end=int(meta["char_end"]), text=text, kind=meta.get("kind", "section"),
    )


def state_passage_ids(state: dict[str, Any]) -> list[str]:
    """Every passage id the state record names, document by document (the live index is exactly these)."""
    return [pid for doc in state.get("documents", {}).values() for pid in doc.get("passages", [])]


class IndexState:
    """The record naming the live generation and what it holds, stored in Chroma itself so that
    every API replica pointing at one Chroma server sees the same index."""

    def __init__(self, client):
        self._col = client.get_or_create_collection(name=STATE_COLLECTION, embedding_function=None)

    def read(self) -> dict[str, Any] | None:
        res = self._col.get(ids=[STATE_ID], include=["documents"])
        return json.loads(res["documents"][0]) if res["ids"] else None

    def live_collection(self) -> str | None:
        """Only the name of the live generation: what a replica checks every few seconds. The whole
        record lists every passage id (25 MB of JSON at 500,000 passages), its metadata just this."""
        res = self._col.get(ids=[STATE_ID], include=["metadatas"])
        if not res["ids"]:
            return None
        meta = (res["metadatas"] or [None])[0] or {}
        if "collection" in meta:
            return meta["collection"]
        state = self.read()  # written before the name was kept in the metadata
        return state["collection"] if state else None

    def write(self, state: dict[str, Any]) -> None:
        self._col.upsert(ids=[STATE_ID], documents=[json.dumps(state)], embeddings=[[0.0]],
                         metadatas=[{"collection": state["collection"]}])
