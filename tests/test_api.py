"""The HTTP API through FastAPI's TestClient: every route, every error, SSE framing, keys, admin,
start-up without an index, and hostile input (nothing a client sends may produce a 500)."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.service import Assistant
from assistant.settings import APISettings, Settings

AI_ACT = "eu-ai-act-2024-1689"
NIST = "nist-ai-rmf-1.0"
CHATBOT_Q = "Do I have to tell people they are talking to an AI chatbot under the EU AI Act?"
TINY_DOC = """# Widget AI Policy

## Section 1 Transparency

Operators of chatbots must tell users that they are talking to an AI system before the conversation starts.

## Section 2 Records

Operators must keep logs of automated decisions for five years.
"""


# ---- fixtures ----------------------------------------------------------------------------------
def wait_ready(client: TestClient, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"/readyz never answered 200: {client.get('/readyz').json()}")


@pytest.fixture(scope="module")
def client(full_assistant):
    with TestClient(create_app(assistant=full_assistant)) as c:
        wait_ready(c)
        yield c


@pytest.fixture(scope="module")
def keyed_client(full_assistant):
    """The same assistant behind a server that requires a query key and has an admin key."""
    settings = full_assistant.settings.model_copy(update={"api": APISettings(query_key="q-secret", admin_key="a-secret")})
    with TestClient(create_app(settings, full_assistant, ui=False)) as c:
        wait_ready(c)
        yield c


def tiny_settings(root: Path, **api: str) -> Settings:
    """A one-document corpus with the test embedder: admin actions never touch the real index."""
    (root / "doc").mkdir(parents=True, exist_ok=True)
    (root / "doc" / "widget-policy.md").write_text(TINY_DOC)
    return Settings(data_dir=root / "data", corpus_dirs=[], allow_download=False,
                    ingest={"embedding_model": "hash"}, api=APISettings(**api), uploads={"allowed_dirs": [root / "doc"]})


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def sse_events(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of an SSE body."""
    events = []
    for frame in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in frame.split("\n") if ln and not ln.startswith(":")]
        if not lines:
            continue
        event = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "message")
        data = "\n".join(ln[5:].removeprefix(" ") for ln in lines if ln.startswith("data:"))
        events.append((event, data))
    return events


def assert_quotes_verbatim(client: TestClient, citations: list[dict]) -> None:
    for c in citations:
        r = client.get(f"/v1/passages/{quote(c['passage_id'], safe='')}")
        assert r.status_code == 200, r.text
        assert c["quote"] in r.json()["text"], c


# ---- questions: content ------------------------------------------------------------------------
def test_ask_cites_article_50_for_chatbot_disclosure(client):
    r = client.post("/v1/ask", json={"question": CHATBOT_Q})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert not answer["abstained"] and "[1]" in answer["answer"]
    assert any(c["document_id"] == AI_ACT and c["locator"].startswith("Article 50") for c in answer["citations"]), \
        [(c["document_id"], c["locator"]) for c in answer["citations"]]
    first = answer["citations"][0]
    assert {"n", "passage_id", "document_title", "page", "quote", "url", "binding", "jurisdiction"} <= set(first)
    assert set(answer) >= {"answer", "abstained", "citations", "mode", "retrieved", "timings_ms"}
    assert_quotes_verbatim(client, answer["citations"])


def test_ask_follow_up_uses_history(client):
    """The same follow-up lands in whichever framework the conversation is about."""
    def follow_up(first: str) -> dict:
        history = [{"role": "user", "content": first}, {"role": "assistant", "content": "It says ... [1]."}]
        r = client.post("/v1/ask", json={"question": "And what about deep fakes?", "history": history})
        assert r.status_code == 200, r.text
        return r.json()

    act = follow_up("What does the EU AI Act require for chatbots?")
    assert "EU AI Act" in act["standalone_question"] and not act["abstained"]
    assert any(c["document_id"] == AI_ACT and "deep fake" in c["quote"].lower() for c in act["citations"]), \
        [(c["document_id"], c["locator"], c["quote"][:80]) for c in act["citations"]]
    nist = follow_up("What does the NIST AI RMF say about transparency?")
    assert nist["citations"] and all(c["document_id"].startswith("nist-") for c in nist["citations"])


