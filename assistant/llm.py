"""Chat models behind one small protocol; the real one speaks to any OpenAI-compatible endpoint
(OpenAI, vLLM, Ollama, llama.cpp) through the official `openai` client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .errors import LLMUnavailable
from .settings import LLMSettings


class ChatModel(Protocol):
    def complete(self, messages: list[dict[str, str]], stream: bool = False) -> Iterator[str]:
        """Yield the reply's text (one piece when not streaming, token deltas when streaming)."""
        ...


class OpenAIChatModel:
    def __init__(self, cfg: LLMSettings):
        if not cfg.base_url:
            raise LLMUnavailable("no LLM endpoint configured: set POLICY_LLM__BASE_URL (and POLICY_LLM__API_KEY, POLICY_LLM__MODEL)")
        from openai import OpenAI

        key = cfg.api_key.get_secret_value() if cfg.api_key else "not-needed"
        self._client = OpenAI(base_url=cfg.base_url, api_key=key, timeout=cfg.timeout_s, max_retries=0)
        self._cfg = cfg

    def complete(self, messages: list[dict[str, str]], stream: bool = False) -> Iterator[str]:
        import openai

        try:
            if not stream:
                resp = self._client.chat.completions.create(model=self._cfg.model, messages=messages,
                                                            temperature=self._cfg.temperature)
                content = resp.choices[0].message.content if resp.choices else None
                if not isinstance(content, str):
                    raise LLMUnavailable("the LLM endpoint returned no message content")
                yield content
                return
            chunks = self._client.chat.completions.create(model=self._cfg.model, messages=messages,
                                                          temperature=self._cfg.temperature, stream=True)
            got_content = False
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    got_content = True
                    yield chunk.choices[0].delta.content
            if not got_content:  # a body that is no event stream parses as an empty one
                raise LLMUnavailable("the LLM endpoint sent a malformed or empty response")
        except openai.APITimeoutError as exc:
            raise LLMUnavailable(f"the LLM endpoint timed out after {self._cfg.timeout_s:.0f} s") from exc
        except openai.OpenAIError as exc:
            raise LLMUnavailable(f"the LLM endpoint failed: {type(exc).__name__}: {str(exc)[:200]}") from exc
        except (ValueError, KeyError, AttributeError, TypeError) as exc:  # malformed responses
            raise LLMUnavailable(f"the LLM endpoint sent a malformed response: {exc}") from exc


def load_prompt(prompts_dir: Path, name: str) -> str:
    return (prompts_dir / f"{name}.txt").read_text(encoding="utf-8")
