"""Property-based API testing with schemathesis: generated requests for every operation of the
OpenAPI schema (valid and invalid bodies, odd strings, surrogates, huge numbers), over the real
index in-process. No request may produce a 5xx. The number of examples is bounded so CI stays fast
(POLICY_SCHEMATHESIS_EXAMPLES raises it for a longer run)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from assistant.api.app import create_app

EXAMPLES = int(os.environ.get("POLICY_SCHEMATHESIS_EXAMPLES", "30"))


def _app():
    """The API over the real index under <repo>/data (built before the tests; loaded on first use)."""
    from assistant.service import Assistant
    from assistant.settings import Settings
    from tests.conftest import CORPUS, REPO

    if CORPUS is None:
        pytest.skip("../shared/corpus is absent", allow_module_level=True)
    settings = Settings(data_dir=REPO / "data", corpus_dirs=[CORPUS], allow_download=False)
    app = create_app(settings, Assistant(settings), ui=False)
    # The transport runs the lifespan around each call; its background warm-up would make every call
    # race a "loading" 503. The index loads synchronously on first use instead.
    app.state.index_job.warm_up = lambda: None
    return app


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _index_built(full_assistant):
    """The index is current (incremental ingest) and loaded before the first generated request."""
    assert APP.state.assistant.ready()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_5xx(case):
    response = case.call(timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
    content_type = " ".join(response.headers.get("content-type", []))  # schemathesis keeps header values as lists
    if response.status_code >= 400 and content_type.startswith("application/json"):
        body = response.json()
        assert set(body) >= {"error"} and {"code", "message"} <= set(body["error"]), body
