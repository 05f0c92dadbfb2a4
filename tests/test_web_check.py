"""The chat's "Check a draft" mode (rag.web.check_mode) on the tests' own corpus, without a browser:
each pasted sentence marked supported with its quote or not with its reason, a quote's [k] opening
its article with the quote marked, and a bad draft answered with a message for people."""

from __future__ import annotations

from rag.limits import RateLimiter
from rag.web.check_mode import CHECK_TURN, DraftChecker
from rag.web.handlers import Chat

TRUE = "The telescope cost $6.1 billion, about $900 million more than planned."
FALSE = "The telescope cost $9 billion."


def test_a_pasted_draft_is_marked_sentence_by_sentence(engine) -> None:  # type: ignore[no-untyped-def]
    checker = DraftChecker(engine, RateLimiter(0, 1))
    html, session = checker.run(f"{TRUE} {FALSE}", {"turns": [], "answers": {}})
    assert "1 of 2 sentence(s) supported" in html
    supported, unsupported = html.split('<li class="check-unsupported">')
    assert "Supported</span> The telescope cost $6.1 billion" in supported
    assert "“The telescope cost $6.1 billion, about $900 million more than planned" in supported
    assert "Larkspur space telescope" in supported  # the quote's article, by its title
    assert "The telescope cost $9 billion." in unsupported and "9" in unsupported.split("check-reason")[1]
    [cited] = session["answers"][str(CHECK_TURN)]["citations"]
    text = engine.retriever.article_text(cited["article_id"])
    assert text[cited["start"] : cited["end"]] == cited["quote"] and cited["n"] == 1
    assert cited["author"] == "Maren Holt"  # the panel shows the article's byline, as for an answer


def test_a_quote_of_the_check_opens_its_article_with_the_quote_marked(engine) -> None:  # type: ignore[no-untyped-def]
    _, session = DraftChecker(engine, RateLimiter(0, 1)).run(TRUE, {"turns": [], "answers": {}})
    chat = Chat(engine, RateLimiter(0, 1), feedback=None)  # type: ignore[arg-type]
    panel = chat.open_target(f"cite-{CHECK_TURN}-1", session)
    assert '<mark id="cited-quote"' in panel and "The telescope cost $6.1 billion" in panel.split("<mark")[1]
    assert "Maren Holt" in panel


def test_an_empty_draft_gets_a_message_and_the_session_is_unchanged(engine) -> None:  # type: ignore[no-untyped-def]
    session = {"turns": [], "answers": {"3": {"citations": []}}}
    html, after = DraftChecker(engine, RateLimiter(0, 1)).run("   ", session)
    assert 'class="chat-error"' in html and "The draft is empty" in html and "RAG_" not in html
    assert after == session


def test_a_client_over_its_limit_is_told_to_wait(engine) -> None:  # type: ignore[no-untyped-def]
    checker = DraftChecker(engine, RateLimiter(1, 1))
    checker.run(TRUE, {})
    html, _ = checker.run(TRUE, {})
    assert 'class="chat-error"' in html and "RAG_" not in html and "Supported" not in html
