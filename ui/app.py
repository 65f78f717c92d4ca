"""The Gradio front end: Chat (streamed, cited answers with follow-ups), Compare and Sources tabs.

A thin edge: every action calls the Assistant; ui/render.py turns results into HTML. The
conversation lives in the browser (gr.BrowserState, see ui/session.py): it survives a reload,
"New conversation" clears it, and the server stays stateless. Answers can be exported as
Markdown and rated (👍, 👎, "wrong citation"); ratings go to <data dir>/feedback.jsonl.

Languages: every label comes from ui/labels.py (English, Bahasa Indonesia, Bahasa Melayu, Tiếng
Việt, ไทย, Filipino). The Language selector (#pa-lang) relabels the page; with "Auto" the labels
follow the language of each answered question. The choice is kept in the browser like the
conversation, so a reload keeps it.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant import feedback  # noqa: E402
from assistant.errors import AssistantError, NotReady  # noqa: E402
from assistant.i18n import ui_strings  # noqa: E402
from assistant.language import question_language  # noqa: E402
from assistant.service import Assistant  # noqa: E402

from . import session as sessions  # noqa: E402
from .crosswalk_tab import crosswalk_tab  # noqa: E402
from .labels import labels, rating_of, status  # noqa: E402
from .render import (answer_markdown, answer_message, badges, citation_cards, comparison_table,  # noqa: E402,F401
                     notice, sources_table)
from .style import CSS, HEAD  # noqa: E402,F401 - mounted with the app (assistant/api/app.py)

RATING_OF = rating_of()
# Relabelled together on every language change (the label names of ui/labels.py, then the
# components whose content is rendered in the language).
VIEW_KEYS = [*labels("en"), "status", "sources"]
log = logging.getLogger("assistant.ui")


def error_message(exc: AssistantError, lang: str = "en") -> str:
    if isinstance(exc, NotReady):
        return ui_strings(lang)["not_ready"].format(detail=exc)
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


def shown_language(stored: Any) -> str:
    return sessions.language_state(stored)["lang"]


# ---- actions ---------------------------------------------------------------------------------
class Actions:
    """The UI's event handlers, each a call to the Assistant plus rendering."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.export_dir = Path(tempfile.mkdtemp(prefix="policy-assistant-export-"))

    def names(self) -> dict[str, str]:
        """Short document names ("EU AI Act"); the full titles if the index is not loaded yet."""
        try:
            return {d: s.label for d, s in self.assistant.index.sources.items()}
        except Exception:  # noqa: BLE001 - not ready: cards fall back to the citation's own title
            return {}

    # ---- the page in one language -------------------------------------------------------------
    def index_view(self, lang: str, choices: bool = False) -> dict[str, dict[str, Any]]:
        """The index status and the sources table in ``lang`` (and the filters' choices on load)."""
        try:
            documents = self.assistant.documents()
        except Exception as exc:  # noqa: BLE001 - not ready, or a store that fails to load
            if not isinstance(exc, AssistantError):
                log.exception("the UI could not list the documents")
            message = notice(error_message(exc, lang) if isinstance(exc, AssistantError)
                             else ui_strings(lang)["unexpected"])
            out = {"status": {"value": message}, "sources": {"value": message}}
            return out | ({k: {"choices": []} for k in ("docs", "juris", "cmp_docs")} if choices else {})
        out = {"status": {"value": status(lang, len(documents), sum(n for _, n in documents))},
               "sources": {"value": sources_table(documents, lang)}}
        if choices:
            options = [(f"{s.label} ({s.jurisdiction})", s.document_id) for s, _ in documents]
            jurisdictions = sorted({s.jurisdiction for s, _ in documents if s.jurisdiction})
            out |= {"docs": {"choices": options}, "juris": {"choices": jurisdictions}, "cmp_docs": {"choices": options}}
        return out

    def view(self, state: dict[str, str], session: Any, choices: bool = False) -> tuple:
        """Outputs [language state, *VIEW_KEYS]: every label in the state's language, the
        conversation, its export, the index status and the sources table rendered in it."""
        lang = state["lang"]
        props = labels(lang)
        props["language"]["value"] = state["choice"]
        props["chatbot"]["value"] = sessions.messages(session, self.names(), lang)
        props["export"].update(self.export_props(session, lang))
        for key, extra in self.index_view(lang, choices).items():
            props.setdefault(key, {}).update(extra)
        return (state, *(gr.update(**props[k]) for k in VIEW_KEYS))

    def load(self, session: Any, stored_language: Any) -> tuple:
        """On page load: the stored conversation and language, index status, filter choices, sources."""
        return self.view(sessions.language_state(stored_language), session, choices=True)

    def set_language(self, choice: str, session: Any, stored_language: Any) -> tuple:
        """The selector: a language, or "auto" (the language of the latest question, if any)."""
        state = sessions.language_state({"choice": choice, "lang": shown_language(stored_language)})
        if state["choice"] == sessions.AUTO:
            state["lang"] = self.asked_language(session) or state["lang"]
        return self.view(state, session)

    def follow_question(self, session: Any, stored_language: Any) -> tuple:
        """After an answer, with "Auto": relabel the page in the question's language (if it changed)."""
        state = sessions.language_state(stored_language)
        asked = self.asked_language(session) if state["choice"] == sessions.AUTO else None
        if asked is None or asked == state["lang"]:
            return tuple(gr.skip() for _ in range(len(VIEW_KEYS) + 1))
        return self.view({"choice": sessions.AUTO, "lang": asked}, session)

    @staticmethod
    def asked_language(session: Any) -> str | None:
        questions = sessions.questions(session)
        return question_language(questions[-1], questions[:-1]) if questions else None

    # ---- chat ----------------------------------------------------------------------------------
    def chat(self, question: str, session: Any, stored_language: Any, persona: str, documents: list[str] | None,
             jurisdictions: list[str] | None, binding_only: bool) -> Iterator[tuple]:
        """Stream one answer: the user's turn, then the growing answer, then the answer with its cards.
        Outputs: chatbot, session, question box, notice, export button."""
        question, names, lang = question or "", self.names(), shown_language(stored_language)
        words = ui_strings(lang)
        chat = sessions.messages(session, names, lang)
        if not question.strip():
            yield chat, gr.skip(), question, notice(words["empty_question"]), gr.skip()
            return
        pending = chat + [{"role": "user", "content": question}, {"role": "assistant", "content": words["thinking"]}]
        yield pending, gr.skip(), "", "", gr.skip()
        max_turns = self.assistant.settings.answer.max_history_turns
        history = sessions.history(session)
        filters = {"documents": documents or None, "jurisdictions": jurisdictions or None,
                   "binding": True if binding_only else None}
        try:
            events = self.assistant.ask_stream(question, history[-max_turns:] if max_turns else [],
                                               filters["documents"], filters["jurisdictions"], filters["binding"],
                                               persona)
            text = ""
            for event in events:
                if event["type"] == "delta":
                    text += event["text"]
                    yield pending[:-1] + [{"role": "assistant", "content": text}], gr.skip(), "", "", gr.skip()
                else:
                    answer = event["answer_obj"]
        except AssistantError as exc:
            yield chat, gr.skip(), question, notice(error_message(exc, lang)), gr.skip()
            return
        except Exception:  # noqa: BLE001 - keep the conversation; the details go to the server log
            log.exception("the UI could not answer")
            yield chat, gr.skip(), question, notice(words["unexpected"]), gr.skip()
            return
        updated = sessions.add_turn(session, question, answer, persona, filters)
        done = pending[:-1] + [{"role": "assistant",
                                "content": answer_message(answer.answer, answer.citations, names, lang)}]
        yield done, updated, "", "", gr.update(**self.export_props(updated, lang))

    def export_props(self, session: Any, lang: str = "en") -> dict[str, Any]:
        """The export button, pointing at a Markdown file of the latest answer (disabled without one)."""
        items = sessions.turns(session)
        if not items:
            return {"value": None, "interactive": False}
        last = items[-1]
        text = answer_markdown(last["question"], last["answer"], sessions.citations_of(last), self.names(), lang)
        slug = re.sub(r"[^a-z0-9]+", "-", last["question"].lower()).strip("-")[:50] or "answer"
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))  # one folder per file: concurrent users never clash
        path = folder / f"answer-{slug}.md"
        path.write_text(text, encoding="utf-8")
        return {"value": str(path), "interactive": True}

    def feedback(self, session: Any, stored_language: Any, data: gr.LikeData) -> str:
        """Store a rating of one answer as a JSONL line (with the question, history and citations)."""
        words = ui_strings(shown_language(stored_language))
        found = sessions.turn_at_message(session, data.index)
        rating = RATING_OF.get(data.liked) if isinstance(data.liked, (bool, str)) else None
        if found is None or rating is None:
            return ""  # a rating withdrawn, or of a message that is no longer stored
        i, turn = found
        entry = feedback.feedback_entry(rating, turn["question"], sessions.history({"turns": sessions.turns(session)[:i]}),
                                        turn.get("persona", "sme"), turn.get("filters", {}) or {}, turn)
        try:
            feedback.record(feedback.feedback_path(self.assistant.settings), entry)
        except OSError:
            log.exception("feedback could not be stored")
            return notice(words["feedback_failed"])
        return f'<div class="pa-thanks">{words["feedback_saved"]}</div>'

    def compare(self, question: str, documents: list[str] | None, stored_language: Any) -> str:
        lang = shown_language(stored_language)
        words = ui_strings(lang)
        documents = documents or []
        if not (question or "").strip():
            return notice(words["empty_compare_question"])
        if not 2 <= len(documents) <= 4:
            return notice(words["compare_pick"])
        try:
            comparison = self.assistant.compare(question, documents)
            return comparison_table(comparison, self.assistant.index.sources, lang)
        except AssistantError as exc:
            return notice(error_message(exc, lang))
        except Exception:  # noqa: BLE001 - the details go to the server log
            log.exception("the UI could not compare")
            return notice(words["unexpected"])


