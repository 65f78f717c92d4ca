"""The FastAPI application: API under /v1, docs at /docs, health probes, the Gradio UI at /.

Stateless by design: conversation history travels with each request, so any number of workers
can serve one port. ``policy-assistant serve --workers N`` starts N uvicorn worker processes from
the factory ``assistant.api.app:create_app``; or run several processes (or machines) behind a
reverse proxy. Workers on one machine share the embedded index under the data dir (if it is
missing, one of them builds it while the others wait on the ingest lock). With ``CHROMA_HOST`` set,
every replica uses one Chroma server, which also records the live index generation: build it once
with ``policy-assistant ingest`` before starting replicas on several machines.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi import APIRouter, FastAPI, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi_offline import FastAPIOffline  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402
from starlette.routing import Match  # noqa: E402
from starlette.types import ASGIApp, Message, Receive, Scope, Send  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from ..errors import AssistantError, NotFound  # noqa: E402
from ..service import Assistant  # noqa: E402
from ..settings import Settings  # noqa: E402
from . import routes_admin, routes_ask, routes_chat, routes_corpus, routes_health  # noqa: E402
from .docs_offline import add_redoc  # noqa: E402
from .indexing import IndexJob  # noqa: E402
from .input_rules import INVALID_TEXT  # noqa: E402

log = logging.getLogger("assistant.api")

MAX_BODY_BYTES = 1 << 20  # questions are at most 4,000 characters; 1 MiB leaves room for history
MAX_UPLOAD_BYTES = 64 << 20  # POST /v1/admin/documents with a file
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 408: "request_timeout", 413: "payload_too_large",
              415: "unsupported_media_type"}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")  # a message that echoes input stays encodable
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


# ---- error handlers: every error a client can cause gets the same body, never a 500 -----------------
async def on_assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
    if exc.status >= 500 and exc.status != 503:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": "10"} if exc.status == 503 else None
    return error_response(exc.status, exc.code, str(exc) or exc.code, headers=headers)


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    if any(e.get("type") == INVALID_TEXT for e in errors):
        return error_response(400, "bad_request", next(e["msg"] for e in errors if e.get("type") == INVALID_TEXT))
    if len(errors) == 1 and tuple(errors[0].get("loc", ())) == ("body",) and errors[0].get("type") != "missing":
        return error_response(422, "invalid_request",
                              "the body must be a JSON object (send Content-Type: application/json)")
    parts = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return error_response(422, "invalid_request", "; ".join(parts) + more)


async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else HTTP_CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no route {request.method} {request.url.path}; see /docs"
    if exc.status_code == 400 and message == "There was an error parsing the body":  # e.g. JSON nested too deeply
        return error_response(400, "invalid_json", "the request body could not be parsed as JSON")
    return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "http_error"), message,
                          headers=getattr(exc, "headers", None))


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


class BodyLimit:
    """Rejects request bodies over the limit with 413 (declared size or streamed bytes alike), and
    bodies that stall with 408: each part of a body must arrive within ``body_timeout`` seconds."""

    def __init__(self, app: ASGIApp, body_timeout: float = 15.0):
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = MAX_UPLOAD_BYTES if path.startswith(("/v1/admin/documents", "/gradio_api/upload")) else MAX_BODY_BYTES
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _send_413(scope, receive, send, limit)
        seen, body_done = 0, False

        async def limited() -> Message:
            nonlocal seen, body_done
            if body_done:  # afterwards receive() waits for a disconnect (streaming): no timeout there
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise StarletteHTTPException(408, f"the request body did not arrive within {self.body_timeout:g} s") from None
            body_done = message.get("type") != "http.request" or not message.get("more_body", False)
            seen += len(message.get("body", b""))
            if seen > limit:  # FastAPI passes an HTTPException raised while reading the body through
                raise StarletteHTTPException(413, f"the request body is over {limit} bytes")
            return message

        await self.app(scope, limited, send)


async def _send_413(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await error_response(413, "payload_too_large", f"the request body is over {limit} bytes")(scope, receive, send)


class UploadGuard:
    """Gradio's file-upload route stores anything on disk and serves it back; the UI uploads nothing,
    so the route needs the admin key (and is disabled without one), like the admin routes."""

    PATHS = ("/gradio_api/upload", "/upload")

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/") in self.PATHS:
            from ..errors import AdminDisabled, Unauthorized
            from .deps import require_admin_key

            try:
                require_admin_key(Request(scope), self.settings)
            except (AdminDisabled, Unauthorized) as exc:
                return await error_response(exc.status, exc.code, f"file uploads: {exc}")(scope, receive, send)
        await self.app(scope, receive, send)


def _fallback_router() -> APIRouter:
    """Unknown /v1 paths answer with the API's 404 (405 for a known path), not the UI's."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
    def unknown(request: Request, rest: str) -> None:
        for route in request.app.router.routes:
            if getattr(route, "path", "") != "/v1/{rest:path}" and route.matches(request.scope)[0] == Match.PARTIAL:
                raise StarletteHTTPException(405, f"{request.method} is not allowed on {request.url.path}")
        raise NotFound(f"no route {request.method} /v1/{rest[:200]}; see /docs")

    return router


def create_app(settings: Settings | None = None, assistant: Assistant | None = None, *, ui: bool = True) -> FastAPI:
    """The app over one Assistant (built from ``settings`` or the environment when not given)."""
    assistant = assistant or Assistant(settings)
    settings = settings or assistant.settings
    job = IndexJob(assistant)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests run in threads side by side; a BLAS pool per matrix-vector product would make
        # them fight over the cores (2 here) for products that take well under a millisecond.
        threadpool_limits(1, user_api="blas")
        job.warm_up()  # background: /healthz answers at once, /readyz once the index is loaded or built
        yield

    # /docs and /redoc from Swagger UI / ReDoc files shipped in fastapi-offline, not a CDN: they work offline
    app = FastAPIOffline(title="Policy assistant API", version="1", lifespan=lifespan, redoc_url=None,
                         description="Answers about AI-governance frameworks with verified citations. Errors: "
                                     '`{"error": {"code", "message"}}`.')
    add_redoc(app)  # the ReDoc bundle without its one CDN image
    app.state.settings, app.state.assistant, app.state.index_job = settings, assistant, job
    app.add_middleware(BodyLimit, body_timeout=settings.api.body_timeout_s)
    app.add_middleware(UploadGuard, settings=settings)
    app.add_exception_handler(AssistantError, on_assistant_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    for module in (routes_health, routes_ask, routes_corpus, routes_chat, routes_admin):
        app.include_router(module.router)
    app.include_router(__import__("assistant.api.routes_crosswalk", fromlist=["router"]).router)  # GET /v1/crosswalk*
    app.include_router(_fallback_router())
    from ui.source_viewer import mount_viewer  # citations' view_url opens here, with or without the UI

    mount_viewer(app)
    if ui:
        _mount_ui(app, assistant)
    return app


def _mount_ui(app: FastAPI, assistant: Assistant) -> None:
    import gradio as gr

    from ui.app import CSS, HEAD, build_ui

    gr.mount_gradio_app(app, build_ui(assistant), path="/", ssr_mode=False, run_history=False, css=CSS, head=HEAD,
                        footer_links=[], app_kwargs={"exception_handlers": {404: on_http_error}})


def log_config() -> dict:
    """uvicorn's logging setup plus the assistant's and the index's loggers (build progress)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for name in ("assistant", "index"):
        config["loggers"][name] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
