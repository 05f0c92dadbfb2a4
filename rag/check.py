"""Check a draft against the articles: each sentence of a pasted text (a briefing note, a model's
answer from elsewhere) marked supported, with the quotes that support it, or not, with the reason.

Input: the draft text and, optionally, the passages to check against (text plus title, author,
outlet, published). Without passages each sentence is checked against what retrieval finds for it
in the corpus (every retrieved passage counts as cited). Output: a DraftCheck. The retriever and
the verifier are passed in; this module neither opens the index nor talks to a model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from rag.chunking import sentence_spans
from rag.errors import QuestionError
from rag.grounding import MARKER, QUOTE_MARKER, Verifier, split_claims
from rag.types import ArticleMeta, Chunk, Passage

MAX_DRAFT_CHARS = 20_000  # about four pages: longer drafts are checked in parts
MAX_SENTENCES = 60  # each sentence without passages costs one retrieval (about 10-40 ms)


@dataclass(frozen=True)
class DraftPassage:
    """A passage given with the draft to check it against."""

    text: str
    title: str = ""
    author: str = ""
    outlet: str = ""
    published: str = ""


@dataclass(frozen=True)
class CheckedCitation:
    article_id: str
    title: str
    quote: str  # == the article's text[start:end] (the given passage's text, when passages were given)
    start: int
    end: int


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # the sentence as written, markers removed
    supported: bool
    reason: str  # why it is not supported ("" when it is)
    citations: tuple[CheckedCitation, ...]


@dataclass(frozen=True)
class DraftCheck:
    sentences: tuple[CheckedSentence, ...]
    against: str  # "passages" (the ones given) or "corpus" (retrieval per sentence)

    @property
    def supported(self) -> int:
        return sum(s.supported for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["supported"] = self.supported
        d["total"] = len(self.sentences)
        return d


class SentenceRetriever(Protocol):
    def retrieve(self, question: str) -> Any: ...  # a Retrieval: .passages


def check_draft(
    text: str,
    retriever: SentenceRetriever,
    verifier: Verifier,
    passages: Sequence[DraftPassage] | None = None,
) -> DraftCheck:
    """Each sentence of `text` verified: against `passages` when given (all of them, or the ones its
    own [n] markers name), else against the passages retrieval finds for that sentence."""
    sentences = draft_sentences(text)
    if passages:
        given, articles = as_passages(passages)
        own = verifier.with_articles(articles.__getitem__)
        return DraftCheck(tuple(_check(s, given, own) for s in sentences), "passages")
    out = []
    for s in sentences:
        found = tuple(retriever.retrieve(MARKER.sub("", s)).passages)
        out.append(_check(s, found, verifier))
    return DraftCheck(tuple(out), "corpus")


def draft_sentences(text: object) -> list[str]:
    """The draft's sentences, each with its own markers; a caller's mistake raises QuestionError."""
    if not isinstance(text, str):
        raise QuestionError(f"The draft must be text, not {type(text).__name__}.")
    text = text.replace("\x00", " ").strip()
    if not text:
        raise QuestionError("The draft is empty. Paste the text to check.")
    if len(text) > MAX_DRAFT_CHARS:
        raise QuestionError(
            f"The draft is {len(text):,} characters long; the limit is {MAX_DRAFT_CHARS:,}. Check it in parts."
        )
    pieces = []
    for claim in split_claims(text):  # each sentence with its own markers (and quotes) for the verifier
        quoted = {n for n, _ in claim.quotes}
        marks = "".join(f'[{n}: "{q}"]' for n, q in claim.quotes)
        marks += "".join(f"[{n}]" for n in dict.fromkeys(claim.cited) if n not in quoted)
        pieces.append(f"{claim.text} {marks}".strip())
    if len(pieces) > MAX_SENTENCES:
        raise QuestionError(f"The draft has {len(pieces)} sentences; the limit is {MAX_SENTENCES}. Check it in parts.")
    return pieces


def as_passages(given: Sequence[DraftPassage]) -> tuple[tuple[Passage, ...], dict[str, str]]:
    """The given passages as retrieved ones: each a one-chunk article of its own."""
    out, articles = [], {}
    for i, g in enumerate(given, 1):
        if not g.text.strip():
            raise QuestionError(f"Passage {i} has no text.")
        aid = f"passage-{i}"
        articles[aid] = g.text
        chunk = Chunk(f"{aid}:0", aid, g.text, 0, len(g.text), tuple(sentence_spans(g.text)))
        meta = ArticleMeta(id=aid, title=g.title, author=g.author, outlet=g.outlet, published=g.published)
        out.append(Passage(chunk=chunk, meta=meta, score=1.0))
    return tuple(out), articles


def _check(sentence: str, passages: tuple[Passage, ...], verifier: Verifier) -> CheckedSentence:
    bare = QUOTE_MARKER.sub("", sentence)
    bare = MARKER.sub("", bare).strip()
    if not passages:
        return CheckedSentence(bare, False, "nothing in the articles is about it", ())
    has_own = bool(MARKER.search(sentence) or QUOTE_MARKER.search(sentence))
    draft = sentence if has_own else f"{bare} " + "".join(f"[{n}]" for n in range(1, len(passages) + 1))
    verified = verifier.verify(draft, passages)
    if verified.removed or not verified.citations:
        why = verified.removed[0].reason if verified.removed else verified.reason
        return CheckedSentence(bare, False, _plain(why, has_own), ())
    cites = tuple(
        CheckedCitation(c.article_id, c.title, c.quote, c.start, c.end) for c in verified.citations if c.quote
    )
    return CheckedSentence(bare, True, "", cites)


def _plain(why: str, has_own: bool) -> str:
    """The verifier's reason; source numbers mean nothing to someone who cited none."""
    return why if has_own else re.sub(r" ?\(?source (\[\d+\])+\)?", " the articles", why).replace("  ", " ")


def parse_request(data: Mapping[str, Any] | str) -> tuple[str, list[DraftPassage] | None]:
    """{"text": ..., "passages": [{"text", "title", "author", "outlet", "published"}]} or plain text."""
    if isinstance(data, str):
        return data, None
    text = data.get("text")
    raw = data.get("passages")
    if raw is None:
        return str(text or ""), None
    if not isinstance(raw, list):
        raise QuestionError('"passages" must be a list of {"text", "title", "author", "outlet", "published"}.')
    fields = ("text", "title", "author", "outlet", "published")
    passages = []
    for i, p in enumerate(raw, 1):
        if not isinstance(p, Mapping) or set(p) - set(fields):
            raise QuestionError(f"Passage {i} must be an object with only the keys {', '.join(fields)}.")
        passages.append(DraftPassage(**{k: str(p.get(k) or "") for k in fields}))
    return str(text or ""), passages
