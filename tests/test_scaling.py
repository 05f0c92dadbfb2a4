"""What keeps retrieval fast on big shared stores without changing its results: the store's
generation token, slim nodes on both sides of the fusion, sentence vectors read at the end."""

from collections.abc import Callable

import pytest

from rag import retrieval
from rag.config import Settings
from rag.ingest import ingest
from rag.retrieval import BULKY_KEY, Retriever, _slim_node
from rag.store import open_store

NEW_ARTICLE = "The Lisbon aquarium opened an octopus exhibit on March 3, 2025, its director Ana Sousa said.\n"


@pytest.fixture
def settings(make_settings: Callable[..., Settings], embed_model) -> Settings:  # type: ignore[no-untyped-def]
    s = make_settings()
    ingest(s, embed_model=embed_model)
    return s


def test_every_change_replaces_the_generation(settings: Settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    store = open_store(settings, embed_model.model_name)
    first = store.generation()
    assert first is not None
    assert ingest(settings, embed_model=embed_model).chunks_embedded == 0
    assert store.generation() == first  # nothing changed, nothing to rebuild elsewhere
    (settings.corpus_dir / "new_lisbon.txt").write_text(NEW_ARTICLE)
    ingest(settings, embed_model=embed_model)
    second = store.generation()
    assert second not in (None, first)
    (settings.corpus_dir / "new_lisbon.txt").unlink()
    ingest(settings, embed_model=embed_model)
    assert store.generation() not in (None, first, second)


def test_index_without_a_generation_gets_one_from_the_next_ingest(settings: Settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    store = open_store(settings, embed_model.model_name)
    store._articles.modify(metadata={"generation": None})  # as written before the token existed
    assert store.generation() is None
    ingest(settings, embed_model=embed_model)
    assert store.generation() is not None


def test_retriever_sees_another_writer_after_the_refresh_interval(
    settings: Settings, embed_model, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    reader = Retriever(open_store(settings, embed_model.model_name), embed_model, settings)
    before = reader.keywords.size
    (settings.corpus_dir / "new_lisbon.txt").write_text(NEW_ARTICLE)
    ingest(settings, embed_model=embed_model)  # the writer: its own Store object, like another process
    reader.retrieve("octopus exhibit")
    assert reader.keywords.size == before  # within the interval: not looked yet
    monkeypatch.setattr(retrieval, "REFRESH_SECONDS", 0.0)
    passages = reader.retrieve("octopus exhibit").passages
    assert reader.keywords.size == before + 1
    assert passages[0].article_id == "new_lisbon"


def test_keyword_nodes_match_the_dense_nodes_fusion_merges(engine) -> None:  # type: ignore[no-untyped-def]
    # LlamaIndex's fusion identifies a node by hash(text + metadata): both sides must agree
    dense = engine.retriever._dense.retrieve("Iran missiles wheat soy")
    got = engine.retriever.store.get_chunks([r.node.node_id for r in dense], texts=True)
    slim = {i: _slim_node(i, c.text, c.metadata) for i, c in got.items()}
    for r in dense:
        assert BULKY_KEY not in r.node.metadata
        assert slim[r.node.node_id].hash == r.node.hash
        assert slim[r.node.node_id].get_content("embed") == r.node.get_content("embed")


def test_keyword_only_hits_still_get_their_sentence_vectors(engine, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    retriever = engine.retriever
    monkeypatch.setattr(retriever, "_packed", {})  # nothing cached from the dense side
    monkeypatch.setattr(retriever._dense, "_packed", {})
    monkeypatch.setattr(retriever._dense, "_retrieve", lambda bundle: [])  # keyword side only
    passages = retriever.retrieve("Hashd al-Shaabi").passages
    assert passages
    for p in passages:
        assert p.sentence_vectors is not None and len(p.sentence_vectors) == len(p.chunk.sentences)
