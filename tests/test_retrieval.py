import pytest

# (question, a phrase that the top passages must contain)
CASES = [
    ("What does Iran get in exchange for its missiles?", "wheat and soy"),
    ("When did the UN embargo on missile trade with Iran expire?", "In October 2023"),
    ("How many missiles did Blinken say Iran provided?", "as many as 200"),
    ("Who are the true foreign policy power brokers in Iran?", "Islamic Revolutionary Guard Corps"),
    ("What did Araghchi criticize Russia for?", "Azerbaijan-Turkey corridor"),
    ("How long is the security agreement between Iran and China?", "25-year security agreement"),
    ("What growth target did Salal Sadatian mention?", "8% growth"),
    ("Project 360 training of Russian personnel", "Project 360"),
]


@pytest.mark.parametrize(("question", "phrase"), CASES)
def test_right_passage_in_top_three(engine, question: str, phrase: str) -> None:  # type: ignore[no-untyped-def]
    passages = engine.retriever.retrieve(question).passages
    assert any(phrase in p.chunk.text for p in passages[:3]), [p.chunk.text[:60] for p in passages[:3]]


def test_passages_carry_metadata_offsets_and_fused_scores(engine, article_texts) -> None:  # type: ignore[no-untyped-def]
    r = engine.retriever.retrieve("Iran missiles Russia wheat")
    assert 0 < len(r.passages) <= engine.settings.top_k
    scores = [p.score for p in r.passages]
    assert scores == sorted(scores, reverse=True)
    for p in r.passages:
        assert article_texts[p.article_id][p.chunk.start : p.chunk.end] == p.chunk.text
        assert p.meta.title and p.sentence_vectors is not None
        assert len(p.sentence_vectors) == len(p.chunk.sentences)


def test_keyword_side_finds_rare_exact_terms(engine) -> None:  # type: ignore[no-untyped-def]
    # a rare name that dense retrieval alone tends to miss
    passages = engine.retriever.retrieve("Hashd al-Shaabi").passages
    assert "Hashd al-Shaabi" in passages[0].chunk.text
