"""The chat's "Check a draft" mode in a real browser (Debian's headless Chromium, as in test_browser):
paste a draft, press Check, see each sentence marked, click a quote's [1] and find exactly that quote
highlighted in its article. Saves reports/check-draft.png."""

from __future__ import annotations

from test_browser import browser, in_view, page, url, web_settings  # noqa: F401  (fixtures, shared)

from rag.config import PROJECT_ROOT

DRAFT = "The telescope cost $6.1 billion, about $900 million more than planned. The telescope cost $9 billion."
QUOTE_START = "The telescope cost $6.1 billion"


def test_check_a_draft_marks_each_sentence_and_opens_a_quote(page, engine) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    expected = engine.check(DRAFT)  # deterministic: the page must show this verdict
    assert [s.supported for s in expected.sentences] == [True, False]
    page.get_by_role("tab", name="Check a draft").click()
    page.fill("#check-draft textarea", DRAFT)
    page.click("#check-button")
    page.wait_for_selector("#check-result .check-count")
    assert "1 of 2 sentence(s) supported" in page.inner_text("#check-result .check-count")
    assert page.locator("#check-result li.check-supported").count() == 1
    unsupported = page.inner_text("#check-result li.check-unsupported")
    assert "The telescope cost $9 billion." in unsupported and expected.sentences[1].reason in unsupported

    page.locator("#check-result a.cite", has_text="[1]").first.click()
    mark = page.wait_for_selector("#article-panel mark#cited-quote")
    assert mark.text_content() == expected.sentences[0].citations[0].quote
    assert (mark.text_content() or "").startswith(QUOTE_START) and in_view(page)
    shot = PROJECT_ROOT / "reports" / "check-draft.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot))
