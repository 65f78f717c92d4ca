"""GET /v1/documents/{id}/file (the mirrored file, right content type, checksum-verified), the
citations' local view_url, and the static viewer with pdf.js served under /viewer/."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.citations import VIEW_QUOTE_CHARS, view_url
from assistant.service import Assistant
from assistant.settings import Settings
from tests.test_api import wait_ready

AI_ACT = "eu-ai-act-2024-1689"
UK = "uk-ai-white-paper-2023"
ASEAN = "asean-guide-ai-governance-ethics-2024"


@pytest.fixture(scope="module")
def client(full_assistant):
    with TestClient(create_app(assistant=full_assistant, ui=False)) as c:
        wait_ready(c)
        yield c


def mirrored(corpus: Path, assistant, document_id: str) -> Path:
    src = assistant.index.sources[document_id]
    return corpus / src.file


@pytest.mark.parametrize("document_id, media_type, magic", [
    (AI_ACT, "application/pdf", b"%PDF-"),
    (UK, "text/html", b"<!DOCTYPE html>"),
    (ASEAN, "text/plain; charset=utf-8", b"ASEAN Guide on"),
])
def test_document_file_is_the_mirrored_file_with_its_type(client, corpus, full_assistant, document_id, media_type, magic):
    r = client.get(f"/v1/documents/{document_id}/file")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert magic in r.content[:600]
    expected = mirrored(corpus, full_assistant, document_id).read_bytes()
    assert hashlib.sha256(r.content).hexdigest() == hashlib.sha256(expected).hexdigest()
    assert r.headers["content-disposition"].startswith("inline")


def test_html_file_is_sandboxed_when_opened_directly(client):
    r = client.get(f"/v1/documents/{UK}/file")
    assert r.headers["content-security-policy"] == "sandbox"
    assert "content-security-policy" not in client.get(f"/v1/documents/{AI_ACT}/file").headers


def test_pdf_file_supports_range_requests(client):
    """pdf.js and browsers fetch large PDFs in ranges."""
    r = client.get(f"/v1/documents/{AI_ACT}/file", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206
    assert r.content.startswith(b"%PDF-") and len(r.content) == 10


@pytest.mark.parametrize("document_id", ["nope", "..%2F..%2Fetc%2Fpasswd", "eu-ai-act-2024-1689.pdf"])
def test_unknown_document_file_is_a_404_json_error(client, document_id):
    r = client.get(f"/v1/documents/{document_id}/file")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_missing_or_altered_file_is_a_404_that_names_no_server_path(tmp_path, corpus):
    """A manifest document whose mirror is absent (or fails its checksum) is not served.
    (No lifespan: the file route needs no index, so none is built here.)"""
    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[tmp_path / "empty"], allow_download=False)
    c = TestClient(create_app(assistant=Assistant(settings), ui=False))
    r = c.get(f"/v1/documents/{AI_ACT}/file")
    assert r.status_code == 404
    assert "not on this server" in r.json()["error"]["message"] and str(tmp_path) not in r.text
    altered = tmp_path / "altered"
    target = altered / "external" / "nist-ai-rmf-1.0.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-1.4 not the real file")
    settings = Settings(data_dir=tmp_path / "data2", corpus_dirs=[altered], allow_download=False)
    c = TestClient(create_app(assistant=Assistant(settings), ui=False))
    assert c.get("/v1/documents/nist-ai-rmf-1.0/file").status_code == 404


def test_every_indexed_document_has_its_file(client, full_assistant):
    for document_id in full_assistant.index.sources:
        r = client.get(f"/v1/documents/{document_id}/file", headers={"Range": "bytes=0-99"})
        assert r.status_code in (200, 206), (document_id, r.text[:200])


def test_citations_carry_a_local_view_url_beside_the_official_url(client):
    body = client.post("/v1/ask", json={"question": "Do I have to tell people they are talking to an AI chatbot "
                                                    "under the EU AI Act?"}).json()
    c = next(c for c in body["citations"] if c["locator"].startswith("Article 50"))
    assert c["url"].startswith("https://eur-lex.europa.eu/")
    parts = urlsplit(c["view_url"])
    assert parts.path == "/viewer/" and not parts.netloc
    query = parse_qs(parts.query)
    assert query["doc"] == [AI_ACT] and query["page"] == [str(c["page"])]
    assert query["q"] == [" ".join(c["quote"].split())]
    assert client.get(c["view_url"]).status_code == 200  # the viewer page itself
    openapi = client.get("/openapi.json").json()
    assert "view_url" in openapi["components"]["schemas"]["Citation"]["properties"]


def test_view_url_without_page_and_with_a_long_quote():
    url = view_url("uk-ai-white-paper-2023", None, "word " * 400)
    query = parse_qs(urlsplit(url).query)
    assert "page" not in query
    assert len(query["q"][0]) <= VIEW_QUOTE_CHARS and query["q"][0].endswith("word")


def test_viewer_and_pdfjs_are_served_locally(client):
    page = client.get("/viewer/")
    assert page.status_code == 200 and "viewer.mjs" in page.text
    script = client.get("/viewer/viewer.mjs")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    pdfjs = client.get("/viewer/pdfjs/build/pdf.min.mjs")
    assert pdfjs.status_code == 200, "pdf.js is missing: scripts/setup.sh installs it with npm"
    assert "javascript" in pdfjs.headers["content-type"]
    for path in ("/viewer/pdfjs/build/pdf.worker.min.mjs", "/viewer/pdfjs/web/pdf_viewer.mjs",
                 "/viewer/pdfjs/web/pdf_viewer.css"):
        assert client.get(path).status_code == 200, path
