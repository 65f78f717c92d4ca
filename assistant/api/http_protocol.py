"""uvicorn's HTTP protocols with the API's JSON error body for requests it cannot parse.

uvicorn answers a malformed request line or header itself, before any application code runs, with
a plain-text 400. These subclasses send ``{"error": {"code": "bad_request", ...}}`` instead, so
every error a client can cause has the one body shape. ``policy-assistant serve`` uses them.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.h11_impl import H11Protocol

MESSAGE = "the request is not valid HTTP/1.1 (malformed request line, header or chunked body)"


def _body() -> bytes:
    return json.dumps({"error": {"code": "bad_request", "message": MESSAGE}}).encode()


def _raw_400() -> bytes:
    body = _body()
    return (b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class JSONErrorHttpToolsProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            self.transport.write(_raw_400())
            self.transport.close()

    JSONErrorProtocol: type = JSONErrorHttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is optional in uvicorn
    JSONErrorProtocol = None  # type: ignore[assignment]


class JSONErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        self.transport.write(_raw_400())
        self.transport.close()


if JSONErrorProtocol is None:  # pragma: no cover
    JSONErrorProtocol = JSONErrorH11Protocol
