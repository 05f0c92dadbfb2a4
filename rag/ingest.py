"""corpus/ -> chunks -> vectors -> Chroma. Incremental: only new or changed articles are embedded.

The store is the single source of truth for what is indexed: each article record carries the
content hash of what was indexed, and is written last, after its chunks, so an ingest killed at
any point leaves an index that the next ingest completes. Chunk ids are content-derived, so
re-adding is idempotent and nothing is ever duplicated. This module does not answer questions.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode, TextNode

from rag import nlp
from rag.chunking import CHUNKING_VERSION, chunk_article, make_splitter
from rag.claims import relations as sentence_relations
from rag.config import Settings
from rag.corpus import CorpusProblem, load_corpus
from rag.embeddings import MiniLMEmbedding, build_embedding, embedding_model_name
from rag.minilm import MiniLMEncoder
from rag.store import Store, drop_index, open_store
from rag.types import Article, Chunk

log = logging.getLogger(__name__)

GROUP_CHUNKS = 128  # chunks embedded together; the writer thread stores one group while the next embeds
FACTS_KEY = "sentence_facts"  # chunk metadata: rag.nlp.pack_facts of its sentences
WRITE_BATCH = 1000  # nodes per Chroma add (Chroma caps a batch at a few thousand)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    problems: list[CorpusProblem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        line = (
            f"indexed {len(self.added)} new, {len(self.updated)} changed, {self.unchanged} "
            f"unchanged, {len(self.removed)} removed articles -> {self.chunks_total} chunks "
            f"({self.chunks_embedded} embedded, {self.chunks_deleted} deleted) in {self.seconds:.1f} s"
        )
        if self.problems:
            line += f"; {len(self.problems)} file(s) skipped: " + "; ".join(map(str, self.problems))
        return line


def ingest(
    settings: Settings,
    embed_model: BaseEmbedding | None = None,
    rebuild: bool = False,
    progress: bool | None = None,
) -> IngestReport:
    """Bring the index in line with corpus/: add, replace and delete articles as needed."""
    t0 = time.perf_counter()
    if embed_model is None and settings.embedding != "minilm":
        embed_model = build_embedding(settings)  # cheap, and checks the OpenAI settings up front
    corpus = load_corpus(settings.corpus_dir, settings.max_article_chars)
    if rebuild:
        drop_index(settings)
    model_name = embed_model.model_name if embed_model else embedding_model_name(settings)
    store = open_store(settings, model_name, create=True)
    report = IngestReport(problems=list(corpus.problems))
    indexed = store.indexed_articles()
    todo = [a for a in corpus.articles if not _up_to_date(indexed.get(a.id, {}), a)]
    report.unchanged = len(corpus.articles) - len(todo)
    if todo:  # an unchanged corpus never loads the model
        _index_articles(store, todo, embed_model or build_embedding(settings), settings, report, indexed, progress)
    current = [a.id for a in corpus.articles]
    for article_id in sorted(set(indexed) - set(current)):
        store.delete_article(article_id)
        report.removed.append(article_id)
    orphans = store.orphan_chunk_ids(current)  # chunks left by an ingest killed mid-way
    if orphans:
        store.delete_chunks(orphans)
        report.chunks_deleted += len(orphans)
    if store.generation() is None:  # an index from before the token: give replicas a cheap change check
        store.touch()
    report.chunks_total = store.count_chunks()
    report.seconds = time.perf_counter() - t0
    log.info(report.summary())
    return report


def _up_to_date(record: dict[str, Any], article: Article) -> bool:
    """Indexed with this content, cut the way this version cuts (else it is chunked again)."""
    return record.get("content_hash") == article.content_hash and record.get("chunking") == CHUNKING_VERSION


def _index_articles(
    store: Store,
    todo: list[Article],
    embed_model: BaseEmbedding,
    settings: Settings,
    report: IngestReport,
    indexed: dict[str, Any],
    progress: bool | None,
) -> None:
    """Embed articles a group at a time while a thread analyses the same group's language (spaCy)
    and a writer thread stores the previous group.

    Writes keep their order (chunks, then stale deletions, then the article records), so a killed
    ingest still leaves an index the next one completes. At most one group waits in memory.
    """
    tokens = _token_counter(embed_model)
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, tokens)
    planned = [(a, chunk_article(a, splitter, tokens)) for a in todo]
    bar = _progress_bar(sum(len(c) for _, c in planned), progress)
    # the embedding leaves a core to the analysis that runs beside it (_prepare)
    encoder = embed_model.encoder.beside(1) if isinstance(embed_model, MiniLMEmbedding) and planned else None
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-analysis") as analyser,
    ):
        pending: Future[list[Prepared]] | None = None
        for group in _groups(planned, GROUP_CHUNKS):
            prepared = _prepare(store, group, embed_model, settings, analyser, encoder)
            if pending is not None:
                _account(pending.result(), report, indexed, bar)
            pending = writer.submit(_write, store, prepared)
        if pending is not None:
            _account(pending.result(), report, indexed, bar)
    bar.close()


@dataclass
class Prepared:
    """One article, embedded and ready to store."""

    article: Article
    n_chunks: int
    nodes: list[TextNode]
    stale: list[str]


def _groups(planned: list[tuple[Article, list[Chunk]]], max_chunks: int) -> Iterator[list[tuple[Article, list[Chunk]]]]:
    group: list[tuple[Article, list[Chunk]]] = []
    size = 0
    for article, chunks in planned:
        group.append((article, chunks))
        size += len(chunks)
        if size >= max_chunks:
            yield group
            group, size = [], 0
    if group:
        yield group


def _prepare(
    store: Store,
    planned: list[tuple[Article, list[Chunk]]],
    embed_model: BaseEmbedding,
    settings: Settings,
    analyser: ThreadPoolExecutor,
    encoder: MiniLMEncoder | None,
) -> list[Prepared]:
    """Embed the chunks of several articles together (one batching over all of them), while the
    analyser thread parses the same chunks: onnxruntime releases the GIL, so the two run side by
    side instead of one after the other."""
    # chunk ids derive from the article id, so one lookup for the whole group tells them apart
    existing = store.chunk_ids_of([a.id for a, _ in planned])
    new = [[c for c in chunks if c.id not in existing] for _, chunks in planned]
    flat = [c for chunks in new for c in chunks]
    nodes: Iterator[TextNode] = iter(())
    if flat:
        facts = analyser.submit(analyse_chunks, flat)
        vectors, sentence_vectors = embed_chunks(embed_model, flat, settings.embed_batch_size, encoder)
        nodes = iter([to_node(c, v, s, f) for c, v, s, f in zip(flat, vectors, sentence_vectors, facts.result())])
    current = {c.id for _, chunks in planned for c in chunks}
    out = [
        Prepared(article, len(chunks), [next(nodes) for _ in fresh], [])
        for (article, chunks), fresh in zip(planned, new)
    ]
    out[-1].stale = sorted(existing - current)  # deleted with the group, whichever article they were of
    return out


def _write(store: Store, prepared: list[Prepared]) -> list[Prepared]:
    """Chunks first, then stale deletions, then the article records (see the module docstring)."""
    nodes: list[BaseNode] = [n for p in prepared for n in p.nodes]
    store.add_nodes(nodes, WRITE_BATCH)
    stale = [i for p in prepared for i in p.stale]
    if stale:
        store.delete_chunks(stale)
    records = [(p.article.meta, p.article.text, p.article.content_hash, p.n_chunks) for p in prepared]
    store.put_articles(records, CHUNKING_VERSION)
    for p in prepared:
        log.debug("%s: %d chunks added, %d deleted", p.article.id, len(p.nodes), len(p.stale))
    return prepared


def _account(done: list[Prepared], report: IngestReport, indexed: dict[str, Any], bar: Any) -> None:
    for p in done:
        report.chunks_embedded += len(p.nodes)
        report.chunks_deleted += len(p.stale)
        (report.updated if p.article.id in indexed else report.added).append(p.article.id)
        bar.update(p.n_chunks)


def embed_chunks(
    embed_model: BaseEmbedding, chunks: Sequence[Chunk], batch_size: int, encoder: MiniLMEncoder | None = None
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and, per chunk, one vector per sentence (encoder: the MiniLM model's own
    encoder to use instead of embed_model's, see MiniLMEncoder.beside)."""
    rel_spans = [[(s - c.start, e - c.start) for s, e in c.sentences] for c in chunks]
    if isinstance(embed_model, MiniLMEmbedding):
        return (encoder or embed_model.encoder).encode_with_spans([c.text for c in chunks], rel_spans, batch_size)
    # Other backends cannot pool sub-spans: embed the sentences as texts of their own.
    vectors = np.array(embed_model.get_text_embedding_batch([c.text for c in chunks]), np.float32)
    sentence_vectors = []
    for c, spans in zip(chunks, rel_spans):
        texts = [c.text[s:e] for s, e in spans]
        sentence_vectors.append(np.array(embed_model.get_text_embedding_batch(texts), np.float32))
    return vectors, sentence_vectors


