"""HTML for the web chat: an answer with clickable [n] links and its sources, an article with the
cited quote marked, and the list of indexed articles.

Input: Answer objects (or their to_dict() form), article texts and listing rows. Output: HTML
strings; every piece of text is escaped. Pure functions: no Gradio, no I/O. Links look like
`#cite-<turn>-<n>` or `#article-<id>`: the page's script (rag/web/assets/page.js) turns a click on
one into "open citation n of answer <turn>" or "open article <id>".
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from rag.text import OPENS_ON_PERSON

MARKER = re.compile(r"\[(\d{1,3})\]")
CITE_TARGET = re.compile(r"^(\d{1,6})-(\d{1,3})$")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def cite_link(turn: int, n: int) -> str:
    return f'<a class="cite" href="#cite-{turn}-{n}" title="Open source {n}">[{n}]</a>'


def esc_lines(text: str) -> str:
    """Escaped, its line breaks (a list's items, paragraphs) kept as <br>: the chat renders a message
    as Markdown, where a raw blank line would end the HTML block and a newline alone shows nothing."""
    return esc(text).replace("\n", "<br>")


def link_markers(text: str, turn: int, known: Sequence[int]) -> str:
    """Escape the answer text (line breaks kept) and turn each [n] that has a citation into a link."""
    out, last = [], 0
    for m in MARKER.finditer(text):
        out.append(esc_lines(text[last : m.start()]))
        n = int(m.group(1))
        out.append(cite_link(turn, n) if n in known else esc(m.group(0)))
        last = m.end()
    out.append(esc_lines(text[last:]))
    return "".join(out)


def byline(c: Mapping[str, Any]) -> str:
    return ", ".join(str(c[k]) for k in ("author", "outlet", "published") if c.get(k)) or "author and date not stated"


def title_of(c: Mapping[str, Any]) -> str:
    title = esc(c.get("title") or c.get("article_id", ""))
    return title + (' <span class="editorial">(title ours)</span>' if c.get("title_is_editorial") else "")


def render_partial(text: str) -> str:
    """What the chat shows while the answer streams: the verified text so far, links not yet active."""
    return f'<div class="answer streaming">{esc_lines(text)}<span class="cursor">▍</span></div>'


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
    parts.append(render_removed(answer))
    return "".join(parts)


def render_removed(answer: Mapping[str, Any]) -> str:
    """The sentences the verifier removed from the draft, each with its reason, folded away until
    asked for ("" when none): staff can see what a model said that the articles do not support.
    Flagged sentences are shown in the answer already, so they are not repeated."""
    flagged = set(answer.get("flagged") or ())
    removed = [r for r in answer.get("removed") or () if r.get("sentence") not in flagged]
    if not removed:
        return ""
    items = "".join(
        f'<li><q>{esc(r.get("sentence", ""))}</q> <span class="removed-reason">{esc(r.get("reason", ""))}</span></li>'
        for r in removed
    )
    what = "1 sentence" if len(removed) == 1 else f"{len(removed)} sentences"
    return (
        f'<details class="removed"><summary>{what} of the draft removed: not supported by the cited '
        f"articles</summary><ul>{items}</ul></details>"
    )


# Citation.answers in words, by the band its score falls in (the score is calibrated on the first
# eval set's questions: of its quotes scored 0.8 or more, 0.91 held the answer; on the two sets it
# never saw, 29 of 38; see rules.ANSWER_SCORE_WEIGHTS)
ANSWERS_BANDS = ((0.8, "very likely"), (0.6, "likely"), (0.4, "possibly"), (0.0, "unlikely"))


def answers_label(score: float) -> str:
    return next(word for low, word in ANSWERS_BANDS if score >= low)


def answers_badge(c: Mapping[str, Any]) -> str:
    """How surely the quote answers the question, when the answerer judged it ("" when not)."""
    score = c.get("answers")
    if score is None:
        return ""
    word = answers_label(float(score))
    return (
        f' <span class="answers answers-{word.replace(" ", "-")}" title="How surely this quote answers the '
        f"question: the offline answerer's score, {float(score):.2f}\">answers the question: {word}</span>"
    )


def speaker_note(c: Mapping[str, Any], cited: Sequence[Mapping[str, Any]] = ()) -> str:
    """Who the "He"/"She" opening the quote is (Citation.speaker), or the words introducing the
    quotation it is part of (Citation.quotation), in words; "" when neither is known, or when
    another of the answer's citations (`cited`) quotes the sentence that introduces it."""
    if lead := str(c.get("quotation") or ""):
        if any(o.get("article_id") == c.get("article_id") and str(o.get("quote", "")).startswith(lead) for o in cited):
            return ""
        return f"Part of a quotation the article opens earlier: {lead} “…”"
    speaker = str(c.get("speaker") or "")
    m = OPENS_ON_PERSON.match(str(c.get("quote", "")))
    if not speaker or not m:
        return ""
    return f"“{m.group(1)}” = {speaker} (the speaker the article names before this sentence)"


def source_speaker(c: Mapping[str, Any], cited: Sequence[Mapping[str, Any]] = ()) -> str:
    note = speaker_note(c, cited)
    return f'<div class="source-speaker">{esc(note)}</div>' if note else ""


def render_sources(citations: Sequence[Mapping[str, Any]], turn: int, abstained: bool = False) -> str:
    heading = "What the articles do say" if abstained else "Sources"
    items = "".join(
        f'<li>{cite_link(turn, int(c["n"]))} <span class="source-title">{title_of(c)}</span>'
        f' <span class="byline">{esc(byline(c))}</span>{answers_badge(c)}{source_quote(c)}'
        f"{source_speaker(c, citations)}</li>"
        for c in citations
    )
    return f'<div class="sources"><div class="sources-heading">{heading}</div><ul>{items}</ul></div>'


# A citation of what an article states about itself (its author, outlet or date: the verifier's
# metadata support) quotes no sentence: its span is empty
METADATA_NOTE = (
    "Cited for what the article states about itself (its title, author, outlet and date), not for a sentence."
)


def is_metadata(c: Mapping[str, Any]) -> bool:
    return int(c.get("start", 0)) >= int(c.get("end", 0)) and not c.get("quote")


def source_quote(c: Mapping[str, Any]) -> str:
    if is_metadata(c):
        return f'<div class="source-quote source-metadata">{esc(METADATA_NOTE)}</div>'
    return f'<blockquote class="source-quote">“{esc(c.get("quote", ""))}”</blockquote>'


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
    if is_metadata(c):
        body = f'<p class="article-note">{esc(METADATA_NOTE)}</p><div class="article-text">{esc(text)}</div>'
        return f'<div class="article">{header}{body}</div>'
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


def render_error(text: str) -> str:
    """A chat message that is not an answer (a refused question, a failure): no thumbs under it."""
    return f'<div class="chat-error">{esc(text)}</div>'


def article_link(article_id: str, label: str) -> str:
    return f'<a class="open-article" href="#article-{esc(article_id)}" title="Read the indexed text">{label}</a>'


def render_sources_list(rows: Sequence[Mapping[str, Any]]) -> str:
    """The indexed articles as a table: title (a link to the text), byline, date, chunks, when added."""
    if not rows:
        return (
            '<div id="sources-empty" class="none">No articles are indexed yet: add a file, a link or '
            "pasted text below.</div>"
        )
    head = "<tr><th>Title</th><th>Author</th><th>Outlet</th><th>Date</th><th>Chunks</th><th>Added</th></tr>"
    body = "".join(
        f'<tr data-id="{esc(r["id"])}"><td>{article_link(str(r["id"]), title_of({**r, "article_id": r["id"]}))}'
        f"</td><td>{esc(r.get('author') or '')}</td><td>{esc(r.get('outlet') or '')}</td>"
        f"<td>{esc(r.get('published') or '')}</td><td>{esc(r.get('chunks', ''))}</td>"
        f"<td>{esc(str(r.get('added') or '')[:10])}</td></tr>"
        for r in rows
    )
    return f'<div class="sources-count">{len(rows)} article(s) indexed</div><table>{head}{body}</table>'


def render_whole_article(text: str, row: Mapping[str, Any]) -> str:
    """An article from the sources list: its metadata and exactly the text that was indexed."""
    url = str(row.get("url") or "")
    link = f'<a href="{esc(url)}" rel="noopener" target="_blank">{esc(url)}</a>' if url.startswith("http") else ""
    meta = {**row, "article_id": row.get("id", "")}
    source = f"{esc(row.get('source') or '')}, {esc(row.get('chars', ''))} characters, "
    source += f"{esc(row.get('chunks', ''))} chunks"
    header = (
        f'<div class="article-head"><div class="article-cite">Indexed article {esc(row.get("id", ""))}</div>'
        f'<h3 class="article-title">{title_of(meta)}</h3>'
        f'<div class="article-byline">{esc(byline(meta))}</div>'
        f'<div class="article-url">{link}</div><div class="article-source">{source}</div></div>'
    )
    return f'<div class="article">{header}<div class="article-text">{esc(text)}</div></div>'
