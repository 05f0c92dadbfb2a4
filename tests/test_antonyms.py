"""Antonyms (rag.antonyms, WordNet 3.0): a sentence saying the opposite of a question's word, beside
what the word stood beside, does not answer it, and a question taking the word for granted is
corrected."""

import json
from pathlib import Path

import pytest

from rag import nlp
from rag.answering.rules import answers_kind
from rag.answering.rules_question import analyse_question
from rag.antonyms import ANTONYMS_FILE, antonyms, asked_antonyms, load, says_opposite
from rag.errors import ConfigError
from tests.conftest import assert_says_otherwise

FELL = (
    "Vaccination rates among kindergarten pupils in Riverton fell from 95 percent in 2019 to 88 percent "
    "last school year, state figures show."
)


def asked(question: str):  # type: ignore[no-untyped-def]
    return asked_antonyms(nlp.parse_question(question).tokens)


def test_the_table_holds_wordnets_antonyms_with_their_irregular_forms() -> None:
    assert "exclude" in antonyms("include") and "minority" in antonyms("majority")
    assert {"fall", "fell", "fallen"} <= set(antonyms("rise"))  # WordNet's exception list: "fell" is "fall"
    assert {"worse", "worst"} <= set(antonyms("good"))
    assert antonyms("telescope") == ()
    assert (ANTONYMS_FILE.parent / "LICENSE").read_text(encoding="utf-8").startswith("WordNet Release 3.0")


def test_the_table_is_checked_against_its_pinned_hash(tmp_path: Path) -> None:
    table = json.loads(ANTONYMS_FILE.read_text(encoding="utf-8"))
    table["include"] = ["embrace"]
    changed = tmp_path / "antonyms.json"
    changed.write_text(json.dumps(table), encoding="utf-8")
    with pytest.raises(ConfigError, match="not the pinned one.*make antonyms"):
        load(changed)
    assert "embrace" in load(changed, sha256=None)["include"]  # a freshly built table, read unchecked
    with pytest.raises(ConfigError, match="missing.*restore it from git"):
        load(tmp_path / "none.json")


def test_a_questions_words_with_antonyms_carry_the_words_beside_them() -> None:
    (minority,) = [
        a for a in asked("Who was subjected to a qualified minority vote of the council?") if "minor" in a.forms
    ]
    assert "major" in minority.opposites and {"qualifi", "vote"} <= minority.beside
    assert asked("Is a problem instance abstract or concrete?") == ()  # it asks about both
    assert asked("Who did Lena Okafor call?") == ()  # names are not looked up
    # "how" asks the degree of the word: no claim for a sentence to contradict ("small populations grow")
    assert asked("How large can the sunshield grow?") == ()
    assert [a.word for a in asked("How many large mirrors were built?")] == ["large"]


def test_an_antonym_says_the_opposite_only_beside_what_the_question_put_beside_the_word() -> None:
    minority = asked("Who was subjected to a qualified minority vote of the council?")
    assert says_opposite(minority, "The plan needed a qualified majority vote of the council.")
    # the antonym elsewhere in the sentence, about something else
    assert not says_opposite(minority, "The majority party left the hall before the council held its qualified vote.")
    # the word itself is said too
    assert not says_opposite(minority, "A qualified majority vote, not a minority one, was needed.")
    # comparatives and superlatives are the word's ("smallest" / "largest")
    smallest = asked("What was the smallest outbreak in the city?")
    assert says_opposite(smallest, "It was the largest outbreak in the city in more than two decades.")
    assert not says_opposite(smallest, "It was the smaller outbreak in the city that year.")


def test_a_sentence_saying_the_opposite_of_the_question_does_not_answer_it() -> None:
    info = analyse_question("By how much did vaccination rates among kindergarten pupils rise?")
    assert not answers_kind(info, FELL)  # "fell", by seven points, is no rise
    assert answers_kind(info, FELL.replace("fell", "rose"))
    assert answers_kind(analyse_question("By how much did vaccination rates among kindergarten pupils fall?"), FELL)


def test_a_question_taking_the_opposite_for_granted_is_corrected(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Why did vaccination rates among kindergarten pupils in Riverton rise?")
    assert not answer.abstained
    assert answer.answer.startswith("The articles do not say so. However, the articles say:")
    assert "fell from 95 percent in 2019 to 88 percent" in answer.answer
    answer = engine.ask("When did vaccination rates among kindergarten pupils in Riverton fall?")
    assert "do not say so" not in answer.answer


def test_when_the_closest_sentence_says_the_opposite_the_answer_says_so_and_abstains(engine) -> None:  # type: ignore[no-untyped-def]
    # before: "Riverton's health department ... confirmed 17 cases ..., the largest outbreak in the
    # city in more than two decades." quoted as the number of cases of the smallest
    answer = engine.ask("How many cases made up the smallest outbreak in the city in more than two decades?")
    assert_says_otherwise(answer, "largest", "smallest", "the largest outbreak in the city")
    answer = engine.ask("How many cases made up the largest outbreak in the city in more than two decades?")
    assert not answer.abstained and "17 cases" in answer.answer


def test_a_word_with_a_negating_prefix_in_the_closest_sentence_is_named_as_the_reason(engine) -> None:  # type: ignore[no-untyped-def]
    from rag.answering.rules_question import opposite_by_prefix

    asked = analyse_question("For how long were the parents of vaccinated children asked to keep them at home?")
    assert opposite_by_prefix(asked.opposites, "Parents of unvaccinated children stay home.") == (
        "vaccinated",
        "unvaccinated",
    )
    assert opposite_by_prefix(asked.opposites, "Vaccinated and unvaccinated children alike.") is None
    # before: "The articles give no number for parents.", though they give one, for other parents
    answer = engine.ask("For how long were the parents of vaccinated children asked to keep them at home?")
    assert_says_otherwise(answer, "unvaccinated", "vaccinated", "Parents of unvaccinated children")


def test_a_sentence_saying_what_the_question_says_did_not_happen_does_not_answer_it(engine) -> None:  # type: ignore[no-untyped-def]
    from rag.answering.rules import affirms_denied
    from rag.answering.rules_question import negated_words

    assert negated_words("When did the court find that the use did not infringe the trademark?") == (
        ("not", "infringe"),
    )
    assert negated_words("What channel wasn't ever dropped?") == (("not", "dropped"),)
    assert negated_words("Who denied the report?") == ()  # asks who did deny it
    # "no other" says only: what the telescope sees that no other one does, it sees
    assert negated_words("What can Larkspur see that no other telescope can?") == ()
    assert negated_words("Which telescope had no fuel left?") == (("no", "fuel"),)
    asked = negated_words("Who confirmed that the cases were not caused by the same strain?")
    assert affirms_denied(asked, "The laboratory confirmed that the cases are caused by the same strain.") == (
        "not caused",
        "caused",
    )
    assert affirms_denied(asked, "The laboratory confirmed that the cases are not caused by the same strain.") is None
    # before: "The state health laboratory has confirmed that the cases are caused by the same
    # strain, ..." quoted as the answer
    answer = engine.ask("Who confirmed that the cases were not caused by the same strain?")
    assert_says_otherwise(answer, "caused", "not caused")
    answer = engine.ask("Who confirmed that the cases were caused by the same strain?")
    assert not answer.abstained and "state health laboratory" in answer.answer
