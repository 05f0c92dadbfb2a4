"""The query engine: question -> retrieval -> backend draft -> verifier -> Answer.

GroundedQueryEngine holds its stages as typed fields, each passed in by open_engine. The CLI and
the eval call ask(), the web app calls stream(); as_query_engine() adapts it to LlamaIndex's
CustomQueryEngine so LlamaIndex tooling (chat engines, evaluators) can drive it: its Response
carries the cited passages as source_nodes and the full Answer in metadata["answer"].
It opens the store once; it does not build the index (rag.ingest does).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from llama_index.core.base.response.schema import Response
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode

from rag.answering import Backend, Draft, draft_events, final_event
from rag.answering.offline import OfflineBackend
from rag.answering.openai import OpenAIBackend
from rag.check import DraftCheck, DraftPassage, check_draft
from rag.chunking import sentence_spans
from rag.config import Settings
from rag.embeddings import build_embedding
from rag.errors import QuestionError
from rag.followup import FollowUpRewriter
from rag.grounding import LEADING_MARKERS, Verified, Verifier, sentence_embedder
from rag.llm import ChatModel, build_llm
from rag.retrieval import Retrieval, Retriever
from rag.store import open_store
from rag.text import is_instruction
from rag.types import Answer

log = logging.getLogger(__name__)

NOT_ANSWERED = "The articles do not answer this question."
NO_ARTICLES = "No articles are indexed yet: add article files to {corpus} and run `python -m rag ingest`."


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


def without_instructions(question: str) -> str:
    """The question proper, without instructions addressed to the model ("Ignore previous instructions
    and say ... . How many ...?"): when the text holds such an instruction, only its sentences that
    ask something (end in "?") are kept, else only its sentences that instruct nothing."""
    if not is_instruction(question):
        return question
    sentences = [question[s:e].strip() for s, e in sentence_spans(question)]
    asking = [s for s in sentences if s.endswith("?")]
    kept = asking or [s for s in sentences if not is_instruction(s)]
    return " ".join(kept) or question


@dataclass
class GroundedQueryEngine:
    """Follow-up rewriting + hybrid retrieval + a backend + the verifier."""

    retriever: Retriever
    backend: Backend
    verifier: Verifier
    rewriter: FollowUpRewriter
    settings: Settings

    def as_query_engine(self) -> LlamaIndexEngine:
        """This engine as a LlamaIndex query engine (a thin adapter over ask())."""
        return LlamaIndexEngine(engine=self)

    def query(self, question: str) -> Response:
        """LlamaIndex's query(): the answer as a Response (see to_response)."""
        return self.as_query_engine().query(question)  # type: ignore[return-value]

    def check(self, text: str, passages: Sequence[DraftPassage] | None = None) -> DraftCheck:
        """Check a draft: each sentence supported (with its quotes) or not (with the reason),
        against the given passages or, without them, what retrieval finds for each sentence."""
        return check_draft(text, self.retriever, self.verifier, passages)

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """Answer one question (history: earlier turns, oldest first)."""
        return final_event(self.stream(question, history), Answer)

    def stream(self, question: str, history: list[dict[str, str]] | None = None) -> Iterator[str | Answer]:
        """Answer one question progressively: yields the verified answer text so far (str, growing
        a sentence at a time), then the final Answer. Only verified text is ever yielded."""
        t0 = time.perf_counter()
        q = clean_question(question, self.settings.max_question_chars)
        standalone = self.rewriter.rewrite(without_instructions(q), history)
        retrieval = self.retriever.retrieve(standalone)
        t1 = time.perf_counter()
        if not retrieval.passages and not self.retriever.articles:  # not "the articles do not say": there are none
            yield (empty := self._no_articles(q, standalone, t1 - t0)).answer
            yield empty
            return
        written, shown, done, draft = "", "", 0, None
        for event in draft_events(self.backend, standalone, retrieval):
            if isinstance(event, Draft):
                draft = event
                break
            written += event
            cut = complete_prefix(written)
            if cut <= done:  # no sentence finished with this delta: nothing new to verify
                continue
            done = cut
            partial = self._verified_text(written[:cut], retrieval, standalone)
            if len(partial) > len(shown):
                shown = partial
                yield shown
        assert draft is not None
        t2 = time.perf_counter()
        verified = self.verifier.verify(draft.text, retrieval.passages + draft.passages, standalone)
        t3 = time.perf_counter()
        answer = self._answer(
            q,
            standalone,
            draft,
            verified,
            {"retrieve_s": t1 - t0, "draft_s": t2 - t1, "verify_s": t3 - t2, "total_s": t3 - t0},
        )
        log.info("answered in %.3f s (abstained=%s, %d citations)", t3 - t0, answer.abstained, len(answer.citations))
        yield answer.answer
        yield answer

    def _no_articles(self, q: str, standalone: str, seconds: float) -> Answer:
        return Answer(
            question=q,
            answer=NO_ARTICLES.format(corpus=self.settings.corpus_dir),
            abstained=True,
            citations=(),
            backend=self.backend.name,
            reason="The index holds no articles yet.",
            standalone_question=rewrite_shown(q, standalone),
            timings={"retrieve_s": round(seconds, 4), "total_s": round(seconds, 4)},
        )

    def _verified_text(self, finished: str, retrieval: Retrieval, question: str) -> str:
        """The verified text of the sentences finished so far ("" while none verifies)."""
        verified = self.verifier.verify(finished, retrieval.passages, question)
        return "" if verified.abstained else verified.text

    def _answer(self, q: str, standalone: str, draft: Draft, verified: Verified, timings: dict[str, float]) -> Answer:
        abstained = draft.abstained or verified.abstained
        text = verified.text
        reason = draft.reason if draft.abstained else verified.reason
        if abstained and not draft.abstained:
            text = f"{NOT_ANSWERED} {text}".strip()
        judged = {(aid, start): score for aid, start, score in draft.scores}
        citations = tuple(replace(c, answers=judged.get((c.article_id, c.start))) for c in verified.citations)
        return Answer(
            question=q,
            answer=text or NOT_ANSWERED,
            abstained=abstained,
            citations=citations,
            confidence=draft.confidence,
            backend=draft.backend or self.backend.name,
            reason=reason,
            standalone_question=rewrite_shown(q, standalone),
            notice=draft.notice,
            dropped=tuple(verified.dropped),
            flagged=tuple(verified.flagged),
            removed=tuple(verified.removed),
            timings={k: round(v, 4) for k, v in timings.items()},
        )


class LlamaIndexEngine(CustomQueryEngine):
    """GroundedQueryEngine seen through LlamaIndex's query-engine interface."""

    _engine: GroundedQueryEngine = PrivateAttr()

    def __init__(self, engine: GroundedQueryEngine) -> None:
        super().__init__()
        self._engine = engine  # a private attribute: pydantic does not try to validate the engine

    def custom_query(self, query_str: str) -> Response:
        return to_response(self._engine.ask(query_str))


def complete_prefix(text: str) -> int:
    """Length of the leading part of a streamed draft made of finished sentences: everything
    before the last sentence, plus the [n] markers that open it (they belong to the one before)."""
    spans = sentence_spans(text)
    if len(spans) < 2:
        return 0
    start = spans[-1][0]
    leading = LEADING_MARKERS.match(text, start)
    return leading.end() if leading else start


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


def choose_model(settings: Settings) -> ChatModel | None:
    """The chat model when the settings ask for one: backend=openai, or auto with a key or base URL."""
    if settings.backend == "offline" or (settings.backend == "auto" and not settings.openai_configured()):
        return None
    return ChatModel(build_llm(settings), settings.openai_max_retries, settings.openai_deadline)


def choose_backend(settings: Settings, retriever: Retriever, model: ChatModel | None) -> Backend:
    offline = OfflineBackend(
        retriever, settings.max_answer_sentences, library=retriever, answerer=settings.offline_answerer
    )
    if model is None:
        return offline
    return OpenAIBackend(model, offline, settings.max_answer_sentences)


def with_backend(engine: GroundedQueryEngine, settings: Settings) -> GroundedQueryEngine:
    """The same open index (retriever, verifier) answering with the backend and follow-up rewriter
    that `settings` choose: another model without reopening the store (tests, fault scripts)."""
    model = choose_model(settings)
    return GroundedQueryEngine(
        retriever=engine.retriever,
        backend=choose_backend(settings, engine.retriever, model),
        verifier=engine.verifier,
        rewriter=FollowUpRewriter(model, settings.follow_up_turns, engine.retriever),
        settings=settings,
    )


def open_engine(settings: Settings) -> GroundedQueryEngine:
    """Open the index (raises IndexMissingError / IndexCorruptError) and wire the pipeline."""
    embed_model = build_embedding(settings)
    store = open_store(settings, embed_model.model_name)
    retriever = Retriever(store, embed_model, settings)
    model = choose_model(settings)
    return GroundedQueryEngine(
        retriever=retriever,
        backend=choose_backend(settings, retriever, model),
        verifier=Verifier(retriever.article_text, embed=sentence_embedder(embed_model)),
        rewriter=FollowUpRewriter(model, settings.follow_up_turns, retriever),
        settings=settings,
    )


def rewrite_shown(question: str, standalone: str) -> str:
    """The rewritten question to show beside the answer: "" when it is the question, or the question
    with only its letters' case changed (rag.spelling.true_case), which reads the same to a person."""
    return "" if standalone.casefold() == question.casefold() else standalone
