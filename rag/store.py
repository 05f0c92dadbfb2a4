"""Chroma behind one function: open_store(settings) -> Store (embedded folder or Chroma server).

Two collections: `<name>` holds chunk vectors (read and written through LlamaIndex's
ChromaVectorStore), `<name>__articles` holds one record per article (its full text and metadata)
so that citations, the keyword index and other replicas need nothing but the store.
This module does not chunk, embed or rank.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from llama_index.core.schema import BaseNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMissingError
from rag.types import ArticleMeta

log = logging.getLogger(__name__)

# Bump when what ingest stores changes meaning (v2: per-vector scaled int8 sentence vectors;
# v3: each chunk's sentence analysis, rag.nlp.pack_facts; v4: with each sentence's relations and
# proper-noun subject); an index of another version is refused with what to run, never read silently.
SCHEMA_VERSION = 4
GENERATION_KEY = "generation"  # metadata of the articles collection, see Store.generation


PAGE = 5000  # chunks per read when every chunk is walked (Chroma caps a read at a few thousand+)
# Library loggers of the store, quietened by the entry points (rag.quiet_libraries).
LIBRARY_LOGGERS = ("chromadb",)


class StoredChunk(NamedTuple):
    """One chunk as the store holds it: its id, text and Chroma's flat metadata."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class IndexedArticle:
    """One article record: its metadata, the hash of what was indexed, and its chunk count."""

    meta: ArticleMeta
    content_hash: str
    n_chunks: int  # as ingest wrote it with the record
    chunking: str = ""  # rag.chunking.CHUNKING_VERSION it was cut with ("" before versions were kept)
    chars: int = 0  # length of the stored text (0 when not read)

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass
class Store:
    """The two collections behind small typed methods; the only code that calls Chroma.

    vector_store is LlamaIndex's adapter over the chunk collection (retrieval reads through it,
    ingest writes through add_nodes). The collections themselves are private: tests that damage an
    index on purpose reach them as _chunks / _articles.
    """

    client: ClientAPI
    _chunks: Collection
    _articles: Collection
    vector_store: ChromaVectorStore
    location: str

    # ---------------------------------------------------------------- articles

    def indexed_articles(self) -> dict[str, dict[str, Any]]:
        """article id -> its stored metadata (including content_hash and n_chunks)."""
        got = self._articles.get(include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [])}

    def list_articles(self) -> list[IndexedArticle]:
        """Every article record, sorted by id (metadata only: the texts are not read)."""
        return sorted((_indexed(i, md) for i, md in self.indexed_articles().items()), key=lambda a: a.id)

    def find_article(self, article_id: str) -> tuple[IndexedArticle, str] | None:
        """One article's record and its full text, or None when no article has this id."""
        got = self._articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        text = str((got["documents"] or [""])[0])
        record = _indexed(article_id, dict((got["metadatas"] or [{}])[0] or {}))
        return IndexedArticle(record.meta, record.content_hash, record.n_chunks, record.chunking, len(text)), text

    def article_text(self, article_id: str) -> str:
        found = self.find_article(article_id)
        if found is None:
            raise IndexCorruptError(
                f"Article {article_id!r} has chunks but no article record; "
                "run `python -m rag ingest` to repair the index"
            )
        return found[1]

    def put_article(self, meta: ArticleMeta, text: str, content_hash: str, n_chunks: int, chunking: str = "") -> None:
        self.put_articles([(meta, text, content_hash, n_chunks)], chunking)

    def put_articles(self, records: list[tuple[ArticleMeta, str, str, int]], chunking: str = "") -> None:
        """put_article for many articles in one call (bulk loads); chunking names how they were cut."""
        self._articles.upsert(
            ids=[meta.id for meta, _, _, _ in records],
            documents=[text for _, text, _, _ in records],
            metadatas=[
                {**m.as_metadata(), "content_hash": h, "n_chunks": n, "chunking": chunking} for m, _, h, n in records
            ],
            embeddings=_article_vectors(len(records)),
        )
        self.touch()

    def delete_article(self, article_id: str) -> bool:
        """Delete an article's chunks and record; False when no such article was indexed."""
        existed = bool(self._articles.get(ids=[article_id], include=[])["ids"])
        self._chunks.delete(where={"article_id": article_id})
        self._articles.delete(ids=[article_id])
        self.touch()
        return existed

    # ---------------------------------------------------------------- chunks

    def add_nodes(self, nodes: Sequence[BaseNode], batch: int = 1000) -> None:
        """Write chunk nodes (with their embeddings) through LlamaIndex's adapter, a batch at a time
        (Chroma caps a batch at a few thousand)."""
        for i in range(0, len(nodes), batch):
            self.vector_store.add(list(nodes[i : i + batch]))

    def count_chunks(self) -> int:
        return int(self._chunks.count())

    def chunk_counts(self) -> Counter[str]:
        """article id -> number of chunks actually stored (ingest's n_chunks says what it wrote)."""
        return Counter(str(c.metadata.get("article_id", "")) for c in self.iter_chunks(texts=False))

    def iter_chunks(self, texts: bool = True, page: int = PAGE) -> Iterator[StoredChunk]:
        """Every stored chunk, read a page at a time (text "" when texts=False)."""
        include: Any = ["documents", "metadatas"] if texts else ["metadatas"]
        offset = 0
        while True:
            got = self._chunks.get(include=include, limit=page, offset=offset)
            docs = got["documents"] or [""] * len(got["ids"])
            for chunk_id, text, md in zip(got["ids"], docs, got["metadatas"] or []):
                yield StoredChunk(chunk_id, text or "", dict(md or {}))
            if len(got["ids"]) < page:
                return
            offset += page

    def chunk_texts(self) -> list[str]:
        """The text of every stored chunk (benchmarks embed them again)."""
        got = self._chunks.get(include=["documents"])
        return [t or "" for t in got["documents"] or []]

    def get_chunks(self, ids: Sequence[str], texts: bool = False) -> dict[str, StoredChunk]:
        """chunk id -> the stored chunk, for the ids found (one read)."""
        if not ids:
            return {}
        include: Any = ["documents", "metadatas"] if texts else ["metadatas"]
        got = self._chunks.get(ids=list(ids), include=include)
        docs = got["documents"] or [""] * len(got["ids"])
        return {i: StoredChunk(i, t or "", dict(m or {})) for i, t, m in zip(got["ids"], docs, got["metadatas"] or [])}

    def delete_chunks(self, ids: list[str]) -> None:
        self._chunks.delete(ids=ids)
        self.touch()

    def chunk_ids(self, article_id: str) -> set[str]:
        return self.chunk_ids_of([article_id])

    def chunk_ids_of(self, article_ids: list[str]) -> set[str]:
        """Ids of the stored chunks of any of these articles (one read)."""
        where: Any = {"article_id": {"$in": article_ids}}
        return set(self._chunks.get(where=where, include=[])["ids"])

    def orphan_chunk_ids(self, article_ids: list[str]) -> list[str]:
        where: Any = {"article_id": {"$nin": article_ids}} if article_ids else None
        return list(self._chunks.get(where=where, include=[])["ids"])

    # ---------------------------------------------------------------- changes

    def generation(self) -> str | None:
        """A token that every change made through this class replaces: a cheap "did anything change?"
        for other processes (None for an index written before this token existed)."""
        fresh = self.client.get_collection(self._articles.name, embedding_function=None)
        value = (fresh.metadata or {}).get(GENERATION_KEY)
        return str(value) if value is not None else None

    def touch(self) -> None:
        """Replace the generation token: tells other processes that the index changed."""
        self._articles.modify(metadata={GENERATION_KEY: uuid.uuid4().hex})

    def article_chars(self, page: int = 500) -> dict[str, int]:
        """article id -> length of its stored text, read page by page (listings)."""
        out: dict[str, int] = {}
        offset = 0
        while True:
            got = self._articles.get(include=["documents"], limit=page, offset=offset)
            out.update((i, len(d or "")) for i, d in zip(got["ids"], got["documents"] or []))
            if len(got["ids"]) < page:
                return out
            offset += page


