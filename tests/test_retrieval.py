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


class _Fixed:
    """A retriever that returns the same ranked chunks for any question (what the fusion sees)."""

    def __new__(cls, ranked: list[tuple[str, float]]):  # type: ignore[no-untyped-def]
        from llama_index.core.retrievers import BaseRetriever
        from llama_index.core.schema import NodeWithScore, TextNode

        class Fixed(BaseRetriever):
            def _retrieve(self, query_bundle):  # type: ignore[no-untyped-def]
                return [NodeWithScore(node=TextNode(id_=i, text=f"chunk {i}"), score=s) for i, s in ranked]

        return Fixed()


def test_fusion_keeps_each_retrievers_best_hit() -> None:
    """Plain reciprocal rank fusion drops "rare" (keyword side's first, dense side's last); ours
    adds it after the top k, which stays as RRF gives it."""
    from llama_index.core import QueryBundle
    from llama_index.core.llms import MockLLM
    from llama_index.core.retrievers import QueryFusionRetriever
    from llama_index.core.retrievers.fusion_retriever import FUSION_MODES

    from rag.retrieval import KeepTopsFusion

    common = [f"c{i}" for i in range(8)]
    dense = [(c, 1.0 - i / 10) for i, c in enumerate(common)] + [("rare", 0.05)]
    keyword = [("rare", 9.0)] + [(c, 5.0 - i / 10) for i, c in enumerate(common)]

    def fused(cls):  # type: ignore[no-untyped-def]
        f = cls(
            [_Fixed(dense), _Fixed(keyword)],
            mode=FUSION_MODES.RECIPROCAL_RANK,
            similarity_top_k=4,
            num_queries=1,
            use_async=False,
            llm=MockLLM(),
        )
        return [n.node.node_id for n in f.retrieve(QueryBundle("q"))]

    plain = fused(QueryFusionRetriever)
    ours = fused(KeepTopsFusion)
    assert "rare" not in plain
    assert ours == plain + ["rare"]


@pytest.mark.parametrize(
    ("name", "mentioned"),
    [
        ("ukraine", True),
        ("ukrainian", True),  # the text says "Ukraine's"
        ("iran", True),  # the text says only "Iranian"
        ("austrian", True),
        ("australia", False),  # not Austria's demonym: a place the text never names
        ("russia", False),
        ("kyiv", False),
    ],
)
def test_a_name_is_mentioned_as_written_or_as_its_demonym_or_place(name: str, mentioned: bool) -> None:
    from llama_index.core.schema import TextNode

    from rag.retrieval import KeywordIndex

    index = KeywordIndex([TextNode(text="Missiles hit Ukraine’s grid. Iranian drones flew. Austria voted.")], 3)
    assert index.mentions(name) is mentioned


def test_a_demonym_of_a_place_the_articles_name_is_not_missing(engine) -> None:  # type: ignore[no-untyped-def]
    a = engine.ask("Which Ukrainian targets are the missiles expected to hit?")
    assert "do not mention" not in a.answer
    assert not a.abstained and "energy infrastructure" in a.answer
