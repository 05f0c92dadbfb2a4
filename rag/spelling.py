"""Typos in questions, read against the corpus's own words ("Pezeshkain" -> "Pezeshkian"), and
questions typed in one case, read in the case the corpus writes their words (true_case).

Input: a question and the library (article texts and the keyword index, rag.answering.overview.Library).
Output: the question with each word that neither the corpus nor the language model's lexicon
knows replaced by the nearest corpus word, when one is close enough (Damerau-Levenshtein
distance), else by the lexicon's only word one edit away ("Sumamrize" -> "Summarize"), or the
question unchanged. Another form of a known word is no typo ("gravestones" beside the corpus's
"gravestone", "denotes" beside the lexicon's "denote"). The rewritten question is shown to the
user as the standalone question ("read as ..."). A word near no known word is left alone (the
answer then says the articles do not mention it). Measured by scripts/measure_spelling.py on SQuAD
2.0 dev: 33 of 1,624 questions change, 31 of them to the intended word ("Geroge Lenczowski" ->
"George", "ctenohore" -> "ctenophore", "depriciate" -> "depreciate"); "ivolve" became "involve"
(meant "evolve"), "moneatery" "monetary" (meant "monastery"). Before the lexicon and
possessives ("Hugeunot's") were read: 28 changed, 26 rightly.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol

from rag.nlp import english_words
from rag.retrieval import KeywordIndex
from rag.text import QUESTION_WORDS, STOPWORDS, stem, words
from rag.types import ArticleMeta

MIN_LENGTH = 5  # shorter words have too many neighbours one edit away ("cost": cast, coat, most)
# Most misspellings are one edit (Damerau 1964: about 80% are one insertion, deletion, substitution
# or transposition); a second edit is allowed only from this length, where it still leaves most letters.
TWO_EDITS_FROM = 9
MAX_ARTICLES = 5_000  # above this many articles the vocabulary is not built (reading every text)
# parts of hyphenated names too, and a word before its possessive "'s" ("Veldmark's")
_ASCII_WORD = re.compile(r"(?<![A-Za-z0-9’'])[A-Za-z]+(?=[’'][sS]\b|(?![A-Za-z0-9’']))")


class Library(Protocol):
    """What reading the whole corpus needs of the index (rag.retrieval.Retriever has it)."""

    articles: dict[str, ArticleMeta]
    keywords: KeywordIndex

    def article_text(self, article_id: str) -> str: ...


class Vocabulary:
    """The corpus's words with their counts, indexed by first letter for the nearest-word search,
    and the case each word is usually written in (`forms`: lower-cased word -> its written forms
    inside sentences, counted)."""

    def __init__(
        self,
        counts: Counter[str],
        keywords: KeywordIndex,
        english: frozenset[str] | None = None,
        forms: dict[str, Counter[str]] | None = None,
    ) -> None:
        self.counts = counts
        self.keywords = keywords
        self.forms = forms or {}
        self._english_by_initial: dict[str, list[str]] | None = None
        self._english_stems: frozenset[str] | None = None
        self._english = english  # None: the language model's lexicon, loaded when first needed
        self.by_initial = by_initial(w for w in counts if w not in STOPWORDS)

    @property
    def english_stems(self) -> frozenset[str]:
        """The stems of the lexicon's words: a word of the same stem is an inflection of a known
        word, whether or not the lexicon lists it ("denotes", "gravestones", "concur")."""
        if self._english_stems is None:
            self._english_stems = frozenset(stem(w) for w in self.english if w.isalpha())
        return self._english_stems

    @property
    def english_by_initial(self) -> dict[str, list[str]]:
        if self._english_by_initial is None:
            self._english_by_initial = by_initial(w for w in self.english if w.isalpha())
        return self._english_by_initial

    @property
    def english(self) -> frozenset[str]:
        if self._english is None:
            self._english = english_words()
        return self._english

    def in_corpus(self, word: str) -> bool:
        return word in self.counts or self.keywords.doc_freq.get(stem(word), 0) > 0

    def knows(self, word: str) -> bool:
        """In the corpus (as is or by its stem), or an English word the language model knows
        ("extend" is not a typo of the corpus's "extent")."""
        return self.in_corpus(word) or word in self.english

    def usual_form(self, word: str) -> str:
        """How the corpus usually writes the word inside a sentence ("iran" -> "Iran", "us" -> "US"
        or "us", whichever it writes more often; small letters on a tie: "Postcolonial Remembrance
        in the City" and "its postcolonial past"), or "" if it never does."""
        forms = self.forms.get(word.lower())
        return max(forms.items(), key=lambda f: (f[1], f[0].islower()))[0] if forms else ""

    def nearest_english(self, word: str) -> str:
        """The lexicon's only word within one edit of `word` ("aritcle" -> "article"), or "" when
        none is, or several are (the lexicon has no counts to choose by). For words the corpus has
        nothing near: the question's own words ("summarize", "officials") need not be in it."""
        near = [c for c, _ in within(word, self.english_by_initial, 1)]
        return near[0] if len(near) == 1 else ""

    def near_english(self, word: str) -> bool:
        """Is a lexicon word within the edits a typo of `word` may have made?"""
        return next(within(word, self.english_by_initial, edits_allowed(word)), None) is not None

    def nearest(self, word: str) -> str:
        """The corpus word nearest to `word` within the allowed edits (most frequent on a tie), or ""."""
        best: tuple[int, int, str] | None = None
        for cand, d in within(word, self.by_initial, edits_allowed(word)):
            if best is None or (d, -self.counts[cand]) < best[:2]:
                best = (d, -self.counts[cand], cand)
        return best[2] if best else ""


def edits_allowed(word: str) -> int:
    """How many edits a typo of `word` may have made (see TWO_EDITS_FROM)."""
    return 2 if len(word) >= TWO_EDITS_FROM else 1


def by_initial(words: Iterable[str]) -> dict[str, list[str]]:
    """Words long enough to be checked, by first letter (a typo rarely changes the first letter)."""
    index: dict[str, list[str]] = defaultdict(list)
    for w in words:
        if len(w) >= MIN_LENGTH - 1:
            index[w[0]].append(w)
    return index


def within(word: str, index: dict[str, list[str]], limit: int) -> Iterator[tuple[str, int]]:
    """The indexed words of the same first letter at most `limit` edits from `word`, with their distance."""
    for cand in index.get(word[0], ()):
        if abs(len(cand) - len(word)) <= limit and (d := edit_distance(word, cand, limit)) <= limit:
            yield cand, d


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions, adjacent
    transpositions); returns limit + 1 as soon as it must exceed limit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_lock = threading.Lock()
