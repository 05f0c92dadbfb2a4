"""Questions the sentence answerer should not take as ordinary fact questions.

Input: the question, its Retrieval and the Library (rag.answering.overview). Output: a Draft for a
question in another language (offline answers are English-only: a clear abstention saying so), a
question about the articles themselves (rag.answering.metadata: author, date, outlet), a
summary or a comparison (rag.answering.overview), a false premise's correction
(rag.answering.premise), or None: the ordinary answer then follows.
It does not score sentences for fact questions (rag.answering.offline does).
"""

from __future__ import annotations

import re
import unicodedata

from rag.answering import Draft
from rag.answering.enumeration import enumeration_draft
from rag.answering.metadata import metadata_draft
from rag.answering.overview import Library, overview_draft
from rag.answering.premise import premise_draft

__all__ = ["Library", "special_draft"]
from rag.retrieval import KeywordIndex, Retrieval
from rag.text import QUESTION_WORDS, STOPWORDS, stem

# A question reads as English when at least FUNCTION_MIN_SHARE of its words are English function
# words, or ENGLISH_MIN_SHARE are function words or corpus words (names and cognates alone do not
# make a French question English). Chosen on the grid printed by scripts/measure_language.py:
# English questions taken for another language: 0/124 of eval/dataset.jsonl, 1/6307 SQuAD 2.0 dev;
# questions in other languages caught: 24/24 against the seed corpus, 23/24 against SQuAD's.
FUNCTION_MIN_SHARE = 0.25
ENGLISH_MIN_SHARE = 0.6
# The abstention is a sentence about the articles (the verifier keeps it uncited); what to do
# instead goes in the notice shown beside it.
OTHER_LANGUAGE = "The articles do not answer questions in other languages offline."
OTHER_LANGUAGE_NOTICE = (
    "Offline answers are in English only: ask in English, or use a model backend "
    "(RAG_BACKEND=openai with OPENAI_API_KEY), which answers questions in other languages."
)
_WORD = re.compile(r"[^\W\d_]+")


def english_share(question: str, keywords: KeywordIndex, function_only: bool = False) -> float:
    """Share of the question's words that read as English: a Latin-script word that is an English
    function word, or (unless function_only) a word of the corpus; any other script counts against."""
    found = [w for w in _WORD.findall(question.lower()) if len(w) >= 2]
    if not found:
        return 1.0
    return sum(_latin(w) and _english(w, keywords, function_only) for w in found) / len(found)


def _english(word: str, keywords: KeywordIndex, function_only: bool) -> bool:
    if word in STOPWORDS or word in QUESTION_WORDS:
        return True
    return not function_only and keywords.doc_freq.get(stem(word), 0) > 0


def reads_english(question: str, keywords: KeywordIndex) -> bool:
    return (
        english_share(question, keywords, function_only=True) >= FUNCTION_MIN_SHARE
        or english_share(question, keywords) >= ENGLISH_MIN_SHARE
    )


def _latin(word: str) -> bool:
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in word)


def language_draft(question: str, keywords: KeywordIndex) -> Draft | None:
    if reads_english(question, keywords):
        return None
    return Draft(OTHER_LANGUAGE, abstained=True, reason=OTHER_LANGUAGE, notice=OTHER_LANGUAGE_NOTICE, backend="offline")


def special_draft(question: str, retrieval: Retrieval, library: Library | None) -> Draft | None:
    """The draft for a question that is not an ordinary fact question, or None."""
    if library is None:
        return None
    if (draft := language_draft(question, library.keywords)) is not None:
        return draft
    if (draft := metadata_draft(question, retrieval, library)) is not None:
        return draft
    if (draft := overview_draft(question, retrieval, library)) is not None:
        return draft
    if (draft := enumeration_draft(question, retrieval, library)) is not None:
        return draft
    return premise_draft(question, retrieval, library.keywords)
