"""The query engine: question -> retrieval -> backend draft -> verifier -> Answer.

GroundedQueryEngine is a LlamaIndex CustomQueryEngine, so LlamaIndex tooling (chat engines,
evaluators) can drive it; its Response carries the cited passages as source_nodes and the full
Answer in metadata["answer"]. The CLI, the web app and the eval all call ask() or query().
It opens the store once; it does not build the index (rag.ingest does).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator
from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode

from rag.answering import Backend, Draft
from rag.answering.offline import OfflineBackend
from rag.config import Settings
from rag.embeddings import build_embedding
from rag.errors import QuestionError
from rag.grounding import Verifier
from rag.retrieval import Retriever
from rag.store import open_store
from rag.types import Answer

log = logging.getLogger(__name__)

NOT_ANSWERED = "The articles do not answer this question."


def clean_question(question: object, max_chars: int) -> str:
    """Validate a question; a caller's mistake raises QuestionError with what to change."""
    if isinstance(question, bytes):
        raise QuestionError("The question must be text, not bytes.")
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    if "\x00" in question:
        raise QuestionError("The question contains NUL bytes; send plain text.")
    # drop control and format characters (keep ordinary whitespace), collapse runs of spaces
    kept = "".join(ch if ch in "\t\n " or unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = " ".join(kept.split())
    if not text:
        raise QuestionError("The question is empty. Type a question about the articles.")
    if len(text) > max_chars:
        raise QuestionError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,} "
            "(RAG_MAX_QUESTION_CHARS). Ask something shorter."
        )
    return text


class GroundedQueryEngine(CustomQueryEngine):
    """Hybrid retrieval + a backend + the verifier, as a LlamaIndex query engine."""

    retriever: Any
    backend: Any
    verifier: Any
    settings: Any

    def custom_query(self, query_str: str) -> Response:
        return to_response(self.ask(query_str))

    def stream(self, question: str, history: list[dict[str, str]] | None = None) -> Iterator[str | Answer]:
        """Answer one question progressively: yields the verified answer text so far (str, growing),
        then the final Answer. Only verified text is ever yielded."""
        answer = self.ask(question, history)
        yield answer.answer
        yield answer

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """Answer one question (history: earlier turns, oldest first)."""
        t0 = time.perf_counter()
        q = clean_question(question, self.settings.max_question_chars)
        retrieval = self.retriever.retrieve(q)
        t1 = time.perf_counter()
        draft: Draft = self.backend.draft(q, retrieval)
        t2 = time.perf_counter()
        verified = self.verifier.verify(draft.text, retrieval.passages)
        t3 = time.perf_counter()
        abstained = draft.abstained or verified.abstained
        text = verified.text
        reason = draft.reason if draft.abstained else verified.reason
        if abstained and not draft.abstained:
            text = f"{NOT_ANSWERED} {text}".strip()
        answer = Answer(
            question=q,
            answer=text or NOT_ANSWERED,
            abstained=abstained,
            citations=tuple(verified.citations),
            backend=draft.backend or self.backend.name,
            reason=reason,
            notice=draft.notice,
            dropped=tuple(verified.dropped),
            flagged=tuple(verified.flagged),
            timings={
                "retrieve_s": round(t1 - t0, 4),
                "draft_s": round(t2 - t1, 4),
                "verify_s": round(t3 - t2, 4),
                "total_s": round(t3 - t0, 4),
            },
        )
        log.info("answered in %.3f s (abstained=%s, %d citations)", t3 - t0, abstained, len(answer.citations))
        return answer


def to_response(answer: Answer) -> Response:
    nodes = [
        NodeWithScore(
            node=TextNode(
                id_=f"{c.article_id}:{c.start}-{c.end}",
                text=c.passage,
                metadata={k: v for k, v in c.to_dict().items() if k != "passage"},
            ),
            score=c.support,
        )
        for c in answer.citations
    ]
    return Response(response=answer.answer, source_nodes=nodes, metadata={"answer": answer})


def choose_backend(settings: Settings, retriever: Retriever) -> Backend:
    return OfflineBackend(lambda: retriever.keywords, settings.max_answer_sentences)


def open_engine(settings: Settings) -> GroundedQueryEngine:
    """Open the index (raises IndexMissingError / IndexCorruptError) and wire the pipeline."""
    embed_model = build_embedding(settings)
    store = open_store(settings, embed_model.model_name)
    retriever = Retriever(store, embed_model, settings)
    return GroundedQueryEngine(
        retriever=retriever,
        backend=choose_backend(settings, retriever),
        verifier=Verifier(retriever.article_text),
        settings=settings,
    )
