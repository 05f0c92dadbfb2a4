"""Summaries, comparisons and other-language questions (rag.answering.overview / intent), on a
small corpus of their own: two articles on a telescope and a river bridge, written for these tests."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from llama_index.core.schema import TextNode

from rag.answering.intent import reads_english
from rag.answering.overview import (
    articles_about,
    described_topic,
    key_sentences,
    no_article_on,
    wants_comparison,
    wants_summary,
)
from rag.retrieval import KeywordIndex, Retrieval
from rag.types import ArticleMeta

TELESCOPE = """---
id: telescope
title: The Webb telescope sends its first deep field
author: Ana Ruiz
---
The James Webb Space Telescope has sent back its first deep-field image, showing thousands of galaxies.
The observatory cost about $10 billion and was launched on December 25, 2021, from French Guiana on an Ariane 5 rocket.
NASA administrator Bill Nelson said the image was the deepest and sharpest infrared view of the distant universe so far.
He added that the telescope would study the atmospheres of planets around other stars.
The mirror of the observatory is 6.5 metres wide and is made of 18 gold-coated segments.
Engineers spent more than two decades building the telescope, and its budget grew many times over that period.
Critics said the cost overruns had delayed other missions, but the agency defended the spending as an investment.
"""
BRIDGE = """---
id: bridge
title: City opens the new river bridge
author: Tom Becker
---
The city of Lindau opened its new river bridge on Monday after three years of work and a budget of 80 million euros.
The bridge carries two tram lines, a cycle path and four lanes for cars across the river.
Mayor Clara Voss said the bridge would cut commuting times by a quarter for people living on the east bank.
Construction was delayed by floods in 2022, which pushed the cost up by 12 million euros.
Critics said the money should have gone to schools, but the council defended the spending as an investment in jobs.
The old bridge, built in 1958, will be closed to cars and turned into a walkway.
"""


@pytest.fixture(scope="module")
def small_engine(corpus_engine):  # type: ignore[no-untyped-def]
    return corpus_engine("overview", {"telescope.txt": TELESCOPE, "bridge.txt": BRIDGE})


def body(text: str) -> str:
    return text.split("---\n", 2)[2]


@pytest.mark.parametrize(
    "question",
    [
        "Summarize the articles",
        "What are the main points?",
        "Give me a summary of the article about the bridge",
        "What are the articles about?",
    ],
)
def test_summary_questions_are_recognised(question: str) -> None:
    assert wants_summary(question)


@pytest.mark.parametrize(
    "question",
    ["What did Bill Nelson say?", "How much did the telescope cost?", "Which point of the river is the bridge on?"],
)
def test_fact_questions_are_not_summaries_or_comparisons(question: str) -> None:
    assert not wants_summary(question) and not wants_comparison(question)


def test_a_summary_of_all_articles_quotes_each_article_verbatim_with_citations(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Summarize the articles")
    assert not a.abstained and not a.dropped
    assert {c.article_id for c in a.citations} == {"telescope", "bridge"}
    texts = {"telescope": body(TELESCOPE), "bridge": body(BRIDGE)}
    for c in a.citations:
        assert texts[c.article_id][c.start : c.end] == c.quote
    assert "He added" not in a.answer  # a sentence that leans on the one before is not quoted alone


def test_a_summary_of_one_article_stays_in_that_article(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Summarize the article about the bridge")
    assert not a.abstained
    assert {c.article_id for c in a.citations} == {"bridge"}
    assert 1 <= len(a.citations) <= 3


@pytest.mark.parametrize(
    "question", ["Summarize the bridge article", "What are the main points of the river bridge story?"]
)
def test_an_article_named_by_its_topic_before_the_word_article_is_summarized_alone(small_engine, question) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask(question)
    assert not a.abstained
    assert {c.article_id for c in a.citations} == {"bridge"}, a.answer


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # the bridge story mentions floods, not a barrier: the word no article says is named
        ("Summarize the flood barrier article", "The articles do not mention “barrier”."),
        (
            "What are the main points of the article about the malaria vaccine?",
            "The articles do not mention “malaria vaccine”.",
        ),
        ("Summarize the articles about the election", "The articles do not mention “election”."),
    ],
)
def test_a_summary_of_an_article_the_corpus_does_not_hold_says_so(small_engine, question, said) -> None:  # type: ignore[no-untyped-def]
    # summarizing the bridge article instead would answer a question nobody asked, with citations
    a = small_engine.ask(question)
    assert a.abstained and not a.citations, a.answer
    assert a.answer == said
    # what there is instead: the articles' titles (no claim about their content, so nothing to cite)
    assert "The Webb telescope sends its first deep field" in a.notice
    assert "City opens the new river bridge" in a.notice


def test_a_comparison_of_articles_the_corpus_does_not_hold_says_so(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("What do the articles about the election say on spending?")
    assert a.abstained and a.answer == "The articles do not mention “election”.", a.answer
    a = small_engine.ask("What do the articles about the telescope and the bridge say about spending?")
    assert not a.abstained and {c.article_id for c in a.citations} == {"telescope", "bridge"}, a.answer


def test_a_summary_of_the_articles_on_a_topic_leaves_out_those_on_others(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Summarize the articles about the telescope")
    assert not a.abstained
    assert {c.article_id for c in a.citations} == {"telescope"}, a.answer


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Summarize the article by Ana Ruiz", "telescope"),  # its author, whom the text does not name
        ("Summarize the article about the observatory's mirror", "telescope"),
        ("Summarize the first article", ""),  # which article, not what it is about: no topic to check
        ("Summarize the latest article", ""),
    ],
)
def test_words_that_say_which_article_are_no_topic_it_must_be_about(small_engine, question, article) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask(question)
    assert not a.abstained, a.answer
    assert len({c.article_id for c in a.citations}) == 1
    assert not article or {c.article_id for c in a.citations} == {article}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Summarize the flood barrier article", ["flood", "barrier"]),
        ("What are the main points of the article about the flood barrier?", ["flood", "barrier"]),
        ("Summarize the articles on the election", ["elect"]),
        ("Summarize the Ledger's story", ["ledger"]),
        ("Summarize the French article", ["french"]),  # a people's adjective names a topic
        ("Who wrote the opinion piece about the Iranian MP?", ["iranian", "mp"]),  # "opinion" is its kind
        ("Summarize the latest article", []),  # which article, not what it is about
        ("Summarize the articles", []),
        ("Why might Tehran side with Moscow, under the article's second theory?", []),  # describes no article
    ],
)
def test_the_topic_an_article_is_described_by(question: str, topic: list[str]) -> None:
    assert described_topic(question) == topic


def test_a_topic_whose_words_are_said_but_by_no_one_article_is_no_articles_topic() -> None:
    articles = {a: ArticleMeta(a, title=f"Story {a}") for a in ("one", "two", "three")}
    texts = {
        "one": "The galaxies were seen again.",
        "two": "The trams were late again.",
        "three": "The pensions were cut again.",
    }
    nodes = [TextNode(text=t) for t in texts.values()]
    library = SimpleNamespace(articles=articles, keywords=KeywordIndex(nodes, 3), article_text=texts.__getitem__)
    question = "Summarize the article about galaxies, trams and pensions"
    retrieval = Retrieval(question, np.zeros(3), ())
    assert articles_about(question, ["one", "two", "three"], library) == []  # a third of it each
    d = no_article_on(question, retrieval, library)
    assert d.abstained and d.text == "The articles do not include an article about “galaxies trams pensions”."
    assert d.notice == "The articles you can ask about: “Story one”; “Story three”; “Story two”."
    assert articles_about("Summarize the article about galaxies", ["one", "two", "three"], library) == ["one"]


def test_key_sentences_prefer_the_lead_and_do_not_repeat_themselves() -> None:
    text = body(BRIDGE)
    keywords = KeywordIndex([], 1)
    chosen = [text[s:e] for s, e in key_sentences(text, keywords, 2)]
    assert chosen[0].startswith("The city of Lindau opened")
    assert len(set(chosen)) == 2


def test_a_summary_leaves_out_the_headline_and_dateline_a_page_repeats_in_its_body() -> None:
    # saved web pages keep the headline and a dateline as lines of the body: they end on no full
    # stop and, quoted, would run into the next sentence ("... new river bridge The city of ...")
    headline = "City opens the new river bridge after three years of work on the east bank"
    text = f"Monday 4 March, 2024 report from the city of Lindau on the river\n{headline}\n" + body(BRIDGE)
    keywords = KeywordIndex([], 1)
    chosen = [text[s:e] for s, e in key_sentences(text, keywords, 3)]
    assert len(chosen) == 3
    assert all(c.rstrip().endswith(".") for c in chosen), chosen
    assert chosen[0].startswith("The city of Lindau opened")


def test_a_comparison_quotes_the_best_sentence_of_each_article(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("How do the two articles differ on what critics said about the spending?")
    assert not a.abstained
    assert {c.article_id for c in a.citations} == {"telescope", "bridge"}
    assert a.answer.count("Critics said") == 2


def test_what_the_articles_say_about_a_point_is_each_articles_best_sentence(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("What do the articles say about the critics of the spending?")
    assert {c.article_id for c in a.citations} == {"telescope", "bridge"}


def test_a_question_in_another_language_gets_a_clear_english_only_abstention(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Combien a coûté le télescope et quand a-t-il été lancé ?")
    assert a.abstained and not a.citations
    assert a.answer.startswith(a.reason) and "other languages" in a.reason
    assert "English only" in a.notice and "RAG_BACKEND=openai" in a.notice


@pytest.mark.parametrize(
    "question",
    ["How much did the telescope cost?", "Who is Bill Nelson?", "When did the bridge open, and what did it cost?"],
)
def test_english_questions_read_as_english(small_engine, question: str) -> None:  # type: ignore[no-untyped-def]
    assert reads_english(question, small_engine.retriever.keywords)


@pytest.mark.parametrize(
    "question",
    [
        "Wann wurde die Brücke eröffnet?",
        "¿Cuánto costó el telescopio?",
        "Когда открыли мост?",
        "橋はいつ開通しましたか？",
    ],
)
def test_other_languages_read_as_other_languages(small_engine, question: str) -> None:  # type: ignore[no-untyped-def]
    assert not reads_english(question, small_engine.retriever.keywords)


def test_a_misspelt_name_is_read_as_the_corpus_name_and_shown(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("What did Bill Nelsen say about the imgae?")
    assert a.standalone_question == "What did Bill Nelson say about the image?"
    assert "deepest and sharpest" in a.answer


@pytest.mark.parametrize(
    ("typed", "proper"),
    [
        # in capitals every word looked like a name: "The articles do not mention Promise"
        ("WHAT DID THE MAYOR PROMISE COMMUTERS?", "What did the mayor promise commuters?"),
        # in small letters no word did: the quote about what Nelson said was not found to be his
        ("what did nelson say about the planets?", "What did Nelson say about the planets?"),
    ],
)
def test_a_question_typed_in_one_case_is_answered_as_if_typed_properly(small_engine, typed: str, proper: str) -> None:  # type: ignore[no-untyped-def]
    a, b = small_engine.ask(typed), small_engine.ask(proper)
    assert (a.answer, a.abstained) == (b.answer, b.abstained)
    assert "not mention" not in a.answer
    assert a.standalone_question == ""  # only the case changed: nothing to show


@pytest.mark.parametrize(
    ("typed", "answer", "read"),
    [
        ("Could you tell me how much the delay added to the cost?", "12 million euros", "How much the delay"),
        ("I'd like to know why construction was delayed.", "floods", "Why construction was delayed?"),
    ],
)
def test_a_question_inside_a_request_is_answered_as_the_question(
    small_engine, typed: str, answer: str, read: str
) -> None:  # type: ignore[no-untyped-def]
    # "tell", "like" and "know" counted as what was asked, and the question word did not open it
    a = small_engine.ask(typed)
    assert not a.abstained and answer in a.answer
    assert a.standalone_question.startswith(read)


def test_the_articles_named_as_the_source_do_not_make_a_question_a_comparison(small_engine) -> None:  # type: ignore[no-untyped-def]
    # "the articles" asks what each article says: the telescope article's cost overruns were quoted beside the answer
    a = small_engine.ask("According to the articles, how much did the floods add to the cost?")
    assert a.answer == small_engine.ask("How much did the floods add to the cost?").answer
    assert {c.article_id for c in a.citations} == {"bridge"} and "12 million euros" in a.answer


def test_who_a_person_is_is_answered_by_the_title_before_their_name(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Who is Clara Voss?")
    assert not a.abstained and a.citations[0].quote.startswith("Mayor Clara Voss said")


def test_a_shouted_follow_up_resolves_its_pronoun_through_a_shouted_question(small_engine) -> None:  # type: ignore[no-untyped-def]
    first = small_engine.ask("WHAT DID BILL NELSON SAY ABOUT THE IMAGE?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    a = small_engine.ask("WHAT ELSE DID HE ADD?", history=history)
    assert a.standalone_question == "What else did Bill Nelson add?"


def test_a_misspelt_name_typed_in_small_letters_is_read_as_the_corpus_writes_it(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("what did bill nelsen say about the imgae?")
    assert a.standalone_question == "What did Bill Nelson say about the image?"  # not "... bill nelson ..."
    assert "deepest and sharpest" in a.answer


def test_a_real_word_missing_from_the_corpus_is_not_corrected(small_engine) -> None:  # type: ignore[no-untyped-def]
    q = "Did the mayor extend the tram lines to the airport?"  # "extend" is English, not a typo of anything
    assert small_engine.ask(q).standalone_question == ""


def test_a_false_number_in_the_question_is_corrected_with_the_cited_sentence(small_engine) -> None:  # type: ignore[no-untyped-def]
    a = small_engine.ask("Why did the bridge take five years of work?")
    assert not a.abstained
    assert a.answer.startswith("The articles do not say so. However, the articles say: The city of Lindau opened")
    assert [c.article_id for c in a.citations] == ["bridge"]


def test_an_article_says_a_second_thing_on_the_point_only_when_it_nearly_ties_and_adds_topic_words() -> None:
    from rag.answering.overview import Quote, article_points

    first, second, third = (Quote("a", k * 10, k * 10 + 9) for k in range(3))
    found = [(0.80, {"journal", "report"}, [first]), (0.75, {"treasuri"}, [second]), (0.74, {"report"}, [third])]
    assert article_points(found) == (0.80, [first, second])
    assert article_points([found[0], (0.60, {"treasuri"}, [second])]) == (0.80, [first])  # too far behind
    assert article_points([found[0], found[2]]) == (0.80, [first])  # adds no topic word


STREETS = """---
id: streets
title: Three streets in Oldtown get new names
author: Mia Brandt
---
The renaming of three streets in Oldtown, Ferry Lane, Mill Row and Gate Street, has angered residents.
Ferry Lane is to be divided into Ash Walk and Elm Walk when the works end next spring.
Mill Row will be named after the city's first woman mayor, Gate Street after a local poet.
"""


def test_a_number_of_other_things_is_no_false_premise_when_another_sentence_answers(corpus_engine) -> None:  # type: ignore[no-untyped-def]
    # "three streets" are the ones renamed, the two asked about are Ferry Lane's new ones: the
    # sentence that answers matches the question better than the one with the other number
    engine = corpus_engine("streets", {"streets.txt": STREETS})
    a = engine.ask("Into which two streets will Ferry Lane be divided?")
    assert "do not say so" not in a.answer
    assert "Ash Walk and Elm Walk" in a.answer
    b = engine.ask("Why were four streets in Oldtown renamed?")  # no sentence matches better: corrected
    assert b.answer.startswith("The articles do not say so. However, the articles say: The renaming of three streets")
