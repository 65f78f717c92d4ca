"""The Gradio front end: Chat (streamed, cited answers with follow-ups), Compare and Sources tabs.

A thin edge: every action calls the Assistant; ui/render.py turns results into HTML. The
conversation lives in the browser (gr.BrowserState, see ui/session.py): it survives a reload,
"New conversation" clears it, and the server stays stateless. Answers can be exported as
Markdown and rated (👍, 👎, "wrong citation"); ratings go to <data dir>/feedback.jsonl.
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
from assistant.service import Assistant  # noqa: E402

from . import session as sessions  # noqa: E402
from .render import (answer_markdown, answer_message, badges, citation_cards, comparison_table,  # noqa: E402,F401
                     notice, sources_table)
from .style import CSS, HEAD  # noqa: E402,F401 - mounted with the app (assistant/api/app.py)
from .crosswalk_tab import crosswalk_tab  # noqa: E402

PERSONAS = [("SME (plain words)", "sme"), ("Official (legal precision)", "official")]
FEEDBACK = ["Like", "Dislike", "Wrong citation"]  # "Like"/"Dislike" render as thumbs
RATING_OF = {True: "up", False: "down", "Like": "up", "Dislike": "down", "Wrong citation": "wrong_citation"}
THINKING = "_Searching the documents…_"
UNEXPECTED = "Something went wrong on the server (it has been logged). Please try again."
EXPORT_LABEL = "Export answer (.md)"
log = logging.getLogger("assistant.ui")


def error_message(exc: AssistantError) -> str:
    if isinstance(exc, NotReady):
        return f"The document index is not ready yet ({exc}). Please try again in a minute."
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


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

    def load(self, session: Any) -> tuple:
        """On page load: the stored conversation, index status, filter choices and the sources table."""
        restored = sessions.messages(session, self.names())
        export = self.export_update(session)
        try:
            documents = self.assistant.documents()
        except Exception as exc:  # noqa: BLE001 - not ready, or a store that fails to load
            if not isinstance(exc, AssistantError):
                log.exception("the UI could not list the documents")
            message = notice(error_message(exc) if isinstance(exc, AssistantError) else UNEXPECTED)
            empty = gr.update(choices=[])
            return message, empty, empty, empty, message, restored, export
        choices = [(f"{s.label} ({s.jurisdiction})", s.document_id) for s, _ in documents]
        jurisdictions = sorted({s.jurisdiction for s, _ in documents if s.jurisdiction})
        status = f"Index ready: {len(documents)} documents, {sum(n for _, n in documents):,} passages."
        return (status, gr.update(choices=choices), gr.update(choices=jurisdictions), gr.update(choices=choices),
                sources_table(documents), restored, export)

    def chat(self, question: str, session: Any, persona: str, documents: list[str] | None,
             jurisdictions: list[str] | None, binding_only: bool) -> Iterator[tuple]:
        """Stream one answer: the user's turn, then the growing answer, then the answer with its cards.
        Outputs: chatbot, session, question box, notice, export button."""
        question, names = question or "", self.names()
        chat = sessions.messages(session, names)
        if not question.strip():
            yield chat, gr.skip(), question, notice("Please type a question first."), gr.skip()
            return
        pending = chat + [{"role": "user", "content": question}, {"role": "assistant", "content": THINKING}]
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
            yield chat, gr.skip(), question, notice(error_message(exc)), gr.skip()
            return
        except Exception:  # noqa: BLE001 - keep the conversation; the details go to the server log
            log.exception("the UI could not answer")
            yield chat, gr.skip(), question, notice(UNEXPECTED), gr.skip()
            return
        updated = sessions.add_turn(session, question, answer, persona, filters)
        done = pending[:-1] + [{"role": "assistant", "content": answer_message(answer.answer, answer.citations, names)}]
        yield done, updated, "", "", self.export_update(updated)

    def export_update(self, session: Any) -> Any:
        """The export button, pointing at a Markdown file of the latest answer (disabled without one)."""
        items = sessions.turns(session)
        if not items:
            return gr.update(value=None, interactive=False)
        last = items[-1]
        text = answer_markdown(last["question"], last["answer"], sessions.citations_of(last), self.names())
        slug = re.sub(r"[^a-z0-9]+", "-", last["question"].lower()).strip("-")[:50] or "answer"
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))  # one folder per file: concurrent users never clash
        path = folder / f"answer-{slug}.md"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    def feedback(self, session: Any, data: gr.LikeData) -> str:
        """Store a rating of one answer as a JSONL line (with the question, history and citations)."""
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
            return notice("Your feedback could not be stored (the server logged why).")
        return '<div class="pa-thanks">Thanks: your feedback was saved for the evaluators.</div>'

    def compare(self, question: str, documents: list[str] | None) -> str:
        documents = documents or []
        if not (question or "").strip():
            return notice("Please type the question to compare the documents on.")
        if not 2 <= len(documents) <= 4:
            return notice("Pick between 2 and 4 documents to compare.")
        try:
            comparison = self.assistant.compare(question, documents)
            return comparison_table(comparison, self.assistant.index.sources)
        except AssistantError as exc:
            return notice(error_message(exc))
        except Exception:  # noqa: BLE001 - the details go to the server log
            log.exception("the UI could not compare")
            return notice(UNEXPECTED)


def new_conversation() -> tuple:
    return [], dict(sessions.EMPTY), "", gr.update(value=None, interactive=False)


# ---- layout ----------------------------------------------------------------------------------
def chat_tab(actions: Actions) -> dict[str, Any]:
    """Chat: conversation, question box and buttons first (phone screens), filters after them."""
    settings = actions.assistant.settings
    session = gr.BrowserState(dict(sessions.EMPTY), storage_key=sessions.STORAGE_KEY,
                              secret=sessions.storage_secret(settings.data_dir))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300, elem_id="pa-chat-col"):
            chatbot = gr.Chatbot(label="Conversation", show_label=False, elem_id="pa-chat",
                                 feedback_options=FEEDBACK, buttons=["copy"])
            question = gr.Textbox(placeholder="Ask about the EU AI Act, NIST AI RMF, ASEAN guides…",
                                  show_label=False, lines=2, max_lines=8, elem_id="pa-question")
            chat_notice = gr.HTML(elem_id="pa-chat-notice")
            with gr.Row(elem_id="pa-actions"):
                ask = gr.Button("Ask", variant="primary", elem_id="pa-ask")
                new = gr.Button("New conversation", elem_id="pa-new")
                export = gr.DownloadButton(EXPORT_LABEL, value=None, interactive=False, elem_id="pa-export")
        with gr.Column(scale=1, min_width=260):
            persona = gr.Radio(PERSONAS, value="sme", label="Answer for", elem_id="pa-persona")
            docs = gr.Dropdown(multiselect=True, label="Documents", info="Empty: all documents", elem_id="pa-docs")
            juris = gr.Dropdown(multiselect=True, label="Jurisdictions", elem_id="pa-juris")
            binding_only = gr.Checkbox(label="Binding law only", elem_id="pa-binding")

    chat_inputs = [question, session, persona, docs, juris, binding_only]
    chat_outputs = [chatbot, session, question, chat_notice, export]
    ask.click(actions.chat, chat_inputs, chat_outputs)
    question.submit(actions.chat, chat_inputs, chat_outputs)
    new.click(new_conversation, None, [chatbot, session, chat_notice, export])
    chatbot.like(actions.feedback, [session], [chat_notice])
    return {"session": session, "chatbot": chatbot, "docs": docs, "juris": juris, "export": export}


def compare_tab(actions: Actions) -> Any:
    cmp_docs = gr.Dropdown(multiselect=True, max_choices=4, label="Documents (pick 2-4)", elem_id="pa-cmp-docs")
    cmp_question = gr.Textbox(label="Question", placeholder="e.g. How do they treat human oversight?",
                              elem_id="pa-cmp-question")
    cmp_button = gr.Button("Compare", variant="primary", elem_id="pa-cmp-go")
    cmp_out = gr.HTML(elem_id="pa-cmp-out")
    cmp_button.click(actions.compare, [cmp_question, cmp_docs], cmp_out)
    cmp_question.submit(actions.compare, [cmp_question, cmp_docs], cmp_out)
    return cmp_docs


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The Blocks app; mount it with gr.mount_gradio_app (pass ``css=CSS``) or call .launch()."""
    actions = Actions(assistant)
    with gr.Blocks(title="AI-policy assistant") as demo:
        gr.Markdown("## AI-policy assistant\nAnswers about AI-governance frameworks, every sentence cited to "
                    "the official text. For programs: the HTTP API ([docs](/docs)).", elem_id="pa-head")
        status = gr.Markdown(elem_id="pa-status")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                parts = chat_tab(actions)
            with gr.Tab("Compare", id="compare"):
                cmp_docs = compare_tab(actions)
            with gr.Tab("Sources", id="sources"):
                sources = gr.HTML(elem_id="pa-sources")
            with gr.Tab("Crosswalk", id="crosswalk"):
                crosswalk_tab(assistant)
            # More tabs go here, each built by its own module (e.g. ui/crosswalk_tab.py).
        demo.load(actions.load, [parts["session"]],
                  [status, parts["docs"], parts["juris"], cmp_docs, sources, parts["chatbot"], parts["export"]])
    return demo
