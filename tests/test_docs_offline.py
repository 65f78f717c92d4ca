"""/docs (Swagger UI) and /redoc render in headless Chromium with every non-loopback request
blocked: their scripts and styles are served by the app itself (fastapi-offline), not a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from assistant.api.app import create_app
from tests.live_server import free_port, run_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT = Path(__file__).resolve().parents[1] / "test-output"
LOCAL = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def base_url(full_assistant) -> Iterator[str]:
    with run_server(create_app(assistant=full_assistant, ui=False), free_port()) as base:
        yield base


def test_docs_pages_reference_only_local_assets(base_url):
    for path in ("/docs", "/redoc"):
        page = httpx.get(base_url + path, timeout=30)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assets = re.findall(r"""(?:src|href)\s*[=:]\s*['"]([^'"]+)""", page.text)
        assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
        for asset in assets:
            assert httpx.get(base_url + asset, timeout=30).status_code == 200, asset


@pytest.mark.browser
def test_docs_render_with_the_network_blocked(base_url):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    blocked: list[str] = []

    def only_loopback(route, request) -> None:
        if urlparse(request.url).hostname in LOCAL:
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort("internetdisconnected")

    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base_url}/docs")
            page.wait_for_selector(".swagger-ui .opblock")
            sync_api.expect(page.locator(".swagger-ui .info .title")).to_contain_text("Policy assistant API")
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert "/v1/chat/completions" in paths and "/v1/ask" in paths, paths
            page.screenshot(path=str(OUT / "docs-offline.png"))
            page.goto(f"{base_url}/redoc")
            page.wait_for_selector("redoc .api-content h1, .api-content h1")
            sync_api.expect(page.locator(".api-content")).to_contain_text("/v1/chat/completions")
        finally:
            browser.close()
    assert not blocked, blocked  # nothing tried to leave the machine
