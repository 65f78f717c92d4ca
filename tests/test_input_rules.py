"""Input rules at the API boundary: valid UTF-8 (a lone surrogate is a 400), length limits on every
text field, strict types, request bodies that time out, malformed HTTP with the JSON error body,
Gradio's upload route behind the admin key, and a note for provisions that do not exist."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.http_protocol import JSONErrorH11Protocol, JSONErrorProtocol
from assistant.service import Assistant
from assistant.settings import APISettings, Settings
from tests.live_server import free_port
from tests.test_api import AI_ACT, NIST, error_of, wait_ready

SURROGATE = '"what about \\ud800 chatbots?"'  # JSON text: the escape decodes to a lone surrogate
SURROGATE_BODIES = [
    ("/v1/ask", '{"question": %s}' % SURROGATE),
    ("/v1/ask", '{"question": %s, "stream": true}' % SURROGATE),
    ("/v1/ask", '{"question": "hi", "history": [{"role": "user", "content": %s}]}' % SURROGATE),
    ("/v1/ask", '{"question": "hi", "filters": {"documents": [%s]}}' % SURROGATE),
    ("/v1/search", '{"query": %s}' % SURROGATE),
    ("/v1/compare", '{"question": %s, "documents": ["%s", "%s"]}' % (SURROGATE, AI_ACT, NIST)),
    ("/v1/chat/completions", '{"messages": [{"role": "user", "content": %s}]}' % SURROGATE),
    ("/v1/chat/completions", '{"messages": [{"role": "user", "content": %s}], "stream": true}' % SURROGATE),
    ("/v1/chat/completions", '{"model": "\\udfff", "messages": [{"role": "user", "content": "hi"}]}'),
    ("/v1/chat/completions", '{"messages": [{"role": "user", "content": [{"type": "text", "text": %s}]}]}' % SURROGATE),
]


@pytest.fixture(scope="module")
def client(full_assistant):
    with TestClient(create_app(assistant=full_assistant, ui=False)) as c:
        wait_ready(c)
        yield c


@pytest.mark.parametrize("path, body", SURROGATE_BODIES, ids=[f"{p}-{i}" for i, (p, _b) in enumerate(SURROGATE_BODIES)])
def test_lone_surrogates_are_a_400(client, path, body):
    r = client.post(path, content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text[:300]
    err = error_of(r)
    assert err["code"] == "bad_request" and "UTF-8" in err["message"]


@pytest.mark.parametrize("path, body, status, needle", [
    ("/v1/search", {"query": "x" * 4001}, 400, "4000"),
    ("/v1/compare", {"question": "x" * 4001, "documents": [AI_ACT, NIST]}, 400, "4000"),
    ("/v1/search", {"query": "risk " * 180_000}, 422, "16000"),  # 0.9 MB: refused at the schema, never searched
    ("/v1/search", {"query": "x" * 20_000}, 422, "query"),
    ("/v1/ask", {"question": "hi", "history": [{"role": "user", "content": "x" * 20_000}]}, 422, "content"),
    ("/v1/ask", {"question": "hi", "filters": {"documents": ["d" * 300]}}, 422, "documents"),
    ("/v1/ask", {"question": "hi", "filters": {"jurisdictions": ["EU"] * 60}}, 422, "jurisdictions"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x" * 20_000}]}, 422, "content"),
    ("/v1/chat/completions", {"model": "m" * 500, "messages": [{"role": "user", "content": "hi"}]}, 422, "model"),
])
def test_every_text_field_has_a_length_limit(client, path, body, status, needle):
    started = time.perf_counter()
    r = client.post(path, json=body)
    assert r.status_code == status, r.text[:300]
    assert needle in error_of(r)["message"]
    assert time.perf_counter() - started < 2.0  # rejected before any retrieval work


@pytest.mark.parametrize("path, body, field", [
    ("/v1/ask", {"question": "hi", "stream": "yes"}, "stream"),
    ("/v1/ask", {"question": "hi", "stream": 1}, "stream"),
    ("/v1/search", {"query": "risk", "k": "5"}, "k"),
    ("/v1/search", {"query": "risk", "k": True}, "k"),
    ("/v1/search", {"query": "risk", "k": 5.0}, "k"),
    ("/v1/ask", {"question": "hi", "filters": {"binding": "true"}}, "binding"),
    ("/v1/ask", {"question": "hi", "filters": {"binding": 0}}, "binding"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "stream": "yes"}, "stream"),
])
def test_types_are_strict(client, path, body, field):
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text[:300]
    err = error_of(r)
    assert err["code"] == "invalid_request" and field in err["message"]


def test_a_provision_that_does_not_exist_gets_a_note(client):
    r = client.post("/v1/ask", json={"question": "What does Article 120 of the EU AI Act say?"}).json()
    assert r["answer"].startswith("Note: Article 120 does not exist in the EU AI Act (its articles run from 1 to 113)")
    assert any("Article 120 does not exist" in n for n in r["notes"])
    real = client.post("/v1/ask", json={"question": "What does Article 50(1) of the EU AI Act say?"}).json()
    assert "does not exist" not in real["answer"] and not real["notes"]


# ---- Gradio's upload route ---------------------------------------------------------------------------
def test_gradio_upload_route_needs_the_admin_key(full_assistant):
    files = {"files": ("evil.html", b"<html><body>stored and served back</body></html>", "text/html")}
    with TestClient(create_app(assistant=full_assistant)) as c:  # no admin key: disabled
        for path in ("/gradio_api/upload", "/gradio_api/upload/", "/upload"):
            r = c.post(path, files=files)
            assert r.status_code == 403 and error_of(r)["code"] == "admin_disabled", (path, r.text[:200])
    keyed = full_assistant.settings.model_copy(update={"api": APISettings(admin_key="a-secret")})
    with TestClient(create_app(keyed, full_assistant)) as c:
        r = c.post("/gradio_api/upload", files=files)
        assert r.status_code == 401 and error_of(r)["code"] == "unauthorized"
        r = c.post("/gradio_api/upload", files=files, headers={"X-API-Key": "a-secret"})
        assert r.status_code == 200, r.text[:300]  # the operator may still use it


# ---- real sockets: stalled bodies and malformed HTTP -----------------------------------------------
@contextmanager
def live(app, http) -> str:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=http))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def raw(port: int, data: bytes, wait: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


@pytest.fixture(scope="module")
def small_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    settings = Settings(data_dir=root / "data", corpus_dirs=[], allow_download=False, ingest={"embedding_model": "hash"},
                        api=APISettings(body_timeout_s=1.0))
    return create_app(settings, Assistant(settings), ui=False)


@pytest.mark.parametrize("http", [JSONErrorProtocol, JSONErrorH11Protocol], ids=["httptools", "h11"])
def test_stalled_request_body_times_out_with_408(small_app, http):
    with live(small_app, http) as port:
        started = time.monotonic()
        reply = raw(port, b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 100\r\n\r\n{\"question\": ", wait=10)
        assert time.monotonic() - started < 8
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), reply[:300]
    assert b'"code":"request_timeout"' in body.replace(b" ", b"")


@pytest.mark.parametrize("http", [JSONErrorProtocol, JSONErrorH11Protocol], ids=["httptools", "h11"])
@pytest.mark.parametrize("request_bytes", [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
                                           b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"])
def test_malformed_http_gets_the_json_error_body(small_app, http, request_bytes):
    with live(small_app, http) as port:
        reply = raw(port, request_bytes)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), reply[:300]
    assert b"application/json" in head.lower()
    import json

    assert json.loads(body)["error"]["code"] == "bad_request"
