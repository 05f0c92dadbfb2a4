"""The web chat staff use: `python app.py` serves it on RAG_HOST:RAG_PORT (default 127.0.0.1:7860).

Thin: builds the Gradio UI around rag's public API and mounts it on rag.api's FastAPI app, so one
server answers the chat, POST /api/ask and GET /healthz (behind the login when RAG_USERS_FILE is
set). Answers stream; each [n] opens its article in the side panel with the quote highlighted;
thumbs up/down go to the feedback log. It never creates a Gradio share link.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from typing import Any

import gradio as gr
from fastapi import FastAPI

from rag import (
    Answer,
    ConfigError,
    QuestionError,
    RagError,
    Settings,
    load_settings,
    open_or_build,
    prepare_offline_env,
    quiet_libraries,
)
from rag.api import client_key, create_app
from rag.errors import EXIT_USAGE, exit_status
from rag.feedback import FeedbackError, FeedbackLog, make_record
from rag.limits import RateLimiter, too_fast_message
from rag.render import ARTICLE_PLACEHOLDER, parse_cite_target, render_answer, render_article, render_partial

log = logging.getLogger("app")

EXAMPLES = [
    "What is Iran bartering its missiles and drones for?",
    "Which missiles did Iran send to Russia?",
    "What did Blinken say about the missile transfers?",
    "How many Shahed drones has Iran sold to Russia?",
]

# A click on a [n] link (href "#cite-<turn>-<n>") is routed to the hidden textbox + button below.
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector("#cite-target textarea, #cite-target input");
  const button = document.querySelector("#cite-open");
  if (!box || !button) return;
  box.value = link.getAttribute("href").slice(1);
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(() => button.click(), 0);
}, true);
</script>"""

# Runs in the article panel: after each new article is rendered, bring the marked quote into view.
SCROLL_JS = """
watch('value', () => {
  const mark = element.querySelector('mark#cited-quote');
  if (mark) mark.scrollIntoView({ block: 'center', behavior: 'instant' });
});
"""

CSS = """
#article-panel .article { border: 1px solid #ddd; border-radius: 8px; padding: 0.6rem 1rem; line-height: 1.55; }
#article-panel .article-head { border-bottom: 1px solid #eee; padding-bottom: 0.4rem; margin-bottom: 0.4rem; }
#article-panel .article-text { white-space: pre-wrap; max-height: 62vh; overflow-y: auto; padding-right: 0.4rem; }
#article-panel mark.quote { background: #ffe066; color: inherit; padding: 0 2px; border-radius: 2px; }
#article-panel .article-title { margin: 0.2rem 0; font-size: 1.15em; }
#article-panel .article-byline, #article-panel .article-cite { color: #666; font-size: 0.9em; }
#article-panel .article-empty { color: #666; }
#chat a.cite { font-weight: 600; text-decoration: none; cursor: pointer; }
#chat .sources { margin-top: 0.6rem; font-size: 0.92em; border-top: 1px solid #ddd; padding-top: 0.4rem; }
#chat .sources ul { list-style: none; padding-left: 0; margin: 0.2rem 0; }
#chat .sources-heading { font-weight: 600; }
#chat .sources blockquote.source-quote { margin: 0.1rem 0 0.4rem 1.2rem !important; font-style: italic; }
#chat .byline, #chat .standalone { color: #666; font-size: 0.9em; }
#chat .abstained { background: #fff4e5; border-left: 4px solid #f0a020; padding: 0.3rem 0.5rem; margin-bottom: 0.4rem; }
#chat .notice { color: #8a5300; font-size: 0.9em; }
"""


def requester(request: gr.Request | None) -> str:
    """The rate-limit key of a chat request: its logged-in user, else its client address."""
    user = getattr(getattr(request, "state", None), "user", "")
    return client_key(user, getattr(getattr(request, "client", None), "host", None))


