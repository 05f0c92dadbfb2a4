"""The web chat in a real browser (Debian's headless Chromium driven by Playwright): ask, watch the answer
stream in, click [1], and find exactly the cited quote highlighted and in view in the article panel;
rate the answer and find the verdict in the feedback log. Saves a screenshot (see SCREENSHOTS).

Needs /usr/bin/chromium (never `playwright install`: it downloads). Skipped without it, except in CI
(CI=true), where a missing browser is a failure: .ci/run installs it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _web import load_app_module, serve

from rag.auth import add_user
from rag.config import PROJECT_ROOT, Settings, load_settings
from rag.feedback import read_feedback

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "What is Iran bartering its missiles and drones for?"
# Every run saves reports/screenshot.png (git-ignored); UPDATE_SCREENSHOT=1 also refreshes the README's.
SCREENSHOTS = [PROJECT_ROOT / "reports" / "screenshot.png"] + (
    [PROJECT_ROOT / "docs" / "screenshot.png"] if os.environ.get("UPDATE_SCREENSHOT") == "1" else []
)

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def web_settings(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        corpus_dir=real_settings.corpus_dir,
        index_dir=real_settings.index_dir,
        feedback_log=tmp_path_factory.mktemp("browser") / "feedback.jsonl",
    )


@pytest.fixture(scope="module")
def url(engine, web_settings: Settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(load_app_module().create_server(engine, web_settings)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, url: str) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    yield page
    context.close()


def test_ask_click_a_citation_and_see_its_quote_highlighted(page, engine, web_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    expected = engine.ask(QUESTION)  # the offline backend is deterministic: the page must show this answer
    first = expected.citations[0]

    page.wait_for_selector("#chat button.example")
    shown = page.locator("#chat button.example")
    examples = [shown.nth(i).inner_text() for i in range(shown.count())]
    titles = [m.title for m in engine.retriever.articles.values()]
    # the empty chat suggests questions on the indexed articles (up to 4), from their titles
    assert len(examples) == min(4, len(titles)) and len(set(examples)) == len(examples)
    assert set(examples) <= {f"What does the article “{t}” report?" for t in titles}

    page.fill("#question textarea", QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat .answer a.cite")  # the final, verified answer with its links
    assert page.locator("#chat .streaming").count() == 0
    sources = page.locator("#chat .sources li")
    assert sources.count() == len(expected.citations)
    assert first.quote in sources.first.inner_text()
    # and how surely it answers the question, in words (the score itself in its tooltip)
    assert first.answers is not None
    badge = sources.first.locator(".answers")
    assert badge.inner_text().startswith("answers the question: ") and f"{first.answers:.2f}" in badge.get_attribute(
        "title"
    )

    page.locator("#chat .answer a.cite", has_text="[1]").first.click()
    mark = page.wait_for_selector("#article-panel mark#cited-quote")
    assert mark.text_content() == first.quote
    panel = page.inner_text("#article-panel .article-head")
    assert first.title in panel
    assert in_view(page), "the highlighted quote must be scrolled into view"

    page.locator("#chat button[aria-label='Like']").last.click()
    page.wait_for_selector("#feedback-status :text('saved')")
    records = wait_for_records(web_settings.feedback_log, 1)
    assert records[-1]["verdict"] == "up" and records[-1]["question"] == QUESTION
    assert records[-1]["citations"][0]["quote"] == first.quote and records[-1]["backend"] == "offline"

    page.fill("#comment textarea", "Right article, but say who supplies what.")
    page.click("#send-comment")
    page.wait_for_selector("#feedback-status :text('comment saved')")
    records = wait_for_records(web_settings.feedback_log, 2)
    assert records[-1]["comment"] == "Right article, but say who supplies what." and records[-1]["verdict"] == "up"
    assert records[-1]["answer_id"] == records[-2]["answer_id"]  # the comment belongs to the rated answer

    for path in SCREENSHOTS:
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path))


def test_an_answer_from_an_articles_byline_cites_the_article_without_a_quote(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question textarea", "Who wrote the article about the Larkspur telescope?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat .answer a.cite >> nth=-1")
    page.wait_for_function("document.querySelectorAll('#chat .source-metadata').length > 0")
    assert "was written by Maren Holt" in page.locator("#chat .answer").last.inner_text()
    page.locator("#chat .answer").last.locator("a.cite", has_text="[1]").first.click()
    page.wait_for_selector("#article-panel :text('states about itself')")
    panel = page.inner_text("#article-panel")
    assert "Maren Holt" in panel and "no longer in the article" not in panel
    page.screenshot(path=str(SHOTS / "metadata-answer.png"))


def test_a_quote_opening_on_he_says_under_it_who_he_is(page, engine) -> None:  # type: ignore[no-untyped-def]
    question = "What must Iran give to foreign exchange bureaus when it wants to receive cash?"
    expected = engine.ask(question)
    said = [c for c in expected.citations if c.quote.startswith("He added") and c.speaker]
    assert said
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    # the page is shared with the other tests: wait for this answer's sources, not an earlier one's
    page.wait_for_function("document.querySelectorAll('#chat .source-speaker').length > 0")
    page.wait_for_function("document.querySelectorAll('#chat .streaming').length === 0")
    notes = page.locator("#chat .sources").last.locator(".source-speaker")
    assert notes.count() == len(said) and notes.first.is_visible()
    assert [notes.nth(i).inner_text() for i in range(notes.count())] == [
        f"“He” = {c.speaker} (the speaker the article names before this sentence)" for c in said
    ]
    page.screenshot(path=str(SHOTS / "speaker-note.png"))


def test_an_abstention_is_shown_as_such(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#question textarea", "How many Shahed drones has Iran sold to Russia?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat .abstained")
    last = page.locator("#chat .abstained").last
    assert "Not answered by the articles" in last.inner_text()
    assert "What the articles do say" in page.locator("#chat .sources-heading").last.inner_text()


def test_the_answer_streams_in_a_verified_sentence_at_a_time_before_its_sources(  # type: ignore[no-untyped-def]
    browser, engine, real_settings, web_settings: Settings
) -> None:
    """The real engine with a slow model (the OpenAI stub, streaming word by word): the chat shows
    the first verified sentence while the model is still writing, never the unverified one."""
    from tests.openai_stub import Slow, cite, engine_with_stub_model, running

    def reply(r: dict[str, Any]) -> str:
        return (
            f"Iran is bartering missiles and drones in exchange for wheat and soy [{cite(r, 'wheat and soy')}]. "
            "Russia also pays in gold bars. "
            f"Iran officially denied the report [{cite(r, 'officially denied')}]."
        )

    question = "What does Iran receive in return for the missiles it sends to Russia?"
    with running([Slow(reply, 0.4)]) as stub:
        streaming = engine_with_stub_model(engine, real_settings, stub.url, openai_timeout=10.0)
        with serve(load_app_module().create_server(streaming, web_settings)) as url:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.fill("#question textarea", question)
            page.keyboard.press("Enter")
            partial = page.wait_for_selector("#chat .streaming:has-text('[1]')").inner_text().rstrip("▍").strip()
            assert partial == "Iran is bartering missiles and drones in exchange for wheat and soy. [1]"
            assert page.locator("#chat .sources").count() == 0  # sources come with the verified whole
            page.wait_for_selector("#chat .answer a.cite")
            assert page.locator("#chat .streaming").count() == 0
            text = page.locator("#chat .answer").last.inner_text()
            assert "gold" not in text and "officially denied the report" in text
            assert page.locator("#chat .sources li").count() == 2
            context.close()


def in_view(page) -> bool:  # type: ignore[no-untyped-def]
    """The mark lies inside the visible part of its scrolling box and of the window."""
    return bool(
        page.evaluate(
            """() => {
              const mark = document.querySelector('#article-panel mark#cited-quote').getBoundingClientRect();
              const box = document.querySelector('#article-panel .article-text').getBoundingClientRect();
              return mark.top >= box.top - 1 && mark.top < box.bottom && mark.top >= 0 && mark.top < innerHeight;
            }"""
        )
    )


def wait_for_records(path: Path, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        records = read_feedback(path).records
        if len(records) >= count:
            return records
        time.sleep(0.1)
    raise AssertionError(f"no feedback record in {path}")


def test_with_login_on_the_browser_logs_in_and_feedback_names_the_user(
    browser, engine, web_settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    add_user(tmp_path / "users", "alice", "pw-for-alice")
    settings = load_settings(
        corpus_dir=web_settings.corpus_dir,
        index_dir=web_settings.index_dir,
        users_file=tmp_path / "users",
        feedback_log=tmp_path / "feedback.jsonl",
    )
    with serve(load_app_module().create_server(engine, settings)) as url:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        assert "/login" in page.url and page.locator("input[name=password]").count() == 1
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "pw-for-alice")
        page.click("button[type=submit]")
        page.fill("#question textarea", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_selector("#chat .answer a.cite")
        page.locator("#chat button[aria-label='Dislike']").last.click()
        (record,) = wait_for_records(settings.feedback_log, 1)
        assert record["verdict"] == "down" and record["user"] == "alice"
        context.close()


# --- issue 14's rough edges and issue 13's sources panel, on the tests' own small corpus ---------


@pytest.fixture
def own(tmp_path: Path, embed_model) -> Iterator[tuple[Any, Settings]]:  # type: ignore[no-untyped-def]
    """A server over two articles of the tests' own (the session engine's index stays untouched)."""
    from test_articles import BEES, TRAMS

    from rag.engine import open_engine
    from rag.ingest import ingest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bees.txt").write_text(BEES)
    (corpus / "trams.txt").write_text(TRAMS.replace("The new tram", "---\ntitle: NASA and the tram\n---\nThe new tram"))
    settings = load_settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", feedback_log=tmp_path / "fb.jsonl", rate_limit_per_minute=0
    )
    ingest(settings, embed_model=embed_model)
    engine = open_engine(settings)
    with serve(load_app_module().create_server(engine, settings)) as url:
        yield url, settings


def new_page(browser, url: str) -> Any:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#chat")
    return page


def fonts_of(page, selector: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The font families Chromium drew a node's glyphs with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def thumbs_under(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    """Visible Like/Dislike buttons under the messages holding `selector` (Gradio puts a message's
    buttons in the element right after its row)."""
    return int(
        page.evaluate(
            """(selector) => [...document.querySelectorAll('#chat .message-row')]
                 .filter(row => row.querySelector(selector))
                 .flatMap(row => [...(row.nextElementSibling?.querySelectorAll(
                     'button[aria-label=Like], button[aria-label=Dislike]') || [])])
                 .filter(b => b.offsetParent !== null).length""",
            selector,
        )
    )


def test_rough_edges_of_the_chat(browser, own) -> None:  # type: ignore[no-untyped-def]
    url, settings = own
    page = new_page(browser, url)
    # no floating label over the conversation: the heading sits above it, outside the scrolling box
    assert page.locator("#chat label, #chat .block-label").count() == 0
    assert page.inner_text("#chat-heading") == "Ask about the articles"

    # a too-long question stays in the box, and the message names no environment variable
    long_question = "How many hives? " * 200
    page.fill("#question textarea", long_question)
    page.keyboard.press("Enter")
    error = page.wait_for_selector("#chat .chat-error")
    assert "the limit is 2,000" in error.inner_text() and "RAG_" not in error.inner_text()
    assert page.input_value("#question textarea") == long_question
    # no thumbs under an error message
    assert thumbs_under(page, ".chat-error") == 0

    page.fill("#question textarea", "How many new hives did beekeepers count?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat .answer a.cite")
    assert thumbs_under(page, ".answer") == 2  # an answer keeps both
    page.locator("#chat button[aria-label='Like']:visible").last.click()
    page.wait_for_selector("#feedback-status :text('saved')")
    # the article title is drawn in one font (Gradio's partial semibold face made "NᴀSᴀ" of titles)
    page.locator("#chat .answer a.cite").first.click()
    page.wait_for_selector("#article-panel mark#cited-quote")
    assert len(fonts_of(page, "#article-panel .article-title")) == 1
    assert len(fonts_of(page, "#chat-heading h3")) == 1
    page.screenshot(path=str(SHOTS / "rough-edges.png"))

    # Clear starts afresh: no "saved" status, the panel back to its placeholder
    page.locator("#chat button[aria-label='Clear']").click()
    page.wait_for_function("() => !document.querySelector('#feedback-status').innerText.includes('saved')")
    assert "Click a number" in page.inner_text("#article-panel")
    page.context.close()


def test_add_an_article_by_upload_ask_about_it_read_it_and_remove_it(browser, own, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from _docs import make_pdf
    from test_articles import STORY

    url, settings = own
    page = new_page(browser, url)
    page.get_by_role("tab", name="Sources").click()
    page.wait_for_selector("#sources-list table")
    assert page.locator("#sources-list tr[data-id]").count() == 2
    pdf = tmp_path / "ferries.pdf"
    pdf.write_bytes(make_pdf([STORY], title="Hourly ferries from June", author="Ola Berg"))
    page.set_input_files("#add-file input[type=file]", str(pdf))
    page.click("#add-file-button")
    page.wait_for_selector("#sources-status :text('Added')")
    row = page.locator("#sources-list tr[data-id='ferries']")
    assert "Hourly ferries from June" in row.inner_text() and "Ola Berg" in row.inner_text()
    assert (settings.corpus_dir / "ferries.pdf").read_bytes() == pdf.read_bytes()
    for path in [SHOTS / "sources-added.png"] + [DOCS / "sources.png"] * (os.environ.get("UPDATE_SCREENSHOT") == "1"):
        page.screenshot(path=str(path))

    # its text one click away: exactly what was indexed
    row.locator("a.open-article").click()
    page.wait_for_selector("#article-panel .article-text")
    assert page.inner_text("#article-panel .article-text").strip() == "\n".join(STORY)

    # the empty chat's examples now include it; asking about it cites it
    examples = page.locator("#chat button.example")
    assert any("Hourly ferries from June" in examples.nth(i).inner_text() for i in range(examples.count()))
    page.fill("#question textarea", "When will the first ferry leave in the morning?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat .answer a.cite")
    assert "Hourly ferries from June" in page.locator("#chat .sources").last.inner_text()
    page.locator("#chat .answer a.cite").first.click()
    mark = page.wait_for_selector("#article-panel mark#cited-quote")
    assert mark.text_content() in "\n".join(STORY)
    page.screenshot(path=str(SHOTS / "asked-about-added.png"))

    # remove it
    page.get_by_role("tab", name="Sources").click()
    page.locator("#remove-choice input").click()
    page.get_by_role("option", name="Hourly ferries from June (ferries)").click()
    page.click("#remove-button")
    page.wait_for_selector("#sources-status :text('Removed ferries')")
    assert page.locator("#sources-list tr[data-id='ferries']").count() == 0
    assert not (settings.corpus_dir / "ferries.pdf").exists()
    page.context.close()


SHOTS, DOCS = PROJECT_ROOT / "reports", PROJECT_ROOT / "docs"
