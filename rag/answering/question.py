"""What a question asks, read with spaCy (rag.nlp): its wh-word and type key, its content words,
the entities and numbers it names. The one parse of a question at query time happens here.

Input: the question text. Output: a Question. It does not know which answer types a key expects
(the trained answerer model holds that table, fitted on data) and does not look at the articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag import nlp
from rag.text import carry, content_terms, numbers, split_carried

WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})  # Penn tags of wh-words


@dataclass(frozen=True)
class Question:
    text: str
    wh: str  # the wh-word's lemma ("who", "when", "how", "what", ...), "yesno", or "" for none
    key: str  # the wh-word with what narrows it: "how many", "what year", "which country", "who"
    focus: str  # the words of the thing asked about, as asked ("Shahed drones" in "how many Shahed drones")
    focus_lemmas: frozenset[str]  # their content lemmas
    terms: tuple[str, ...]  # stemmed content terms (rag.text.content_terms), unique, in order
    lemmas: frozenset[str]  # content lemmas (rag.nlp.content_lemmas)
    entities: tuple[str, ...]  # the named entities it mentions, lower-cased
    proper: tuple[str, ...]  # its proper nouns (PROPN), lower-cased
    numbers: frozenset[float]  # numbers it states ("the 20-year agreement")
    root: str  # lemma of its main verb ("" when the root is the copula or missing)


# ", and what is it rumored to include?": a second question joined to the first (English question
# words and auxiliaries open it); "Where and when ...?" or "and where?" asks nothing of its own
_SECOND_QUESTION = re.compile(
    r",\s*and\s+(?=(?:who|whom|what|which|when|where|why|how|in what|is|are|was|were|did|does|do|has|have)\b)",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The questions a compound question joins ("Who is X, and which Y was kept on?" -> both), each
    standalone: the second carries the first (rag.text.carry), as its pronouns point there. A
    question with one part, or a second part of no content words of its own ("and where?"): [question]."""
    asked, carried = split_carried(question.strip())  # a follow-up's rewrite may carry a question already
    parts = _SECOND_QUESTION.split(asked, maxsplit=1)
    if len(parts) != 2 or not content_terms(parts[1]):
        return [question]
    first = parts[0].strip().rstrip(",") + "?"
    second = parts[1].strip()
    before = f"{first} {carried}".strip()
    return [carry(first, carried) if carried else first, carry(f"{second[0].upper()}{second[1:]}", before)]


def analyse(question: str) -> Question:
    return _analyse(question.strip())


@lru_cache(maxsize=1024)
def _analyse(q: str) -> Question:
    parsed = nlp.parse_question(q)
    tokens = parsed.tokens
    wh, key, focus = _wh_key(tokens)
    # the main verb: the root unless it is an auxiliary ("How many drones did Iran sell": "did" may
    # be parsed as the root) or a modifier mistaken for a verb ("Shahed drones")
    verbs = [t for t in tokens if t.pos == "VERB" and t.dep != "amod" and t.lemma.lower() not in ("be", "do", "have")]
    root = next((t for t in verbs if t.dep == "ROOT"), verbs[0] if verbs else None)
    root_lemma = root.lemma.lower() if root is not None else ""
    proper = tuple(dict.fromkeys(t.text.lower() for t in tokens if t.pos == "PROPN"))
    return Question(
        text=q,
        wh=wh,
        key=key,
        focus=focus,
        focus_lemmas=frozenset(nlp.content_lemmas(t for t in tokens if t.text in focus.split())),
        terms=tuple(dict.fromkeys(content_terms(q))),
        lemmas=frozenset(nlp.content_lemmas(tokens)),
        entities=tuple(
            dict.fromkeys(
                e.text.lower()
                for e in parsed.entities
                if not any(t.tag in WH_TAGS for t in tokens if e.start <= t.start < e.end)
            )
        ),
        proper=proper,
        numbers=frozenset(numbers(q)),
        root=root_lemma,
    )


def _wh_key(tokens: tuple[nlp.Token, ...]) -> tuple[str, str, str]:
    """(wh-word, type key, focus words) from the parse."""
    first = next((i for i, t in enumerate(tokens) if t.tag in WH_TAGS), None)
    if first is None:
        if tokens and tokens[0].pos == "AUX":
            return "yesno", "yesno", ""
        return "", "", ""
    t = tokens[first]
    wh = t.text.lower()
    if wh == "how" and first + 1 < len(tokens):
        nxt = tokens[first + 1]
        if nxt.pos in ("ADJ", "ADV"):
            noun = _noun_after(tokens, first + 2) if nxt.text.lower() in ("many", "much") else ""
            return wh, f"how {nxt.text.lower()}", noun
        return wh, wh, ""
    if wh in ("what", "which", "whose"):
        # "what year", "in which country": the wh-determiner's noun; "what is the name of ...": the
        # copula's noun
        head = tokens[t.head]
        if t.dep in ("det", "poss") and head.pos in ("NOUN", "PROPN"):
            return wh, f"{wh} {head.lemma.lower()}", _phrase(tokens, t.head)
        if t.tag == "WDT" and first + 1 < len(tokens) and tokens[first + 1].pos in ("ADJ", "NOUN", "PROPN"):
            # the parser does not always attach "which" to its noun ("Which Australian university did ...")
            words = _noun_after(tokens, first + 1)
            found = next((x for x in tokens[first + 1 :] if x.pos == "NOUN" and x.text in words.split()), None)
            if found is not None:
                return wh, f"{wh} {found.lemma.lower()}", words
        if t.head < len(tokens) and tokens[t.head].lemma == "be":
            found = next(
                (x for x in tokens if x.head == t.head and x.dep in ("nsubj", "attr") and x.pos == "NOUN"), None
            )
            if found is not None:
                at = tokens.index(found)
                # "what is the name of the port": the thing named is the noun after "of"
                of = next((x for x in tokens if x.head == at and x.lemma == "of" and found.lemma == "name"), None)
                obj = next(
                    (x for x in tokens if of is not None and x.head == tokens.index(of) and x.dep == "pobj"), None
                )
                return wh, f"{wh} {found.lemma.lower()}", _phrase(tokens, tokens.index(obj) if obj else at)
    return wh, wh, ""


def _noun_after(tokens: tuple[nlp.Token, ...], i: int) -> str:
    """The words from i up to and including the first noun ("Shahed drones" in "how many Shahed drones has")."""
    words = []
    for t in tokens[i:]:
        if t.pos in ("AUX", "PUNCT", "ADP"):
            break
        words.append(t.text)
        if t.pos == "NOUN":
            break
    return " ".join(words)


def _phrase(tokens: tuple[nlp.Token, ...], head: int) -> str:
    """The head noun with its compound and adjective modifiers, in order."""
    kept = [t for t in tokens if t.head == head and t.dep in ("compound", "amod") and tokens.index(t) < head]
    return " ".join([t.text for t in kept] + [tokens[head].text])
