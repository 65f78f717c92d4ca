"""A small deterministic OpenAI-compatible HTTP server for tests of the LLM path.

Tests enqueue behaviours; each POST /v1/chat/completions takes the next one (or repeats the last):
  Reply(text)            -> a normal reply (streamed as SSE chunks when the client asks)
  Reply(text, delay=5)   -> answers only after ``delay`` seconds (timeouts)
  Status(500)            -> an HTTP error
  Malformed()            -> a 200 with a body that is not the protocol's JSON
Every request body is recorded in ``requests`` so tests can inspect what the model was shown.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str
    delay: float = 0.0


@dataclass
class Status:
    code: int


@dataclass
class Malformed:
    body: str = '{"choices": [{"oops": true}'


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that timed out and hung up is expected
        pass


class FakeLLMServer:
    def __init__(self):
        self.queue: list[object] = []
        self.requests: list[dict] = []
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *behaviours: object) -> None:
        self.queue.extend(behaviours)

    def start(self) -> "FakeLLMServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> object:
        if not self.queue:
            return Reply("NOT COVERED")
        return self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                behaviour = server._next()
                if isinstance(behaviour, Status):
                    self._send(behaviour.code, json.dumps({"error": {"message": "boom", "type": "server_error"}}))
                elif isinstance(behaviour, Malformed):
                    self._send(200, behaviour.body)
                else:
                    time.sleep(behaviour.delay)
                    if body.get("stream"):
                        self._stream(behaviour.text, body.get("model", "fake"))
                    else:
                        self._send(200, json.dumps(_completion(behaviour.text, body.get("model", "fake"))))

            def _send(self, code: int, text: str, content_type: str = "application/json"):
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = text.split(" ")
                for i, word in enumerate(words):
                    piece = word + (" " if i < len(words) - 1 else "")
                    self.wfile.write(f"data: {json.dumps(_chunk(piece, model))}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(f"data: {json.dumps(_chunk(None, model, finish='stop'))}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _completion(text: str, model: str) -> dict:
    return {"id": "cmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(text: str | None, model: str, finish: str | None = None) -> dict:
    delta = {"content": text} if text is not None else {}
    return {"id": "cmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