_cache: dict[int, Vocabulary] = {}


def vocabulary(library: Library) -> Vocabulary | None:
    """The library's vocabulary, built once per keyword index (a new index means new articles)."""
    keywords = library.keywords
    with _lock:
        if id(keywords) in _cache and _cache[id(keywords)].keywords is keywords:
            return _cache[id(keywords)]
    if len(library.articles) > MAX_ARTICLES:
        return None
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for aid in sorted(library.articles):
        text = library.article_text(aid)
        counts.update(w for w in words(text) if w.isalpha())
        for m in _WRITTEN_WORD.finditer(text):
            if not _SENTENCE_START.search(text, max(0, m.start() - 4), m.start()):
                forms[m.group().lower()][m.group()] += 1
    vocab = Vocabulary(counts, keywords, forms=forms)
    with _lock:
        _cache.clear()
        _cache[id(keywords)] = vocab
    return vocab


# a word as written (any script's letters, an inner apostrophe: "Iran's" is "Iran" and "'s"), and
# what comes just before a word that opens a sentence, where its capital says nothing of its case
_WRITTEN_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n][\s\"“‘'(\[—–-]*|\n\s*[\"“‘'(\[—–-]*)\Z")


def true_case(question: str, library: Library | None) -> str:
    """A question typed all in capitals or all in small letters ("HOW MANY MISSILES DID IRAN SEND
    TO RUSSIA?", "who is masoud pezeshkian?"), with each word written as the corpus usually writes
    it inside a sentence and its first letter a capital; other words in small letters (whether
    "ORGANISING" or "OBAMA" is a name nothing here tells: spaCy's lexicon lacks "organising"). The
    offline answer reads a capital as a name: in capitals every word would be one ("The articles
    do not mention Send"). A question in mixed case is left as typed."""
    letters = [c for c in question if c.isalpha()]
    if library is None or not library.articles or not letters:
        return question
    if not all(c.isupper() for c in letters) and not all(c.islower() for c in letters):
        return question
    vocab = vocabulary(library)
    if vocab is None:
        return question

    def written(m: re.Match[str]) -> str:
        low = m.group().lower()
        if form := vocab.usual_form(low):
            return form
        # a word the corpus never writes inside a sentence that the language model's lexicon does not
        # know either, nor an inflection or a compound of known words ("snapback"), is left after
        # spelling was read: a name ("zorbak"; "lukas" of a "Lukas Weber" that opens a line)
        return low.title() if unknown_word(low, vocab) else low

    out = _WRITTEN_WORD.sub(written, question)
    first = first_letter(out)
    return out[:first] + out[first : first + 1].upper() + out[first + 1 :]