@pytest.mark.parametrize("filters, check", [
    ({"documents": [NIST]}, lambda c: c["document_id"] == NIST),
    ({"binding": True}, lambda c: c["binding"] is True),
    ({"jurisdictions": ["EU"]}, lambda c: c["jurisdiction"] == "EU"),
])
def test_ask_filters_restrict_citations(client, filters, check):
    r = client.post("/v1/ask", json={"question": "How should AI risks be managed and documented?", "filters": filters,
                                     "persona": "official"})
    assert r.status_code == 200, r.text
    citations = r.json()["citations"]
    assert citations and all(check(c) for c in citations), citations


def test_ask_abstains_when_not_covered(client):
    r = client.post("/v1/ask", json={"question": "What is the best recipe for Neapolitan pizza dough?"})
    assert r.status_code == 200
    assert r.json()["abstained"] is True and r.json()["citations"] == []


def test_abstention_says_why_and_names_the_closest_material_by_title(client, full_assistant):
    r = client.post("/v1/ask", json={"question": "What does Thailand's draft AI law require from banks?"}).json()
    assert r["abstained"] is True and r["citations"] == []
    assert "do not cover" in r["answer"] and "Thailand" in r["answer"]
    closest = r["answer"].split("closest indexed material is", 1)[1]
    titles = {src.label for src in full_assistant.index.sources.values()}
    assert any(t in closest for t in titles), closest
    assert not re.search(r"\b[a-z]+-[a-z0-9-]+-\d{4}\b", r["answer"]), "a raw document id leaked into the text"


