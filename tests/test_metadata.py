"""Questions about the articles themselves (rag.answering.metadata): who wrote one, when and where it
was published. Answered from the metadata each article states (tests/data/corpus front matter: the
telescope article by Maren Holt in The Northfield Courier of 2026-03-18, the measles one by Daniel
Ferreira, the Iran op-ed by Shay Khatiri; the Pezeshkian article names no author), cited and verified."""

import pytest

from rag.answering.metadata import asked_field


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Who wrote the article about the telescope?", "author"),
        ("Who wrote the opinion piece about the Iranian MP?", "author"),
        ("Who is the author of this article?", "author"),
        ("Who are the authors of the two articles?", "author"),
        ("Who wrote it?", "author"),
        ("When was the article about measles published?", "published"),
        ("What is the publication date of the story?", "published"),
        ("Which newspaper published the article about the telescope?", "outlet"),
        ("Where was the op-ed published?", "outlet"),
        # questions about what the articles report, not about the articles
        ("Who wrote that imperialism is the highest stage of capitalism?", ""),
        ("Who wrote the letter to the UN?", ""),
        ("Why, according to the author, is the trade done by barter?", ""),
        ("When was the telescope launched?", ""),
        ("Who published the report on missile exports?", ""),
    ],
)
def test_a_question_about_an_article_is_told_from_one_about_its_contents(question: str, field: str) -> None:
    assert asked_field(question) == field


def test_the_author_comes_from_the_articles_metadata_and_is_cited(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Who wrote the article about the Larkspur telescope?")
    assert not answer.abstained
    assert "was written by Maren Holt" in answer.answer and "[1]" in answer.answer  # the verifier kept it
    assert [c.article_id for c in answer.citations] == ["101_larkspur_telescope"]
    assert answer.citations[0].author == "Maren Holt"


def test_an_article_without_an_author_says_so_and_names_no_one(engine) -> None:  # type: ignore[no-untyped-def]
    # Shay Khatiri wrote the other Iran article, and the texts name many people: none of them is this author
    answer = engine.ask("Who wrote the article about Pezeshkian's presidency and the missile sale?")
    assert answer.abstained
    assert "do not name the author" in answer.answer and "limits of Pezeshkian" in answer.answer
    assert "Khatiri" not in answer.answer


def test_the_articles_authors_are_listed_each_with_its_title(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Who wrote the articles?")
    for author in ("Maren Holt", "Daniel Ferreira", "Shay Khatiri"):
        assert f"was written by {author}" in answer.answer
    assert "do not name the author of “Iran's missile sale" in answer.answer
    assert len(answer.citations) == 3


def test_date_and_outlet_are_the_metadatas(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("When was the article about the measles clinics published?")
    assert "was published on February 9, 2026" in answer.answer  # the verifier's own wording of the date
    assert [c.article_id for c in answer.citations] == ["102_riverton_measles"]
    answer = engine.ask("Which newspaper published the article about the telescope images?")
    assert "was published by The Northfield Courier" in answer.answer
    answer = engine.ask("Where was the article about the Iranian lawmaker published?")
    assert answer.abstained and "do not say where" in answer.answer


def test_an_article_described_by_its_kind_and_topic_is_found(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Who wrote the opinion piece about the Iranian lawmaker?")  # the text never says "opinion"
    assert "was written by Shay Khatiri" in answer.answer, answer.answer
    # a description whose rare word no article says is not matched: it is named, and the titles shown
    answer = engine.ask("Who wrote the opinion piece about the Iranian MP?")
    assert answer.abstained and answer.answer == "The articles do not mention “MP”.", answer.answer
    assert "An Iranian lawmaker confirms missile exports to Russia" in answer.notice


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the article about the flood barrier?",
        "Which newspaper published the article about the volcano eruption?",
        "When was the story on the airport strike published?",
    ],
)
def test_a_question_about_an_article_no_one_wrote_says_so_and_names_no_author(engine, question) -> None:  # type: ignore[no-untyped-def]
    # answering with another article's author, date or outlet would answer a question nobody asked
    answer = engine.ask(question)
    assert answer.abstained and not answer.citations, answer.answer
    assert answer.answer.startswith("The articles do not mention “"), answer.answer
    for author in ("Maren Holt", "Daniel Ferreira", "Shay Khatiri", "Northfield"):
        assert author not in answer.answer
    assert "The Larkspur" in answer.notice or "Larkspur" in answer.notice  # the titles there are


def test_whom_an_author_writes_for_is_what_the_metadata_says_she_wrote_and_who_published_it(engine) -> None:  # type: ignore[no-untyped-def]
    for question in ("Who does Maren Holt work for?", "Which newspaper does Holt write for?"):
        answer = engine.ask(question)
        assert not answer.abstained, answer.answer
        assert "was written by Maren Holt" in answer.answer
        assert "was published by The Northfield Courier" in answer.answer
        assert {c.article_id for c in answer.citations} == {"101_larkspur_telescope"}  # the verifier kept both
    # an author the text names too (the op-ed's author's note): the text says what he is
    answer = engine.ask("Where does Shay Khatiri work?")
    assert "was written by" not in answer.answer and "Yorktown Institute" in answer.answer, answer.answer
    # a person the text names, no author: the rules answer from the text, not the metadata
    answer = engine.ask("Where does Lena Okafor work?")
    assert "was written by" not in answer.answer and "Courier" not in answer.answer
