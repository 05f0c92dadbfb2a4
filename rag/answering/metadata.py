"""Questions about the articles themselves: who wrote one, when it was published, by which outlet.

Input: the question, its Retrieval and the Library (rag.answering.overview). Output: a Draft that
answers from what each article states about itself (rag.types.ArticleMeta: the front matter of its
file), each sentence citing a passage of that article so that the verifier checks it against the
passage's metadata (rag.grounding.meta_text); or an abstention saying which article does not state
it; or None when the question asks no such thing. A name found in the text ("said Shay Khatiri")
is never taken for the author: only the metadata says who wrote an article.
"""

from __future__ import annotations

import re

from rag.answering import Draft
from rag.answering.overview import (
    Library,
    Quote,
    articles_about,
    no_article_on,
    paragraph_passage,
    retrieved_first,
    topic_terms,
)
from rag.chunking import sentence_spans
from rag.grounding import spelled_date
from rag.retrieval import Retrieval
from rag.text import content_terms, stem
from rag.types import ArticleMeta, Passage

# What the question must call the text for "who wrote" to be about an article and not about a
# letter or a report the article mentions (English nouns for a piece of journalism)
_PIECE_NOUN = r"(?:article|piece|story|op-?ed|column|editorial|commentary|essay)"
_PIECE = rf"{_PIECE_NOUN}s?"
_THE = r"(?:the|this|that|these|those|each|both|all the|the two)"
FIELD_QUESTIONS: dict[str, re.Pattern[str]] = {
    "author": re.compile(
        rf"\bwho (?:wrote|authored|penned|(?:is|was|are|were) the (?:authors?|writers?) of) {_THE} (?:\w+ )?{_PIECE}\b"
        rf"|\b(?:who is|who's|name) the (?:author|writer)\b|\bwho (?:wrote|authored) (?:it|this)\s*\??$"
        rf"|\b(?:authors?|writers?|bylines?) of {_THE} (?:\w+ )?{_PIECE}\b",
        re.I,
    ),
    "published": re.compile(
        rf"\bwhen (?:was|were) {_THE} (?:\w+ )?{_PIECE}\b[^?]*? (?:published|written|posted|released)\b"
        rf"|\b(?:publication|publishing) dates?\b|\bwhat date (?:was|were) {_THE} (?:\w+ )?{_PIECE}\b",
        re.I,
    ),
    "outlet": re.compile(
        rf"\b(?:which|what) (?:outlet|newspaper|publication|paper|site|website|magazine|media)s? "
        rf"(?:published|ran|carried|printed)\b"
        rf"|\bwhere (?:was|were) {_THE} (?:\w+ )?{_PIECE}\b[^?]*? published\b"
        rf"|\bwho published {_THE} (?:\w+ )?{_PIECE}\b",
        re.I,
    ),
}
# The words that ask for a field (stems): they say nothing of which article is meant
FIELD_WORDS = frozenset(
    stem(w)
    for w in "wrote write written writer writers author authors authored penned byline published publish "
    "publication publishing date posted released ran carried printed outlet newspaper paper site website "
    "magazine media name".split()
)
# How each field is said: the wording rag.grounding.meta_text supports ("was written by", ...)
_SAYS = {
    "author": "“{title}” was written by {value}.",
    "published": "“{title}” was published on {value}.",
    "outlet": "“{title}” was published by {value}.",
}
_LACKS = {
    "author": "The articles do not name the author of “{title}”.",
    "published": "The articles do not say when “{title}” was published.",
    "outlet": "The articles do not say where “{title}” was published.",
}


def asked_field(question: str) -> str:
    """ "author", "published" or "outlet" when the question asks that of an article, else ""."""
    return next((field for field, pattern in FIELD_QUESTIONS.items() if pattern.search(question)), "")


# "Who does Maren Holt work for?", "Which paper does Maren Holt write for?", "Where does Holt
# work?": asked of a name the metadata gives as an article's author, what the articles state of her
# is which outlet published what she wrote (English question shapes, no names)
_WRITES_FOR = re.compile(
    r"^(?:who|whom|where|(?:which|what) (?:outlet|newspaper|publication|paper|site|website|magazine|media))"
    r" (?:does|did) (?P<name>[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*)*) (?:work|write)(?: for| at)?\s*\??$",
    re.I,
)


