"""question -> ranked Passages: dense (Chroma) and keyword (BM25) results fused by reciprocal rank.

LlamaIndex does the retrieving: a VectorIndexRetriever over the Chroma store, a BM25Retriever built
from the chunks held in the store (not from local files, so replicas sharing a Chroma server agree),
and a QueryFusionRetriever that fuses them. The keyword side is rebuilt when the store changes
(checked every REFRESH_SECONDS through the store's generation token, which costs one small read).
Both sides carry chunks without their packed sentence vectors, which are read for the final
passages only: at 100k chunks that keeps the keyword side small and the fusion cheap.
This module does not write answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import Stemmer
from llama_index.core import QueryBundle, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import BaseNode, NodeWithScore, TextNode, TransformComponent
from llama_index.retrievers.bm25 import BM25Retriever

from rag.config import Settings
from rag.ingest import FACTS_KEY, unpack_vectors
from rag.store import Store, meta_from_record
from rag.text import content_terms, name_in, stem
from rag.types import ArticleMeta, Chunk, Passage
from rag.wordvec import WordVectors, minilm_word_vectors

log = logging.getLogger(__name__)

REFRESH_SECONDS = 2.0  # how often to look for changes made by another process
# What a chunk node carries through retrieval and fusion, in this order on both sides (fusion
# identifies a node by a hash of its text and metadata). The packed sentence vectors stay in Chroma.
NODE_KEYS = ("article_id", "start", "end", "sentence_spans")
BULKY_KEY = "sentence_vectors"
PACKED_CACHE = 20_000  # packed sentence vectors kept in memory (~2.5 kB each)


class _ReadOnly(TransformComponent):
    """The retrieval index's transformations: it only reads, since chunks are cut and analysed by
    rag.ingest. Passing one also spares each process LlamaIndex's default SentenceSplitter, whose
    tiktoken tokenizer took about 0.2 s to load on a cold CLI answer (bench --quick, cold CLI)."""

    def __call__(self, nodes: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the retrieval index is read-only: add articles through rag.ingest")


@dataclass(frozen=True)
class Retrieval:
    question: str
    query_vector: np.ndarray
    passages: tuple[Passage, ...]


def sentence_similarity(query_vector: np.ndarray, passage: Passage, i: int) -> float:
    """Cosine of the question and sentence i of the passage, from the sentence vectors ingest
    stored with it (0.0 when the passage carries none)."""
    vectors = passage.sentence_vectors
    if vectors is None or i >= len(vectors):
        return 0.0
    return float(vectors[i] @ query_vector)


class TermStats:
    """Document frequencies of the corpus' stemmed terms: IDF weights, and whether a name is in it."""

    def __init__(self, size: int, doc_freq: Counter[str] | dict[str, int]) -> None:
        self.size = size
        self.doc_freq = doc_freq

    def idf(self, term: str) -> float:
        return float(np.log(1.0 + (self.size + 1) / (self.doc_freq.get(term, 0) + 0.5)))

    def mentions(self, name: str) -> bool:
        """Does any chunk name it, as written or as its demonym or place ("Ukrainian" for "Ukraine's",
        "Iran" for "Iranian": rag.text.name_in)?"""
        term = stem(name)
        if self.doc_freq.get(term, 0):
            return True
        by_prefix = self.__dict__.get("_by_prefix")  # built on first need (and absent from old pickles)
        if by_prefix is None:
            by_prefix = {}
            for t in self.doc_freq:
                by_prefix.setdefault(t[:4], set()).add(t)
            self._by_prefix = by_prefix
        return len(term) >= 4 and name_in(name.lower(), by_prefix.get(term[:4], set()), "")


class KeywordIndex(TermStats):
    """BM25 over all chunks in the store, plus document frequencies for term weighting."""

    def __init__(self, nodes: list[TextNode], top_k: int) -> None:
        doc_freq: Counter[str] = Counter()
        for node in nodes:
            doc_freq.update(set(content_terms(node.get_content())))
        super().__init__(len(nodes), doc_freq)
        self.retriever: BM25Retriever | None = None
        if nodes:
            self.retriever = BM25Retriever.from_defaults(
                nodes=list[BaseNode](nodes),
                similarity_top_k=min(top_k, len(nodes)),
                stemmer=Stemmer.Stemmer("english"),
                language="en",
            )