def new_conversation() -> tuple:
    return [], dict(sessions.EMPTY), "", gr.update(value=None, interactive=False)


# ---- layout ----------------------------------------------------------------------------------
# Components are built with their English labels from ui/labels.py (the first render before the
# page load event relabels them in the stored language); none carries a label of its own.
LABELS = labels("en")


def chat_tab(actions: Actions, language_state: Any) -> dict[str, Any]:
    """Chat: conversation, question box and buttons first (phone screens), filters after them."""
    settings = actions.assistant.settings
    session = gr.BrowserState(dict(sessions.EMPTY), storage_key=sessions.STORAGE_KEY,
                              secret=sessions.storage_secret(settings.data_dir))
    c: dict[str, Any] = {"session": session}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300, elem_id="pa-chat-col"):
            c["chatbot"] = gr.Chatbot(**LABELS["chatbot"], show_label=False, elem_id="pa-chat", buttons=["copy"])
            c["question"] = gr.Textbox(**LABELS["question"], show_label=False, lines=2, max_lines=8,
                                       elem_id="pa-question")
            chat_notice = gr.HTML(elem_id="pa-chat-notice")
            with gr.Row(elem_id="pa-actions"):
                c["ask"] = gr.Button(**LABELS["ask"], variant="primary", elem_id="pa-ask")
                c["new"] = gr.Button(**LABELS["new"], elem_id="pa-new")
                c["export"] = gr.DownloadButton(**LABELS["export"], value=None, interactive=False, elem_id="pa-export")
        with gr.Column(scale=1, min_width=260):
            c["language"] = gr.Dropdown(**LABELS["language"], value=sessions.AUTO, interactive=True, elem_id="pa-lang")
            c["persona"] = gr.Radio(**LABELS["persona"], value="sme", elem_id="pa-persona")
            c["docs"] = gr.Dropdown(**LABELS["docs"], multiselect=True, elem_id="pa-docs")
            c["juris"] = gr.Dropdown(**LABELS["juris"], multiselect=True, elem_id="pa-juris")
            c["binding_only"] = gr.Checkbox(**LABELS["binding_only"], elem_id="pa-binding")

    chat_inputs = [c["question"], session, language_state, c["persona"], c["docs"], c["juris"], c["binding_only"]]
    chat_outputs = [c["chatbot"], session, c["question"], chat_notice, c["export"]]
    c["answered"] = [c["ask"].click(actions.chat, chat_inputs, chat_outputs),
                     c["question"].submit(actions.chat, chat_inputs, chat_outputs)]
    c["new"].click(new_conversation, None, [c["chatbot"], session, chat_notice, c["export"]])
    c["chatbot"].like(actions.feedback, [session, language_state], [chat_notice])
    return c


