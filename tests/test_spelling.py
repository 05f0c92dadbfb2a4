"""rag.spelling: the edit distance, and which words are read as which (hand-computed cases)."""

from collections import Counter

import pytest

from rag.retrieval import KeywordIndex
from rag.spelling import Vocabulary, correct_spelling, edit_distance, true_case


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


class Articles:
    """The little of a Library that reading a corpus's words needs: ids and texts."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.articles = dict.fromkeys(texts)
        self.keywords = KeywordIndex([], 1)  # a new index per library: vocabularies are cached by it

    def article_text(self, article_id: str) -> str:
        return self.texts[article_id]


NEWS = Articles(
    {
        "a": "The US treasury said Iran sent missiles to Russia. Officials in Iran denied it. "
        "Russia said nothing.\nIran's parliament met on Monday; us reporters asked why.",
        "b": "Critics in the US and in Russia said the deal was a mistake. Us? The US said so.",
    }
)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("HOW MANY MISSILES DID IRAN SEND TO RUSSIA?", "How many missiles did Iran send to Russia?"),
        ("how many missiles did iran send to russia?", "How many missiles did Iran send to Russia?"),
        # "US" written so more often than "us"; a word the corpus lacks in small letters, unless
        # neither the language model's lexicon nor the corpus has it or anything near it: a name
        ("WHAT DID THE US TREASURY SAY ABOUT CORRIDORS?", "What did the US treasury say about corridors?"),
        ("WHAT DID THE US TREASURY SAY ABOUT ZANGEZUR?", "What did the US treasury say about Zangezur?"),
        ("what did iran's parliament do on monday?", "What did Iran's parliament do on Monday?"),
    ],
)
def test_a_question_in_one_case_is_read_in_the_case_the_corpus_writes_its_words(typed: str, read: str) -> None:
    assert true_case(typed, NEWS) == read


def test_a_word_only_opening_sentences_in_the_corpus_is_no_name() -> None:
    # "Critics" and "Officials" open sentences only: their capital says nothing
    assert true_case("WHAT DID CRITICS AND OFFICIALS SAY?", NEWS) == "What did critics and officials say?"


def test_a_word_no_one_knows_in_a_question_in_one_case_is_a_name_but_a_typo_is_not() -> None:
    lines = Articles({"a": "The bank raised rates.\nLukas Weber, a board member, voted against."})
    # "Lukas" opens a line only, and no lexicon has it: a name; "Weber" is written inside a sentence
    assert true_case("which way did lukas weber vote?", lines) == "Which way did Lukas Weber vote?"
    assert true_case("what did zorbak say?", lines) == "What did Zorbak say?"
    # a typo the spelling could not settle ("receiving" or "relieving") and two words run together
    assert true_case("what is the bank recieving?", lines) == "What is the bank recieving?"
    assert true_case("what is the snapback rule?", lines) == "What is the snapback rule?"


def test_a_question_in_mixed_case_is_left_as_typed() -> None:
    for q in ("What did the us treasury say?", "Who is IRAN's leader?", "1999?", ""):
        assert true_case(q, NEWS) == q


def test_the_lexicon_reads_a_word_no_corpus_word_is_near_when_only_one_of_its_words_is() -> None:
    v = vocab("bridge", english=frozenset({"article", "summarize", "cat", "bat"}))
    assert v.nearest_english("aritcle") == "article"
    assert v.nearest_english("sumamrize") == "summarize"
    assert v.nearest_english("cbt") == ""  # "cat" and "bat" both one edit away: no way to choose


SPELT = Articles(
    {
        "rates": "The National Bank of Veldmark raised its rate. Veldmark's currency rose. "
        "An old gravestone stood by the bank of the river.",
    }
)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("What is Velmdark's main rate?", "What is Veldmark's main rate?"),  # before a possessive too
        ("Sumamrize the articles", "Summarize the articles"),  # no corpus word near: the lexicon's
        ("What did the bank's offciials say?", "What did the bank's officials say?"),
        ("How old are the gravestones?", "How old are the gravestones?"),  # another form of the corpus word
        ("What does the rate denotes?", "What does the rate denotes?"),  # an inflection the lexicon lacks
        ("Who traded with Genoa?", "Who traded with Genoa?"),  # a name, not the lexicon's "geno"
    ],
)
def test_misspelt_words_are_read_as_the_corpus_or_lexicon_word_meant(typed: str, read: str) -> None:
    assert correct_spelling(typed, SPELT) == read
