"""HTML of the web chat: [n] links, sources, abstentions, and the article with exactly the quote marked."""

from __future__ import annotations

import re
from html import unescape

from rag.render import link_markers, locate_quote, parse_cite_target, render_answer, render_article

TEXT = "Intro <b>bold</b> & more.\nIran sends missiles [1] to Russia.\nThe end."
QUOTE = "Iran sends missiles [1] to Russia."
START = TEXT.index(QUOTE)
CITATION = {
    "n": 1,
    "article_id": "a1",
    "title": "Missiles & <wheat>",
    "title_is_editorial": True,
    "author": "Ann Writer",
    "outlet": "",
    "published": "2024-09-10",
    "url": "https://example.org/a1",
    "quote": QUOTE,
    "start": START,
    "end": START + len(QUOTE),
}


def marked(html: str) -> str:
    (inner,) = re.findall(r'<mark id="cited-quote"[^>]*>(.*?)</mark>', html, flags=re.S)
    return unescape(inner)


def test_the_mark_holds_exactly_the_quote_and_everything_is_escaped() -> None:
    html = render_article(TEXT, CITATION)
    assert marked(html) == QUOTE
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Missiles &amp; &lt;wheat&gt;" in html and "(title ours)" in html
    assert "Ann Writer, 2024-09-10" in html and 'href="https://example.org/a1"' in html
    text_only = unescape(re.sub(r"<[^>]+>", "", html.split('class="article-text">')[1]))
    assert text_only == TEXT  # the article itself, unchanged around the mark


def test_a_quote_whose_offsets_went_stale_is_found_again_or_reported() -> None:
    moved = "New first line.\n" + TEXT
    assert locate_quote(moved, CITATION) == (START + 16, START + 16 + len(QUOTE))
    assert marked(render_article(moved, CITATION)) == QUOTE
    gone = render_article("A different article.", CITATION)
    assert "<mark" not in gone and "no longer in the article" in gone


def test_only_markers_with_a_citation_become_links() -> None:
    html = link_markers("A <x> [1] and [2].", turn=3, known=[1])
    assert '<a class="cite" href="#cite-3-1"' in html and "[2]" in html and "#cite-3-2" not in html
    assert "&lt;x&gt;" in html


def test_an_answers_line_breaks_show_as_line_breaks_while_streaming_and_after() -> None:
    from rag.render import render_partial

    html = link_markers("Acts:\n- Marla <Q> [1]\n- Oskar [2]", turn=1, known=[1, 2])
    assert html.count("<br>") == 2 and "\n" not in html and "&lt;Q&gt;" in html
    assert "<br>" in render_partial("- Marla [1]\n- Oskar") and "\n" not in render_partial("A.\n\nB.")


def test_an_answer_lists_its_sources_with_quotes() -> None:
    answer = {
        "question": "q",
        "answer": "Iran sends missiles to Russia. [1]",
        "abstained": False,
        "citations": [CITATION],
    }
    html = render_answer(answer, turn=1)
    assert html.count('href="#cite-1-1"') == 2  # in the text and in the sources
    assert "Sources" in html and "“Iran sends missiles [1] to Russia.”" in unescape(html)
    assert "Searched for" not in html and "Not answered" not in html


def test_an_abstention_says_so_with_its_reason_and_what_the_articles_cover() -> None:
    answer = {
        "question": "How many drones?",
        "answer": "The articles give no number. What the articles do say: Iran sends missiles. [1]",
        "abstained": True,
        "reason": "The articles give no number.",
        "citations": [CITATION],
    }
    html = render_answer(answer, turn=5)
    assert "Not answered by the articles." in html and "What the articles do say" in html
    assert html.count("The articles give no number.") == 1  # the reason is already in the text
    other = render_answer({**answer, "answer": "Nothing.", "citations": []}, turn=5)
    assert "The articles give no number." in other


