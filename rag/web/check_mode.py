"""The chat's "Check a draft" mode: staff paste a draft (a briefing note, a model's answer from
elsewhere) and see each sentence marked supported, with the quotes that support it, or not, with
the reason.

Input: the pasted text; the engine's check() (rag.check) does the judging against the corpus.
Output: HTML for the result pane, and the session with the quotes stored under CHECK_TURN so that
a click on a quote's [k] opens its article in the side panel with the quote marked (the same route
as an answer's citations). Nothing here judges anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag.engine import GroundedQueryEngine
from rag.errors import QuestionError, RagError
from rag.limits import RateLimiter, too_fast_message
from rag.render import byline, cite_link, esc, render_error, title_of
from rag.web.handlers import for_people, requester

# The session key of the last check's quotes: chat turns are message indexes, so an assistant turn
# is never 0 (the first assistant message is index 1 or more), and "#cite-0-k" cannot clash.
CHECK_TURN = 0
PLACEHOLDER = (
    '<div class="check-empty">Paste a draft above and press <b>Check</b>: each sentence is looked up '
    "in the indexed articles and marked supported (with the quotes) or not (with the reason).</div>"
)


@dataclass
class DraftChecker:
    engine: GroundedQueryEngine
    budget: RateLimiter

    def run(self, text: str, session: dict, request: gr.Request | None = None) -> tuple[str, dict]:
        """(result HTML, session with the quotes stored for the side panel)."""
        wait = self.budget.acquire(requester(request))
        if wait > 0:
            return render_error(for_people(too_fast_message(wait, self.budget))), session
        try:
            result = self.engine.check(text).to_dict()
        except QuestionError as e:
            return render_error(for_people(f"Please change the draft: {e}")), session
        except RagError as e:
            return render_error(for_people(f"Sorry, the check failed: {e}")), session
        citations = number_citations(result["sentences"], self.engine.retriever.articles)
        answers = {**session.get("answers", {}), str(CHECK_TURN): {"citations": citations}}
        return render_check(result, citations), {**session, "answers": answers}


def number_citations(sentences: Sequence[Mapping[str, Any]], articles: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every quote of the check, numbered 1.. in reading order, with its article's metadata
    (title, author, outlet, date) as the side panel shows it for an answer's citation."""
    out: list[dict[str, Any]] = []
    for s in sentences:
        for c in s["citations"]:
            meta = articles.get(c["article_id"])
            fields = meta.as_metadata() if meta is not None else {}
            fields.pop("id", None)
            out.append({**fields, **c, "n": len(out) + 1})
    return out


def render_check(result: Mapping[str, Any], citations: Sequence[Mapping[str, Any]]) -> str:
    """The checked draft: a count, then each sentence marked, its quotes (linked) or its reason."""
    sentences = result["sentences"]
    total, supported = len(sentences), sum(1 for s in sentences if s["supported"])
    rows, k = [], 0
    for s in sentences:
        if s["supported"]:
            quotes = []
            for _ in s["citations"]:
                c = citations[k]
                k += 1
                quotes.append(
                    f'<li>{cite_link(CHECK_TURN, int(c["n"]))} <span class="source-title">{title_of(c)}</span>'
                    f' <span class="byline">{esc(byline(c))}</span>'
                    f'<blockquote class="source-quote">“{esc(c["quote"])}”</blockquote></li>'
                )
            rows.append(
                f'<li class="check-supported"><span class="verdict">Supported</span> {esc(s["text"])}'
                f'<ul class="check-quotes">{"".join(quotes)}</ul></li>'
            )
        else:
            rows.append(
                f'<li class="check-unsupported"><span class="verdict">Not supported</span> {esc(s["text"])}'
                f'<div class="check-reason">{esc(s["reason"] or "no passage supports it")}</div></li>'
            )
    head = f'<div class="check-count">{supported} of {total} sentence(s) supported by the articles.</div>'
    return f'<div class="check">{head}<ol class="check-sentences">{"".join(rows)}</ol></div>'


@dataclass
class CheckParts:
    draft: gr.Textbox
    button: gr.Button
    result: gr.HTML


def check_column() -> CheckParts:
    gr.Markdown("### Check a draft against the articles", elem_id="check-heading")
    draft = gr.Textbox(
        elem_id="check-draft",
        show_label=False,
        lines=10,
        max_lines=30,
        placeholder="Paste a briefing note or a model's answer here",
    )
    button = gr.Button("Check", variant="primary", elem_id="check-button")
    result = gr.HTML(PLACEHOLDER, elem_id="check-result")
    return CheckParts(draft, button, result)


def wire_check(checker: DraftChecker, parts: CheckParts, session: gr.State) -> None:
    parts.button.click(checker.run, [parts.draft, session], [parts.result, session], api_visibility="private")
