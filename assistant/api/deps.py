"""Typed dependencies: the Assistant, the index job, and the API-key checks.

The app keeps one Assistant (and its settings) on ``app.state``; routes receive them through
``Annotated[..., Depends()]`` aliases, so a route's signature says what it needs.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from ..errors import AdminDisabled, NotReady, Unauthorized
from ..service import Assistant
from ..settings import Settings
from .indexing import IndexJob


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_job(request: Request) -> IndexJob:
    return request.app.state.index_job


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobDep = Annotated[IndexJob, Depends(get_job)]


def presented_key(request: Request) -> str | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer <key>``."""
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _matches(presented: str | None, expected: SecretStr | None) -> bool:
    if presented is None or expected is None:
        return False
    return hmac.compare_digest(presented.encode(), expected.get_secret_value().encode())


def require_query_key(request: Request, settings: SettingsDep) -> None:
    """Question routes are open unless the operator set ``api.query_key`` (the admin key works too)."""
    expected = settings.api.query_key
    if expected is None or not expected.get_secret_value():
        return
    key = presented_key(request)
    if not (_matches(key, expected) or _matches(key, settings.api.admin_key)):
        raise Unauthorized("this server requires an API key: send it as X-API-Key or Authorization: Bearer <key>")


def require_admin_key(request: Request, settings: SettingsDep) -> None:
    """Admin routes need ``api.admin_key``; with none configured they are disabled, never open."""
    expected = settings.api.admin_key
    if expected is None or not expected.get_secret_value():
        raise AdminDisabled("admin routes are disabled: set POLICY_API__ADMIN_KEY on the server to enable them")
    if not _matches(presented_key(request), expected):
        raise Unauthorized("admin routes need the admin key as X-API-Key or Authorization: Bearer <key>")


def ready_assistant(assistant: Annotated[Assistant, Depends(get_assistant)], job: JobDep) -> Assistant:
    """The Assistant, once its index is loaded; 503 ``index_not_ready`` with the reason otherwise."""
    ready, why = job.check_ready()
    if not ready:
        raise NotReady(why)
    return assistant


AssistantDep = Annotated[Assistant, Depends(ready_assistant)]
RawAssistantDep = Annotated[Assistant, Depends(get_assistant)]
QueryKey = Depends(require_query_key)
AdminKey = Depends(require_admin_key)
