"""The one boundary every request body passes: text is valid UTF-8 (a lone surrogate such as
``"\\ud800"`` is a 400, not a 500 when the text is later encoded), every text field and list has a
length limit, and types are strict (``"stream": "yes"``, ``"k": "5"`` and ``"k": true`` are errors,
not coerced). Request models inherit ``Strict`` or ``StrictOpen``; the app maps ``invalid_text``
to 400.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Hard ceilings of the schema (the configured limits, e.g. answer.max_question_chars, are checked
# below them with a 400 that names the limit).
MAX_QUESTION = 16_000
MAX_TURN = 16_000
MAX_ID = 200
MAX_LABEL = 300
MAX_PATH = 2_000
MAX_ITEMS = 50
MAX_MESSAGES = 200

_SURROGATE = re.compile(r"[\ud800-\udfff]")
INVALID_TEXT = "invalid_text"


def has_surrogate(value: Any) -> bool:
    """Any lone surrogate in a string, key or nested value (what JSON's \\ud800 escapes decode to)."""
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_surrogate(v) for v in value)
    return False


def _check_text(data: Any) -> Any:
    if has_surrogate(data):
        raise PydanticCustomError(INVALID_TEXT, "text must be valid UTF-8: the body holds a lone surrogate (such as \\ud800)")
    return data


class Strict(BaseModel):
    """Unknown fields are an error: a typo ("filter", "questions") must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _valid_text(cls, data: Any) -> Any:
        return _check_text(data)


class StrictOpen(Strict):
    """Strict types for the fields we read; other fields (OpenAI sampling options) are ignored."""

    model_config = ConfigDict(extra="allow", strict=True)


Question = Annotated[str, Field(max_length=MAX_QUESTION)]
TurnText = Annotated[str, Field(max_length=MAX_TURN)]
Identifier = Annotated[str, Field(max_length=MAX_ID)]
Label = Annotated[str, Field(max_length=MAX_LABEL)]
PathText = Annotated[str, Field(max_length=MAX_PATH)]


def check_length(field: str, text: str, limit: int) -> None:
    """The configured limit of a text field, as a 400 that names it."""
    from ..errors import BadRequest

    if len(text) > limit:
        raise BadRequest(f"the {field} is {len(text)} characters long; the limit is {limit}")
