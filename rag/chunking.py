"""Article -> Chunks: sentence-aware pieces with character offsets into the article text.

LlamaIndex's SentenceSplitter does the splitting (sized in MiniLM word pieces, so no chunk is
truncated by the model); sentence spans (NLTK's English punkt model, a line break always ending a
sentence) give each chunk its sentences, and the splitter cuts at the same places. Every offset is
checked: article.text[start:end] == chunk.text. Chunk ids are derived from content.
This module does not embed or store anything.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.utils import globals_helper
from nltk.tokenize.punkt import PunktSentenceTokenizer

from rag.errors import CorpusError
from rag.text import is_question
from rag.types import Article, Chunk, Span

Tokenizer = Callable[[str], list[int]]
# Names how articles are cut into sentences and chunks; stored with each article record, so that
# ingest re-chunks an article indexed under another version (only chunks whose text changed are
# embedded again). Bump it when sentence_spans or make_splitter cut differently.
CHUNKING_VERSION = "punkt-english-2"  # 2: a chunk ending on a printed question takes its answer's first sentence
_LINE = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[Span]:
    """Sentence (start, end) spans of text, trailing spaces trimmed.

    A line break always ends a sentence (a caption or a heading without a full stop does not run
    into the next line); within a line, NLTK's English punkt model decides, so "U.S.", "a.m.",
    "Dr." or "Sept." before a name or a number does not end one.
    """
    return line_spans(text, english_punkt())


def line_spans(text: str, tokenizer: PunktSentenceTokenizer) -> list[Span]:
    """Sentence spans of text by a punkt tokenizer within each line, trailing spaces trimmed."""
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        for s, e in tokenizer.span_tokenize(line.group()):
            start, end = line.start() + s, line.start() + e
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


@functools.cache
def english_punkt() -> PunktSentenceTokenizer:
    """NLTK's punkt model trained on English news (its 156 abbreviations include u.s, a.m, p.m, dr,
    sept, jan, gen, sen), from the copy of NLTK's data that llama-index-core ships.

    LlamaIndex's own globals_helper.punkt_tokenizer is an untrained PunktSentenceTokenizer(): it
    knows no abbreviation and ends a sentence after every "U.S." (see scripts/sentence_splits.py).
    """
    from nltk.tokenize.punkt import PunktTokenizer

    globals_helper.wait_for_nltk_check()  # puts llama-index-core's NLTK data folder on NLTK's path
    try:
        return PunktTokenizer("english")
    except LookupError as e:
        raise CorpusError(
            f"NLTK's English sentence model is missing from {globals_helper._nltk_data_dir}; run `make install` "
            "(llama-index-core ships it; do not set NLTK_DATA elsewhere)."
        ) from e


def split_sentences(text: str) -> list[str]:
    """text as consecutive pieces, one per sentence (for SentenceSplitter: the pieces join back to
    text exactly), split where sentence_spans splits."""
    starts = [s for s, _ in sentence_spans(text)]
    if not starts:
        return [text] if text else []
    cuts = [0, *starts[1:], len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def make_splitter(chunk_size: int, chunk_overlap: int, tokenizer: Tokenizer) -> SentenceSplitter:
    # Paragraphs in the corpus are single lines, so a newline is the paragraph break.
    return SentenceSplitter(
        chunking_tokenizer_fn=split_sentences,  # chunk boundaries fall where sentence_spans ends one
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=tokenizer,
        paragraph_separator="\n",
        include_metadata=False,
        include_prev_next_rel=False,
    )


def chunk_article(article: Article, splitter: SentenceSplitter, tokenizer: Tokenizer | None = None) -> list[Chunk]:
    """Split one article; raise CorpusError if an offset does not round-trip (never expected).
    `tokenizer` (the splitter's) bounds a chunk that takes in an answer (see _with_answer)."""
    nodes = splitter.get_nodes_from_documents([Document(text=article.text, id_=article.id)])
    sentences = sentence_spans(article.text)
    chunks = []
    for node in nodes:
        start, end = getattr(node, "start_char_idx", None), getattr(node, "end_char_idx", None)
        text = node.get_content()
        if start is None or end is None or article.text[start:end] != text:
            raise CorpusError(
                f"{article.id}: a chunk could not be mapped back to the article text; "
                "report this as a bug with the article file attached"
            )
        end = _with_answer(article.text, sentences, start, end, lambda piece: _fits(piece, tokenizer))
        text = article.text[start:end]
        spans = clip_spans(sentences, start, end)
        chunks.append(Chunk(chunk_id(article.id, start, text, spans), article.id, text, start, end, spans))
    return chunks


# Longest sentence a chunk ending on a question takes in; longer, the cut stays
ANSWER_MAX_CHARS = 500
# ... and the longest chunk it may make: MiniLM reads 256 word pieces, two of them its own markers
MAX_CHUNK_TOKENS = 254
# ... counted in characters when no tokenizer is given (about 4 of English text a word piece)
MAX_CHUNK_CHARS = 4 * MAX_CHUNK_TOKENS


def _fits(piece: str, tokenizer: Tokenizer | None) -> bool:
    return len(tokenizer(piece)) <= MAX_CHUNK_TOKENS if tokenizer else len(piece) <= MAX_CHUNK_CHARS


def _with_answer(
    text: str, sentences: list[Span], start: int, end: int, fits: Callable[[str], bool] = lambda _: True
) -> int:
    """Where the chunk [start, end) should end: an interview's or a Q&A's printed question ("What's
    the biggest career risk you've ever taken?") closing it keeps the first sentence of its answer,
    the next paragraph, with it, if the chunk still fits the embedding model; otherwise the
    splitter's cut. Without it the question is retrieved for a question asked in its words and its
    answer, the next chunk, is not."""
    last = next((s for s in reversed(sentences) if s[1] <= end), None)
    if last is None or not is_question(text[last[0] : last[1]]) or "\n" not in text[last[1] : end + 1]:
        return end
    after = next((s for s in sentences if s[0] >= end), None)
    if after is None or after[1] - after[0] > ANSWER_MAX_CHARS or "\n" not in text[end : after[0]]:
        return end
    return after[1] if fits(text[start : after[1]]) else end


def clip_spans(spans: list[Span], start: int, end: int) -> tuple[Span, ...]:
    """The parts of sentence spans that lie inside [start, end) (a chunk may cut a long one)."""
    return tuple((max(s, start), min(e, end)) for s, e in spans if s < end and e > start)


def chunk_id(article_id: str, start: int, text: str, sentences: tuple[Span, ...] = ()) -> str:
    """Derived from everything stored with the chunk's vectors: its text, place and sentence spans
    (the sentence vectors are pooled over them), so a chunk cut into other sentences is new."""
    key = f"{article_id}\x00{start}\x00{text}\x00{sentences}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]
