"""The Gradio front end: Chat (streamed, cited answers with follow-ups), Compare and Sources tabs.

A thin edge: every action calls the Assistant; this module only turns its results into HTML.
History lives in the browser session (gr.State), so the server stays stateless.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from html import escape
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.errors import AssistantError, NotReady  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.types import Citation, Comparison  # noqa: E402

CSS = """
.pa-cards {display: flex; flex-direction: column; gap: 8px; margin-top: 10px;}
.pa-card {border: 1px solid #d0d7de; border-left: 4px solid #2f6feb; border-radius: 6px; padding: 6px 10px;
          background: #f8fafc; color: #1f2328; font-size: 0.85em; line-height: 1.35;}
.pa-card-head {font-weight: 600; font-size: 0.95em;}
.pa-card-head a {color: #0b5cad; text-decoration: none;}
.pa-meta {margin: 3px 0; color: #57606a;}
.pa-quote {margin: 4px 0 0 0 !important; padding: 0 0 0 8px !important; border-left: 3px solid #d0d7de;
            font-style: italic;}
.pa-badge {display: inline-block; border-radius: 10px; padding: 0 8px; margin-left: 4px; font-size: 0.82em;
           font-weight: 600; border: 1px solid transparent;}
.pa-binding {background: #ffebe9; color: #a40e26; border-color: #ffcecb;}
.pa-voluntary {background: #dafbe1; color: #116329; border-color: #aceebb;}
.pa-jur {background: #ddf4ff; color: #0550ae; border-color: #b6e3ff;}
.pa-table {border-collapse: collapse; width: 100%; font-size: 0.92em;}
.pa-table th, .pa-table td {border: 1px solid #d0d7de; padding: 8px; vertical-align: top; text-align: left;}
.pa-table th {background: #f0f3f6;}
.pa-notice {color: #9a6700; font-weight: 600;}
.pa-cite {margin-bottom: 6px;}
"""

PERSONAS = [("SME (plain words)", "sme"), ("Official (legal precision)", "official")]
THINKING = "_Searching the documents…_"
UNEXPECTED = "Something went wrong on the server (it has been logged). Please try again."
log = logging.getLogger("assistant.ui")


# ---- rendering -------------------------------------------------------------------------------
def badges(binding: bool, jurisdiction: str) -> str:
    kind = '<span class="pa-badge pa-binding">Binding</span>' if binding else \
        '<span class="pa-badge pa-voluntary">Voluntary</span>'
    return kind + (f'<span class="pa-badge pa-jur">{escape(jurisdiction)}</span>' if jurisdiction else "")


def _link(url: str, text: str) -> str:
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{escape(text)}</a>'
    return escape(text)


def _where(c: Citation) -> str:
    return escape(c.locator) + (f" · p. {c.page}" if c.page else "")


def citation_cards(citations: list[Citation]) -> str:
    """One card per citation: title (linked to the official source at that page), locator, page,
    binding/voluntary and jurisdiction badges, and the quoted text."""
    cards = []
    for c in citations:
        cards.append(
            f'<div class="pa-card" title="{escape(c.passage_id, quote=True)}">'
            f'<div class="pa-card-head">[{c.n}] {_link(c.url, c.document_title)}</div>'
            f'<div class="pa-meta"><span class="pa-locator">{_where(c)}</span> '
            f'{badges(c.binding, c.jurisdiction)}</div>'
            f'<blockquote class="pa-quote">“{escape(c.quote)}”</blockquote></div>')
    return f'<div class="pa-cards">{"".join(cards)}</div>' if cards else ""


def answer_message(text: str, citations: list[Citation]) -> str:
    return text.strip() + ("\n\n" + citation_cards(citations) if citations else "")


def comparison_table(comparison: Comparison, sources: dict[str, Any]) -> str:
    """One row per document: its finding and every citation ([n] locator p. page + quote)."""
    rows = []
    for f in comparison.findings:
        src = sources.get(f.document_id)
        doc = f"<b>{escape(f.document_title)}</b><br>" + (badges(src.binding, src.jurisdiction) if src else "")
        cites = "".join(f'<div class="pa-cite">[{c.n}] {_link(c.url, c.locator)}{f" p. {c.page}" if c.page else ""}'
                        f' — <i>“{escape(c.quote)}”</i></div>' for c in f.citations) or "—"
        finding = escape(f.answer) if f.addressed else f"<i>{escape(f.answer)}</i>"
        rows.append(f'<tr data-document="{escape(f.document_id, quote=True)}"><td>{doc}</td><td>{finding}</td>'
                    f"<td>{cites}</td></tr>")
    return ('<table class="pa-table pa-compare"><thead><tr><th>Document</th><th>Finding</th><th>Citations</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def sources_table(documents: list[tuple[Any, int]]) -> str:
    rows = "".join(
        f"<tr><td>{_link(s.official_url, s.title)}</td><td>{escape(s.issuer)}</td><td>{escape(s.published)}</td>"
        f"<td>{badges(s.binding, s.jurisdiction)}</td><td>{n}</td></tr>" for s, n in documents)
    return ('<table class="pa-table pa-sources"><thead><tr><th>Title</th><th>Issuer</th><th>Date</th>'
            f"<th>Status</th><th>Passages</th></tr></thead><tbody>{rows}</tbody></table>")


def notice(message: str) -> str:
    return f'<div class="pa-notice">⚠ {escape(message)}</div>' if message else ""


def error_message(exc: AssistantError) -> str:
    if isinstance(exc, NotReady):
        return f"The document index is not ready yet ({exc}). Please try again in a minute."
    return f"{str(exc)[:1].upper()}{str(exc)[1:]}."


# ---- actions ---------------------------------------------------------------------------------
class Actions:
    """The UI's event handlers, each a call to the Assistant plus rendering."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def load(self) -> tuple:
        """On page load: index status, filter choices and the sources table (fresh each visit)."""
        try:
            documents = self.assistant.documents()
        except Exception as exc:  # noqa: BLE001 - not ready, or a store that fails to load
            if not isinstance(exc, AssistantError):
                log.exception("the UI could not list the documents")
            message = notice(error_message(exc) if isinstance(exc, AssistantError) else UNEXPECTED)
            empty = gr.update(choices=[])
            return message, empty, empty, empty, message
        choices = [(f"{s.label} ({s.jurisdiction})", s.document_id) for s, _ in documents]
        jurisdictions = sorted({s.jurisdiction for s, _ in documents if s.jurisdiction})
        status = f"Index ready: {len(documents)} documents, {sum(n for _, n in documents):,} passages."
        return (status, gr.update(choices=choices), gr.update(choices=jurisdictions), gr.update(choices=choices),
                sources_table(documents))

    def chat(self, question: str, chat: list[dict], history: list[dict], persona: str, documents: list[str] | None,
             jurisdictions: list[str] | None, binding_only: bool) -> Iterator[tuple]:
        """Stream one answer: the user's turn, then the growing answer, then the answer with its cards."""
        question = question or ""
        if not question.strip():
            yield chat, history, question, notice("Please type a question first.")
            return
        pending = chat + [{"role": "user", "content": question}, {"role": "assistant", "content": THINKING}]
        yield pending, history, "", ""
        max_turns = self.assistant.settings.answer.max_history_turns
        try:
            events = self.assistant.ask_stream(question, history[-max_turns:] if max_turns else [], documents or None,
                                               jurisdictions or None, True if binding_only else None, persona)
            text = ""
            for event in events:
                if event["type"] == "delta":
                    text += event["text"]
                    yield pending[:-1] + [{"role": "assistant", "content": text}], history, "", ""
                else:
                    answer = event["answer_obj"]
        except AssistantError as exc:
            yield chat, history, question, notice(error_message(exc))
            return
        except Exception:  # noqa: BLE001 - keep the conversation; the details go to the server log
            log.exception("the UI could not answer")
            yield chat, history, question, notice(UNEXPECTED)
            return
        done = pending[:-1] + [{"role": "assistant", "content": answer_message(answer.answer, answer.citations)}]
        turns = history + [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        yield done, turns, "", ""

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


def clear() -> tuple[list, list, str]:
    return [], [], ""


# ---- layout ----------------------------------------------------------------------------------
def build_ui(assistant: Assistant) -> gr.Blocks:
    """The Blocks app; mount it with gr.mount_gradio_app (pass ``css=CSS``) or call .launch()."""
    actions = Actions(assistant)
    with gr.Blocks(title="AI-policy assistant") as demo:
        gr.Markdown("## AI-policy assistant\nAnswers about AI-governance frameworks, every sentence cited to "
                    "the official text. For programs: the HTTP API ([docs](/docs)).")
        status = gr.Markdown(elem_id="pa-status")
        history = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Conversation", show_label=False, height=640, elem_id="pa-chat",
                                             feedback_options=None, buttons=["copy"])
                        question = gr.Textbox(placeholder="Ask about the EU AI Act, NIST AI RMF, ASEAN guides…",
                                              show_label=False, lines=2, max_lines=8, elem_id="pa-question")
                        chat_notice = gr.HTML(elem_id="pa-chat-notice")
                        with gr.Row():
                            ask = gr.Button("Ask", variant="primary", elem_id="pa-ask")
                            new = gr.Button("New conversation", elem_id="pa-new")
                    with gr.Column(scale=1):
                        persona = gr.Radio(PERSONAS, value="sme", label="Answer for", elem_id="pa-persona")
                        docs = gr.Dropdown(multiselect=True, label="Documents", info="Empty: all documents",
                                           elem_id="pa-docs")
                        juris = gr.Dropdown(multiselect=True, label="Jurisdictions", elem_id="pa-juris")
                        binding_only = gr.Checkbox(label="Binding law only", elem_id="pa-binding")
            with gr.Tab("Compare", id="compare"):
                cmp_docs = gr.Dropdown(multiselect=True, max_choices=4, label="Documents (pick 2-4)",
                                       elem_id="pa-cmp-docs")
                cmp_question = gr.Textbox(label="Question", placeholder="e.g. How do they treat human oversight?",
                                          elem_id="pa-cmp-question")
                cmp_button = gr.Button("Compare", variant="primary", elem_id="pa-cmp-go")
                cmp_out = gr.HTML(elem_id="pa-cmp-out")
            with gr.Tab("Sources", id="sources"):
                sources = gr.HTML(elem_id="pa-sources")

        chat_inputs = [question, chatbot, history, persona, docs, juris, binding_only]
        chat_outputs = [chatbot, history, question, chat_notice]
        ask.click(actions.chat, chat_inputs, chat_outputs)
        question.submit(actions.chat, chat_inputs, chat_outputs)
        new.click(clear, None, [chatbot, history, chat_notice])
        cmp_button.click(actions.compare, [cmp_question, cmp_docs], cmp_out)
        cmp_question.submit(actions.compare, [cmp_question, cmp_docs], cmp_out)
        demo.load(actions.load, None, [status, docs, juris, cmp_docs, sources])
    return demo