def _article_vectors(n: int) -> np.ndarray:
    # Article records carry no meaningful vector; Chroma needs one, so each gets the same constant.
    return np.ones((n, 1), dtype=np.float32)


def meta_from_record(article_id: str, md: Mapping[str, object]) -> ArticleMeta:
    """An article record's metadata (as put_articles wrote it) -> ArticleMeta."""
    return ArticleMeta(
        id=article_id,
        title=str(md.get("title", "")),
        title_is_editorial=bool(md.get("title_is_editorial", False)),
        author=str(md.get("author", "")),
        outlet=str(md.get("outlet", "")),
        published=str(md.get("published", "")),
        url=str(md.get("url", "")),
    )


def _indexed(article_id: str, md: Mapping[str, object]) -> IndexedArticle:
    n_chunks = md.get("n_chunks", 0)
    return IndexedArticle(
        meta_from_record(article_id, md),
        content_hash=str(md.get("content_hash", "")),
        n_chunks=int(n_chunks) if isinstance(n_chunks, int | float | str) else 0,
        chunking=str(md.get("chunking", "")),
    )


def make_client(settings: Settings) -> ClientAPI:
    chroma_settings = chromadb.config.Settings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        headers = {}
        if settings.chroma_token is not None:
            headers["Authorization"] = f"Bearer {settings.chroma_token.get_secret_value()}"
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            ssl=settings.chroma_ssl,
            headers=headers,
            settings=chroma_settings,
        )
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


