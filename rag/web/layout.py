"""The web chat's layout: components, and which handler (rag.web.handlers) each event calls.

Input: the open engine, settings and the shared rate limiter. Output: a gr.Blocks, plus the page's
head script and CSS (read from rag/web/assets/) for gr.mount_gradio_app. Left: the modes, as tabs
("Ask", and "Check a draft" from rag.web.check_mode; another mode is one more `with gr.Tab(...)`). Right: the
article panel and the sources panel. This module holds no behaviour of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from rag.config import Settings
from rag.corpus import CORPUS_SUFFIXES
from rag.engine import GroundedQueryEngine
from rag.errors import QuestionError
from rag.feedback import FeedbackLog
from rag.limits import RateLimiter, too_fast_message
from rag.render import ARTICLE_PLACEHOLDER
from rag.web.check_mode import DraftChecker, check_column, wire_check
from rag.web.handlers import Chat, Sources, new_session, requester

ASSETS = Path(__file__).parent / "assets"
ARTICLE_TAB, SOURCES_TAB = "article-tab", "sources-tab"
PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # UI events are not part of the public API


def page_head() -> str:
    return f"<script>\n{(ASSETS / 'page.js').read_text(encoding='utf-8')}\n</script>"


def page_css() -> str:
    return (ASSETS / "page.css").read_text(encoding="utf-8")


@dataclass
class ChatParts:
    chatbot: gr.Chatbot
    question: gr.Textbox
    comment: gr.Textbox
    send_comment: gr.Button
    status: gr.Markdown


@dataclass
class SourcesParts:
    listing: gr.HTML
    status: gr.Markdown
    file: gr.File
    add_file: gr.Button
    link: gr.Textbox
    add_link: gr.Button
    text: gr.Textbox
    title: gr.Textbox
    add_text: gr.Button
    choice: gr.Dropdown
    remove: gr.Button


def build_ui(engine: GroundedQueryEngine, settings: Settings, limiter: RateLimiter | None = None) -> gr.Blocks:
    """The chat, the article and sources panels and the feedback controls, wired to one open engine.

    limiter: the per-client question budget (shared with the API when create_server passes it)."""
    budget = limiter or RateLimiter.from_settings(settings)
    chat = Chat(engine, budget, FeedbackLog(settings.feedback_log))
    sources = Sources(engine, settings)
    with gr.Blocks(title="News Q&A", analytics_enabled=False) as demo:
        session = gr.State(new_session())
        with gr.Row(equal_height=False):
            with gr.Column(scale=3), gr.Tabs(elem_id="modes"):
                with gr.Tab("Ask", id="ask"):
                    parts = chat_column(sources.examples())
                with gr.Tab("Check a draft", id="check"):
                    check = check_column()
            with gr.Column(scale=2), gr.Tabs(elem_id="side-tabs") as side:
                with gr.Tab("Article", id=ARTICLE_TAB):
                    article = gr.HTML(
                        ARTICLE_PLACEHOLDER,
                        elem_id="article-panel",
                        js_on_load=(ASSETS / "scroll.js").read_text(encoding="utf-8"),
                    )
                with gr.Tab("Sources", id=SOURCES_TAB):
                    panel = sources_panel()
        open_target = gr.Textbox(visible="hidden", elem_id="open-target")
        open_button = gr.Button(visible="hidden", elem_id="open-button")
        wire_chat(chat, parts, session, article)
        wire_check(DraftChecker(engine, budget), check, session)
        open_button.click(
            lambda target, state: (chat.open_target(target, state), gr.update(selected=ARTICLE_TAB)),
            [open_target, session],
            [article, side],
            queue=False,
            **PRIVATE,
        )
        wire_sources(sources, panel, parts.chatbot)
        demo.load(sources.refresh, None, [panel.listing, parts.chatbot, panel.choice], **PRIVATE)
        gr.api(ask_function(engine, budget), api_name="ask")
    demo.queue(default_concurrency_limit=settings.concurrency_limit, max_size=64)
    return demo


def chat_column(examples: list[dict[str, str]]) -> ChatParts:
    gr.Markdown("### Ask about the articles", elem_id="chat-heading")
    chatbot = gr.Chatbot(
        elem_id="chat",
        show_label=False,  # a floating label would cover the conversation when it scrolls
        height="68vh",
        examples=examples or None,  # type: ignore[arg-type]  # ExampleMessage is a TypedDict of these keys
        placeholder="Every claim is numbered: click a number to read its sentence in the article.",
        feedback_options=("Like", "Dislike"),
        buttons=["copy"],
        render_markdown=True,
    )
    question = gr.Textbox(
        elem_id="question", show_label=False, placeholder="Type a question and press Enter", submit_btn=True
    )
    with gr.Row():
        comment = gr.Textbox(
            elem_id="comment", show_label=False, placeholder="Optional: a comment on the answer you just rated", scale=4
        )
        send_comment = gr.Button("Send comment", elem_id="send-comment", scale=1)
    status = gr.Markdown(elem_id="feedback-status")
    return ChatParts(chatbot, question, comment, send_comment, status)


def sources_panel() -> SourcesParts:
    listing = gr.HTML(elem_id="sources-list")
    status = gr.Markdown(elem_id="sources-status")
    with gr.Accordion("Add an article", open=True, elem_id="add-article"):
        with gr.Tab("File"):
            file = gr.File(
                label="A saved page, PDF, Word or text file",
                file_types=list(CORPUS_SUFFIXES),
                type="filepath",
                elem_id="add-file",
            )
            add_file = gr.Button("Add file", elem_id="add-file-button")
        with gr.Tab("Link"):
            link = gr.Textbox(label="Link to the article", placeholder="https://...", elem_id="add-link")
            add_link = gr.Button("Fetch and add", elem_id="add-link-button")
        with gr.Tab("Pasted text"):
            text = gr.Textbox(label="Article text", lines=6, elem_id="add-text")
            title = gr.Textbox(label="Title (marked as ours)", elem_id="add-title")
            add_text = gr.Button("Add text", elem_id="add-text-button")
    with gr.Row():
        choice = gr.Dropdown(label="Remove an article", choices=[], elem_id="remove-choice", scale=4)
        remove = gr.Button("Remove", variant="stop", elem_id="remove-button", scale=1)
    return SourcesParts(listing, status, file, add_file, link, add_link, text, title, add_text, choice, remove)


def wire_chat(chat: Chat, parts: ChatParts, session: gr.State, article: gr.HTML) -> None:
    io: dict[str, Any] = dict(
        inputs=[parts.question, parts.chatbot, session], outputs=[parts.question, parts.chatbot, session]
    )
    parts.question.submit(chat.respond, **io, api_name="chat", api_visibility="private")
    parts.chatbot.example_select(chat.pick_example, None, parts.question, **PRIVATE).then(chat.respond, **io, **PRIVATE)
    parts.chatbot.like(chat.rate, [session], [parts.status, session], **PRIVATE)
    parts.chatbot.clear(chat.clear, None, [session, article, parts.status, parts.comment], **PRIVATE)
    parts.send_comment.click(chat.comment_on, [parts.comment, session], [parts.status, session], **PRIVATE).then(
        lambda: "", None, parts.comment, **PRIVATE
    )


def wire_sources(sources: Sources, panel: SourcesParts, chatbot: gr.Chatbot) -> None:
    shown = [panel.status, panel.listing, chatbot, panel.choice]
    panel.add_file.click(sources.add_file, [panel.file], [*shown, panel.file], **PRIVATE)
    panel.add_link.click(sources.add_link, [panel.link], [*shown, panel.link], **PRIVATE)
    panel.add_text.click(sources.add_text, [panel.text, panel.title], [*shown, panel.text, panel.title], **PRIVATE)
    panel.remove.click(sources.remove, [panel.choice], shown, **PRIVATE)


def ask_function(engine: GroundedQueryEngine, budget: RateLimiter) -> Any:
    """Gradio's /ask endpoint (gradio_client): one question -> the answer as JSON."""

    def ask(
        question: str,
        history: list[dict[str, str]] | None = None,
        request: gr.Request = None,  # type: ignore[assignment]  # Gradio fills it in
    ) -> dict[str, Any]:
        """Answer one question (history: earlier turns {role, content}, oldest first) -> the answer as JSON."""
        wait = budget.acquire(requester(request))
        if wait > 0:
            raise gr.Error(too_fast_message(wait, budget))
        try:
            return engine.ask(question, history or []).to_dict()  # type: ignore[no-any-return]
        except QuestionError as e:
            raise gr.Error(str(e)) from e

    return ask
