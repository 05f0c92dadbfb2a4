"""False premises: a question whose stated number or polarity the best-matching sentence contradicts.

Input: the question, its Retrieval and the keyword index. Output: a Draft that says the articles do
not say so and quotes, cited, the sentence that says otherwise ("Which five countries ...?" ->
"... in a trial in three countries"; "Did Iran confirm the report?" -> "Iran officially denied the
report"), or None when no retrieved sentence about the same thing contradicts the question.
It does not judge premises it cannot see in words (a "cut" that was a "rise").
"""

from __future__ import annotations

import re

from rag.answering import Draft
from rag.answering.overview import DENSE_SHARE, Quote, _dense
from rag.retrieval import KeywordIndex, Retrieval
from rag.text import NUMBER_WORDS, STOPWORDS, content_terms, is_instruction, negation_differs, stem

# A sentence is about what the question asks when it holds at least this share of the question's
# idf-weighted content terms (its numbers aside); not fitted: the eval's false-premise items
# (11 over both sets) are too few to fit on, and they check the outcome.
MIN_SHARED = 0.5
_COUNTED = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")((?:(?:\s+|-)[A-Za-z]+){1,3})", re.I
)  # a number and the next three words, one of which is what it counts ("200 short range missiles")
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_YES_NO = re.compile(r"^(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)
CORRECTION = "The articles do not say so."


def counted(text: str) -> set[tuple[float, str]]:
    """(number, stem of a word after it): "five countries" -> (5, "countri"), "20-year" -> (20, "year")."""
    out = set()
    for m in _COUNTED.finditer(text):
        raw = m.group(1).lower().replace(",", "")
        if raw in ("first", "second", "half"):
            continue
        if _YEAR.fullmatch(raw):
            continue  # "As of January 2016 how many digits": a year counts nothing
        value = float(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else float(raw)
        for w in re.findall(r"[A-Za-z]+", m.group(2)):
            if w.lower() in STOPWORDS:
                break  # "one of the cities", "2016 how many": what follows is not what it counts
            out.add((value, stem(w)))
    return out


def contradicts(question: str, sentence: str) -> bool:
    """Another number of the same thing ("five countries" / "three countries"), or, for a yes/no
    question, a negation in one and not the other about the same terms."""
    asked, said = counted(question), counted(sentence)
    for value, noun in asked:
        if any(n == noun and v != value for v, n in said) and (value, noun) not in said:
            return True
    return bool(_YES_NO.match(question)) and negation_differs(question, sentence)


def premise_draft(question: str, retrieval: Retrieval, keywords: KeywordIndex) -> Draft | None:
    terms = [t for t in dict.fromkeys(content_terms(question)) if t not in NUMBER_WORDS]
    weights = {t: keywords.idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    asked = counted(question)
    if asked & {pair for p in retrieval.passages for pair in counted(p.chunk.text)}:
        return None  # a retrieved passage states the question's number of that thing: no false premise
    best: tuple[float, int, Quote, str] | None = None
    for n, p in enumerate(retrieval.passages, 1):
        base = p.chunk.start
        for i, (s, e) in enumerate(p.chunk.sentences):
            sentence = p.chunk.text[s - base : e - base]
            shared = sum(w for t, w in weights.items() if t in set(content_terms(sentence))) / total
            if shared < MIN_SHARED or is_instruction(sentence) or not contradicts(question, sentence):
                continue
            score = DENSE_SHARE * _dense(retrieval.query_vector, p, i) + (1 - DENSE_SHARE) * shared
            if best is None or score > best[0]:
                best = (score, n, Quote(p.article_id, s, e), sentence)
    if best is None:
        return None
    _, n, _, sentence = best
    return Draft(f"{CORRECTION} However, the articles say: {sentence} [{n}]", backend="offline")
