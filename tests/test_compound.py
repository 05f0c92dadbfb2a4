"""Compound questions ("Who is X, and which Y ...?"): each part is answered, and the answer joins
what answers the parts (rag.answering.question.question_parts, rag.answering.offline.joined)."""

import pytest

from rag.answering import Draft
from rag.answering.offline import joined
from rag.answering.question import question_parts
from rag.text import split_carried


def test_a_second_question_after_and_is_its_own_part_carrying_the_first() -> None:
    first, second = question_parts("What agreement has Iran signed with China, and what is it rumored to include?")
    assert first == "What agreement has Iran signed with China?"
    assert split_carried(second) == ("What is it rumored to include?", first)  # "it" points into the first


def test_a_follow_ups_carried_question_goes_with_both_parts() -> None:
    rewritten = (
        "Is there a similar deal, and what held it up? (Previous question: What deal did Iran sign with Russia?)"
    )
    first, second = question_parts(rewritten)
    assert split_carried(first) == ("Is there a similar deal?", "What deal did Iran sign with Russia?")
    assert split_carried(second) == (
        "What held it up?",
        "Is there a similar deal? What deal did Iran sign with Russia?",
    )


@pytest.mark.parametrize(
    "question",
    [
        "With whom did Blinken hold a joint press conference, and where?",  # nothing of its own to ask
        "Where and when did the investigation begin?",
        "European nations and which country disassociated themselves from the US?",
        "What did Iran sell to Russia?",
    ],
)
def test_a_question_of_one_part_is_one_part(question: str) -> None:
    assert question_parts(question) == [question]


def test_the_parts_answers_are_added_to_the_wholes_once_and_up_to_the_limit() -> None:
    whole = Draft("A is the minister. [1]", backend="offline", confidence=0.9)
    parts = [
        Draft("A is the minister. [1]", confidence=0.8),
        Draft("B was kept on. [2] B advises. [2]", confidence=0.6),
    ]
    assert joined(whole, parts, limit=4).text == "A is the minister. [1] B was kept on. [2] B advises. [2]"
    assert joined(whole, parts, limit=2).text == "A is the minister. [1] B was kept on. [2]"
    assert joined(whole, parts, limit=4).confidence == 0.6  # as sure as its least sure part
    none = Draft("The articles do not say.", abstained=True)
    assert joined(none, [none, none], limit=4) is none
    # an abstaining whole is answered by its answered parts
    assert joined(none, [none, parts[1]], limit=4).text == "B was kept on. [2] B advises. [2]"


def test_each_part_of_a_compound_question_is_answered(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask(
        "Who is Iran’s new foreign minister, and which former foreign minister was kept on as an adviser?"
    )
    assert not answer.abstained
    assert "Araghchi" in answer.answer and "Zarif" in answer.answer
