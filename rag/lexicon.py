"""Word tables drawn from Princeton WordNet 3.0 by `make antonyms` (scripts/build_antonyms.py), each
committed with its sha256 pinned and checked when first read: the antonyms (rag.antonyms) and the
nouns of persons ("How many people were treated in hospital?" counts "Four children").

Input: a word. Output: whether WordNet's most frequent sense of it is a kind of person. A list of
the corpus's own words would be fitted to the examples at hand; WordNet is the lexicon NLP
libraries use for this, and its licence is beside the tables (rag/wordnet/LICENSE).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.config import read_pinned

PERSONS_FILE = Path(__file__).resolve().parent / "wordnet" / "persons.json"
PERSONS_SHA256 = "c4be40276b74169aa6c84731acdb9d198fe0d91ad837b4e45100bf72d3262c37"

REMEDY = "restore it from git or run `make antonyms`."


def load_table(path: Path, sha256: str | None, what: str) -> Any:
    """The JSON table at path, its sha256 checked unless None (a freshly built file). Read on each
    call: its users keep what they make of it (person_nouns, rag.antonyms)."""
    return json.loads(read_pinned(path, sha256, what, REMEDY, REMEDY))


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    """The committed table of person nouns (their base forms and irregular plurals)."""
    return frozenset(load_table(PERSONS_FILE, PERSONS_SHA256, "table of person nouns"))


# WordNet's own rules for a noun's base form (morphy's detachment rules); a stemmer is too coarse
# here ("proposals" and "proposer" share the stem "propos")
_NOUN_ENDINGS = (
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
)


def is_person_noun(word: str) -> bool:
    """Whether WordNet's most frequent sense of the word (read as a noun, plural or not) is a kind
    of person ("children", "settlers", "councillors", "women"; not "stars", "proposals")."""
    w = word.lower()
    table = person_nouns()
    return w in table or any(w.endswith(end) and w[: len(w) - len(end)] + base in table for end, base in _NOUN_ENDINGS)
