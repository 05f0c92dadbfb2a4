"""Antonyms of English words, from Princeton WordNet 3.0, and whether a sentence says the opposite
of what a question asks.

Input: a question's parsed tokens (rag.nlp) and a sentence's text. Output: the question's words
that have antonyms, with the words beside them (`asked_antonyms`), and whether a sentence has an antonym of
one of them, beside one of the same words, without the word itself (`says_opposite`): "Who was
subjected to a qualified minority vote?" is not answered by "... subject to a qualified majority
vote", "What consortium was BSkyB included with?" not by "BSkyB had been excluded from the ONdigital
consortium". SQuAD 2.0 builds a share of its unanswerable questions that way; news questions with a
false premise too ("Why did Araghchi praise Russia's support ...?" / "criticized Russia over its
apparent support").

The table (rag/wordnet/antonyms.json, 6,159 words) is written by scripts/build_antonyms.py from
WordNet's database; WordNet's licence is beside it. A hand-kept list of opposites would be a word
list fitted to the examples at hand; WordNet is the lexicon NLP libraries use for this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.lexicon import load_table
from rag.nlp import Token
from rag.text import STOPWORD_STEMS, STOPWORDS, stem, words

ANTONYMS_FILE = Path(__file__).resolve().parent / "wordnet" / "antonyms.json"
ANTONYMS_SHA256 = "8dafef9ba3c233714e51da560e327512f9c2bbbe0959f58bc182ac6a534ebd2a"

# An antonym in a sentence says the opposite of the question's word only when it stands beside
# what the word stood beside in the question: one of the NEIGHBOURS content words before or after
# it in each. Without that, any antonym anywhere in the sentence counted, and polysemy blocked
# right answers ("the general term ... to any given input" / "a particular input"). Measured on
# make train's SQuAD cache (rules on held-out / training titles, right): 0 (anywhere) 0.522 /
# 0.508, 2: 0.524 / 0.509, 3: 0.522 / 0.509; 2 lost no gold answer, 0 and 3 one each (2026-12-08).
NEIGHBOURS = 2
# the parts of speech whose words are looked up; names (spaCy entities) are not
_POS = frozenset({"ADJ", "ADV", "VERB", "NOUN"})
_CONTENT_POS = frozenset({"ADJ", "ADV", "VERB", "NOUN", "PROPN", "NUM"})


def load(path: Path = ANTONYMS_FILE, sha256: str | None = ANTONYMS_SHA256) -> dict[str, tuple[str, ...]]:
    """The committed table, its sha256 checked; pass sha256=None for a freshly built file (read on
    each call; antonyms() reads the committed one once per process)."""
    return {word: tuple(opposites) for word, opposites in load_table(path, sha256, "antonym table").items()}


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    return load()


def antonyms(lemma: str) -> tuple[str, ...]:
    return _table().get(lemma.lower(), ())


@dataclass(frozen=True)
class Asked:
    """A question's word that has antonyms: the word, its stems (as written and its lemma's), its antonyms'
    stems, and the stems of the content words beside it."""

    word: str  # as written in the question
    forms: frozenset[str]
    opposites: frozenset[str]
    beside: frozenset[str]


def asked_antonyms(tokens: Sequence[Token]) -> tuple[Asked, ...]:
    """The question's content words (not names, not stop words) with antonyms that the question
    does not itself use: "Is an instance abstract or concrete?" asks about both."""
    said = {stem(t.text) for t in tokens} | {stem(t.lemma) for t in tokens}
    content = [(i, stem(t.text)) for i, t in enumerate(tokens) if t.pos in _CONTENT_POS and not t.is_stop]
    # the word "how" asks the degree of is no claim: "How large can ctenophores grow?" asks a size,
    # which "small populations ... grow" does not contradict
    degree = {t.head for t in tokens if t.text.lower() == "how"}
    out = []
    for k, (i, _) in enumerate(content):
        t = tokens[i]
        if t.pos not in _POS or t.ent or i in degree:
            continue
        opposites = {stem(a) for a in antonyms(t.lemma) if a not in STOPWORDS}
        if not opposites or opposites & said:
            continue
        beside = [w for _, w in content[max(0, k - NEIGHBOURS) : k] + content[k + 1 : k + 1 + NEIGHBOURS]]
        out.append(Asked(t.text, frozenset({stem(t.text), stem(t.lemma)}), frozenset(opposites), frozenset(beside)))
    return tuple(out)


def says_opposite(asked_words: tuple[Asked, ...], text: str) -> bool:
    """Whether the sentence has an antonym of one of the question's words, beside a word that stood
    beside it in the question, and does not have the word itself."""
    return opposite_in(asked_words, text) is not None


@lru_cache(maxsize=65536)  # a question's candidate sentences are checked by several rules
def opposite_in(asked_words: tuple[Asked, ...], text: str) -> tuple[str, str] | None:
    """(the question's word, the sentence's antonym of it), as written ("smallest", "largest"), when
    the sentence says the opposite (says_opposite); None otherwise."""
    if not asked_words:
        return None
    said = words(text)
    stems = [stem(w) for w in said]
    content = [(w, s, _compared(w)) for w, s in zip(said, stems) if s not in STOPWORD_STEMS]
    present = set(stems) | {b for _, _, bases in content for b in bases}
    for a in asked_words:
        if a.forms & present or not a.opposites & present:
            continue
        for j, (w, s, bases) in enumerate(content):
            near = {x for _, x, _ in content[max(0, j - NEIGHBOURS) : j] + content[j + 1 : j + 1 + NEIGHBOURS]}
            if ({s} | bases) & a.opposites and a.beside & near:
                return a.word, w
    return None


@lru_cache(maxsize=65536)
def _compared(word: str) -> frozenset[str]:
    """Stems of the word an "-er" or "-est" form may be made of ("larger", "largest" -> larg;
    "bigger" -> big): WordNet lists only irregular forms ("worse"), and the stemmer keeps these
    whole. A noun that merely ends so ("water") gives a stem that is no antonym of anything asked."""
    out = set()
    for suffix in ("est", "er"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)]
            out |= {stem(base), stem(base + "e")}
            if len(base) > 2 and base[-1] == base[-2]:  # "bigg" -> "big"
                out.add(stem(base[:-1]))
    return frozenset(out)
