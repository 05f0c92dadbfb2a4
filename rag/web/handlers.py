"""What the web chat does on each event, as plain methods over the open engine (no layout here).

Input: the engine, settings, the rate limiter and the feedback log; each method takes the event's
values and returns (or yields) the new values of its outputs. rag.web.layout wires them to
components. Chat: ask (streamed), open a citation or an article, rate, comment, clear. Sources:
list, add a file / link / pasted text (then index it), remove. Nothing here builds components.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from rag import articles as lib
from rag.api import client_key
from rag.auth import may_edit
from rag.config import Settings
from rag.engine import GroundedQueryEngine
from rag.errors import CorpusError, QuestionError, RagError
from rag.feedback import FeedbackError, FeedbackLog, make_record
from rag.limits import RateLimiter, too_fast_message
from rag.render import (
    ARTICLE_PLACEHOLDER,
    parse_cite_target,
    render_answer,
    render_article,
    render_error,
    render_partial,
    render_sources_list,
    render_whole_article,
)
from rag.types import Answer

log = logging.getLogger(__name__)

PROGRESS = gr.Progress()  # the default that tells Gradio to pass a progress tracker to a handler
EXAMPLES_SHOWN = 4  # example questions under the empty chat, from the most recently added articles
SETTING_ALONE = re.compile(r"\s*\((?:RAG_[A-Z_]+(?:,\s*)?)+\)")  # " (RAG_A)", " (RAG_A, RAG_B)"
SETTING_AFTER = re.compile(r";\s*RAG_[A-Z_]+(?:,\s*RAG_[A-Z_]+)*")  # "(bursts of 2; RAG_A, RAG_B)"


def for_people(message: str) -> str:
    """A library message without the environment variables it names (those are for whoever runs the app)."""
    return SETTING_AFTER.sub("", SETTING_ALONE.sub("", message))


def requester(request: gr.Request | None) -> str:
    """The rate-limit key of a chat request: its logged-in user, else its client address."""
    user = getattr(getattr(request, "state", None), "user", "")
    return client_key(user, getattr(getattr(request, "client", None), "host", None))


def new_session() -> dict[str, Any]:
    return {"turns": [], "answers": {}}


@dataclass
class Chat:
    """The conversation: ask, open a source, rate and comment, start afresh."""

    engine: GroundedQueryEngine
    budget: RateLimiter
    feedback: FeedbackLog

    def respond(self, question: str, messages: list[dict], session: dict, request: gr.Request) -> Iterator[Any]:
        """Yields (question box, messages, session) as the answer streams in."""
        session = {"turns": list(session.get("turns", [])), "answers": dict(session.get("answers", {}))}
        messages = [*messages, {"role": "user", "content": question}]
        turn = len(messages)  # index the assistant message will have
        wait = self.budget.acquire(requester(request))
        if wait > 0:  # the question stays in the box: Enter sends it again once the wait is over
            yield question, [*messages, error_message(too_fast_message(wait, self.budget))], session
            return
        yield "", [*messages, {"role": "assistant", "content": render_partial("")}], session
        answer: Answer | None = None
        try:
            for item in self.engine.stream(question, history=session["turns"]):
                if isinstance(item, str):
                    yield "", [*messages, {"role": "assistant", "content": render_partial(item)}], session
                else:
                    answer = item
        except QuestionError as e:  # e.g. too long: the question comes back to the box to be shortened
            yield question, [*messages, error_message(f"Please rephrase: {e}")], session
            return
        except RagError as e:
            log.exception("answer failed")
            yield question, [*messages, error_message(f"Sorry, that failed: {e}")], session
            return
        assert answer is not None, "engine.stream() must end with the Answer"
        data = {**answer.to_dict(), "answer_id": uuid.uuid4().hex}  # ties a later comment to its vote
        session["answers"][str(turn)] = data
        session["turns"] += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        yield "", [*messages, {"role": "assistant", "content": render_answer(data, turn)}], session

    def open_target(self, target: str, session: dict) -> str:
        """'cite-<turn>-<n>' -> the cited article with its quote marked; 'article-<id>' -> that article."""
        if target.startswith("article-"):
            return open_article(self.engine, target.removeprefix("article-"))
        parsed = parse_cite_target(target)
        data = session.get("answers", {}).get(str(parsed[0])) if parsed else None
        citation = next((c for c in (data or {}).get("citations", []) if parsed and c["n"] == parsed[1]), None)
        if citation is None:
            return ARTICLE_PLACEHOLDER
        return render_article(self.engine.retriever.article_text(citation["article_id"]), citation)

    def rate(self, session: dict, like: gr.LikeData, request: gr.Request) -> tuple[str, dict]:
        data = session.get("answers", {}).get(str(like.index))
        if data is None:
            return "Only answers can be rated.", session
        verdict = "up" if like.liked is True else "down"
        return self.record(data, verdict, "", request, session, like.index)

    def comment_on(self, text: str, session: dict, request: gr.Request) -> tuple[str, dict]:
        last = session.get("last_rated")
        if not last or not text.strip():
            return "Rate an answer with the thumbs first, then write your comment.", session
        data = session["answers"][str(last["turn"])]
        return self.record(data, last["verdict"], text, request, session, last["turn"])

    def record(self, data: dict, verdict: str, comment: str, request: gr.Request, session: dict, turn: Any) -> tuple:
        user = getattr(getattr(request, "state", None), "user", "") or ""
        try:
            self.feedback.append(make_record(data, verdict, comment, user=user, answer_id=data["answer_id"]))
        except FeedbackError as e:
            log.error("%s", e)
            return f"Could not save your feedback: {e}", session
        session = {**session, "last_rated": {"turn": turn, "verdict": verdict}}
        thanks = "Thank you: comment saved." if comment else f"Thank you: thumbs {verdict} saved."
        return thanks, session

    @staticmethod
    def clear() -> tuple[dict, str, str, str]:
        """A fresh conversation: no turns, the placeholder panel, no feedback status, no comment."""
        return new_session(), ARTICLE_PLACEHOLDER, "", ""

    @staticmethod
    def pick_example(event: gr.SelectData) -> str:
        return str(event.value["text"])


def error_message(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": render_error(for_people(text))}


def open_article(engine: GroundedQueryEngine, article_id: str) -> str:
    store = engine.retriever.store
    try:
        row, text = lib.get_article(store, engine.settings.corpus_dir, article_id)
    except CorpusError as e:
        return render_error(str(e))
    return render_whole_article(text, row)


@dataclass
class Sources:
    """The sources panel: what is indexed, adding (file, link, pasted text) and removing."""

    engine: GroundedQueryEngine
    settings: Settings

    def rows(self) -> list[dict[str, Any]]:
        return lib.list_articles(self.engine.retriever.store, self.settings.corpus_dir)

    def examples(self, rows: list[dict[str, Any]] | None = None) -> list[dict[str, str]]:
        """Example questions from the titles of the most recently added articles."""
        rows = self.rows() if rows is None else rows
        titled = sorted((r for r in rows if r["title"]), key=lambda r: (r["added"], r["id"]), reverse=True)
        return [{"text": f"What does the article “{r['title']}” report?"} for r in titled[:EXAMPLES_SHOWN]]

    def refresh(self, changed: bool = False) -> tuple[str, Any, Any]:
        """(the list's HTML, the chat's examples, the remove choices) as the index is now.

        changed: this process just added or removed an article, so the retriever reloads at once
        (otherwise it looks for changes by other processes at most every few seconds)."""
        self.engine.retriever.refresh(force=changed)
        rows = self.rows()
        choices = [(f"{r['title'] or r['id']} ({r['id']})", r["id"]) for r in rows]
        return (
            render_sources_list(rows),
            gr.update(examples=self.examples(rows) or None),
            gr.update(choices=choices, value=None),
        )

    def allowed(self, request: gr.Request | None) -> bool:
        roles = getattr(getattr(request, "state", None), "roles", ())
        return may_edit(self.settings.users_file is not None, roles)

    def add_file(self, path: str | None, request: gr.Request, progress: gr.Progress = PROGRESS) -> tuple:
        """-> (status, list, examples, remove choices, file box)."""
        if not path:
            return ("Choose a file first (.txt, .md, .html, .pdf or .docx).", *self.refresh(), None)
        message, ok = self._add(lambda: read_upload(self.settings, Path(path)), request, progress)
        return (message, *self.refresh(changed=ok), None)

    def add_link(self, url: str, request: gr.Request, progress: gr.Progress = PROGRESS) -> tuple:
        """-> (status, list, examples, remove choices, link box: kept when refused)."""
        if not url.strip():
            return ("Paste a link (http:// or https://) first.", *self.refresh(), url)
        message, ok = self._add(lambda: lib.add_inputs(self.settings, [url.strip()])[0], request, progress)
        return (message, *self.refresh(changed=ok), "" if ok else url)

    def add_text(self, text: str, title: str, request: gr.Request, progress: gr.Progress = PROGRESS) -> tuple:
        """-> (status, list, examples, remove choices, text box, title box: kept unless added)."""
        if not text.strip():
            return ("Paste the article's text first.", *self.refresh(), text, title)
        message, ok = self._add(lambda: lib.add_text(self.settings, text, title), request, progress)
        return (message, *self.refresh(changed=ok), *(("", "") if ok else (text, title)))

    def _add(self, add: Any, request: gr.Request, progress: gr.Progress) -> tuple[str, bool]:
        """Check and save one input (add()), then index it: (what to tell the person, added?)."""
        if not self.allowed(request):
            return EDITOR_ONLY, False
        progress(0.1, desc="Reading the article")
        result: lib.Added = add()
        if not result.ok:
            return for_people(result.describe()), False
        progress(0.4, desc="Indexing (chunking and embedding)")
        try:
            report = lib.index_now(self.settings, self.engine.retriever.embed_model)
        except RagError as e:
            log.exception("indexing an added article failed")
            return f"Saved as corpus/{result.file}, but indexing failed: {e}", False
        progress(1.0, desc="Done")
        log.info("web: %s; %s", result.describe(), report.summary())
        return f"Added {result.article_id!r} (corpus/{result.file}). Click its title in the list to read it.", True

    def remove(self, article_id: str | None, request: gr.Request) -> tuple:
        if not self.allowed(request):
            return (EDITOR_ONLY, *self.refresh())
        if not article_id:
            return ("Choose the article to remove first.", *self.refresh())
        try:
            lib.remove_article(self.engine.retriever.store, self.settings, article_id)
        except CorpusError as e:
            return (str(e), *self.refresh())
        return (f"Removed {article_id} (its file is kept in corpus/{lib.REMOVED_DIR}/).", *self.refresh(changed=True))


EDITOR_ONLY = "Adding and removing articles takes the editor role; ask whoever runs the app to give it to you."


def read_upload(settings: Settings, file: Path) -> lib.Added:
    """An uploaded file (Gradio has saved it to a temporary path) -> rag.articles.add_bytes."""
    from rag.corpus import check_size

    name = file.name
    try:
        check_size(name, file.stat().st_size, settings.max_article_chars, text=False)
    except CorpusError as e:
        return lib.Added(name, problem=str(e))
    return lib.add_bytes(settings, file.read_bytes(), name)