def unknown_word(word: str, vocab: Vocabulary) -> bool:
    """Neither in the lexicon nor an inflection of a word in it; and either in the corpus (which then
    writes it only to open a sentence: "Lukas Weber said ...") or none of its words, nor near one
    (a typo the spelling could not settle, "recieving": "receiving" or "relieving"), nor two known
    words run together ("snapback")."""
    if len(word) < 3 or word in vocab.english or stem(word) in vocab.english_stems:
        return False
    if word in vocab.counts:
        return True
    known = vocab.knows
    if any(known(word[:i]) and known(word[i:]) for i in range(4, len(word) - 3)):
        return False
    return not vocab.nearest(word) and not vocab.near_english(word)


def first_letter(text: str) -> int:
    """The index of the text's first letter (its length if it has none)."""
    return next((i for i, c in enumerate(text) if c.isalpha()), len(text))


def correct_spelling(question: str, library: Library | None) -> str:
    """The question with its misspelt words read as the nearest corpus words (unchanged if none)."""
    if library is None or not library.articles:
        return question
    doc_freq = library.keywords.doc_freq
    found = _ASCII_WORD.finditer(question)
    candidates = [m for m in found if _checkable(low := m.group().lower()) and not doc_freq.get(stem(low))]
    if not candidates:  # every word is in the index: no need to build the vocabulary
        return question
    vocab = vocabulary(library)
    if vocab is None:
        return question
    out, last = [], 0
    start = first_letter(question)  # where the question's first word is
    for m in candidates:
        word = m.group()
        low = word.lower()
        if vocab.in_corpus(low):
            continue
        # the lexicon last: it loads the language model, which most questions never need
        fix = vocab.nearest(low)
        if low in vocab.english or (fix and stem(fix) == stem(low)):
            continue  # a word of the language, or another form of the corpus word ("gravestones")
        # a word no corpus word is near: the lexicon's, unless it is an inflection of a lexicon
        # word the lexicon does not list ("denotes" is no typo of "devotes"); a capital inside the
        # question marks a name, which the lexicon does not hold ("Genoa" is no typo of "geno")
        if not fix and (
            (word[0].isupper() and m.start() > start)
            or stem(low) in vocab.english_stems
            or not (fix := vocab.nearest_english(low))
        ):
            continue
        out += [question[last : m.start()], _same_case(word, fix)]
        last = m.end()
    return "".join(out) + question[last:] if out else question


def _checkable(word: str) -> bool:
    return len(word) >= MIN_LENGTH and word not in STOPWORDS and word not in QUESTION_WORDS


def _same_case(original: str, fix: str) -> str:
    if original.isupper():
        return fix.upper()
    return fix[0].upper() + fix[1:] if original[0].isupper() else fix
