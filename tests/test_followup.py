"""Follow-up rewriting: history validation and the offline rule (the model path is in test_answering_openai)."""

import pytest

from rag.errors import QuestionError
from rag.followup import FollowUpRewriter, Turn, check_history, find_person, needs_context, rewrite_by_rule


def turns(*pairs: str) -> list[Turn]:
    return [Turn("user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(pairs)]


def test_a_pronoun_is_replaced_by_the_person_named_in_the_previous_answer() -> None:
    history = turns(
        "Who confirmed that Iran was exporting missiles to Russia?",
        "Ahmad Bakhshayesh-Ardestani, a member of the Iranian parliament’s committee, confirmed it.",
    )
    assert (
        rewrite_by_rule("And what did he say about China?", history)
        == "What did Ahmad Bakhshayesh-Ardestani say about China?"
    )


def test_only_the_first_pronoun_is_replaced_later_ones_refer_back_to_it() -> None:
    history = turns("Who is Iran’s new president?", "Masoud Pezeshkian, described as Iran’s new reformist president.")
    assert (
        rewrite_by_rule("What had he promised when he was elected?", history)
        == "What had Masoud Pezeshkian promised when he was elected?"
    )


def test_a_possessive_pronoun_becomes_a_possessive_name() -> None:
    history = turns("Who wrote the opinion piece?", "Shay Khatiri.")
    assert rewrite_by_rule("What is his job?", history) == "What is Shay Khatiri’s job?"


def test_a_surname_is_expanded_to_the_full_name_seen_earlier() -> None:
    history = turns(
        "According to Antony Blinken, how many missiles did Iran provide?",
        "As many as 200.",
        "Did Blinken suggest Russia gave Iran anything?",
        "Yes, Blinken spoke of nuclear technology.",
    )
    assert find_person([t.content for t in reversed(history)]) == "Antony Blinken"


def test_countries_and_organisations_are_not_taken_for_people() -> None:
    assert find_person(["Which countries did the United States and the European Union warn about Iran?"]) == ""


def test_a_plural_or_vague_reference_carries_the_previous_question() -> None:
    history = turns("Which countries allowed the UN missile embargo on Iran to expire?", "The United States, ...")
    assert rewrite_by_rule("When did they do that?", history) == (
        "When did they do that? (Previous question: Which countries allowed the UN missile embargo on Iran to expire?)"
    )


def test_the_fourth_one_takes_the_previous_question_with_the_ordinal_swapped() -> None:
    history = turns("What is the third explanation the article gives for the missile sale?", "That he was distracted.")
    assert (
        rewrite_by_rule("And the fourth one?", history)
        == "What is the fourth explanation the article gives for the missile sale?"
    )


def test_a_standalone_question_is_left_alone_even_with_history() -> None:
    history = turns("Who is Salal Sadatian?", "A former diplomat.")
    q = "Which capitals does the author list as home to America’s adversaries?"
    assert not needs_context(q)
    assert rewrite_by_rule(q, history) == q


def test_no_history_means_no_rewrite() -> None:
    assert FollowUpRewriter(None, 6).rewrite("What did he say?", []) == "What did he say?"


def test_only_the_last_turns_are_read() -> None:
    history = [{"role": "user", "content": f"q{i}"} for i in range(10)]
    assert [t.content for t in check_history(history, 3)] == ["q7", "q8", "q9"]
    assert check_history(history, 0) == []


@pytest.mark.parametrize(
    "history",
    ["not a list", [{"role": "system", "content": "x"}], [{"role": "user"}], [{"role": "user", "content": 3}], ["hi"]],
)
def test_malformed_history_is_a_clear_question_error(history: object) -> None:
    with pytest.raises(QuestionError, match="history"):
        check_history(history, 6)
