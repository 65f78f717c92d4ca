"""Serves the local source viewer under /viewer/ (static page + Mozilla's pdf.js from npm).

``scripts/setup.sh`` installs ``pdfjs-dist`` into ui/viewer/node_modules; it is served under
/viewer/pdfjs/. Citations link here (``Citation.view_url``): /viewer/?doc=<id>&page=<n>&q=<quote>.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

VIEWER_DIR = Path(__file__).resolve().parent / "viewer"
PDFJS_DIR = VIEWER_DIR / "node_modules" / "pdfjs-dist"

mimetypes.add_type("text/javascript", ".mjs")  # module scripts need a JavaScript type on every platform
mimetypes.add_type("application/octet-stream", ".bcmap")


def pdfjs_installed() -> bool:
    return (PDFJS_DIR / "build" / "pdf.min.mjs").is_file()


def mount_viewer(app: FastAPI) -> None:
    """Mount /viewer/pdfjs (when installed) and /viewer; call before the UI takes over "/"."""
    if pdfjs_installed():
        app.mount("/viewer/pdfjs", StaticFiles(directory=PDFJS_DIR), name="pdfjs")
    app.mount("/viewer", StaticFiles(directory=VIEWER_DIR / "static", html=True), name="viewer")