class KeywordStats(Protocol):
    """Whatever holds the current keyword index (the Retriever does): the offline backend reads its
    document frequencies on every question, so it sees the index as the store changes."""

    @property
    def keywords(self) -> KeywordIndex: ...

    @property
    def word_vectors(self) -> WordVectors | None: ...  # None: words match only as they are written


class Retriever:
    """Hybrid retriever over one Store; opened once per process and shared by all requests."""

    def __init__(self, store: Store, embed_model: BaseEmbedding, settings: Settings) -> None:
        self.store = store
        self.embed_model = embed_model
        self.settings = settings
        self._packed: dict[str, str] = {}  # chunk id -> packed sentence vectors, see _Slim
        self._facts: dict[str, str] = {}  # chunk id -> packed sentence analysis (rag.nlp.pack_facts)
        self._dense = _Slim(
            VectorStoreIndex.from_vector_store(
                store.vector_store, embed_model=embed_model, transformations=[_ReadOnly()]
            ).as_retriever(similarity_top_k=settings.candidate_k),
            self._packed,
            self._facts,
        )
        self._lock = threading.Lock()
        self._fingerprint = ""
        self._generation: str | None = None
        self._checked_at = 0.0
        self.articles: dict[str, ArticleMeta] = {}
        self._texts: dict[str, str] = {}
        self.keywords = KeywordIndex([], 1)
        self.word_vectors = minilm_word_vectors(embed_model)  # for the offline answerer (rag.wordvec)
        self._fusion: QueryFusionRetriever | None = None
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Rebuild the keyword index and article cache if the store changed since last look."""
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_SECONDS:
            return
        with self._lock:
            self._checked_at = now
            generation = self.store.generation()
            if generation is not None and generation == self._generation and not force:
                return
            indexed = self.store.indexed_articles()
            fingerprint = hashlib.sha256(
                json.dumps(sorted((k, v.get("content_hash")) for k, v in indexed.items())).encode()
            ).hexdigest()
            self._generation = generation
            if fingerprint == self._fingerprint and not force:
                return
            t0 = time.perf_counter()
            nodes = self._keyword_nodes()
            self.keywords = KeywordIndex(nodes, self.settings.candidate_k)
            self.articles = {k: meta_from_record(k, v) for k, v in indexed.items()}
            self._texts = {}
            retrievers: list[BaseRetriever] = [self._dense]
            retrievers += [self.keywords.retriever] if self.keywords.retriever else []
            self._fusion = KeepTopsFusion(
                retrievers,
                mode=FUSION_MODES.RECIPROCAL_RANK,
                similarity_top_k=self.settings.top_k,
                num_queries=1,  # no LLM query generation: the question is used as asked
                use_async=False,
                llm=MockLLM(),  # never called with num_queries=1; avoids resolving a global LLM
            )
            self._fingerprint = fingerprint
            log.info("keyword index: %d chunks in %.2f s", len(nodes), time.perf_counter() - t0)

    def _keyword_nodes(self) -> list[TextNode]:
        """Every chunk in the store as a slim node, read page by page (no JSON parsing per chunk)."""
        return [_slim_node(c.id, c.text, c.metadata) for c in self.store.iter_chunks()]

    def article_text(self, article_id: str) -> str:
        if article_id not in self._texts:
            self._texts[article_id] = self.store.article_text(article_id)
        return self._texts[article_id]

    def retrieve(self, question: str) -> Retrieval:
        self.refresh()
        vector = np.asarray(self.embed_model.get_query_embedding(question), dtype=np.float32)
        if self.keywords.size == 0 or self._fusion is None:
            return Retrieval(question, vector, ())
        bundle = QueryBundle(query_str=question, embedding=vector.tolist())
        results = self._fusion.retrieve(bundle)
        packed = self._sentence_vectors([r.node.node_id for r in results])
        passages = tuple(p for p in (self._to_passage(r, packed) for r in results) if p is not None)
        log.debug("retrieved %s", [(p.chunk.id[:8], round(p.score, 4)) for p in passages])
        return Retrieval(question, vector, passages)

    def _sentence_vectors(self, chunk_ids: list[str]) -> dict[str, str]:
        """chunk id -> its packed sentence vectors, for the few chunks that made the cut.

        Dense hits brought theirs along; keyword-only hits are read from the store in one call.
        """
        found = {i: self._packed[i] for i in chunk_ids if i in self._packed}
        missing = [i for i in chunk_ids if i not in found]
        if missing:
            for i, stored in self.store.get_chunks(missing).items():
                found[i] = self._packed[i] = str(stored.metadata.get(BULKY_KEY, ""))
                self._facts[i] = str(stored.metadata.get(FACTS_KEY, ""))
        return found

    def _to_passage(self, result: NodeWithScore, packed: dict[str, str]) -> Passage | None:
        md = result.node.metadata
        meta = self.articles.get(md.get("article_id", ""))
        if meta is None:  # chunk of an article being deleted by a concurrent ingest
            return None
        chunk = Chunk(
            id=result.node.node_id,
            article_id=meta.id,
            text=result.node.get_content(),
            start=int(md["start"]),
            end=int(md["end"]),
            sentences=tuple(tuple(s) for s in json.loads(md.get("sentence_spans", "[]"))),  # type: ignore[misc]
        )
        vectors = unpack_vectors(packed.get(result.node.node_id, ""))
        facts = self._facts.get(result.node.node_id, "")
        return Passage(chunk=chunk, meta=meta, score=float(result.score or 0.0), sentence_vectors=vectors, facts=facts)


class KeepTopsFusion(QueryFusionRetriever):
    """LlamaIndex's reciprocal rank fusion, plus one rule of our own: a retriever's best hit that
    the fused top k leaves out is added after it. Plain RRF buries a chunk that one retriever ranks
    first and the other near the bottom: "Who is Salal Sadatian?" (one chunk names him: BM25's
    first hit, the dense side's 18th of 18) retrieved no chunk naming him. Added after the top k,
    not in place of its last: the top k stays what RRF gives (replayed prompts keep their sources).
    Used with one query and no async, as Retriever configures it."""

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        results = self._run_sync_queries([query_bundle])
        # before fusing: LlamaIndex's fusion overwrites each node's score with its fused one
        tops = [max(nodes, key=lambda n: n.score or 0.0).node.hash for nodes in results.values() if nodes]
        fused = self._reciprocal_rerank_fusion(results)
        out = fused[: self.similarity_top_k]
        shown = {n.node.hash for n in out}
        for h in dict.fromkeys(tops):
            if h not in shown:
                out.append(next(n for n in fused if n.node.hash == h))
                shown.add(h)
        return out


class _Slim(BaseRetriever):
    """The dense retriever, its nodes reduced to NODE_KEYS like the keyword side's (see _slim_node).

    The packed sentence vectors it strips go to `packed` (chunk id -> vectors). A chunk id is
    derived from the chunk's content, so an entry never goes stale; the dict is only bounded.
    """

    def __init__(self, inner: BaseRetriever, packed: dict[str, str], facts: dict[str, str]) -> None:
        super().__init__()
        self._inner = inner
        self._packed = packed
        self._facts = facts

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        results = self._inner.retrieve(query_bundle)
        if len(self._packed) > PACKED_CACHE:
            self._packed.clear()
            self._facts.clear()
        for r in results:
            md = r.node.metadata
            if BULKY_KEY in md:
                self._packed[r.node.node_id] = str(md[BULKY_KEY])
                self._facts[r.node.node_id] = str(md.get(FACTS_KEY, ""))
            r.node.metadata = {k: md[k] for k in NODE_KEYS if k in md}
        return results


def _slim_node(chunk_id: str, text: str, md: dict[str, Any]) -> TextNode:
    """A chunk as rag.ingest.to_node wrote it, minus the packed sentence vectors.

    Built from Chroma's flat metadata; equal (text, metadata, hence LlamaIndex's node hash and the
    text BM25 indexes) to the dense side's node after _Slim.
    """
    return TextNode(
        id_=chunk_id,
        text=text,
        start_char_idx=md.get("start"),
        end_char_idx=md.get("end"),
        metadata={k: md[k] for k in NODE_KEYS if k in md},
        excluded_embed_metadata_keys=["sentence_spans", BULKY_KEY, FACTS_KEY],
        excluded_llm_metadata_keys=["sentence_spans", BULKY_KEY, FACTS_KEY],
    )