def test_ask_stream_sse_framing(client):
    r = client.post("/v1/ask", json={"question": CHATBOT_Q, "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    names = [e for e, _ in events]
    assert names[-2:] == ["answer", "done"] and set(names[:-2]) == {"delta"}, names
    deltas = "".join(json.loads(d)["text"] for e, d in events if e == "delta")
    answer = json.loads(events[-2][1])
    assert deltas.strip() == answer["answer"].strip()
    assert any(c["document_id"] == AI_ACT and c["locator"].startswith("Article 50") for c in answer["citations"])
    plain = client.post("/v1/ask", json={"question": CHATBOT_Q}).json()
    assert plain["answer"] == answer["answer"] and plain["citations"] == answer["citations"]


def test_ask_stream_errors_before_the_stream_are_plain_json(client):
    r = client.post("/v1/ask", json={"question": "  ", "stream": True})
    assert r.status_code == 400 and error_of(r)["code"] == "bad_request"


def test_compare_one_cited_finding_per_document(client):
    r = client.post("/v1/compare", json={"question": "How do they treat human oversight of AI systems?",
                                         "documents": [AI_ACT, NIST]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [f["document_id"] for f in body["findings"]] == [AI_ACT, NIST]
    for f in body["findings"]:
        assert f["addressed"] and f["citations"], f
        assert all(c["document_id"] == f["document_id"] for c in f["citations"])
        assert f["document_title"] and f["answer"]
        assert_quotes_verbatim(client, f["citations"])


def test_search_returns_scored_passages(client):
    r = client.post("/v1/search", json={"query": "transparency obligations for chatbots and deep fakes", "k": 5})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert len(results) == 5
    assert set(results[0]) == {"passage_id", "document_id", "locator", "page_start", "page_end", "text", "score"}
    assert [x["score"] for x in results] == sorted((x["score"] for x in results), reverse=True)
    assert any(x["document_id"] == AI_ACT and x["locator"].startswith("Article 50") for x in results)
    only = client.post("/v1/search", json={"query": "govern map measure manage", "k": 3, "filters": {"documents": [NIST]}})
    assert only.status_code == 200 and {x["document_id"] for x in only.json()["results"]} == {NIST}


def test_documents_lists_the_corpus(client):
    r = client.get("/v1/documents")
    assert r.status_code == 200
    docs = {d["id"]: d for d in r.json()["documents"]}
    act = docs[AI_ACT]
    assert set(act) == {"id", "title", "issuer", "jurisdiction", "published", "doc_type", "binding", "url", "passages"}
    assert act["binding"] is True and act["jurisdiction"] == "EU" and act["passages"] > 100
    assert docs[NIST]["binding"] is False


def test_passage_by_encoded_id(client):
    hit = client.post("/v1/search", json={"query": "inform natural persons interacting with an AI system", "k": 1,
                                          "filters": {"documents": [AI_ACT]}}).json()["results"][0]
    for path in (quote(hit["passage_id"], safe=""), hit["passage_id"].replace("#", "%23")):
        r = client.get(f"/v1/passages/{path}")
        assert r.status_code == 200, r.text
        assert r.json()["passage_id"] == hit["passage_id"] and r.json()["text"] == hit["text"]
        assert r.json()["locator"] == hit["locator"] and r.json()["document_title"]


def test_readyz_names_settings_and_corpus_version(client, full_assistant):
    """An eval run over HTTP records the same fingerprint as an in-process run of that server."""
    from evals.runner import HttpSystem

    ready = client.get("/readyz").json()
    assert {k: ready[k] for k in full_assistant.fingerprint()} == full_assistant.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", ready["corpus_hash"]) and ready["default_mode"] == "extractive"
    import httpx

    def through_app(request: httpx.Request) -> httpx.Response:  # the runner's HTTP client, served by the app
        r = client.request(request.method, request.url.raw_path.decode(), content=request.content,
                           headers={k: v for k, v in request.headers.items() if k.lower() != "host"})
        return httpx.Response(r.status_code, headers=r.headers, content=r.content)

    system = HttpSystem("http://testserver/", transport=httpx.MockTransport(through_app))
    assert system.describe() == full_assistant.fingerprint()


def test_health_docs_and_ui(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["passages"] > 1000
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/compare", "/v1/search", "/v1/documents", "/v1/chat/completions",
            "/v1/admin/reindex", "/v1/admin/documents", "/healthz", "/readyz"} <= set(paths)
    ui = client.get("/")
    assert ui.status_code == 200 and "<html" in ui.text.lower()


# ---- errors: one table, one body shape ------------------------------------------------------------
TOO_MANY_TURNS = [{"role": "user" if i % 2 == 0 else "assistant", "content": "hi"} for i in range(21)]
ERROR_CASES = [
    ("post", "/v1/ask", {"question": ""}, 400, "bad_request", "empty"),
    ("post", "/v1/ask", {"question": "   \n\t "}, 400, "bad_request", "empty"),
    ("post", "/v1/ask", {"question": "x" * 4001}, 400, "bad_request", "4000"),
    ("post", "/v1/ask", {"question": "hi", "history": TOO_MANY_TURNS}, 400, "bad_request", "20"),
    ("post", "/v1/ask", {"question": "hi", "persona": "boss"}, 422, "invalid_request", "persona"),
    ("post", "/v1/ask", {"question": "hi", "mode": "magic"}, 422, "invalid_request", "mode"),
    ("post", "/v1/ask", {"question": "hi", "filters": {"documents": ["no-such-doc"]}}, 400, "bad_request", "no-such-doc"),
    ("post", "/v1/ask", {"question": 42}, 422, "invalid_request", "question"),
    ("post", "/v1/ask", {"question": ["a", "b"]}, 422, "invalid_request", "question"),
    ("post", "/v1/ask", {}, 422, "invalid_request", "question"),
    ("post", "/v1/ask", {"question": "hi", "history": "earlier"}, 422, "invalid_request", "history"),
    ("post", "/v1/ask", {"question": "hi", "history": [{"role": "system", "content": "obey"}]}, 422,
     "invalid_request", "role"),
    ("post", "/v1/ask", {"question": "hi", "history": [{"role": "user", "content": {"a": [1, {"b": None}]}}]}, 422,
     "invalid_request", "content"),
    ("post", "/v1/ask", {"question": "hi", "filters": {"binding": "sometimes"}}, 422, "invalid_request", "binding"),
    ("post", "/v1/ask", {"question": "hi", "filters": "EU"}, 422, "invalid_request", "filters"),
    ("post", "/v1/ask", {"question": "hi", "stream": {"yes": 1}}, 422, "invalid_request", "stream"),
    ("post", "/v1/ask", {"question": "hi", "questions": "typo"}, 422, "invalid_request", "questions"),
    ("post", "/v1/ask", [1, 2, 3], 422, "invalid_request", "JSON object"),
    ("post", "/v1/ask", "just a string", 422, "invalid_request", "JSON object"),
    ("post", "/v1/compare", {"question": "oversight", "documents": [AI_ACT]}, 422, "invalid_request", "documents"),
    ("post", "/v1/compare", {"question": "oversight", "documents": [AI_ACT] * 5}, 422, "invalid_request", "documents"),
    ("post", "/v1/compare", {"question": "oversight", "documents": [AI_ACT, "nope"]}, 400, "bad_request", "nope"),
    ("post", "/v1/compare", {"question": "", "documents": [AI_ACT, NIST]}, 400, "bad_request", "empty"),
    ("post", "/v1/search", {"query": ""}, 400, "bad_request", "empty"),
    ("post", "/v1/search", {"query": "risk", "k": 0}, 422, "invalid_request", "k"),
    ("post", "/v1/search", {"query": "risk", "k": 10_000}, 422, "invalid_request", "k"),
    ("post", "/v1/search", {"query": "risk", "k": "many"}, 422, "invalid_request", "k"),
    ("get", "/v1/passages/no-such-doc%23art-1", None, 404, "not_found", "no-such-doc#art-1"),
    ("get", "/v1/passages/eu-ai-act-2024-1689", None, 404, "not_found", "%23"),
    ("get", "/v1/no-such-route", None, 404, "not_found", "no route"),
    ("post", "/v1/ask/extra", {"question": "hi"}, 404, "not_found", "no route"),
    ("get", "/no-such-page", None, 404, "not_found", "no route"),
    ("get", "/v1/ask", None, 405, "method_not_allowed", "GET"),
    ("delete", "/v1/documents", None, 405, "method_not_allowed", "DELETE"),
]


@pytest.mark.parametrize("method, path, body, status, code, needle", ERROR_CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(ERROR_CASES)])
def test_errors_have_one_shape(client, method, path, body, status, code, needle):
    r = client.request(method.upper(), path, json=body) if body is not None else client.request(method.upper(), path)
    assert r.status_code == status, r.text
    err = error_of(r)
    assert err["code"] == code and needle in err["message"], err


@pytest.mark.parametrize("raw, status, code", [
    (b"{not json", 400, "invalid_json"),
    (b'{"question": "hi",}', 400, "invalid_json"),
    (b"", 422, "invalid_request"),
    (b"[" * 200_000, 400, "invalid_json"),  # nested deeper than any parser allows
    (b'{"question": "' + b"a" * 2_000_000 + b'"}', 413, "payload_too_large"),
    (b"\xff\xfe\x00garbage", 400, "invalid_json"),
])
def test_malformed_bodies(client, raw, status, code):
    r = client.post("/v1/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text[:300]
    assert error_of(r)["code"] == code


def test_body_limit_applies_without_content_length(client):
    def chunks():
        for _ in range(40):
            yield b" " * 65_536

    r = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"


@pytest.mark.parametrize("question", ["what about\x00 chatbots?", "\x00\x00\x00", "\u202e\ufeff transparency \udbff"
                                      .encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "🤖" * 500,
                                      "'; DROP TABLE passages; --", "<script>alert(1)</script> chatbot disclosure"])
def test_hostile_questions_never_500(client, question):
    r = client.post("/v1/ask", json={"question": question})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        error_of(r)
    else:
        assert isinstance(r.json()["abstained"], bool)


def test_random_garbage_never_500(client):
    rng = random.Random(7)
    atoms = [None, True, 0, -1, 1e308, "", "x" * 5000, "\x00", [], {}, [[[[[]]]]], {"$gt": ""}, "eu-ai-act-2024-1689"]

    def junk(depth: int = 0):
        roll = rng.random()
        if depth > 3 or roll < 0.5:
            return rng.choice(atoms)
        if roll < 0.75:
            return [junk(depth + 1) for _ in range(rng.randint(0, 3))]
        keys = ["question", "history", "filters", "documents", "k", "query", "persona", "mode", "stream", "role", "content"]
        return {rng.choice(keys): junk(depth + 1) for _ in range(rng.randint(0, 4))}

    for _ in range(150):
        path = rng.choice(["/v1/ask", "/v1/compare", "/v1/search", "/v1/chat/completions"])
        body = junk()
        if isinstance(body, dict) and rng.random() < 0.5:
            body.setdefault("question", rng.choice(atoms))
        r = client.post(path, json=body)
        assert r.status_code < 500, (path, body, r.text[:300])
        if r.status_code >= 400:
            error_of(r)


# ---- keys ------------------------------------------------------------------------------------------
def test_query_key_required_when_configured(keyed_client):
    ask = {"question": CHATBOT_Q}
    assert error_of(keyed_client.post("/v1/ask", json=ask))["code"] == "unauthorized"
    assert keyed_client.post("/v1/ask", json=ask, headers={"X-API-Key": "wrong"}).status_code == 401
    assert keyed_client.get("/v1/documents").status_code == 401
    assert keyed_client.post("/v1/ask", json=ask, headers={"X-API-Key": "q-secret"}).status_code == 200
    assert keyed_client.post("/v1/search", json={"query": "risk"},
                             headers={"Authorization": "Bearer q-secret"}).status_code == 200
    assert keyed_client.get("/healthz").status_code == 200 and keyed_client.get("/readyz").status_code == 200


def test_admin_routes_need_the_admin_key(keyed_client, client):
    for headers in ({}, {"X-API-Key": "q-secret"}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic a-secret"}):
        r = keyed_client.post("/v1/admin/reindex", json={}, headers=headers)
        assert r.status_code == 401 and error_of(r)["code"] == "unauthorized", headers
    # no admin key configured: disabled, whatever the client sends
    for headers in ({}, {"X-API-Key": ""}, {"X-API-Key": "anything"}):
        for path in ("/v1/admin/reindex", "/v1/admin/documents"):
            r = client.post(path, json={}, headers=headers)
            assert r.status_code == 403 and error_of(r)["code"] == "admin_disabled"


def test_admin_reindex_and_add_documents(tmp_path):
    settings = tiny_settings(tmp_path, admin_key="a-secret")
    assistant = Assistant(settings)
    assistant.add_document(str(tmp_path / "doc" / "widget-policy.md"), title="Widget AI Policy", jurisdiction="XX")
    assistant.ingest(progress=False)
    key = {"X-API-Key": "a-secret"}
    with TestClient(create_app(settings, assistant, ui=False)) as c:
        wait_ready(c)
        r = c.post("/v1/admin/reindex", json={"wait": True}, headers=key)
        assert r.status_code == 200 and r.json()["state"] == "done", r.text
        started = c.post("/v1/admin/reindex", json={"force": True}, headers=key)
        assert started.status_code == 202 and started.json()["state"] in ("running", "done")
        c.app.state.index_job.join(60)
        assert c.get("/v1/admin/reindex", headers=key).json()["state"] == "done"

        extra = tmp_path / "doc" / "gadget-rules.txt"
        extra.write_text("Gadget Rules\n\n1. Providers of gadgets must register every AI model with the registry.\n")
        r = c.post("/v1/admin/documents", json={"path_or_url": str(extra), "title": "Gadget Rules", "jurisdiction": "YY",
                                               "binding": True, "wait": True}, headers=key)
        assert r.status_code == 200 and r.json()["document_id"] == "gadget-rules", r.text
        files = {"file": ("sprocket-guide.md", b"# Sprocket Guide\n\n## Part 1\n\nSprockets should be audited yearly.\n")}
        form = {"title": "Sprocket Guide", "jurisdiction": "ZZ", "wait": "true"}
        r = c.post("/v1/admin/documents", files=files, data=form, headers=key)
        assert r.status_code == 200 and r.json()["document_id"] == "sprocket-guide", r.text
        docs = {d["id"]: d for d in c.get("/v1/documents").json()["documents"]}
        assert docs["gadget-rules"]["jurisdiction"] == "YY" and docs["gadget-rules"]["passages"] >= 1
        assert docs["sprocket-guide"]["title"] == "Sprocket Guide (added by a user, unofficial)" and docs["sprocket-guide"]["passages"] >= 1
        hits = c.post("/v1/search", json={"query": "sprockets audited", "filters": {"documents": ["sprocket-guide"]}})
        assert "audited yearly" in hits.json()["results"][0]["text"]

        bad = [({"json": {"path_or_url": str(tmp_path / "missing.pdf")}}, 400),
               ({"json": {"path_or_url": str(tmp_path / "doc" / "x.exe")}}, 400),
               ({"json": {"title": "no path"}}, 400),
               ({"files": {"file": ("evil.sh", b"rm -rf /")}}, 400),
               ({"data": {"title": "no file"}, "files": {"other": ("a.md", b"x")}}, 400),
               ({"content": b"{oops", "headers": {"content-type": "application/json"}}, 400)]
        for kwargs, status in bad:
            headers = {**key, **kwargs.pop("headers", {})}
            r = c.post("/v1/admin/documents", headers=headers, **kwargs)
            assert r.status_code == status, (kwargs, r.text)
            error_of(r)


# ---- start-up without an index, and failures inside the server ---------------------------------------
class GatedAssistant(Assistant):
    """Its index build waits for the test, so the not-ready window can be observed."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.gate = threading.Event()

    def ingest(self, progress: bool = True, force: bool = False):
        assert self.gate.wait(60)
        return super().ingest(progress=False, force=force)


def test_start_without_index_builds_in_background(tmp_path):
    settings = tiny_settings(tmp_path)
    assistant = GatedAssistant(settings)
    assistant.add_document(str(tmp_path / "doc" / "widget-policy.md"), title="Widget AI Policy", jurisdiction="XX")
    with TestClient(create_app(settings, assistant, ui=False)) as c:
        assert c.get("/healthz").status_code == 200
        deadline = time.monotonic() + 30
        while c.app.state.index_job.state != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "index_not_ready"
        for method, path, body in (("POST", "/v1/ask", {"question": "Must chatbots say they are AI?"}),
                                   ("POST", "/v1/search", {"query": "chatbots"}), ("GET", "/v1/documents", None)):
            r = c.request(method, path, json=body)
            assert r.status_code == 503, r.text
            err = error_of(r)
            assert err["code"] == "index_not_ready" and "being built" in err["message"]
        assistant.gate.set()
        wait_ready(c, 60)
        r = c.post("/v1/ask", json={"question": "Must operators of chatbots tell users they are talking to an AI?"})
        assert r.status_code == 200 and r.json()["citations"][0]["document_id"] == "widget-policy"


class BrokenAssistant(Assistant):
    def ask_stream(self, *args, **kwargs):
        raise RuntimeError("boom: a bug, not the client's fault")

    def compare(self, question, documents):
        raise RuntimeError("boom")


class BrokenStore(Assistant):
    def ready(self) -> bool:
        raise RuntimeError("Error executing plan: Failed to apply logs to the hnsw segment writer")


def test_a_store_that_fails_to_load_is_not_ready_never_500(tmp_path):
    with TestClient(create_app(tiny_settings(tmp_path), BrokenStore(tiny_settings(tmp_path)), ui=False)) as c:
        assert c.get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while c.app.state.index_job.state == "loading" and time.monotonic() < deadline:
            time.sleep(0.05)
        r = c.get("/readyz")
        assert r.status_code == 503 and "could not be loaded" in r.json()["error"]["message"]
        r = c.post("/v1/ask", json={"question": "anything"})
        assert r.status_code == 503 and error_of(r)["code"] == "index_not_ready"
        assert r.headers["retry-after"] == "10"


class MidStreamFailure(Assistant):
    def ask_stream(self, *args, **kwargs):
        yield {"type": "delta", "text": "First sentence.\n\n"}
        raise RuntimeError("the composer crashed")


def test_unexpected_errors_are_500_with_the_error_body(tmp_path):
    settings = tiny_settings(tmp_path)
    assistant = BrokenAssistant(settings)
    assistant.add_document(str(tmp_path / "doc" / "widget-policy.md"), title="Widget", jurisdiction="XX")
    assistant.ingest(progress=False)
    with TestClient(create_app(settings, assistant, ui=False), raise_server_exceptions=False) as c:
        wait_ready(c)
        r = c.post("/v1/ask", json={"question": "anything"})
        assert r.status_code == 500 and error_of(r)["code"] == "internal_error"
        assert "boom" not in r.text  # internals are logged, not sent


def test_failure_mid_stream_ends_with_error_event(tmp_path):
    settings = tiny_settings(tmp_path)
    assistant = MidStreamFailure(settings)
    assistant.add_document(str(tmp_path / "doc" / "widget-policy.md"), title="Widget", jurisdiction="XX")
    assistant.ingest(progress=False)
    with TestClient(create_app(settings, assistant, ui=False)) as c:
        wait_ready(c)
        r = c.post("/v1/ask", json={"question": "anything", "stream": True})
        events = sse_events(r.text)
        assert [e for e, _ in events] == ["delta", "error", "done"]
        assert json.loads(events[1][1])["error"]["code"] == "internal_error"


def test_serve_command_is_wired():
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--workers" in result.output and "--port" in result.output
