"""Every label the UI shows, in one language: the one place that builds them (from the ``ui_*``
keys of assistant/i18n.toml), used for the first render and for every relabelling (the language
selector, or "Auto" following the question's language). ``labels(lang)`` maps a component name
to the properties to set on it (``gr.update(**props)``); ui/app.py keeps the components under
the same names. Choice values (persona, language) never change, only their labels."""

from __future__ import annotations

from typing import Any

from assistant.i18n import LANGUAGES, t, table, ui_strings

from .session import AUTO

PERSONAS = ("sme", "official")
LIKE, DISLIKE = "Like", "Dislike"  # Gradio draws these two exact strings as thumbs, in every language


def language_choices(lang: str) -> list[tuple[str, str]]:
    """"Automatic" in ``lang``, then each language by its own name (English, Tiếng Việt, ไทย…)."""
    return [(ui_strings(lang)["language_auto"], AUTO)] + [(t("language_name", code), code) for code in LANGUAGES]


def persona_choices(lang: str) -> list[tuple[str, str]]:
    words = ui_strings(lang)
    return [(words[f"persona_{p}"], p) for p in PERSONAS]


def feedback_options(lang: str) -> list[str]:
    return [LIKE, DISLIKE, ui_strings(lang)["wrong_citation"]]


def rating_of() -> dict[Any, str]:
    """A chat rating (thumb or option text, in any language) to the stored rating."""
    wrong = {text: "wrong_citation" for text in table()["ui_wrong_citation"].values()}
    return {True: "up", False: "down", LIKE: "up", DISLIKE: "down", **wrong}


def header(lang: str) -> str:
    words = ui_strings(lang)
    return f"## {words['title']}\n{words['intro']}"


def labels(lang: str) -> dict[str, dict[str, Any]]:
    """{component name: properties} for every labelled component, in ``lang``."""
    w = ui_strings(lang)
    return {
        "head": {"value": header(lang)},
        "tab_chat": {"label": w["tab_chat"]},
        "tab_compare": {"label": w["tab_compare"]},
        "tab_sources": {"label": w["tab_sources"]},
        "tab_crosswalk": {"label": w["tab_crosswalk"]},
        "chatbot": {"label": w["conversation"], "feedback_options": feedback_options(lang)},
        "question": {"placeholder": w["question_placeholder"]},
        "ask": {"value": w["ask"]},
        "new": {"value": w["new_conversation"]},
        "export": {"label": w["export_answer"]},
        "language": {"label": w["language"], "choices": language_choices(lang)},
        "persona": {"label": w["answer_for"], "choices": persona_choices(lang)},
        "docs": {"label": w["documents"], "info": w["documents_info"]},
        "juris": {"label": w["jurisdictions"]},
        "binding_only": {"label": w["binding_only"]},
        "cmp_docs": {"label": w["compare_documents"]},
        "cmp_question": {"label": w["compare_question"], "placeholder": w["compare_placeholder"]},
        "cmp_button": {"value": w["compare_button"]},
    }


def status(lang: str, documents: int, passages: int) -> str:
    return ui_strings(lang)["index_ready"].format(documents=documents, passages=f"{passages:,}")
