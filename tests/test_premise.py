"""rag.answering.premise: which sentences contradict a question's premise (hand-computed cases)."""

import pytest

from rag.answering.premise import contradicts, counted


def test_counted_pairs_a_number_with_the_words_after_it() -> None:
    assert (5.0, "countri") in counted("Which five countries took part?")
    assert (20.0, "year") in counted("Iran's 20-year security agreement")
    assert (200.0, "missil") in counted("as many as 200 short range missiles")
    assert counted("the first big decision") == set()  # an ordinal counts nothing
    assert counted("As of January 2016 how many digits") == set()  # nor a year, nor "how"
    assert counted("one of the cities") == set()


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Which five countries took part in the trial?", "The vaccine was tested in a trial in three countries."),
        (
            "What does the 20-year agreement with China cover?",
            "Iran has signed a 25-year security agreement with China.",
        ),
        ("Did the council approve the plan by 40 votes to 14?", "The council approved the plan by 31 votes to 14."),
        ("Did Iran confirm the report?", "Iran officially denied the report."),
    ],
)
def test_another_number_of_the_same_thing_or_a_flipped_negation_contradicts(question: str, sentence: str) -> None:
    assert contradicts(question, sentence)


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Which three countries took part in the trial?", "The vaccine was tested in a trial in three countries."),
        ("How many countries took part in the trial?", "The trial enrolled 4,800 children aged five months."),
        ("Which five countries took part?", "Five countries took part, three of them in Africa."),
        ("Why did Iran deny the report?", "Iran officially denied the report."),  # not a yes/no question
        ("Did Iran deny the report?", "Iran officially denied the report."),
    ],
)
def test_the_same_number_another_thing_or_the_same_polarity_does_not(question: str, sentence: str) -> None:
    assert not contradicts(question, sentence)


def test_a_number_some_passage_states_is_no_false_premise() -> None:
    import numpy as np

    from rag.answering.premise import premise_draft
    from rag.retrieval import KeywordIndex, Retrieval
    from rag.types import ArticleMeta, Chunk, Passage

    text = (
        "Iran has signed a 25-year security agreement with China. Iran and Russia have negotiated a 20-year agreement."
    )
    chunk = Chunk("c", "a", text, 0, len(text), ((0, 56), (57, len(text))))
    retrieval = Retrieval("q", np.zeros(3, np.float32), (Passage(chunk, ArticleMeta("a"), 1.0),))
    keywords = KeywordIndex([], 1)
    assert premise_draft("When will the 20-year agreement with Russia be signed?", retrieval, keywords) is None
    draft = premise_draft("What does the 30-year security agreement with China cover?", retrieval, keywords)
    assert draft is not None and "25-year" in draft.text and draft.text.endswith("[1]")
    # China's agreement is 25 years; the question's 20 years is the Russia agreement: both are quoted
    draft = premise_draft("What does Iran's 20-year security agreement with China cover?", retrieval, keywords)
    assert draft is not None
    assert draft.text.endswith(
        "security agreement with China. [1] Iran and Russia have negotiated a 20-year agreement. [1]"
    )


def test_a_yes_no_question_whose_premise_is_contradicted_is_answered_no_with_the_cited_sentence(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Did Iran confirm the report?")
    assert not answer.abstained and answer.answer.startswith("No: Iran officially denied the report")
    [cited] = answer.citations
    assert cited.quote.startswith("Iran officially denied the report")
    assert engine.retriever.article_text(cited.article_id)[cited.start : cited.end] == cited.quote
