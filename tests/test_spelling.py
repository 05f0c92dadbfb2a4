"""rag.spelling: the edit distance, and which words are read as which (hand-computed cases)."""

from collections import Counter

import pytest

from rag.retrieval import KeywordIndex
from rag.spelling import Vocabulary, edit_distance


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("missiles", "misiles", 1),
        ("russia", "rusia", 1),
        ("pezeshkian", "pezeshkain", 1),
        ("form", "from", 1),
        ("kitten", "sitting", 3),
        ("abc", "abc", 0),
    ],
)
def test_edit_distance_counts_insertions_deletions_substitutions_and_transpositions(
    a: str, b: str, distance: int
) -> None:
    assert edit_distance(a, b, 5) == distance


def test_edit_distance_stops_early_past_its_limit() -> None:
    assert edit_distance("telescope", "bridge", 1) == 2


def vocab(*words: str, english: frozenset[str] = frozenset()) -> Vocabulary:
    return Vocabulary(Counter(words), KeywordIndex([], 1), english)


def test_the_nearest_corpus_word_within_one_edit_wins_the_most_frequent_on_a_tie() -> None:
    v = vocab("missiles", "missiles", "missives")
    assert v.nearest("misiles") == "missiles"
    assert v.nearest("zangezur") == ""  # nothing near: left alone


def test_a_short_word_gets_one_edit_a_long_one_two() -> None:
    v = vocab("bakhshayesh", "telescope")
    assert v.nearest("bakshayesh") == "bakhshayesh"
    assert v.nearest("bakshayes") == "bakhshayesh"  # two edits on a long word
    assert v.nearest("telscpe") == ""  # two edits on a word under nine letters: no


def test_an_english_word_is_known_even_when_the_corpus_lacks_it() -> None:
    v = vocab("extent", english=frozenset({"extend"}))
    assert v.knows("extend") and not v.knows("extnt")
