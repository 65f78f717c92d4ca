"""The assistant's error tree. Messages say what to do next; the edges (CLI, API) convert them."""

from __future__ import annotations


class AssistantError(Exception):
    code = "error"
    status = 500


class BadRequest(AssistantError):
    code, status = "bad_request", 400


class NotFound(AssistantError):
    code, status = "not_found", 404


class Unauthorized(AssistantError):
    code, status = "unauthorized", 401


class AdminDisabled(AssistantError):
    code, status = "admin_disabled", 403


class NotReady(AssistantError):
    code, status = "index_not_ready", 503


class LLMUnavailable(AssistantError):
    """The configured endpoint failed; callers fall back to the extractive composer."""

    code, status = "llm_unavailable", 502
