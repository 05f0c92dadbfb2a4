"""Small frozen value types shared by every stage: Article, Chunk, Passage, Citation, Answer.

They carry data only; no I/O, no library types (LlamaIndex, Chroma) leak through them.
Offsets are always character offsets into Article.text, end exclusive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True)
class ArticleMeta:
    """What the article states about itself. Empty string = the article does not say."""

    id: str
    title: str = ""
    title_is_editorial: bool = False
    author: str = ""
    outlet: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) or ""
    url: str = ""

    def as_metadata(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Article:
    meta: ArticleMeta
    text: str
    content_hash: str  # changes when the text or the metadata changes
    source: str = ""  # file the article was read from

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Chunk:
    """A retrieval unit: consecutive sentences of one article."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]  # sentence spans inside [start, end), in article offsets


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and its retrieval score."""

    chunk: Chunk
    meta: ArticleMeta
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None
    sentence_vectors: Any = None  # numpy array (n_sentences, dim) or None
    facts: str = ""  # language analysis of its sentences, packed by rag.nlp.pack_facts ("" = none stored)

    @property
    def article_id(self) -> str:
        return self.chunk.article_id


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    title: str
    title_is_editorial: bool
    author: str
    outlet: str
    published: str
    url: str
    quote: str  # == article.text[start:end]
    start: int
    end: int
    passage: str  # the passage around the quote, == article.text[passage_start:passage_end]
    passage_start: int
    passage_end: int
    support: float  # 0..1: how well the quote supports the sentence that cites it
    # 0..1: how surely the quote answers the question asked (the offline answerer's fitted score);
    # None when no backend judged it (a model wrote the answer: `support` is what was checked)
    answers: float | None = None
    # whom a "He"/"She" opening the quote means ("He added, ..."): the person the passage names as
    # the speaker before it (rag.nlp.speakers_before); "" when the quote opens otherwise or the
    # passage does not make it clear
    speaker: str = ""
    # the words introducing the quotation the quote is part of, when it opened in an earlier sentence
    # (rag.text.quotation_lead: "Bakhshayesh-Ardestani rebuked,"); "" when the quote is in none
    quotation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Removed:
    """A sentence the verifier removed (or flagged), and why ("number 2,000 not in source [2]")."""

    sentence: str
    reason: str


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str  # text with [n] markers
    abstained: bool
    citations: tuple[Citation, ...]
    backend: str
    reason: str = ""  # why it abstained (empty when it answered)
    standalone_question: str = ""  # the follow-up rewritten for retrieval ("" = same as question)
    notice: str = ""  # one-line notice to the user (e.g. the OpenAI server failed)
    dropped: tuple[str, ...] = ()  # sentences the verifier removed
    flagged: tuple[str, ...] = ()  # sentences shown as unverified (unverified mode only)
    removed: tuple[Removed, ...] = ()  # every dropped or flagged sentence with the verifier's reason
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    # how surely the quoted sentences answer the question (the offline answerer's fitted probability;
    # None for a model backend); Citation.support says how well each quote matches its article
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        d["dropped"] = list(self.dropped)
        d["flagged"] = list(self.flagged)
        d["removed"] = [asdict(r) for r in self.removed]
        return d
