"""Enumerations (rag.answering.enumeration): "List the three reasons ...", "What is the second
reason ...?", answered with the sentences an article enumerates, on a small corpus of its own:
an analysis piece on a port strike that lists its causes, and a news story that only counts."""

from __future__ import annotations

import pytest

from rag.answering.enumeration import asked, runs

STRIKE = """---
id: strike
title: Why the dockers of Halvik walked out
author: Mira Holm
---
The dockers of Halvik stopped work on Monday, closing the country's second-largest container port.
Analysts see three reasons for the strike.
The first is that wages at the port have not risen since 2019, while rents in the city doubled.
The second reason is the plan to automate two of the five container terminals. \
The port authority says the machines would replace about 400 jobs over a decade. Union leaders say no one asked them.
The third is that the port's new owner, the Norhavn group, cancelled the pension agreement in March.
The union's leader, Petra Lund, said the strike would last until the owner returns to talks.
"""
FERRY = """---
id: ferry
title: Ferry line adds two boats
author: Jon Aas
---
The ferry line to the islands will add two boats next summer, the operator said on Tuesday.
The first boat will be delivered in May and the other in June.
Tickets will cost the same as this year, the operator said.
"""


@pytest.fixture(scope="module")
def engine(corpus_engine):  # type: ignore[no-untyped-def]
    return corpus_engine("enumeration", {"strike.txt": STRIKE, "ferry.txt": FERRY})


def body(text: str) -> str:
    return text.split("---\n", 2)[2]


def test_an_enumeration_is_found_by_its_ordinals_in_order() -> None:
    text = body(STRIKE)
    (run,) = runs("strike", text)
    assert text[run.announce[0] : run.announce[1]] == "Analysts see three reasons for the strike."
    assert [text[s:e].split()[1] for s, e in run.items] == ["first", "second", "third"]
    # "The first boat ... the other" is no enumeration: no "second" follows
    assert runs("ferry", body(FERRY)) == []


def test_what_the_question_asks_for() -> None:
    a = asked("List the three reasons for the strike.")
    assert (a.count, a.which, a.noun) == (3, None, "reason")
    a = asked("What is the second reason the analysts give?")
    assert (a.count, a.which, a.noun) == (None, 2, "reason")
    assert asked("List the causes of the strike.").count == 0  # every item
    assert asked("What do the two articles say about the strike?").count is None  # counts articles, not items
    assert asked("When will the boats arrive?") == asked("Who leads the union?")  # neither


def test_a_list_question_quotes_the_announcement_and_every_item(engine) -> None:  # type: ignore[no-untyped-def]
    a = engine.ask("What three reasons for the strike do analysts see?")
    assert not a.abstained, a.answer
    for fact in ("three reasons", "wages", "automate", "pension"):
        assert fact in a.answer, a.answer
    assert len(a.citations) == 4 and not a.dropped  # verbatim: the verifier keeps every sentence


def test_an_item_asked_by_its_ordinal_is_quoted_with_its_next_sentence(engine) -> None:  # type: ignore[no-untyped-def]
    a = engine.ask("What is the second reason for the strike?")
    assert not a.abstained, a.answer
    assert a.answer.startswith("The second reason is the plan to automate")
    assert "400 jobs" in a.answer and "wages" not in a.answer


def test_a_count_of_other_things_is_no_enumeration(engine) -> None:  # type: ignore[no-untyped-def]
    # the strike piece enumerates reasons, not boats: the ordinary answer, about the ferry
    a = engine.ask("What two boats will the ferry line add?")
    assert "ferry" in a.answer.lower() and "reason" not in a.answer.lower()


def test_an_enumeration_asked_of_an_article_the_corpus_lacks_is_not_taken_from_another(engine) -> None:  # type: ignore[no-untyped-def]
    a = engine.ask("List the three reasons the article about the volcano eruption gives")
    assert a.abstained and not a.citations, a.answer
    assert a.answer == "The articles do not mention “volcano eruption”.", a.answer
    # named by words it says, the article is found as before
    a = engine.ask("List the three reasons the article about the dockers gives for the strike")
    assert not a.abstained and "wages" in a.answer, a.answer
