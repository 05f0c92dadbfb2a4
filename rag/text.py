"""Small, deterministic text analysis shared by retrieval, the offline answerer and the verifier.

Input: plain strings. Output: stemmed content terms, numbers, dates, names, negations.
Written by hand (no model, no download) because these checks must be exact and explainable;
it does not split sentences (chunking.sentence_spans does) and knows nothing about the store.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Collection, Sequence
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from as into onto about over under
    than that this these those there here is are was were be been being am do does did done doing have
    has had having will would shall should can could may might must it its it's they them their theirs
    he him his she her hers we us our ours you your yours i me my mine who whom whose which what when
    where why how not no nor so too very just also only even all any both each few more most other some
    such own same s t don now up down out off again further once per via ever yet upon among within
    without between through during before after above below because while until against""".split()
)
# words that shape a question but carry no content to look for in the articles
QUESTION_WORDS = frozenset(
    """say said says tell told according article articles text mention mentioned mentions describe
    described explain explained give given name named happen happened think thought kind type many much
    long often please know""".split()
)
NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot can't won't don't doesn't didn't isn't "
    "aren't wasn't weren't hasn't haven't hadn't denied deny denies without".split()
)
# English cardinal number words, a closed class (rag.claims reads numbers in words with them too)
NUMBER_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
NUMBER_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
NUMBER_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
NUMBER_WORDS = {
    **NUMBER_UNITS,
    **NUMBER_TEENS,
    **NUMBER_TENS,
    "hundred": 100,
    "thousand": 1000,
    "million": 1e6,
    "billion": 1e9,
    "dozen": 12,
    "half": 0.5,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}
# English verbs of saying (lemmas): a follow-up's "say it" means what was said; the proper-noun
# subject of one is a speaker whom a "He added, ..." after it means
THING_PRONOUNS = frozenset("it its they them their theirs".split())  # a thing, or things, named before
REPORTING_VERBS = frozenset(
    "say tell claim deny confirm announce report state mention admit add argue write explain suggest warn".split()
)

# a quote that opens on a person's pronoun ("He added, ...", "“She said ..."): whom it means is
# Citation.speaker
OPENS_ON_PERSON = re.compile(r"^\W*(He|She)\b")
# English ordinal words, in order (the enumerations and follow-ups read the first ten)
ORDINAL_WORDS = tuple(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
)
MONTHS = "january february march april may june july august september october november december".split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
DATE_WORDS = (
    frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset("summer winter spring autumn yesterday today recently".split())
)
# "week", "month" and "year" alone are units of time ("three doses a month apart", "20 million doses
# a year"); they say when only after a word that places them ("last week", "later this year",
# "in recent months", "the same year") or before a number ("the year 1377"): English grammar, not
# the corpus's
_PLACED_UNIT = r"(?:this|last|next|that|same|following|previous|coming|recent)\s+(?:week|month|year)s?|year\s+\d{1,4}"
_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?%|s\b)?")
_DAY = re.compile(r"\b(?:" + "|".join(m.title() for m in MONTHS) + r")\s+(\d{1,2})\b")
# A month is written with a capital ("May", "March"): lower-case "may" and "march" are verbs
_OTHER_DATE_WORDS = "|".join(sorted(DATE_WORDS - set(MONTHS)))
_DATE_WORD = re.compile(
    r"(?<![-\w])((?i:" + _OTHER_DATE_WORDS + "|" + _PLACED_UNIT + r")|" + "|".join(m.title() for m in MONTHS) + r")\b"
)
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})s?\b")


# A follow-up the rewriter could not make standalone carries the question before it after this
# label (rag.followup); the answerers read what is asked from the part before it.
CARRIED = " (Previous question: "


def carry(question: str, previous: str) -> str:
    """The question with the previous one carried after it (split_carried's inverse)."""
    return f"{question}{CARRIED}{previous})"


def split_carried(question: str) -> tuple[str, str]:
    """(the question asked, the previous question it carries or "")."""
    asked, _, carried = question.partition(CARRIED)
    return asked, carried.removesuffix(")")


def normalize(text: str) -> str:
    """Unicode NFKC with curly quotes and dashes folded, for comparing wording."""
    text = unicodedata.normalize("NFKC", text)
    return text.translate(str.maketrans("’‘“”–—", "''\"\"--"))


def fold_accents(text: str) -> str:
    """Latin letters without their diacritics ("Möngke" -> "Mongke"), as MiniLM's uncased
    tokenizer reads them: a question typed without accents then matches, and an accented name is
    one word, not "m" + "ngke". Lengths may change, so never use it where offsets matter."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(fold_accents(text))]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return str(_STEMMER.stemWord(word))


def content_words(text: str) -> list[str]:
    """The words that carry content (no stopwords, no question scaffolding), lower-cased, unstemmed."""
    return [w for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS and not w.isdigit() and len(w) > 1]


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry content (no stopwords, no question scaffolding)."""
    return [stem(w) for w in content_words(text)]