def compare_tab(actions: Actions, language_state: Any) -> dict[str, Any]:
    c = {"cmp_docs": gr.Dropdown(**LABELS["cmp_docs"], multiselect=True, max_choices=4, elem_id="pa-cmp-docs"),
         "cmp_question": gr.Textbox(**LABELS["cmp_question"], elem_id="pa-cmp-question"),
         "cmp_button": gr.Button(**LABELS["cmp_button"], variant="primary", elem_id="pa-cmp-go")}
    cmp_out = gr.HTML(elem_id="pa-cmp-out")
    inputs = [c["cmp_question"], c["cmp_docs"], language_state]
    c["cmp_button"].click(actions.compare, inputs, cmp_out)
    c["cmp_question"].submit(actions.compare, inputs, cmp_out)
    return c


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The Blocks app; mount it with gr.mount_gradio_app (pass ``css=CSS``) or call .launch()."""
    actions = Actions(assistant)
    with gr.Blocks(title=ui_strings("en")["title"]) as demo:
        language_state = gr.BrowserState(dict(sessions.LANGUAGE_DEFAULT), storage_key=sessions.LANGUAGE_KEY,
                                         secret=sessions.storage_secret(assistant.settings.data_dir))
        c: dict[str, Any] = {"head": gr.Markdown(**LABELS["head"], elem_id="pa-head"),
                             "status": gr.Markdown(elem_id="pa-status")}
        with gr.Tabs():
            with gr.Tab(**LABELS["tab_chat"], id="chat") as c["tab_chat"]:
                c |= chat_tab(actions, language_state)
            with gr.Tab(**LABELS["tab_compare"], id="compare") as c["tab_compare"]:
                c |= compare_tab(actions, language_state)
            with gr.Tab(**LABELS["tab_sources"], id="sources") as c["tab_sources"]:
                c["sources"] = gr.HTML(elem_id="pa-sources")
            with gr.Tab(**LABELS["tab_crosswalk"], id="crosswalk") as c["tab_crosswalk"]:
                crosswalk_tab(assistant)
            # More tabs go here, each built by its own module (e.g. ui/crosswalk_tab.py).
        view = [language_state, *(c[k] for k in VIEW_KEYS)]
        demo.load(actions.load, [c["session"], language_state], view)
        c["language"].input(actions.set_language, [c["language"], c["session"], language_state], view)
        for answered in c["answered"]:
            answered.then(actions.follow_question, [c["session"], language_state], view)
    return demo
