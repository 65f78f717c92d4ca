"""Load check: N concurrent clients send questions to a running server and report latency.

    python bench/load_check.py                       # 8 clients x 10 requests against 127.0.0.1:8000
    python bench/load_check.py --clients 4 --requests 5 --endpoint chat --url http://127.0.0.1:8001

Bounded by design: at most 64 clients x 100 requests, a per-request timeout and an overall time
budget, and only loopback servers (this is a capacity check of a local deployment, not a load
generator for someone else's service). Prints p50/p95 latency and the error count per endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

QUESTIONS = [
    "Do I have to tell people they are talking to an AI chatbot under the EU AI Act?",
    "Which AI practices are prohibited in the EU?",
    "What does the NIST AI RMF say about governing AI risk?",
    "How should a small company in Singapore explain AI decisions to customers?",
    "What are the ASEAN guide's principles for trustworthy AI?",
    "Are emotion recognition systems allowed at work?",
    "What must providers of general-purpose AI models document?",
    "How do the OECD AI principles treat accountability?",
]
MAX_CLIENTS, MAX_REQUESTS = 64, 100


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: dict[str, int] = field(default_factory=dict)  # "HTTP 503" / "ReadTimeout" -> count

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"refusing to load-test {host!r}: only loopback servers (127.0.0.1, ::1, localhost)")
    return url.rstrip("/")


def request_for(endpoint: str, i: int) -> tuple[str, dict]:
    question = QUESTIONS[i % len(QUESTIONS)]
    if endpoint == "chat":
        messages = [{"role": "user", "content": question}]
        return "/v1/chat/completions", {"model": "policy-assistant", "messages": messages}
    if endpoint == "search":
        return "/v1/search", {"query": question, "k": 5}
    return "/v1/ask", {"question": question}


async def one_client(http: httpx.AsyncClient, client_id: int, n: int, endpoint: str, result: Result,
                     deadline: float) -> None:
    for j in range(n):
        if time.monotonic() > deadline:
            result.error("skipped (time budget)")
            continue
        path, body = request_for(endpoint, client_id * n + j)
        t0 = time.perf_counter()
        try:
            r = await http.post(path, json=body)
        except httpx.HTTPError as exc:
            result.error(type(exc).__name__)
            continue
        if r.status_code == 200:
            result.latencies.append(time.perf_counter() - t0)
        else:
            result.error(f"HTTP {r.status_code}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def run(url: str, clients: int, requests: int, endpoint: str, timeout: float, budget: float,
              api_key: str | None) -> tuple[Result, float]:
    headers = {"X-API-Key": api_key} if api_key else {}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, headers=headers) as http:
        ready = await http.get("/readyz")
        if ready.status_code != 200:
            raise SystemExit(f"{url}/readyz answered {ready.status_code}: the server is not ready")
        result = Result()
        t0 = time.perf_counter()
        deadline = time.monotonic() + budget
        await asyncio.gather(*(one_client(http, c, requests, endpoint, result, deadline) for c in range(clients)))
        return result, time.perf_counter() - t0


def report(result: Result, wall: float, clients: int, requests: int, endpoint: str) -> str:
    ok = len(result.latencies)
    errors = sum(result.errors.values())
    rows = [("endpoint", endpoint), ("clients x requests", f"{clients} x {requests}"), ("ok", str(ok)),
            ("errors", str(errors)), ("p50 latency (ms)", f"{percentile(result.latencies, 50) * 1000:.0f}"),
            ("p95 latency (ms)", f"{percentile(result.latencies, 95) * 1000:.0f}"),
            ("max latency (ms)", f"{max(result.latencies, default=float('nan')) * 1000:.0f}"),
            ("throughput (req/s)", f"{ok / wall:.2f}" if wall else "-"), ("wall time (s)", f"{wall:.1f}")]
    rows += [(f"  error: {kind}", str(n)) for kind, n in sorted(result.errors.items())]
    width = max(len(k) for k, _ in rows)
    lines = [f"{'metric'.ljust(width)} | value", f"{'-' * width}-+-{'-' * 12}"]
    lines += [f"{k.ljust(width)} | {v}" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="Server base URL (loopback only).")
    parser.add_argument("--clients", type=int, default=8, help=f"Concurrent clients (max {MAX_CLIENTS}).")
    parser.add_argument("--requests", type=int, default=10, help=f"Requests per client (max {MAX_REQUESTS}).")
    parser.add_argument("--endpoint", choices=["ask", "chat", "search"], default="ask")
    parser.add_argument("--timeout", type=float, default=60.0, help="Seconds per request.")
    parser.add_argument("--budget", type=float, default=300.0, help="Overall seconds; later requests are skipped.")
    parser.add_argument("--api-key", default=None, help="Query key, if the server requires one.")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.requests <= MAX_REQUESTS):
        parser.error(f"--clients must be 1-{MAX_CLIENTS} and --requests 1-{MAX_REQUESTS}")
    url = loopback_only(args.url)
    try:
        result, wall = asyncio.run(run(url, args.clients, args.requests, args.endpoint, args.timeout, args.budget,
                                       args.api_key))
    except httpx.HTTPError as exc:
        print(f"cannot reach {url}: {exc}", file=sys.stderr)
        return 2
    print(report(result, wall, args.clients, args.requests, args.endpoint))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
