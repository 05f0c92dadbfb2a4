"""Synthetic corpora for the benchmark: article files to ingest, or a store filled directly.

Text is word salad drawn (Zipf-like, seeded) from the real corpus's own vocabulary, so it tokenises
like the articles and gives BM25 and the answerer realistic work. write_corpus() writes .txt files
for a real ingest (real embeddings). fill_store() skips the model: it puts synthetic chunks with
random unit vectors straight into Chroma through rag.store / rag.ingest's own functions - the
benchmark says so wherever it reports a store made that way. The real articles stay in every
corpus, so the eval questions keep their real answers.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag.chunking import chunk_id
from rag.config import PROJECT_ROOT, Settings
from rag.corpus import hash_article, load_corpus
from rag.embeddings import embedding_model_name
from rag.ingest import ingest, to_node
from rag.store import open_store
from rag.types import ArticleMeta, Chunk

REAL_CORPUS = PROJECT_ROOT / "corpus"
SENTENCES_PER_CHUNK = 5  # ~110 word pieces: like the real chunks (chunk_size 128)
CHUNKS_PER_ARTICLE = 10
GENERATOR_VERSION = 2  # bump when the text or vectors change, so cached stores are rebuilt


class Words:
    """Seeded word-salad sentences from the real corpus's vocabulary, frequent words more often."""

    def __init__(self, seed: int) -> None:
        text = " ".join(a.text for a in load_corpus(REAL_CORPUS).articles)
        counts = Counter(w for w in re.findall(r"[A-Za-z][A-Za-z’'-]*", text))
        self.words = [w for w, _ in counts.most_common()]
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        words = self.rng.choices(self.words, self.weights, k=self.rng.randint(14, 24))
        return " ".join(words).capitalize() + "."

    def article(self, n_sentences: int) -> tuple[str, list[tuple[int, int]]]:
        """Text of paragraphs (one line each) and its sentence spans."""
        text, spans = "", []
        for i in range(n_sentences):
            if i and i % SENTENCES_PER_CHUNK == 0:
                text += "\n"
            elif i:
                text += " "
            s = self.sentence()
            spans.append((len(text), len(text) + len(s)))
            text += s
        return text, spans


def write_corpus(folder: Path, n_chunks: int, seed: int = 0) -> Path:
    """The real articles plus synthetic ones, ~n_chunks chunks in all once ingested."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(REAL_CORPUS, folder)
    words = Words(seed)
    n_articles = max(1, round((n_chunks - 18) / 9.4))  # measured: ~9.4 chunks per synthetic article
    for i in range(n_articles):
        text, _ = words.article(CHUNKS_PER_ARTICLE * SENTENCES_PER_CHUNK)
        header = f"---\nid: synth_{seed}_{i:06d}\ntitle: Synthetic article {i}\ntitle_is_editorial: true\n---\n"
        (folder / f"synth_{seed}_{i:06d}.txt").write_text(header + text + "\n")
    return folder


def fill_store(settings: Settings, n_chunks: int, seed: int = 0, batch: int = 2000) -> int:
    """Ingest the real corpus for real, then add synthetic chunks with random vectors (no model).

    Returns the number of chunks in the store. Never run `rag ingest` on this index afterwards:
    the synthetic articles have no files, so ingest would remove them.
    """
    report = ingest(settings.model_copy(update={"corpus_dir": REAL_CORPUS}), progress=False)
    store = open_store(settings, embedding_model_name(settings))
    rng = np.random.default_rng(seed)
    words = Words(seed)
    pending_nodes, pending_articles = [], []
    for article_id, text, chunks in synthetic_articles(words, n_chunks - report.chunks_total, seed):
        for c in chunks:
            vectors = _unit(rng.standard_normal((1 + len(c.sentences), 384), dtype=np.float32))
            pending_nodes.append(to_node(c, vectors[0], vectors[1:]))
        meta = ArticleMeta(id=article_id, title=f"Synthetic article {article_id}", title_is_editorial=True)
        pending_articles.append((meta, text, hash_article(meta, text), len(chunks)))
        if len(pending_nodes) >= batch:
            _flush(store, pending_nodes, pending_articles)
    _flush(store, pending_nodes, pending_articles)
    return store.count_chunks()


def synthetic_articles(words: Words, n_chunks: int, seed: int) -> Iterator[tuple[str, str, list[Chunk]]]:
    made, i = 0, 0
    while made < n_chunks:
        k = min(CHUNKS_PER_ARTICLE, n_chunks - made)
        article_id = f"gen_{seed}_{i:07d}"
        text, spans = words.article(k * SENTENCES_PER_CHUNK)
        chunks = []
        for j in range(k):
            sents = tuple(spans[j * SENTENCES_PER_CHUNK : (j + 1) * SENTENCES_PER_CHUNK])
            start, end = sents[0][0], sents[-1][1]
            chunks.append(
                Chunk(
                    chunk_id(article_id, start, text[start:end], sents), article_id, text[start:end], start, end, sents
                )
            )
        yield article_id, text, chunks
        made, i = made + k, i + 1


def _flush(store, nodes: list, articles: list) -> None:  # type: ignore[no-untyped-def]
    # chunks first, then their article records: the order ingest itself keeps
    store.add_nodes(nodes, 2000)
    if articles:
        store.put_articles(articles)
    nodes.clear()
    articles.clear()


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def cached_store(cache: Path, settings: Settings, n_chunks: int, seed: int = 0) -> tuple[Settings, int, float]:
    """A filled store for n_chunks under cache/, built once and reused: (settings, chunks, build seconds)."""
    import time

    folder = cache / f"store-{n_chunks}-v{GENERATOR_VERSION}"
    marker = folder / "bench.json"
    store_settings = settings.model_copy(update={"index_dir": folder / "index"})
    if marker.exists():
        info = json.loads(marker.read_text())
        return store_settings, int(info["chunks"]), float(info["build_s"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    chunks = fill_store(store_settings, n_chunks, seed)
    build_s = time.perf_counter() - t0
    marker.write_text(json.dumps({"chunks": chunks, "build_s": build_s}))
    return store_settings, chunks, build_s
