"""Run a suite against a system (the in-process Assistant, any HTTP endpoint speaking /v1/ask, or
the naive baseline), score every case and write a run record stamped with what produced it.

Answering and scoring are separate phases: latency is measured while only answering runs, then
the source pages needed for quote validity are parsed (once per cited document)."""

from __future__ import annotations

import subprocess
import threading
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote as url_quote

from assistant.types import Answer, Citation
from index.sources import load_manifest
from index.types import Passage, Source

from . import metrics
from .diagnose import diagnose
from .suite import Case, Suite

REPO = Path(__file__).resolve().parents[1]


class System(Protocol):
    """What the runner needs from a system under test."""

    name: str

    def ask(self, case: Case, mode: str | None) -> Answer: ...

    def passage(self, passage_id: str) -> Passage | None: ...

    def describe(self) -> dict[str, str]:
        """settings_hash, answer_settings_hash, corpus_hash and default mode (or "unknown")."""
        ...

    def warm_up(self) -> None: ...


class Judge(Protocol):
    """OPTIONAL HOOK, not wired by default: an LLM grader of key-point coverage (0..1 per case),
    used only when an LLM endpoint is configured; its scores are reported apart from the lexical
    ones under ``judge``. Implement ``key_points`` and pass it to ``run_suite(judge=...)``."""

    def key_points(self, case: Case, answer: Answer) -> float | None: ...


