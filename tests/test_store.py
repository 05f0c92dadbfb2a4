"""rag.store: the article and chunk methods other modules use instead of Chroma's collections."""

from __future__ import annotations

from rag.ingest import ingest
from rag.store import open_store


def test_articles_are_listed_with_metadata_and_chunk_counts(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    report = ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    listed = store.list_articles()
    assert [a.id for a in listed] == sorted(report.added)
    stored = store.chunk_counts()
    assert {a.id: a.n_chunks for a in listed} == dict(stored)
    assert sum(stored.values()) == store.count_chunks() == report.chunks_total
    assert all(a.meta.title and len(a.content_hash) == 64 for a in listed)


def test_one_article_is_found_with_its_text_then_deleted(make_settings, embed_model, article_texts) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    first = store.list_articles()[0]
    found = store.find_article(first.id)
    assert found is not None
    record, text = found
    assert text == article_texts[first.id] and record.chars == len(text) and record.meta == first.meta
    assert store.find_article("no-such-article") is None
    before = store.generation()
    assert store.delete_article(first.id) is True
    assert store.generation() != before  # other processes see the change
    assert first.id not in store.chunk_counts() and store.find_article(first.id) is None
    assert store.delete_article(first.id) is False


def test_chunks_are_read_by_page_and_by_id(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings()
    ingest(s, embed_model=embed_model)
    store = open_store(s, embed_model.model_name)
    paged = list(store.iter_chunks(page=3))
    assert len(paged) == len({c.id for c in paged}) == store.count_chunks()
    assert all(c.text and c.metadata["article_id"] for c in paged)
    some = [c.id for c in paged[:4]] + ["missing-id"]
    got = store.get_chunks(some, texts=True)
    assert set(got) == set(some[:4]) and got[some[0]].text == paged[0].text
    assert sorted(store.chunk_texts()) == sorted(c.text for c in paged)
