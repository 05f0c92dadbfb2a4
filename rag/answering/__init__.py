"""Answering backends: numbered Passages in, a Draft (text with [n] markers) out.

A draft is never shown as is: rag.grounding verifies it first. Backends do not retrieve.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from rag.retrieval import Retrieval
from rag.types import Passage

# How a backend says the articles do not answer; the verifier lets this sentence stand uncited.
ABSTAIN_PREFIX = "The articles do not say"


# An abstention whose nearby sentence could answer the question's kind but not with the confidence
# needed to quote it as the answer: "do not answer" would be false when that sentence does.
NOT_CLEARLY_ANSWERED = "The articles do not clearly answer this question."


@dataclass(frozen=True)
class Draft:
    """What a backend wrote. [n] markers refer to Retrieval.passages[n-1]."""

    text: str
    abstained: bool = False
    reason: str = ""
    notice: str = ""  # e.g. "The OpenAI server failed; this is the offline answer."
    backend: str = ""
    # how surely the text answers the question, 0..1, when the backend can tell (the offline
    # answerer's fitted probability); passed on as Answer.confidence
    confidence: float | None = None
    # passages the draft cites beyond the retrieval's ([n] numbers continue after them): a summary
    # quotes sentences of whole articles, not only of the retrieved chunks
    passages: tuple[Passage, ...] = ()
    # how surely each quoted sentence answers the question, 0..1, when the backend can tell:
    # (article id, start offset of the sentence in the article, score); passed on as Citation.answers
    scores: tuple[tuple[str, int, float], ...] = ()


class Backend(Protocol):
    name: str

    def draft(self, question: str, retrieval: Retrieval) -> Draft: ...


def draft_events(backend: Backend, question: str, retrieval: Retrieval) -> Iterator[str | Draft]:
    """Text deltas (if the backend streams), then its Draft."""
    stream = getattr(backend, "draft_stream", None)
    if stream is None:
        yield backend.draft(question, retrieval)
    else:
        yield from stream(question, retrieval)


T = TypeVar("T")


def final_event(events: Iterator[object], kind: type[T]) -> T:
    """The last event of a stream that is a `kind` (a stream of text deltas ends with its result)."""
    last = None
    for event in events:
        if isinstance(event, kind):
            last = event
    if last is None:
        raise RuntimeError(f"the stream ended without a {kind.__name__}")
    return last