def metadata_draft(question: str, retrieval: Retrieval, library: Library) -> Draft | None:
    if library.articles and (draft := writer_draft(question, retrieval, library)) is not None:
        return draft
    field = asked_field(question)
    if not field or not library.articles:
        return None
    scope = metadata_scope(question, retrieval, library)
    if not scope:
        return no_article_on(question, retrieval, library)
    passages = list(retrieval.passages)
    added: list[Passage] = []
    stated, lacking = [], []
    for aid in scope:
        meta = library.articles[aid]
        value = _value(meta, field)
        if not value:
            lacking.append(meta)
            continue
        n = _cited(aid, passages, added, library)
        stated.append(f"{_SAYS[field].format(title=_title(meta), value=value)} [{n}]")
    lacks = [_LACKS[field].format(title=_title(m)) for m in lacking]
    if not stated:
        return Draft(" ".join(lacks), abstained=True, reason=" ".join(lacks), backend="offline")
    return Draft(" ".join(stated + lacks), backend="offline", passages=tuple(added))


def writer_draft(question: str, retrieval: Retrieval, library: Library) -> Draft | None:
    """ "Who does Maren Holt work for?" when the metadata names her an author: what she wrote and who
    published it, for each article she wrote (the articles state no employer: this is what they do
    state, each sentence checked against the article's metadata). None when the question is not of
    that shape, the name is no author's, or the text names them (the rules answer that: an author's
    note, "Shay Khatiri is ... a senior fellow at the Yorktown Institute", says what they are)."""
    m = _WRITES_FOR.match(question.strip())
    if not m:
        return None
    asked = set(m.group("name").lower().split())
    # the text may say what they are ("X is a senior fellow at ..."): the rules answer from it
    if any(library.keywords.mentions(w) for w in asked):
        return None
    wrote = [a for a, meta in sorted(library.articles.items()) if asked <= set(meta.author.lower().split())]
    if not wrote:
        return None
    passages = list(retrieval.passages)
    added: list[Passage] = []
    stated = []
    for aid in wrote[:MAX_WRITER_ARTICLES]:
        meta = library.articles[aid]
        n = _cited(aid, passages, added, library)
        stated.append(f"{_SAYS['author'].format(title=_title(meta), value=meta.author)} [{n}]")
        if meta.outlet:
            stated.append(f"{_SAYS['outlet'].format(title=_title(meta), value=meta.outlet)} [{n}]")
        else:
            stated.append(_LACKS["outlet"].format(title=_title(meta)))
    return Draft(" ".join(stated), backend="offline", passages=tuple(added))


# the most of an author's articles a "who does X write for" answer names (an answer is a few sentences)
MAX_WRITER_ARTICLES = 3


def _cited(aid: str, passages: list[Passage], added: list[Passage], library: Library) -> int:
    """The number [n] of a passage of the article: a retrieved one, else its first paragraph, added."""
    n = next((i for i, p in enumerate(passages, 1) if p.article_id == aid), 0)
    if not n:
        added.append(_first_paragraph(library.article_text(aid), library.articles[aid]))
        passages.append(added[-1])
        n = len(passages)
    return n


def metadata_scope(question: str, retrieval: Retrieval, library: Library) -> list[str]:
    """The articles a metadata question is about: the one it describes ("the article about the
    Iranian lawmaker": of the articles about that (overview.articles_about), the title sharing most
    of those words, else the best retrieved), or every article when it describes none ("Who wrote
    the articles?", "Who is the author?"); none when no article is about what it describes."""
    topic = set(topic_terms(question)) - FIELD_WORDS
    retrieved, rest = retrieved_first(retrieval, library)
    ranked = retrieved + rest
    singular = re.search(rf"\b(?:the|this|that) (?:\w+ )?{_PIECE_NOUN}\b(?!s)", question, re.I)
    if len(ranked) > 1 and not (singular and topic):
        return ranked
    if (about := articles_about(question, retrieved, library)) is not None:
        ranked = about
    shared = {a: len(topic & set(content_terms(_title(library.articles[a])))) for a in ranked}
    return sorted(ranked, key=lambda a: -shared[a])[:1]  # stable: retrieval order breaks ties


def _value(meta: ArticleMeta, field: str) -> str:
    if field == "author":
        return meta.author
    if field == "outlet":
        return meta.outlet
    return spelled_date(meta.published) if meta.published else ""


def _title(meta: ArticleMeta) -> str:
    return meta.title or meta.id


def _first_paragraph(text: str, meta: ArticleMeta) -> Passage:
    """A passage of the article's first sentence's paragraph: what a metadata answer cites."""
    spans = sentence_spans(text)
    start, end = spans[0] if spans else (0, len(text))
    return paragraph_passage(text, Quote(meta.id, start, end), meta)