def git_commit() -> tuple[str, bool]:
    """(HEAD commit or "unknown", whether the working tree has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    if head.returncode != 0:
        return "unknown", False
    return head.stdout.strip(), bool(dirty.stdout.strip())


# ---------------------------------------------------------------------------- systems


def case_request(case: Case) -> dict[str, Any]:
    """The keyword arguments of Assistant.ask (and the /v1/ask body fields) for a case."""
    f = case.filters
    return {"question": case.question, "history": [dict(t) for t in case.history],
            "documents": list(f.get("documents") or []) or None,
            "jurisdictions": list(f.get("jurisdictions") or []) or None,
            "binding": f.get("binding"), "persona": case.persona}


class InProcessSystem:
    """One Assistant in this process."""

    name = "assistant"

    def __init__(self, assistant: Any):
        self.assistant = assistant

    def ask(self, case: Case, mode: str | None) -> Answer:
        return self.assistant.ask(**case_request(case), mode=mode)

    def passage(self, passage_id: str) -> Passage | None:
        return self.assistant.index.passages.get(passage_id)

    def describe(self) -> dict[str, str]:
        return self.assistant.fingerprint()

    def warm_up(self) -> None:
        self.assistant.search("warm up the index and the embedding model", k=1)


def _lenient(cls: type, data: Mapping[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def answer_from_json(data: Mapping[str, Any]) -> Answer:
    """An Answer from its JSON (the Answer contract; see assistant/types.py), ignoring fields this client does not know."""
    cites = [_lenient(Citation, c) for c in data.get("citations", [])]
    return _lenient(Answer, {**data, "citations": cites})


class HttpSystem:
    """Any endpoint speaking ``POST {endpoint}/v1/ask``; passages via ``GET /v1/passages/{id}``."""

    name = "http"

    def __init__(self, endpoint: str, api_key: str | None = None, timeout_s: float = 120.0, transport: Any = None):
        import httpx

        headers = {"X-API-Key": api_key} if api_key else {}
        self.endpoint = endpoint.rstrip("/")
        self.client = httpx.Client(base_url=self.endpoint, headers=headers, timeout=timeout_s, transport=transport)

    def ask(self, case: Case, mode: str | None) -> Answer:
        req = case_request(case)
        filters = {k: req.pop(k) for k in ("documents", "jurisdictions", "binding")}
        body = {**req, "filters": {k: v for k, v in filters.items() if v is not None}}
        if mode:
            body["mode"] = mode
        resp = self.client.post("/v1/ask", json=body)
        if resp.status_code >= 400:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.text[:300]}")
        return answer_from_json(resp.json())

    def passage(self, passage_id: str) -> Passage | None:
        resp = self.client.get(f"/v1/passages/{url_quote(passage_id, safe='')}")
        if resp.status_code != 200:
            return None
        d = resp.json()
        return Passage(d["passage_id"], d["document_id"], d.get("locator", ""), tuple(d.get("section_path", ())),
                       d.get("page_start"), d.get("page_end"), d.get("char_start", 0), d.get("char_end", 0), d["text"])

    def describe(self) -> dict[str, str]:
        info: dict[str, Any] = {}
        try:
            info = self.client.get("/readyz").json()
        except Exception:  # noqa: BLE001 - the stamp is best effort; answering will report real errors
            pass
        return {k: str(info.get(k, "unknown")) for k in ("settings_hash", "answer_settings_hash", "corpus_hash")} | {
            "default_mode": str(info.get("default_mode", "server default"))}

    def warm_up(self) -> None:
        self.client.get("/readyz")


# ---------------------------------------------------------------------------- source pages


class _Lazy(Sequence[str]):
    """Renderings computed on first access, so a second parse happens only when needed."""

    def __init__(self, loaders: Sequence[Callable[[], str]]):
        self._loaders, self._done = loaders, {}

    def __len__(self) -> int:
        return len(self._loaders)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if i not in self._done:
            self._done[i] = self._loaders[i]()
        return self._done[i]


class SourcePages:
    """The source's own text of a (document, page), independent of any index: the cleaned text
    (index.parse, as the assistant reads it) and, lazily, the raw pypdf/file text (as a naive
    pipeline reads it). Each document is parsed at most once per rendering and the pages are
    cached on disk by file sha256 and parser version; thread-safe."""

    def __init__(self, sources: Sequence[Source], mirrors: Sequence[Path], download_dir: Path,
                 page_cache: Path | None = None):
        self.sources = {s.document_id: s for s in sources}
        self.mirrors, self.download_dir, self.page_cache = list(mirrors), download_dir, page_cache
        self._pages: dict[tuple[str, str], dict[int | None, str] | None] = {}
        self._lock = threading.Lock()
        self.unavailable: dict[str, str] = {}  # document id -> why its pages could not be read

    @classmethod
    def from_settings(cls, settings: Any) -> "SourcePages":
        from assistant.library import all_sources, ingest_config

        cfg = ingest_config(settings)
        return cls(all_sources(settings), cfg.mirrors, cfg.cache_dir, cfg.data_dir / "eval_cache")

    def __call__(self, document_id: str, page: int | None) -> Sequence[str]:
        if document_id not in self.sources:
            return []
        return _Lazy([lambda: self._text(document_id, "clean", page), lambda: self._text(document_id, "raw", page)])

    def _text(self, document_id: str, kind: str, page: int | None) -> str:
        """Page ``page`` of a rendering; page None = the whole document."""
        with self._lock:
            if (document_id, kind) not in self._pages:
                try:
                    self._pages[document_id, kind] = self._read(self.sources[document_id], kind)
                except Exception as exc:  # noqa: BLE001 - its quotes count as unverifiable, and the record says why
                    self.unavailable[document_id] = f"{type(exc).__name__}: {exc}"
                    self._pages[document_id, kind] = None
            pages = self._pages[document_id, kind]
        return (pages or {}).get(page, "")

    def _read(self, src: Source, kind: str) -> dict[int | None, str]:
        import json

        import pypdf

        from index.parse import parse
        from index.pipeline import code_version
        from index.sources import fetch, sha256_of

        from .baseline import raw_pages

        path = fetch(src, self.mirrors, self.download_dir, allow_download=False)
        version = code_version() if kind == "clean" else pypdf.__version__
        cached = None
        if self.page_cache is not None:
            digest = (src.sha256 or sha256_of(path))[:16]
            cached = self.page_cache / f"{kind}-{src.document_id}-{digest}-{version}.json"
            if cached.is_file():
                return {None if k == "null" else int(k): v for k, v in json.loads(cached.read_text("utf-8")).items()}
        if kind == "clean":
            doc = parse(src.document_id, path, src.format)
            pages: dict[int | None, str] = {n: doc.page_text(n) for n in doc.page_numbers} | {None: doc.text}
        else:
            raw = dict(raw_pages(path, src.format))
            pages = raw | {None: "\n".join(raw.values())}
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps({"null" if k is None else str(k): v for k, v in pages.items()}), "utf-8")
        return pages


# ---------------------------------------------------------------------------- running


@dataclass
class Outcome:
    case: Case
    answer: Answer
    latency_ms: float
    error: str | None = None


def answer_all(suite: Suite, system: System, mode: str | None, concurrency: int = 1,
               progress: bool = True) -> list[Outcome]:
    """Ask every case (in suite order in the result), timing each call on the client side."""
    from tqdm import tqdm

    def one(case: Case) -> Outcome:
        t0 = time.perf_counter()
        try:
            answer = system.ask(case, mode)
            return Outcome(case, answer, (time.perf_counter() - t0) * 1000)
        except Exception as exc:  # noqa: BLE001 - one failing case must not stop the run
            empty = Answer(answer="", abstained=False, citations=[], mode=mode or "")
            return Outcome(case, empty, (time.perf_counter() - t0) * 1000, f"{type(exc).__name__}: {exc}")

    bar = tqdm(total=len(suite.cases), desc=f"{system.name} {suite.name}", unit="case", disable=not progress)
    results: dict[str, Outcome] = {}
    if concurrency <= 1:
        for case in suite.cases:
            results[case.id] = one(case)
            bar.update()
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = [pool.submit(one, case) for case in suite.cases]
            for fut in as_completed(futures):
                out = fut.result()
                results[out.case.id] = out
                bar.update()
    bar.close()
    return [results[c.id] for c in suite.cases]


def resolve_passages(outcomes: Sequence[Outcome], lookup: Callable[[str], Passage | None]) -> dict[str, Passage]:
    """Every retrieved and cited passage, looked up once."""
    ids = {r.get("passage_id") for o in outcomes for r in o.answer.retrieved} | {
        c.passage_id for o in outcomes for c in o.answer.citations}
    found = {pid: lookup(pid) for pid in sorted(i for i in ids if i)}
    return {pid: p for pid, p in found.items() if p is not None}


def case_record(o: Outcome, scores: metrics.CaseScores, passages: Mapping[str, Passage],
                pages: Callable[[str, int | None], Sequence[str]]) -> dict[str, Any]:
    """One case of the run record: what was asked, expected, cited and answered, and its scores."""
    cited = []
    for c in o.answer.citations:
        p = metrics.citation_passage(c, passages)
        cited.append({"n": c.n, "passage_id": c.passage_id, "document_id": c.document_id, "locator": c.locator,
                      "page": c.page, "quote": c.quote,
                      "matches": any(metrics.passage_matches(p, s) for s in o.case.expect.sources),
                      "quote_valid": metrics.quote_valid(c, passages[c.passage_id].text if c.passage_id in passages
                                                         else None, pages(c.document_id, c.page))})
    exp = o.case.expect
    why = diagnose(o.case, o.answer, scores, passages, o.error)
    return {
        "id": o.case.id, "persona": o.case.persona, "kind": o.case.kind, "tags": list(o.case.tags),
        "question": o.case.question, "history": [dict(t) for t in o.case.history], "filters": dict(o.case.filters),
        "language": o.case.language,
        "expected": {"abstain": exp.abstain, "source_groups": exp.source_groups, "key_points": list(exp.key_points),
                     "not_covered": list(exp.not_covered),
                     "sources": [{"document": s.document, "locator": s.locator, "page": s.page, "quote": s.quote,
                                  "rank": rank} for s, rank in zip(exp.sources, why.source_ranks, strict=True)]},
        "answer": o.answer.answer, "abstained": o.answer.abstained, "mode": o.answer.mode, "cited": cited,
        "retrieved": [r.get("passage_id") for r in o.answer.retrieved],
        "passed": scores.passed, "failure": why.reason, "failure_detail": why.detail, "gold_rank": scores.gold_rank,
        "metrics": scores.to_dict(), "latency_ms": round(o.latency_ms, 2),
        "timings_ms": dict(o.answer.timings_ms), "error": o.error,
    }


def run_suite(suite: Suite, system: System, pages: SourcePages, mode: str | None = None, k: int = metrics.DEFAULT_K,
              concurrency: int = 1, progress: bool = True, judge: Judge | None = None) -> dict[str, Any]:
    """Answer and score every case; returns the run record (a JSON-ready dict)."""
    stamp = system.describe()
    system.warm_up()
    t0 = time.perf_counter()
    outcomes = answer_all(suite, system, mode, concurrency, progress)
    wall = time.perf_counter() - t0
    passages = resolve_passages(outcomes, system.passage)
    binding = frozenset(src.document_id for src in load_manifest() if src.binding)
    scores = [metrics.score_case(o.case, o.answer, passages, pages, o.latency_ms, k, o.error, binding) for o in outcomes]
    cases = [case_record(o, s, passages, pages) for o, s in zip(outcomes, scores, strict=True)]
    commit, dirty = git_commit()
    record: dict[str, Any] = {
        "schema": 1,
        "suite": {"name": suite.name, "path": suite.path, "sha256": suite.sha256, "cases": len(suite.cases)},
        "system": system.name, "endpoint": getattr(system, "endpoint", None),
        "mode": mode or stamp.get("default_mode", "unknown"), "k": k, "concurrency": concurrency,
        "settings_hash": stamp.get("settings_hash", "unknown"),
        "answer_settings_hash": stamp.get("answer_settings_hash", "unknown"),
        "corpus_hash": stamp.get("corpus_hash", "unknown"), "git_commit": commit, "git_dirty": dirty,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "wall_seconds": round(wall, 2),
        "key_point_rule": f"case-insensitive normalised containment, or word-token overlap >= "
                          f"{metrics.KEY_POINT_TOKEN_OVERLAP}",
        "aggregates": metrics.aggregate(scores),
        "slices": metrics.slices([o.case for o in outcomes], scores),
        "cases": cases,
        "notes": [f"source pages of {d} unavailable, its quotes count as invalid: {why}"
                  for d, why in getattr(pages, "unavailable", {}).items()],
    }
    if judge is not None:
        record["judge"] = _judge(judge, outcomes, cases)
    return record


def _judge(judge: Judge, outcomes: Sequence[Outcome], cases: list[dict[str, Any]]) -> dict[str, Any]:
    values = []
    for o, rec in zip(outcomes, cases, strict=True):
        rec["judge_key_point_coverage"] = v = judge.key_points(o.case, o.answer)
        values.append(v)
    return {"key_point_coverage": metrics.mean(values), "n": sum(v is not None for v in values)}


# ---------------------------------------------------------------------------- CI gate


def load_thresholds(path: str | Path, suite: str, mode: str) -> metrics.Thresholds:
    """The ``[<suite>.<mode>.min]`` / ``.max`` tables of a thresholds TOML (empty when absent)."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    section = data.get(suite, {}).get(mode, {})
    return metrics.Thresholds({k: float(v) for k, v in section.get("min", {}).items()},
                              {k: float(v) for k, v in section.get("max", {}).items()})
