"""HTML for the web chat: an answer with clickable [n] links and its sources, and an article with
the cited quote marked.

Input: Answer objects (or their to_dict() form) and article texts. Output: HTML strings; every piece
of text is escaped. Pure functions: no Gradio, no I/O. Links look like `#cite-<turn>-<n>`: the page's
script turns a click on one into "open citation n of answer <turn>" (see app.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

MARKER = re.compile(r"\[(\d{1,3})\]")
CITE_TARGET = re.compile(r"^(\d{1,6})-(\d{1,3})$")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def cite_link(turn: int, n: int) -> str:
    return f'<a class="cite" href="#cite-{turn}-{n}" title="Open source {n}">[{n}]</a>'


def link_markers(text: str, turn: int, known: Sequence[int]) -> str:
    """Escape the answer text and turn each [n] that has a citation into a link."""
    out, last = [], 0
    for m in MARKER.finditer(text):
        out.append(esc(text[last : m.start()]))
        n = int(m.group(1))
        out.append(cite_link(turn, n) if n in known else esc(m.group(0)))
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)


def byline(c: Mapping[str, Any]) -> str:
    return ", ".join(str(c[k]) for k in ("author", "outlet", "published") if c.get(k)) or "author and date not stated"


def title_of(c: Mapping[str, Any]) -> str:
    title = esc(c.get("title") or c.get("article_id", ""))
    return title + (' <span class="editorial">(title ours)</span>' if c.get("title_is_editorial") else "")


def render_partial(text: str) -> str:
    """What the chat shows while the answer streams: the verified text so far, links not yet active."""
    return f'<div class="answer streaming">{esc(text)}<span class="cursor">▍</span></div>'


def render_answer(answer: Mapping[str, Any], turn: int) -> str:
    """The whole assistant message: notices, the answer with [n] links, then the numbered sources."""
    citations = answer.get("citations") or []
    known = [int(c["n"]) for c in citations]
    text = str(answer.get("answer", ""))
    parts = []
    standalone = answer.get("standalone_question") or ""
    if standalone and standalone != answer.get("question"):
        parts.append(f'<div class="standalone">Searched for: <q>{esc(standalone)}</q></div>')
    if answer.get("notice"):
        parts.append(f'<div class="notice">{esc(answer["notice"])}</div>')
    if answer.get("abstained"):
        reason = str(answer.get("reason") or "")
        shown = "" if not reason or reason in text else f" {esc(reason)}"
        parts.append(f'<div class="abstained"><strong>Not answered by the articles.</strong>{shown}</div>')
    parts.append(f'<div class="answer">{link_markers(text, turn, known)}</div>')
    if answer.get("flagged"):
        flagged = "".join(f"<li>{esc(s)}</li>" for s in answer["flagged"])
        parts.append(f'<div class="flagged">Not verified against the articles:<ul>{flagged}</ul></div>')
    if citations:
        parts.append(render_sources(citations, turn, abstained=bool(answer.get("abstained"))))
    return "".join(parts)


def render_sources(citations: Sequence[Mapping[str, Any]], turn: int, abstained: bool = False) -> str:
    heading = "What the articles do say" if abstained else "Sources"
    items = "".join(
        f'<li>{cite_link(turn, int(c["n"]))} <span class="source-title">{title_of(c)}</span>'
        f' <span class="byline">{esc(byline(c))}</span>'
        f'<blockquote class="source-quote">“{esc(c.get("quote", ""))}”</blockquote></li>'
        for c in citations
    )
    return f'<div class="sources"><div class="sources-heading">{heading}</div><ul>{items}</ul></div>'


def parse_cite_target(value: str) -> tuple[int, int] | None:
    """'cite-3-1' or '3-1' (from a #cite-3-1 link) -> (turn 3, citation 1); anything else -> None."""
    m = CITE_TARGET.match((value or "").strip().removeprefix("#").removeprefix("cite-"))
    return (int(m.group(1)), int(m.group(2))) if m else None


def locate_quote(text: str, c: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where to mark the quote: its recorded offsets, or (if the article changed since) where it is now."""
    start, end, quote = int(c.get("start", -1)), int(c.get("end", -1)), str(c.get("quote", ""))
    if 0 <= start < end <= len(text) and text[start:end] == quote:
        return start, end
    found = text.find(quote) if quote else -1
    return (found, found + len(quote)) if found >= 0 else None


def render_article(text: str, c: Mapping[str, Any]) -> str:
    """The cited article with its metadata and the quote wrapped in <mark id="cited-quote">."""
    url = str(c.get("url") or "")
    link = f'<a href="{esc(url)}" rel="noopener" target="_blank">{esc(url)}</a>' if url.startswith("http") else ""
    header = (
        f'<div class="article-head"><div class="article-cite">Source [{esc(c.get("n", ""))}]</div>'
        f'<h3 class="article-title">{title_of(c)}</h3>'
        f'<div class="article-byline">{esc(byline(c))}</div>'
        f'<div class="article-url">{link}</div></div>'
    )
    span = locate_quote(text, c)
    if span is None:
        note = "This quote is no longer in the article (it changed after the answer); ask again."
        body = f'<p class="article-note">{esc(note)}</p><blockquote>{esc(c.get("quote", ""))}</blockquote>'
        return f'<div class="article">{header}{body}</div>'
    start, end = span
    body = (
        f"{esc(text[:start])}"
        f'<mark id="cited-quote" class="quote" data-n="{esc(c.get("n", ""))}">{esc(text[start:end])}</mark>'
        f"{esc(text[end:])}"
    )
    return f'<div class="article">{header}<div class="article-text">{body}</div></div>'


ARTICLE_PLACEHOLDER = (
    '<div class="article article-empty">Click a number like <b>[1]</b> in an answer to read the cited '
    "article here, with the quoted sentence highlighted.</div>"
)