def store_location(settings: Settings) -> str:
    if settings.chroma_host:
        scheme = "https" if settings.chroma_ssl else "http"
        return f"{scheme}://{settings.chroma_host}:{settings.chroma_port}"
    return str(settings.index_dir)


def open_store(settings: Settings, embed_model_name: str, create: bool = False) -> Store:
    """Open (or with create=True, create) the collections; typed errors say what to run."""
    location = store_location(settings)
    if not create and not settings.chroma_host and not settings.index_dir.exists():
        raise IndexMissingError(f"No index at {location} - run `python -m rag ingest` (or `make run`) first.")
    try:
        client = make_client(settings)
        chunks, articles = _collections(client, settings.collection, embed_model_name, create)
    except (IndexMissingError, IndexCorruptError):
        raise
    except Exception as e:  # chromadb raises many unrelated types for a damaged folder/server
        _forget_clients()
        if settings.chroma_host:
            raise IndexMissingError(
                f"Cannot reach the Chroma server at {location} ({e}). Start it (`chroma run`) "
                "or unset RAG_CHROMA_HOST to use the local folder."
            ) from e
        raise IndexCorruptError(
            f"The index at {location} cannot be read ({type(e).__name__}: {e}). Rebuild it "
            "from corpus/ with `python -m rag ingest --rebuild` (the corpus is not touched)."
        ) from e
    vector_store = ChromaVectorStore(chroma_collection=chunks)
    return Store(client, chunks, articles, vector_store, location)


def _collections(client: ClientAPI, name: str, embed_model_name: str, create: bool) -> tuple[Collection, Collection]:
    if create:
        chunks = client.get_or_create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embed_model": embed_model_name, "schema": SCHEMA_VERSION},
        )
        articles = client.get_or_create_collection(f"{name}__articles", embedding_function=None)
    else:
        try:
            chunks = client.get_collection(name, embedding_function=None)
            articles = client.get_collection(f"{name}__articles", embedding_function=None)
        except Exception as e:
            raise IndexMissingError(f"The index has no collection {name!r} yet - run `python -m rag ingest`.") from e
    stored_schema = (chunks.metadata or {}).get("schema")
    if stored_schema != SCHEMA_VERSION:
        raise IndexCorruptError(
            f"The index was built by another version of this program (index format {stored_schema!r}, "
            f"expected {SCHEMA_VERSION}). Run `python -m rag ingest --rebuild` (the corpus is not touched)."
        )
    stored_model = (chunks.metadata or {}).get("embed_model")
    if stored_model != embed_model_name:
        raise IndexCorruptError(
            f"The index was built with embedding model {stored_model!r}, but settings select "
            f"{embed_model_name!r}. Run `python -m rag ingest --rebuild`."
        )
    return chunks, articles


def drop_index(settings: Settings) -> None:
    """Delete the collections (for --rebuild). The corpus is never touched."""
    if not settings.chroma_host:
        import shutil

        _forget_clients()
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        return
    client = make_client(settings)
    for name in (settings.collection, f"{settings.collection}__articles"):
        try:
            client.delete_collection(name)
        except Exception:  # absent already
            log.debug("collection %s did not exist", name)


def _forget_clients() -> None:
    # Chroma caches one client system per path in the process; after a failed open or a
    # deleted folder that cached system is broken, so the next open must start afresh.
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
