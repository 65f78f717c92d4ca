"""The conversation as kept in the browser (gr.BrowserState, i.e. localStorage): a list of turns,
each the question and the answer as given. The chat messages, the history sent with the next
question, the Markdown export and feedback lines are all derived from it, so a reload restores
exactly what was on screen and the server stays stateless.

The UI language is kept beside it the same way (its own BrowserState, so "New conversation" keeps
it): the choice ("auto" or a language code) and the language the labels are shown in."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.i18n import LANGUAGES
from assistant.types import Answer

from .render import answer_message, citation_from_dict

MAX_TURNS = 30  # kept in the browser; older turns are dropped (localStorage holds a few MB)
STORAGE_KEY = "policy-assistant-conversation"
EMPTY: dict[str, Any] = {"turns": []}
LANGUAGE_KEY = "policy-assistant-language"
AUTO = "auto"
LANGUAGE_DEFAULT: dict[str, str] = {"choice": AUTO, "lang": "en"}


def storage_secret(data_dir: Path) -> str:
    """A per-installation key for BrowserState's encryption, kept in the data dir: a random key per
    process (Gradio's default) would lose every stored conversation on a server restart."""
    path = data_dir / "ui-browser-state.key"
    try:
        return path.read_text().strip() or _new_secret(path)
    except OSError:
        return _new_secret(path)


def _new_secret(path: Path) -> str:
    secret = secrets.token_urlsafe(24)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secret)
        path.chmod(0o600)
    except OSError:
        pass  # read-only data dir: conversations then last until the server restarts
    return secret


def turns(session: Any) -> list[dict[str, Any]]:
    """The stored turns, tolerating anything malformed (storage is the client's)."""
    items = session.get("turns") if isinstance(session, Mapping) else None
    return [t for t in items or [] if isinstance(t, Mapping) and isinstance(t.get("question"), str)
            and isinstance(t.get("answer"), str)]


def add_turn(session: Any, question: str, answer: Answer, persona: str, filters: Mapping[str, Any]) -> dict:
    turn = {"question": question, "answer": answer.answer, "abstained": answer.abstained,
            "citations": [dict(c.__dict__) for c in answer.citations], "persona": persona, "filters": dict(filters)}
    return {"turns": (turns(session) + [turn])[-MAX_TURNS:]}


def citations_of(turn: Mapping[str, Any]) -> list:
    out = []
    for c in turn.get("citations", []) or []:
        try:
            out.append(citation_from_dict(c))
        except TypeError:
            continue  # a citation stored by an older, incompatible version: shown without it
    return out


def history(session: Any) -> list[dict[str, str]]:
    """The turns as the role/content history the service takes with the next question."""
    out = []
    for t in turns(session):
        out += [{"role": "user", "content": t["question"]}, {"role": "assistant", "content": t["answer"]}]
    return out


def messages(session: Any, names: Mapping[str, str], lang: str = "en") -> list[dict[str, str]]:
    """Chat messages: user, assistant, user, ... (message 2i+1 is the answer of turn i)."""
    out = []
    for t in turns(session):
        out += [{"role": "user", "content": t["question"]},
                {"role": "assistant", "content": answer_message(t["answer"], citations_of(t), names, lang)}]
    return out


def questions(session: Any) -> list[str]:
    """The user's questions, oldest first."""
    return [t["question"] for t in turns(session)]


def language_state(stored: Any) -> dict[str, str]:
    """The stored language choice and shown language, anything malformed replaced by the default."""
    data = stored if isinstance(stored, Mapping) else {}
    choice = data.get("choice") if data.get("choice") in (AUTO, *LANGUAGES) else AUTO
    lang = data.get("lang") if data.get("lang") in LANGUAGES else (choice if choice != AUTO else "en")
    return {"choice": choice, "lang": choice if choice != AUTO else lang}


def turn_at_message(session: Any, index: Any) -> tuple[int, dict[str, Any]] | None:
    """The turn whose answer is chat message ``index`` (None for a user message or a stale index)."""
    if isinstance(index, (list, tuple)):
        index = index[0] if index else None
    if not isinstance(index, int) or index % 2 != 1:
        return None
    items = turns(session)
    i = index // 2
    return (i, items[i]) if 0 <= i < len(items) else None
