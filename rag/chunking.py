"""Article -> Chunks: sentence-aware pieces with character offsets into the article text.

LlamaIndex's SentenceSplitter does the splitting (sized in MiniLM word pieces, so no chunk is
truncated by the model); punkt sentence spans give each chunk its sentences. Every offset is
checked: article.text[start:end] == chunk.text. Chunk ids are derived from content.
This module does not embed or store anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.utils import globals_helper

from rag.errors import CorpusError
from rag.types import Article, Chunk, Span

Tokenizer = Callable[[str], list[int]]
_LINE = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[Span]:
    """Sentence (start, end) spans of text: punkt within each line, trailing spaces trimmed."""
    punkt = globals_helper.punkt_tokenizer
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        for s, e in punkt.span_tokenize(line.group()):
            start, end = line.start() + s, line.start() + e
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


def make_splitter(chunk_size: int, chunk_overlap: int, tokenizer: Tokenizer) -> SentenceSplitter:
    # Paragraphs in the corpus are single lines, so a newline is the paragraph break.
    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=tokenizer,
        paragraph_separator="\n",
        include_metadata=False,
        include_prev_next_rel=False,
    )


def chunk_article(article: Article, splitter: SentenceSplitter) -> list[Chunk]:
    """Split one article; raise CorpusError if an offset does not round-trip (never expected)."""
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
        chunks.append(
            Chunk(
                id=chunk_id(article.id, start, text),
                article_id=article.id,
                text=text,
                start=start,
                end=end,
                sentences=clip_spans(sentences, start, end),
            )
        )
    return chunks


def clip_spans(spans: list[Span], start: int, end: int) -> tuple[Span, ...]:
    """The parts of sentence spans that lie inside [start, end) (a chunk may cut a long one)."""
    return tuple((max(s, start), min(e, end)) for s, e in spans if s < end and e > start)


def chunk_id(article_id: str, start: int, text: str) -> str:
    return hashlib.sha256(f"{article_id}\x00{start}\x00{text}".encode()).hexdigest()[:32]