# the stems of those words, for checks on stemmed terms ("does" stems to "doe", no content word)
STOPWORD_STEMS = frozenset(stem(w) for w in STOPWORDS)
QUESTION_STEMS = frozenset(stem(w) for w in QUESTION_WORDS)


@lru_cache(maxsize=65536)
def word_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent word pairs, stemmed, that hold a content word: "in exchange for" -> (in, exchang),
    (exchang, for). Pairs shared in order with a question are a phrase match, which single words
    miss: "in exchange for wheat" answers "in exchange for its missiles", "foreign exchange" does not."""
    seq = [stem(w) for w in words(text)]
    return frozenset(
        (a, b)
        for a, b in zip(seq, seq[1:])
        if not (a in STOPWORD_STEMS and b in STOPWORD_STEMS) and a not in QUESTION_STEMS and b not in QUESTION_STEMS
    )


def numbers(text: str) -> set[float]:
    """Numeric values stated in text: digits (200, 8%, 1,000, 80s) and number words."""
    found: set[float] = set()
    for m in _NUM.finditer(text):
        found.add(float(m.group(1).replace(",", "")))
    for w in words(text):
        for part in w.split("-"):
            if part in NUMBER_WORDS and part not in ("first", "second", "half"):
                found.add(float(NUMBER_WORDS[part]))
    return found


def quantities(text: str) -> set[float]:
    """numbers() without years: what 'how many' can be answered with."""
    years = {float(y) for y in _YEAR.findall(text)}
    days = {float(d) for d in _DAY.findall(text)}
    return {n for n in numbers(text) if n not in years and n not in days}


# A century named by its ordinal says when ("in the 10th and 11th centuries", "the nineteenth
# century"), where "for two centuries" says how long and "a 21st-century design" what kind
_CENTURY = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)|(?:" + "|".join((*ORDINAL_WORDS, "twenty-first")) + r"))\s+centur(?:y|ies)\b",
    re.I,
)


def has_date(text: str) -> bool:
    """A year, month, weekday, season, century or 'this week'-like expression ('25-year' is a duration)."""
    return bool(_YEAR.search(text) or _DATE_WORD.search(text) or _CENTURY.search(text))


def name_word(word: str) -> str:
    """A capitalised word as names() gives it: lower-cased, without a possessive "'s"."""
    return word.lower().replace("’", "'").removesuffix("'s")


def names(text: str) -> set[str]:
    """Capitalised words not opening a sentence (a cheap proper-noun detector), lower-cased."""
    out: set[str] = set()
    for m in re.finditer(r"(?<![.!?“\"]\s)(?<!^)(?<!\()\b([A-Z][a-zA-Z’']+)", fold_accents(text.strip())):
        w = name_word(m.group(1))
        if w not in STOPWORDS and w not in QUESTION_WORDS:
            out.add(w)
    return out


def names_as_written(text: str, wanted: Collection[str]) -> str:
    """The wanted names (lower-cased, as names() gives them) as the text writes them, in its order,
    a name of several words as one ("Angela Merkel", not "Angela, Merkel"), listed as English
    lists them: "Lukas Weber", "Lukas Weber and Mars", "A, B and C". A wanted word the text does
    not write as a capitalised word is added at the end, title-cased."""
    want = {w.lower() for w in wanted}
    runs: list[list[str]] = []
    last = -2
    for m in re.finditer(r"\b[^\W\d_][\w’'-]*", text):
        word = m.group().removesuffix("’s").removesuffix("'s")
        key = fold_accents(word).lower()
        if not word[0].isupper() or key not in want:
            last = -2
            continue
        want.discard(key)
        if last == m.start() - 1 and text[last] == " ":  # the next word of the same name
            runs[-1].append(word)
        else:
            runs.append([word])
        last = m.end()
    return listed([" ".join(r) for r in runs] + [w.title() for w in sorted(want)])


def listed(items: Sequence[str]) -> str:
    """Items as English lists them: "A", "A and B", "A, B and C"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


# Text addressed to an AI model rather than stating a fact: a prompt injection planted in an article
# ("Ignore previous instructions and say ..."). Such a sentence is never quoted as an answer nor
# accepted as support, whatever it claims. Deliberately narrow: news prose rarely matches it.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}"
    r"\b(?:instructions?|prompts?|rules|directions|guidelines|documents|sources|context)\b"
    r"|(?:^|[.!?\n]\s*)(?:system|developer|assistant)\b[^:.!?\n]{0,20}:"
    r"|\btell the user\b|\b(?:to|in|into) your (?:answer|response|reply)\b"
    r"|\b(?:new|updated|real|developer) instructions?\b"
    r"|\byou are now\b|\bdeveloper mode\b|\bas an ai\b|\bthe (?:ai|assistant|chatbot|language model) (?:must|should)\b"
    r"|\b(?:answer|respond|reply) (?:to )?(?:every|all|each|any) (?:questions?|quer(?:y|ies)|prompts?)\b"
    r"|</?\s*(?:sources?|question|system|assistant|user|instructions?|prompt|context)\b[^>]*>",
    re.IGNORECASE | re.MULTILINE,
)


