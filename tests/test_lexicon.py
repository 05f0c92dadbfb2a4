"""WordNet's nouns of persons (rag.lexicon): "How many people ...?" counts any kind of person."""

import json
from pathlib import Path

import pytest

from rag.answering.rules import answers_kind
from rag.answering.rules_question import analyse_question
from rag.errors import ConfigError
from rag.lexicon import PERSONS_FILE, PERSONS_SHA256, is_person_noun, load_table


def test_nouns_whose_first_sense_is_a_person_are_persons() -> None:
    for word in ("children", "settlers", "councillors", "women", "patients", "astronomers", "Pupils"):
        assert is_person_noun(word), word
    for word in ("stars", "proposals", "telescope", "heads", "people"):  # "people" is asked, not counted
        assert not is_person_noun(word), word
    assert (PERSONS_FILE.parent / "LICENSE").exists()


def test_the_table_of_persons_is_checked_against_its_pinned_hash(tmp_path: Path) -> None:
    changed = tmp_path / "persons.json"
    changed.write_text(
        json.dumps(json.loads(PERSONS_FILE.read_text(encoding="utf-8")) + ["telescope"]), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="not the pinned one.*make antonyms"):
        load_table(changed, PERSONS_SHA256, "table of person nouns")
    assert "telescope" in load_table(changed, None, "table of person nouns")


def test_how_many_people_is_answered_by_a_count_of_any_kind_of_person(engine) -> None:  # type: ignore[no-untyped-def]
    info = analyse_question("How many people were treated in hospital?")
    assert answers_kind(info, "Four children were treated in hospital, and all have since gone home.")
    assert not answers_kind(info, "Four telescopes were treated in the clean room.")
    # before: "One infected person can pass it to nine out of ten unprotected people around them,"
    # quoted, as the only sentence with a number beside "people"
    answer = engine.ask("How many people were treated in hospital?")
    assert answer.answer.startswith("Four children were treated in hospital")
