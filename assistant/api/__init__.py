"""HTTP API (FastAPI) over the Assistant: `create_app()` builds it; `policy-assistant serve` runs it.

Scaling: the API is stateless (history travels with each request), so `--workers N` or several
processes behind a reverse proxy can serve one port; with CHROMA_HOST set, they share one Chroma
server. See `assistant.api.app` for details.
"""

from .app import create_app

__all__ = ["create_app"]