def build_ui(engine: Any, settings: Settings, limiter: RateLimiter | None = None) -> gr.Blocks:
    """The chat, the article panel and the feedback controls, wired to one open engine.

    limiter: the per-client question budget (shared with the API when create_server passes it)."""
    feedback = FeedbackLog(settings.feedback_log)
    budget = limiter or RateLimiter.from_settings(settings)

    def respond(question: str, messages: list[dict], session: dict, request: gr.Request) -> Any:
        session = {"turns": list(session.get("turns", [])), "answers": dict(session.get("answers", {}))}
        messages = [*messages, {"role": "user", "content": question}]
        turn = len(messages)  # index the assistant message will have
        wait = budget.acquire(requester(request))
        if wait > 0:  # the question stays in the box: Enter sends it again once the wait is over
            yield question, [*messages, {"role": "assistant", "content": too_fast_message(wait, budget)}], session
            return
        yield "", [*messages, {"role": "assistant", "content": render_partial("")}], session
        answer: Answer | None = None
        try:
            for item in engine.stream(question, history=session["turns"]):
                if isinstance(item, str):
                    yield "", [*messages, {"role": "assistant", "content": render_partial(item)}], session
                else:
                    answer = item
        except QuestionError as e:
            yield "", [*messages, {"role": "assistant", "content": f"Please rephrase: {e}"}], session
            return
        except RagError as e:
            log.exception("answer failed")
            yield "", [*messages, {"role": "assistant", "content": f"Sorry, that failed: {e}"}], session
            return
        assert answer is not None, "engine.stream() must end with the Answer"
        data = {**answer.to_dict(), "answer_id": uuid.uuid4().hex}  # ties a later comment to its vote
        session["answers"][str(turn)] = data
        session["turns"] += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        yield "", [*messages, {"role": "assistant", "content": render_answer(data, turn)}], session

    def open_citation(target: str, session: dict) -> str:
        parsed = parse_cite_target(target)
        data = session.get("answers", {}).get(str(parsed[0])) if parsed else None
        citation = next((c for c in (data or {}).get("citations", []) if parsed and c["n"] == parsed[1]), None)
        if citation is None:
            return ARTICLE_PLACEHOLDER
        return render_article(engine.retriever.article_text(citation["article_id"]), citation)

    def rate(session: dict, like: gr.LikeData, request: gr.Request) -> tuple[str, dict]:
        data = session.get("answers", {}).get(str(like.index))
        if data is None:
            return "Only answers can be rated.", session
        verdict = "up" if like.liked is True else "down"
        return record(data, verdict, "", request, session, like.index)

    def comment_on(text: str, session: dict, request: gr.Request) -> tuple[str, dict]:
        last = session.get("last_rated")
        if not last or not text.strip():
            return "Rate an answer with the thumbs first, then write your comment.", session
        data = session["answers"][str(last["turn"])]
        status, session = record(data, last["verdict"], text, request, session, last["turn"])
        return status, session

    def record(data: dict, verdict: str, comment: str, request: gr.Request, session: dict, turn: Any) -> tuple:
        user = getattr(getattr(request, "state", None), "user", "") or ""
        try:
            feedback.append(make_record(data, verdict, comment, user=user, answer_id=data["answer_id"]))
        except FeedbackError as e:
            log.error("%s", e)
            return f"Could not save your feedback: {e}", session
        session = {**session, "last_rated": {"turn": turn, "verdict": verdict}}
        thanks = "Thank you: comment saved." if comment else f"Thank you: thumbs {verdict} saved."
        return thanks, session

    def new_session() -> tuple[dict, str]:
        return {"turns": [], "answers": {}}, ARTICLE_PLACEHOLDER

    def pick_example(event: gr.SelectData) -> str:
        return str(event.value["text"])

    with gr.Blocks(title="News Q&A", analytics_enabled=False) as demo:
        session = gr.State(new_session()[0])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Ask about the articles",
                    height="70vh",
                    examples=[{"text": q} for q in EXAMPLES],
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
                        elem_id="comment",
                        show_label=False,
                        placeholder="Optional: a comment on the answer you just rated",
                        scale=4,
                    )
                    send_comment = gr.Button("Send comment", elem_id="send-comment", scale=1)
                status = gr.Markdown(elem_id="feedback-status")
            with gr.Column(scale=2):
                article = gr.HTML(ARTICLE_PLACEHOLDER, elem_id="article-panel", js_on_load=SCROLL_JS)
        cite_target = gr.Textbox(visible="hidden", elem_id="cite-target")
        cite_open = gr.Button(visible="hidden", elem_id="cite-open")

        chat_io = dict(inputs=[question, chatbot, session], outputs=[question, chatbot, session])
        question.submit(respond, **chat_io, api_name="chat", api_visibility="private")  # type: ignore[arg-type]
        chatbot.example_select(pick_example, None, question, api_visibility="private").then(
            respond,
            **chat_io,
            api_visibility="private",  # type: ignore[arg-type]
        )
        cite_open.click(open_citation, [cite_target, session], article, api_visibility="private", queue=False)
        chatbot.like(rate, [session], [status, session], api_visibility="private")
        chatbot.clear(new_session, None, [session, article], api_visibility="private")  # a fresh conversation
        send_comment.click(comment_on, [comment, session], [status, session], api_visibility="private").then(
            lambda: "", None, comment, api_visibility="private"
        )

        def ask(
            question: str, history: list[dict[str, str]] | None = None, request: gr.Request = None
        ) -> dict[str, Any]:
            """Answer one question (history: earlier turns {role, content}, oldest first) -> the answer as JSON."""
            wait = budget.acquire(requester(request))
            if wait > 0:
                raise gr.Error(too_fast_message(wait, budget))
            try:
                return engine.ask(question, history or []).to_dict()  # type: ignore[no-any-return]
            except QuestionError as e:
                raise gr.Error(str(e)) from e

        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=settings.concurrency_limit, max_size=64)
    return demo


def create_server(engine: Any, settings: Settings) -> FastAPI:
    """rag.api's FastAPI app with the chat mounted at '/'; one rate limit per client across both."""
    limiter = RateLimiter.from_settings(settings)
    app = create_app(engine, settings, limiter)
    return gr.mount_gradio_app(
        app,
        build_ui(engine, settings, limiter),
        path="/",
        # Gradio serves no file of ours (allowed_paths stays empty); these are refused even if
        # Gradio's defaults change: the index, the logins, the feedback log.
        blocked_paths=blocked_paths(settings),
        show_error=False,  # an unexpected exception's text stays in the server log, not the browser
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        css=CSS,
        head=HEAD,
    )


def blocked_paths(settings: Settings) -> list[str]:
    paths = [settings.index_dir, settings.corpus_dir, settings.feedback_log]
    if settings.users_file is not None:
        paths.append(settings.users_file)
    return [str(p.resolve()) for p in paths]


def main() -> int:
    started = time.perf_counter()
    try:
        settings = load_settings()
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=getattr(logging, settings.log_level), format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    if settings.log_level != "DEBUG":  # as in the CLI: library chatter only on DEBUG
        quiet_libraries()
    prepare_offline_env()
    try:
        engine = open_or_build(settings, on_build=lambda line: print(line, file=sys.stderr))
        server = create_server(engine, settings)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return exit_status(e)
    import uvicorn

    login = f"login on ({settings.users_file})" if settings.users_file else "no login: keep it on loopback"
    print(
        f"Index open and UI built in {time.perf_counter() - started:.1f} s; serving the chat on "
        f"http://{settings.host}:{settings.port}/ ({login}). Ctrl-C stops it.",
        file=sys.stderr,
    )
    uvicorn.run(server, host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