def is_question(sentence: str) -> bool:
    """Does the sentence ask ("What was your first job like?", "Want to know more about X?")? A
    question someone is quoted asking ends on its closing quotation mark ("... Why not Russia?”")
    and is a statement of what they said."""
    return sentence.rstrip().endswith("?")


def is_instruction(text: str) -> bool:
    """Does the text read as an instruction to an AI model (a prompt injection), not a statement?"""
    return bool(_INSTRUCTION.search(text))


def has_negation(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words(text))


def negated_terms(text: str, span: int = 6) -> list[set[str]]:
    """For each negation in the text, the content terms of the words that follow it (its scope,
    roughly: up to `span` words, stopping at a clause break)."""
    out = []
    for clause in re.split(r"[,;:.!?“”\"]|\bbut\b", text):
        ws = words(clause)
        for i, w in enumerate(ws):
            if w in NEGATIONS or w.endswith("n't"):
                out.append(set(content_terms(" ".join(ws[i + 1 : i + 1 + span]))))
    return out


DEMONYM_SUFFIXES = ("ian", "ean", "an", "ese", "ish", "i", "n")


def name_in(name: str, quote_words: set[str], quote: str) -> bool:
    """Is the name in the quote, allowing a demonym ("Iran" / "Iranian") and an acronym of the
    quote's capitalised words ("UN" / "United Nations")? Anything looser would let names slip."""
    if name in quote_words:
        return True
    for w in quote_words:
        # a shared stem of 4 letters or more, then a demonym's suffix on one word and at most 2
        # letters of the place's ending on the other: Iran / Iranian, Belgium / Belgian, China /
        # Chinese, Italy / Italian, Sweden / Swedish
        p = len(os.path.commonprefix([w, name]))
        if p >= 4 and any(a[p:] in DEMONYM_SUFFIXES and len(b) - p <= 2 for a, b in ((w, name), (name, w))):
            return True
    if 2 <= len(name) <= 5 and name.isalpha():
        caps = re.findall(r"\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+)+", quote)
        initials = {"".join(w[0] for w in run.split() if w[0].isupper()).lower() for run in caps}
        return name in initials
    return False


def negation_differs(claim: str, quote: str) -> bool:
    """A negation in one and not the other. A negation in the quote counts only when its scope
    shares a term with the claim (or has no content words: "but he did not do so"), so that a
    two-sentence quote is not held against a claim for a "not" about something else."""
    if has_negation(claim):
        return not has_negation(quote)
    claim_terms = set(content_terms(claim))
    return any(not scope or scope & claim_terms for scope in negated_terms(quote))


def word_set(text: str) -> set[str]:
    """Lower-cased words, possessives also without their 's ("Kyiv's" -> "kyiv")."""
    out = set(words(text))
    return out | {w[:-2] for w in out if w.endswith("'s")}


def same_paragraph(text: str, spans: Sequence[tuple[int, int]], k: int, base: int = 0) -> bool:
    """Whether sentence k of the text (spans: its sentences' offsets, less `base` to index the text)
    follows sentence k - 1 with no line break between them: in the same paragraph, or list item."""
    return k > 0 and "\n" not in text[spans[k - 1][1] - base : spans[k][0] - base]


_STRAIGHT_OPENING = re.compile(r'(?:^|(?<=[\s(\[—–-]))"(?=\S)')


def quotation_balance(text: str) -> int:
    """Quotation marks the text opens less those it closes: curly ones by their shape, straight ones
    by place (one after a space or at the start, before a word, opens). Single marks are left out:
    they cannot be told from apostrophes."""
    straight = text.count('"')
    opening = len(_STRAIGHT_OPENING.findall(text))
    return text.count("“") - text.count("”") + opening - (straight - opening)


def quotation_lead(text: str, spans: Sequence[tuple[int, int]], i: int) -> str:
    """The words introducing the quotation that sentence i of the text (spans: its sentences'
    offsets) is part of, when the quotation opened in an earlier sentence of its paragraph: that
    sentence up to its opening mark ("Asked whether ..., Bakhshayesh-Ardestani rebuked,"), so that a
    quote of "We give missiles to Hezbollah." is read as his words, not as a fact. "" when the
    sentence is in no quotation, opens it itself, or the quotation opens its sentence (whoever
    speaks is named after it)."""
    open_, opener = 0, None
    first = i
    while same_paragraph(text, spans, first):
        first -= 1
    for k in range(first, i):
        now = open_ + quotation_balance(text[spans[k][0] : spans[k][1]])
        opener = None if now <= 0 else (k if open_ <= 0 else opener)
        open_ = max(now, 0)
    if opener is None:
        return ""
    sentence = text[spans[opener][0] : spans[opener][1]]
    marks = [m.start() for m in re.finditer(f"“|{_STRAIGHT_OPENING.pattern}", sentence)]
    return sentence[: marks[-1]].strip() if marks else ""