def analyse_chunks(chunks: Sequence[Chunk]) -> list[str]:
    """Per chunk, the language analysis of its sentences that the offline answerer reads
    (rag.nlp.pack_facts, offsets relative to the chunk), so that a question costs one parse only."""
    parsed = nlp.parse_many([c.text for c in chunks])
    return [
        nlp.pack_facts(nlp.sentence_facts(p, [(s - c.start, e - c.start) for s, e in c.sentences], _relations))
        for c, p in zip(chunks, parsed)
    ]


def _relations(parsed: nlp.Parsed, span: tuple[int, int]) -> Any:
    """Who does what to whom in the sentence, which the verifier compares a claim's roles with."""
    return sentence_relations(parsed, span).to_json()


def to_node(chunk: Chunk, vector: np.ndarray, sentence_vectors: np.ndarray, facts: str = "") -> TextNode:
    return TextNode(
        id_=chunk.id,
        text=chunk.text,
        embedding=vector.tolist(),
        start_char_idx=chunk.start,
        end_char_idx=chunk.end,
        metadata={
            "article_id": chunk.article_id,
            "start": chunk.start,
            "end": chunk.end,
            "sentence_spans": json.dumps(chunk.sentences),
            "sentence_vectors": pack_vectors(sentence_vectors),
            FACTS_KEY: facts,
        },
        excluded_embed_metadata_keys=["sentence_spans", "sentence_vectors", FACTS_KEY],
        excluded_llm_metadata_keys=["sentence_spans", "sentence_vectors", FACTS_KEY],
    )


