from pathlib import Path

import pytest

from rag.chunking import CHUNKING_VERSION
from rag.errors import IndexCorruptError, IndexMissingError
from rag.ingest import ingest, pack_vectors, unpack_vectors
from rag.store import open_store
from tests.conftest import CORPUS_IDS


def _chunk_ids_by_article(settings, embed_model) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    store = open_store(settings, embed_model.model_name)
    out: dict[str, list[str]] = {}
    for chunk in store.iter_chunks(texts=False):
        out.setdefault(chunk.metadata["article_id"], []).append(chunk.id)
    return out


def test_first_ingest_then_nothing_to_do(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    first = ingest(s, embed_model=embed_model)
    assert len(first.added) == len(CORPUS_IDS) and first.chunks_embedded == first.chunks_total > 0
    again = ingest(s, embed_model=embed_model)
    assert again.unchanged == len(CORPUS_IDS) and again.chunks_embedded == 0 and not again.added
    assert again.chunks_total == first.chunks_total


def test_add_change_remove_without_duplicates(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    base = ingest(s, embed_model=embed_model)
    corpus: Path = s.corpus_dir
    (corpus / "extra.txt").write_text("---\nid: extra\n---\nA third article about wheat prices in Kazan.")
    added = ingest(s, embed_model=embed_model)
    assert added.added == ["extra"] and added.chunks_embedded == 1
    assert added.chunks_total == base.chunks_total + 1

    path = corpus / "002_20c69bec0f205d41.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing paragraph.", encoding="utf-8")
    changed = ingest(s, embed_model=embed_model)
    assert changed.updated == ["002_20c69bec0f205d41"]
    # only the chunks whose text changed are embedded again, the rest are kept
    assert 0 < changed.chunks_embedded <= 2 and changed.chunks_deleted == changed.chunks_embedded - 1

    (corpus / "000_15236a54c3d0a701.txt").unlink()
    removed = ingest(s, embed_model=embed_model)
    assert removed.removed == ["000_15236a54c3d0a701"]
    ids = _chunk_ids_by_article(s, embed_model)
    assert set(ids) == set(CORPUS_IDS) - {"000_15236a54c3d0a701"} | {"extra"}
    all_ids = [i for group in ids.values() for i in group]
    assert len(all_ids) == len(set(all_ids)) == removed.chunks_total
    assert set(open_store(s, embed_model.model_name).indexed_articles()) == set(ids)


def test_broken_file_is_skipped_and_reported(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    (s.corpus_dir / "broken.txt").write_bytes(b"\xff\xfe bad")
    report = ingest(s, embed_model=embed_model)
    assert len(report.added) == len(CORPUS_IDS)
    assert "broken.txt: not UTF-8" in report.summary()


def test_orphan_chunks_from_an_interrupted_ingest_are_removed(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    # simulate a crash after an article's chunks were written but before its record was
    store._articles.delete(ids=["000_15236a54c3d0a701"])
    (s.corpus_dir / "000_15236a54c3d0a701.txt").unlink()
    report = ingest(s, embed_model=embed_model)
    assert report.chunks_deleted > 0
    assert set(_chunk_ids_by_article(s, embed_model)) == set(CORPUS_IDS) - {"000_15236a54c3d0a701"}


def test_missing_and_corrupt_index_say_what_to_run(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    with pytest.raises(IndexMissingError, match="python -m rag ingest"):
        open_store(s, embed_model.model_name)
    s.index_dir.mkdir()
    (s.index_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        open_store(s, embed_model.model_name)
    report = ingest(s, embed_model=embed_model, rebuild=True)
    assert sorted(report.added) == CORPUS_IDS
    assert sorted(p.stem for p in s.corpus_dir.glob("*.txt")) == CORPUS_IDS  # the corpus is untouched


def test_sentence_vectors_survive_packing() -> None:
    import numpy as np

    v = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    back = unpack_vectors(pack_vectors(v))
    assert back is not None and back.shape == (3, 384)
    assert (back * v).sum(1).min() > 0.999
    assert unpack_vectors(pack_vectors(v[:0])) is None


def test_index_of_another_format_version_is_refused_until_rebuilt(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    kept = {k: v for k, v in (store._chunks.metadata or {}).items() if not k.startswith("hnsw:")}
    store._chunks.modify(metadata={**kept, "schema": 1})  # as written by the previous format
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        open_store(s, embed_model.model_name)
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        ingest(s, embed_model=embed_model)  # no silent reuse of stale vectors
    assert sorted(ingest(s, embed_model=embed_model, rebuild=True).added) == CORPUS_IDS
    open_store(s, embed_model.model_name)


def test_articles_cut_by_another_chunking_version_are_chunked_again(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    first = ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    assert {a.chunking for a in store.list_articles()} == {CHUNKING_VERSION}
    old = store._articles.get(ids=["000_15236a54c3d0a701"], include=["metadatas"])["metadatas"][0]
    store._articles.update(ids=["000_15236a54c3d0a701"], metadatas=[{**old, "chunking": ""}])  # as an older version
    again = ingest(s, embed_model=embed_model)
    assert again.updated == ["000_15236a54c3d0a701"] and again.unchanged == len(CORPUS_IDS) - 1
    assert again.chunks_embedded == 0 and again.chunks_total == first.chunks_total  # cut the same: nothing to embed
    assert {a.chunking for a in open_store(s, embed_model.model_name).list_articles()} == {CHUNKING_VERSION}


def test_open_or_build_with_update_brings_the_index_up_to_date_first(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    from rag import open_or_build

    s = make_settings()
    said: list[str] = []
    engine = open_or_build(s, on_build=said.append, update=True)  # no index yet: built, and said so
    assert said[0].startswith("No index yet") and said[1].startswith(f"indexed {len(CORPUS_IDS)} new")
    assert sorted(engine.retriever.articles) == CORPUS_IDS
    said.clear()
    open_or_build(s, on_build=said.append, update=True)
    assert said == []  # unchanged corpus: nothing to say
    (s.corpus_dir / "extra.txt").write_text("---\nid: extra\n---\nThe octopus exhibit in Lisbon reopens on Monday.")
    engine = open_or_build(s, on_build=said.append, update=True)
    assert said and said[0].startswith("indexed 1 new") and "extra" in engine.retriever.articles
