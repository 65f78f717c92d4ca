"""ReDoc at /redoc without any request leaving the machine. fastapi-offline serves the ReDoc bundle
locally, but the bundle itself loads a "Redocly" logo from cdn.redoc.ly; this serves the same file
with that one URL swapped for an inline blank image. (Swagger UI at /docs needs no change.)"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static-offline-docs"  # where fastapi-offline mounts its files
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
BLANK_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
REDOC_JS_URL = "/redoc-offline/redoc.standalone.js"


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    return (STATIC / "redoc.standalone.js").read_text(encoding="utf-8").replace(CDN_LOGO, BLANK_SVG).encode()


def add_redoc(app: FastAPI, path: str = "/redoc") -> None:
    """GET ``path`` (the ReDoc page) and the patched bundle it loads."""

    @app.get(path, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{root}{REDOC_JS_URL}", with_google_fonts=False,
                              redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png")

    @app.get(REDOC_JS_URL, include_in_schema=False)
    def redoc_js() -> Response:
        return Response(redoc_bundle(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