def pack_vectors(vectors: np.ndarray) -> str:
    """Vectors -> int8 -> base64; Chroma metadata holds only scalars and strings.

    Each vector is scaled so its largest component is 127 (only directions matter: they are
    re-normalised on unpacking), which keeps cosines within ~1e-4 of the float32 ones.
    """
    if len(vectors) == 0:
        return ""
    scale = 127.0 / np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-12)
    q = np.clip(np.round(vectors * scale), -127, 127).astype(np.int8)
    return f"{q.shape[1]}:" + base64.b64encode(q.tobytes()).decode()


def unpack_vectors(packed: str) -> np.ndarray | None:
    if not packed:
        return None
    dim, _, data = packed.partition(":")
    q = np.frombuffer(base64.b64decode(data), dtype=np.int8).reshape(-1, int(dim))
    v = q.astype(np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-6)


def _token_counter(embed_model: BaseEmbedding):  # type: ignore[no-untyped-def]
    if isinstance(embed_model, MiniLMEmbedding):
        return embed_model.encoder.count_tokens
    # OpenAI models read far more than a chunk; a word count is a safe upper-bound proxy.
    return lambda text: text.split()


def _progress_bar(total: int, progress: bool | None):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    show = progress if progress is not None else (sys.stderr.isatty() and total > 200)
    return tqdm(total=total, unit="chunk", desc="embedding", disable=not show)
