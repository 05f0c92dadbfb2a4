"""Enumerations: questions about the items an article lists in order ("There are many possible
explanations. The first is that ... The second explanation is that ..."), answered by quoting them.

Input: the question, its Retrieval and the Library (article texts). Output: a Draft of verbatim
sentences with [n] markers (rag.answering.overview.quote_draft), or None when the question asks
neither for a list of counted items ("List the four explanations ...", "What two things ...?") nor
for one item by its ordinal ("What is the third explanation ...?"), or when no retrieved article
enumerates anything. An enumeration is found by its shape, not its words: consecutive sentences
opening on "First," / "The second ..." / "The third is ...", in order from the first, each within
a few sentences of the one before. The word lists are English ordinals and count words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering import Draft
from rag.answering.overview import (
    Quote,
    articles_about,
    no_article_on,
    quote_draft,
    retrieved_first,
)
from rag.chunking import sentence_spans
from rag.retrieval import Retrieval
from rag.spelling import Library
from rag.text import NUMBER_WORDS, ORDINAL_WORDS, content_terms

ORDINALS = ORDINAL_WORDS[:10]
COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")  # the counts _COUNTED reads
_ORDINAL = "|".join(ORDINALS)
# A sentence that opens an item: "First, ...", "The second explanation is ...", "The third is ...";
# "Finally, ..." closes a run that has begun.
_ITEM = re.compile(rf"^[“\"‘']?(?:(?:the\s+)?({_ORDINAL})\b|(finally|lastly)\b)", re.I)
# "List the four explanations", "What two things ...", "Which 3 reasons ...": a count before a noun
_COUNTED = re.compile(rf"\b({'|'.join(COUNTS)}|[2-9])\s+(?:possible\s+|main\s+|key\s+)?(\w+s)\b", re.I)
_LIST_VERB = re.compile(r"^\s*(?:list|enumerate|name)\b", re.I)
_ASKED_ORDINAL = re.compile(
    rf"\b(?:the|its|their|his|her)\s+(?:article[’']s\s+)?({_ORDINAL})\s+(?:possible\s+|main\s+|key\s+)?(\w+)", re.I
)
# An item follows the one before within this many sentences: an item of an analysis piece may take
# a paragraph (news paragraphs run 1-6 sentences); the order of the ordinals keeps false runs out.
MAX_GAP = 8
ITEM_SENTENCES = 2  # an item asked for by its ordinal is quoted with the next sentence of its paragraph
TOP_PASSAGES = 3  # an enumeration must touch one of the top retrieved passages: retrieval says it is relevant
SCAFFOLD = frozenset(content_terms(" ".join(ORDINALS) + " " + " ".join(COUNTS) + " list name enumerate possible"))


@dataclass(frozen=True)
class Run:
    """One enumeration in an article: the sentence announcing it (or None) and its items in order."""

    article_id: str
    announce: tuple[int, int] | None
    items: tuple[tuple[int, int], ...]
    # per item, the sentences that carry it on in its paragraph before the next item
    continued: tuple[tuple[tuple[int, int], ...], ...] = ()


@dataclass(frozen=True)
class Asked:
    count: int | None  # how many items the question asks for (0: every one), None: no list asked
    which: int | None  # which item by its ordinal, 1-based, None: none
    noun: str  # the stem of what the items are ("explan", "thing"): the enumeration must name it


def asked(question: str) -> Asked:
    ordinal = _ASKED_ORDINAL.search(question)
    if ordinal:
        return Asked(None, ORDINALS.index(ordinal.group(1).lower()) + 1, _stem(ordinal.group(2)))
    counted = _COUNTED.search(question)
    if counted and (noun := _stem(counted.group(2))):  # "the two articles" counts no items
        word = counted.group(1).lower()
        return Asked(int(word) if word.isdigit() else int(NUMBER_WORDS[word]), None, noun)
    if _LIST_VERB.match(question):
        return Asked(0, None, "")  # every item of the enumeration the question's words point to
    return Asked(None, None, "")


def _stem(word: str) -> str:
    found = content_terms(word)
    return found[0] if found else ""


def runs(article_id: str, text: str) -> list[Run]:
    """Every enumeration of the article: items "first", "second", ... in order (at least two)."""
    spans = sentence_spans(text)
    out: list[Run] = []
    i = 0
    while i < len(spans):
        m = _ITEM.match(text[spans[i][0] : spans[i][1]])
        if not m or (m.group(1) or "").lower() != "first":
            i += 1
            continue
        items, last, j = [spans[i]], i, i + 1
        while j < len(spans) and j <= last + MAX_GAP:
            n = _ITEM.match(text[spans[j][0] : spans[j][1]])
            word = (n.group(1) or n.group(2) or "").lower() if n else ""
            if word in ("finally", "lastly") or (word in ORDINALS and ORDINALS.index(word) == len(items)):
                items.append(spans[j])
                last = j
                if word in ("finally", "lastly"):
                    break
            j += 1
        if len(items) >= 2:
            announce = spans[i - 1] if i > 0 else None
            out.append(Run(article_id, announce, tuple(items), _continued(text, spans, items)))
        i = last + 1
    return out


def _continued(
    text: str, spans: list[tuple[int, int]], items: list[tuple[int, int]]
) -> tuple[tuple[tuple[int, int], ...], ...]:
    out = []
    for k, (_, end) in enumerate(items):
        stop = items[k + 1][0] if k + 1 < len(items) else len(text)
        paragraph_end = text.find("\n", end)
        stop = min(stop, paragraph_end if paragraph_end >= 0 else len(text))
        out.append(tuple((s, e) for s, e in spans if end <= s and e <= stop))
    return tuple(out)


def item_sentences(run: Run, k: int) -> list[tuple[int, int]]:
    """Item k's sentence and those after it in its paragraph, up to the next item (at most
    ITEM_SENTENCES in all), as "The fourth explanation is that X. The true power brokers are Y." """
    return [run.items[k], *run.continued[k][: ITEM_SENTENCES - 1]]


def enumeration_draft(question: str, retrieval: Retrieval, library: Library) -> Draft | None:
    a = asked(question)
    count, which = a.count, a.which
    if count is None and which is None:
        return None
    # "List the three reasons the article about the volcano gives": an enumeration of another
    # article does not answer it
    if articles_about(question, retrieved_first(retrieval, library)[0], library) == []:
        return no_article_on(question, retrieval, library)
    top = retrieval.passages[:TOP_PASSAGES]
    terms = set(content_terms(question)) - SCAFFOLD
    best: tuple[float, Run] | None = None
    for aid in dict.fromkeys(p.article_id for p in retrieval.passages):
        if aid not in library.articles:
            continue
        text = library.article_text(aid)
        for run in runs(aid, text):
            spans = ([run.announce] if run.announce else []) + list(run.items)
            if not any(p.article_id == aid and p.chunk.start <= s < p.chunk.end for p in top for s, _ in spans):
                continue
            if which is not None and which > len(run.items):
                continue
            if count and len(run.items) < count:
                continue
            said = set(content_terms(" ".join(text[s:e] for s, e in spans)))
            if a.noun and a.noun not in said:  # "the three islands": an enumeration of islands, not of explanations
                continue
            share = len(terms & said) / len(terms) if terms else 0.0
            if best is None or share > best[0]:
                best = (share, run)
    if best is None:
        return None
    run = best[1]
    if which is not None:  # the item, with the sentences that carry it on in its paragraph
        quotes = [Quote(run.article_id, s, e) for s, e in item_sentences(run, which - 1)]
    else:
        items = run.items[:count] if count else run.items
        quotes = ([Quote(run.article_id, *run.announce)] if run.announce else []) + [
            Quote(run.article_id, s, e) for s, e in items
        ]
    return quote_draft(quotes, retrieval, library)
