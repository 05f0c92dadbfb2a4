"""rag.web.handlers without a browser: messages for people, a fresh Clear, examples from titles,
the editor role in the sources panel; rag.render's sources list and whole-article view."""

from __future__ import annotations

from types import SimpleNamespace

from rag.render import ARTICLE_PLACEHOLDER, render_sources_list, render_whole_article
from rag.web.handlers import EDITOR_ONLY, Chat, Sources, for_people


def test_messages_in_the_chat_name_no_environment_variable() -> None:
    assert for_people(
        "The question is 2,500 characters long; the limit is 2,000 (RAG_MAX_QUESTION_CHARS). Ask less."
    ) == ("The question is 2,500 characters long; the limit is 2,000. Ask less.")
    assert for_people("at most 1 a minute (bursts of 2; RAG_RATE_LIMIT_PER_MINUTE, RAG_RATE_LIMIT_BURST).") == (
        "at most 1 a minute (bursts of 2)."
    )


def test_clear_resets_the_panel_the_feedback_status_and_the_comment() -> None:
    session, panel, status, comment = Chat.clear()
    assert session == {"turns": [], "answers": {}} and panel == ARTICLE_PLACEHOLDER and status == comment == ""


ROWS = [
    {"id": "a", "title": "Old story", "title_is_editorial": False, "added": "2024-01-01T00:00:00Z"},
    {"id": "b", "title": "", "title_is_editorial": False, "added": "2025-01-01T00:00:00Z"},
    {"id": "c", "title": "New story", "title_is_editorial": True, "added": "2025-06-01T00:00:00Z"},
]


def test_example_questions_come_from_the_newest_titled_articles() -> None:
    sources = Sources(engine=None, settings=None)  # type: ignore[arg-type]
    assert sources.examples(ROWS) == [
        {"text": "What does the article “New story” report?"},
        {"text": "What does the article “Old story” report?"},
    ]
    assert sources.examples([]) == []


def test_with_the_login_on_only_editors_may_add_or_remove() -> None:
    on = Sources(engine=None, settings=SimpleNamespace(users_file="users"))  # type: ignore[arg-type]
    off = Sources(engine=None, settings=SimpleNamespace(users_file=None))  # type: ignore[arg-type]
    reader = SimpleNamespace(state=SimpleNamespace(user="r", roles=frozenset()))
    editor = SimpleNamespace(state=SimpleNamespace(user="e", roles=frozenset({"editor"})))
    assert not on.allowed(reader) and on.allowed(editor) and off.allowed(None)  # type: ignore[arg-type]
    assert on._add(lambda: None, reader, lambda *a, **k: None) == (EDITOR_ONLY, False)  # type: ignore[arg-type]


def test_the_sources_list_escapes_and_links_each_article_to_its_text() -> None:
    rows = [{**ROWS[2], "author": "<b>x</b>", "outlet": "O", "published": "2025-05-30", "chunks": 3}]
    html = render_sources_list(rows)
    assert 'href="#article-c"' in html and "(title ours)" in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<td>2025-05-30</td><td>3</td><td>2025-06-01</td>" in html
    assert "No articles are indexed yet" in render_sources_list([])
    whole = render_whole_article("Text <with> tags.", {**rows[0], "source": "c.pdf", "chars": 17})
    assert '<div class="article-text">Text &lt;with&gt; tags.</div>' in whole and "c.pdf, 17 characters" in whole