def test_the_standalone_rewrite_of_a_follow_up_is_shown() -> None:
    answer = {"question": "and China?", "standalone_question": "What did Iran say about China?", "answer": "x"}
    assert "Searched for: <q>What did Iran say about China?</q>" in render_answer(answer, turn=3)


def test_cite_targets_parse_strictly() -> None:
    assert parse_cite_target("cite-3-1") == (3, 1) == parse_cite_target("#cite-3-1")
    assert parse_cite_target("3-12") == (3, 12)
    for bad in ("", "cite-", "cite-a-1", "cite-1-1; drop", "cite-1"):
        assert parse_cite_target(bad) is None


def test_a_citation_of_the_articles_metadata_says_so_instead_of_an_empty_or_missing_quote() -> None:
    by_line = {**CITATION, "quote": "", "start": 0, "end": 0}  # "“...” was written by Ann Writer. [1]"
    article = render_article(TEXT, by_line)
    assert "no longer in the article" not in article and "<mark" not in article
    assert "states about itself" in article and "Ann Writer, 2024-09-10" in article
    assert unescape(re.sub(r"<[^>]+>", "", article.split('class="article-text">')[1])) == TEXT
    answer = {"question": "q", "answer": "“Missiles” was written by Ann Writer. [1]", "abstained": False}
    html = render_answer({**answer, "citations": [by_line]}, turn=1)
    assert "“”" not in unescape(html) and "states about itself" in html


def test_each_source_says_how_surely_its_quote_answers_the_question() -> None:
    judged = [{**CITATION, "answers": 0.91}, {**CITATION, "n": 2, "answers": 0.12}, {**CITATION, "n": 3}]
    html = render_answer({"question": "q", "answer": "A. [1] B. [2] C. [3]", "citations": judged}, turn=1)
    assert 'class="answers answers-very-likely"' in html and "answers the question: very likely" in html
    assert "answers the question: unlikely" in html and "0.12" in html  # the score itself in the tooltip
    assert html.count('class="answers ') == 2  # a quote nobody judged (a model's answer) shows no badge


def test_answer_score_bands() -> None:
    from rag.render import answers_label

    assert [answers_label(s) for s in (0.95, 0.8, 0.7, 0.5, 0.39, 0.0)] == [
        "very likely",
        "very likely",
        "likely",
        "possibly",
        "unlikely",
        "unlikely",
    ]


def test_a_source_inside_a_quotation_shows_the_words_that_introduce_it() -> None:
    inside = {**CITATION, "quote": "We give missiles to Hezbollah.", "quotation": "Ardestani rebuked,"}
    html = render_answer({"question": "q", "answer": "A. [1]", "citations": [inside]}, 1)
    assert "Part of a quotation the article opens earlier: Ardestani rebuked, “…”" in unescape(html)
    assert 'class="source-speaker"' not in render_answer(
        {"question": "q", "answer": "A. [1]", "citations": [CITATION]}, 1
    )
    # the answer quotes the sentence that opens the quotation itself: no note
    opening = {**CITATION, "n": 2, "quote": "Ardestani rebuked, “There is nothing darker than black."}
    both = render_answer({"question": "q", "answer": "A. [2] B. [1]", "citations": [opening, inside]}, 1)
    assert 'class="source-speaker"' not in both


def test_a_source_opening_on_he_says_who_he_is_when_the_verifier_knows() -> None:
    said = {**CITATION, "quote": "He added, “We must sell drones.”", "speaker": "Ahmad Ardestani"}
    unknown = {**said, "n": 2, "speaker": ""}
    other = {**CITATION, "n": 3, "speaker": "Ahmad Ardestani"}  # a quote not opening on "he" needs no note
    html = render_answer({"question": "q", "answer": "A. [1] B. [2] C. [3]", "citations": [said, unknown, other]}, 1)
    assert html.count('class="source-speaker"') == 1
    assert "“He” = Ahmad Ardestani (the speaker the article names before this sentence)" in unescape(html)
