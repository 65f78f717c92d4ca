"""Index builds run by the API process: at start-up when there is no index, and on admin request.

Builds run in a background thread so /healthz keeps answering while /readyz (and the question
routes, with 503 ``index_not_ready``) say "not yet". One build at a time per process (a second
request gets 409); across processes, ``index.pipeline.ingest`` serialises builds with a file lock
in the data dir, so several workers starting on an empty data dir build the index once: the
others wait, then find it current.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ..errors import AssistantError
from ..library import settle_add
from ..service import Assistant

log = logging.getLogger("assistant.api")


class BuildInProgress(AssistantError):
    code, status = "index_build_running", 409


class IndexJob:
    """The state of this process's index build, readable by /readyz and the admin routes."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.state = "idle"  # idle | loading | running | done | failed
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.message = ""
        self.report: dict[str, Any] | None = None
        self.document_id: str | None = None
        self.add_error: str | None = None  # why the document this build was adding was not added
        self._guard = threading.Lock()
        self._last_load_error = ""
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "started_at": self.started_at, "finished_at": self.finished_at,
                "message": self.message, "report": self.report, "document_id": self.document_id,
                "add_error": self.add_error}

    def check_ready(self) -> tuple[bool, str]:
        """(ready, why not): a store that fails to load (e.g. a broken or unreachable Chroma) is "not
        ready" with its reason, never a 500 from the health probe or a question route."""
        if self.state == "loading":
            return False, self.not_ready_message()
        try:
            return (True, "") if self.assistant.ready() else (False, self.not_ready_message())
        except Exception as exc:  # noqa: BLE001 - details go to the log (once per distinct error), not to clients
            if repr(exc) != self._last_load_error:
                self._last_load_error = repr(exc)
                log.exception("the index could not be loaded")
            return False, f"the index could not be loaded ({type(exc).__name__}); see the server log"

    def not_ready_message(self) -> str:
        if self.state == "loading":
            return "the index is loading (this takes a few seconds after start-up); retry shortly"
        if self.running:
            waited = time.time() - (self.started_at or time.time())
            return (f"the index is being built (started {waited:.0f} s ago); GET /readyz answers 200 when "
                    "it is ready: retry then")
        if self.state == "failed":
            return ("the index could not be built or loaded; an operator should check the server log (or GET "
                    "/v1/admin/reindex) and run `policy-assistant ingest`")
        return "no index is loaded yet: run `policy-assistant ingest` (or POST /v1/admin/reindex)"

    def start(self, force: bool = False, wait: bool = False, document_id: str | None = None) -> dict[str, Any]:
        """Start a build in a background thread; with ``wait``, return when it has finished."""
        with self._guard:
            if self.running:
                raise BuildInProgress("an index build is already running; GET /v1/admin/reindex shows its progress")
            self.state, self.started_at, self.finished_at = "running", time.time(), None
            self.message, self.report, self.document_id = "building", None, document_id
            self.add_error = None
            self._thread = threading.Thread(target=self._run, args=(force,), name="index-build", daemon=True)
            self._thread.start()
        if wait:
            self._thread.join()
        return self.status()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, force: bool) -> None:
        data_dir = self.assistant.settings.data_dir.resolve()
        try:
            log.info("index build started (data dir %s, force=%s)", data_dir, force)
            report = self.assistant.ingest(progress=True, force=force)
            self.report = _summary(report)
            failed = [d.document_id for d in report.failed]
            self.message = f"indexed {report.collection} in {report.seconds:.1f} s" + (
                f"; failed: {', '.join(failed)}" if failed else "")
            undone = settle_add(self.assistant.settings, self.document_id, report) if self.document_id else None
            if undone:  # a failed add is not kept (its file neither): the build itself went fine
                self.message += f"; {self.document_id} was not added: {undone}"
                self.add_error = undone
            self.state = "failed" if undone else "done"
            log.info("index build done: %s", self.message)
            self.assistant.ready()  # load the new generation now, not on the first question
        except Exception as exc:  # noqa: BLE001 - a failed build is reported, never crashes the server
            self.state, self.message = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("index build failed")
        finally:
            self.finished_at = time.time()

    def warm_up(self) -> None:
        """At start-up, in the background: load the index, or build one when there is none."""
        self.state = "loading"
        threading.Thread(target=self._ensure_index, name="index-warm-up", daemon=True).start()

    def _ensure_index(self) -> None:
        try:
            ready = self.assistant.ready()
        except Exception as exc:  # noqa: BLE001 - e.g. an unreachable Chroma server: reported by /readyz
            self.state, self.message = "failed", f"could not load the index: {type(exc).__name__}: {exc}"
            log.exception("could not load the index")
            return
        if ready:
            self.assistant.warm()  # /readyz stays "loading" until the first questions are cheap
            self.state = "idle"
            log.info("index loaded: %d passages", len(self.assistant.index.passages))
            return
        self.state = "idle"
        log.warning("no index found under %s: building one in the background; /readyz answers 503 until it is "
                    "ready", self.assistant.settings.data_dir)
        self.start()


def _summary(report) -> dict[str, Any]:
    return {"collection": report.collection, "embedded": report.embedded, "seconds": round(report.seconds, 2),
            "documents": [{"document_id": d.document_id, "status": d.status, "passages": d.passages,
                           "error": d.error} for d in report.documents]}
