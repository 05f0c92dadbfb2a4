"""Word vectors (rag.wordvec) and the soft matching the offline rules answerer builds on them: a
question that says a fact in other words than the article ("US daily" for "Wall Street Journal
reported", "Iranian-built rockets" for "made-in-Iran missiles") is answered, not abstained on."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from rag.answering import rules
from rag.answering.rules_question import analyse_question
from rag.wordvec import WordVectors, minilm_word_vectors


class CountingEncoder:
    """A fake that behaves: the same word always gets the same unit vector; it counts what it encodes."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def __call__(self, words):  # type: ignore[no-untyped-def]
        self.encoded += list(words)
        out = np.stack([np.random.default_rng(sum(map(ord, w))).normal(size=64) for w in words])
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_each_word_is_encoded_once_and_vectors_keep_their_order() -> None:
    enc = CountingEncoder()
    wv = WordVectors(enc)
    first = wv.vectors(["wheat", "soy", "wheat"])
    assert enc.encoded == ["wheat", "soy"]
    again = wv.vectors(["soy", "missiles", "wheat"])
    assert enc.encoded == ["wheat", "soy", "missiles"]
    np.testing.assert_array_equal(first[0], again[2])
    np.testing.assert_array_equal(first[0], first[2])
    sims = wv.similarity(["wheat", "soy"], ["wheat", "missiles", "soy"])
    assert sims.shape == (2, 3)
    assert sims[0, 0] == pytest.approx(1.0) and sims[1, 2] == pytest.approx(1.0)
    assert wv.similarity([], ["wheat"]).shape == (0, 1)


def test_only_a_minilm_model_gives_word_vectors(embed_model) -> None:  # type: ignore[no-untyped-def]
    assert minilm_word_vectors(SimpleNamespace()) is None  # e.g. OpenAI's embeddings API: no call per word
    wv = minilm_word_vectors(embed_model)
    assert wv is not None
    sims = wv.similarity(["weaponry", "tehran", "cost"], ["missiles", "iran", "built"])
    # a word said another way clears SOFT_MIN, an unrelated one does not
    assert sims[0, 0] >= rules.SOFT_MIN and sims[1, 1] >= rules.SOFT_MIN
    assert sims[2, 2] < rules.SOFT_MIN


def test_soft_share_counts_words_said_another_way(embed_model) -> None:  # type: ignore[no-untyped-def]
    wv = minilm_word_vectors(embed_model)
    assert wv is not None
    info = analyse_question("Which farm commodities is Tehran getting as payment for its weaponry?")
    idf = dict.fromkeys(info.terms, 1.0)
    sentence = "Iran is bartering missiles and drones in exchange for wheat and soy."
    exact = rules.soft_share(info, sentence, idf, WordVectors(CountingEncoder()))  # unrelated vectors
    soft = rules.soft_share(info, sentence, idf, wv)
    assert exact == 0.0  # no question word is in the sentence as written
    assert soft > 0.2  # Tehran / Iran, weaponry / missiles count
    unrelated = rules.soft_share(info, "The council voted on Tuesday to build a barrier.", idf, wv)
    assert unrelated < soft


PARAPHRASED = "Which US daily said the Iranian-built rockets had turned up on Russian soil?"


def test_a_paraphrased_question_is_answered_only_with_word_vectors(engine) -> None:  # type: ignore[no-untyped-def]
    retrieval = engine.retriever.retrieve(PARAPHRASED)
    with_vectors = rules.OfflineBackend(engine.retriever).draft(PARAPHRASED, retrieval)
    assert not with_vectors.abstained
    assert "Wall Street Journal" in with_vectors.text
    exact_only = SimpleNamespace(keywords=engine.retriever.keywords, word_vectors=None)
    assert rules.OfflineBackend(exact_only).draft(PARAPHRASED, retrieval).abstained  # type: ignore[arg-type]


def test_word_vectors_raise_only_a_confidence_short_of_the_bar(engine) -> None:  # type: ignore[no-untyped-def]
    retrieval = engine.retriever.retrieve(PARAPHRASED)
    keywords = engine.retriever.keywords
    info = analyse_question(PARAPHRASED)
    best = rules.score_sentences(info, retrieval, keywords)[0]
    assert best.confidence < rules.MIN_SCORE
    raised = rules.soft_confidence(best, info, keywords, engine.retriever.word_vectors)
    assert raised.text == best.text and raised.score == best.score  # the rank stays
    assert raised.confidence >= rules.MIN_SCORE
    assert rules.soft_confidence(best, info, keywords, None) == best
    sure = replace(best, confidence=rules.MIN_SCORE + 0.1)  # already over the bar: nothing to compute
    assert rules.soft_confidence(sure, info, keywords, refusing_vectors()) == sure


def refusing_vectors() -> WordVectors:
    """Word vectors that fail the test if asked for any."""

    def refuse(words):  # type: ignore[no-untyped-def]
        raise AssertionError(f"encoded {words}")

    return WordVectors(refuse)


def test_a_superlative_is_not_said_by_its_base_word(embed_model) -> None:  # type: ignore[no-untyped-def]
    assert rules.superlative_of("biggest", "big") and rules.superlative_of("largest", "large")
    assert rules.superlative_of("earliest", "early") and rules.superlative_of("Fastest", "fast")
    assert not rules.superlative_of("big", "biggest")  # a sentence's superlative does say the base
    assert not rules.superlative_of("bigger", "big") and not rules.superlative_of("leader", "lead")
    wv = minilm_word_vectors(embed_model)
    assert wv is not None
    assert wv.similarity(["biggest"], ["big"])[0, 0] >= rules.SOFT_MIN  # what the rule is for
    info = analyse_question("Which decision was the biggest?")
    idf = dict.fromkeys(info.terms, 1.0)
    # "decision" is said; "biggest" is not, though "big" is near it
    assert rules.soft_share(info, "It was the first big decision of the year.", idf, wv) == pytest.approx(0.5)
    assert rules.soft_share(info, "It was the biggest decision of the year.", idf, wv) == pytest.approx(1.0)
