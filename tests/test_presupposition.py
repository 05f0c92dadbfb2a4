"""False premises of who did what (rag.answering.premise.presupposition_draft): "Why did X deny the
report?" when the articles have X confirm it and someone else deny it."""

from rag.answering.premise import _verb_and_subject


def test_the_questions_verb_and_the_names_of_its_subject_are_read_from_the_parse() -> None:
    assert _verb_and_subject("Why did Ahmad Bakhshayesh-Ardestani deny the report?") == (
        "deny",
        "deny",
        {"ahmad", "bakhshayesh", "ardestani"},
    )
    assert _verb_and_subject("Why did the ministry deny the report?")[2] == set()  # names no one


def test_a_premise_that_the_subject_did_what_someone_else_did_is_corrected_with_both_sentences(engine) -> None:  # type: ignore[no-untyped-def]
    # (with "the Wall Street Journal report" the denial, "Iran officially denied the report", shares too
    # little of the question, MIN_SHARED, to count as being about the same thing: no correction then)
    answer = engine.ask("Why did Ahmad Bakhshayesh-Ardestani deny the report?")
    assert not answer.abstained
    assert answer.answer.startswith("The articles do not say so.")
    assert "Iran officially denied the report" in answer.answer  # who did deny it
    assert "confirmed that Iran was exporting missiles" in answer.answer  # what he did instead
    assert len(answer.citations) == 2


def test_a_premise_the_articles_state_is_answered_as_usual(engine) -> None:  # type: ignore[no-untyped-def]
    answer = engine.ask("Why did Ahmad Bakhshayesh-Ardestani confirm the missile exports?")
    assert "do not say so" not in answer.answer
    answer = engine.ask("Why did Iran deny the Wall Street Journal report?")  # Iran did deny it
    assert "do not say so" not in answer.answer
