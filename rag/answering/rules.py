"""The hand-written offline answerer (the default, RAG_OFFLINE_ANSWERER=rules): chooses the retrieved
sentences that answer a question, or abstains with a reason and what the articles do say nearby.

Input: the question's reading (rag.answering.rules_question), its Retrieval and the keyword index.
Output: a Draft of verbatim sentences with [n] markers. It scores sentences (dense + IDF-weighted
overlap, hand-set weights), checks that a sentence can answer the question's kind (numbers, dates,
names, units, the names that pin a figure) and abstains below MIN_SCORE. The learned answerer
(rag.answering.offline) takes its score and decisions as features.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from rag import nlp
from rag.answering import NOT_CLEARLY_ANSWERED, Draft
from rag.answering.rules_question import (
    MONEY_SAID,
    QuestionInfo,
    analyse_question,
    nationalities,
    opposite_by_prefix,
)
from rag.antonyms import opposite_in, says_opposite
from rag.lexicon import is_person_noun
from rag.retrieval import KeywordIndex, KeywordStats, Retrieval, sentence_similarity
from rag.text import (
    MONTHS,
    NUMBER_WORDS,
    REPORTING_VERBS,
    STOPWORD_STEMS,
    STOPWORDS,
    WEEKDAYS,
    content_terms,
    content_words,
    has_date,
    has_negation,
    is_instruction,
    is_question,
    name_in,
    name_word,
    names,
    names_as_written,
    negated_terms,
    numbers,
    quantities,
    quotation_balance,
    same_paragraph,
    split_carried,
    stem,
    word_pairs,
    word_set,
    words,
)
from rag.types import Passage
from rag.wordvec import WordVectors

_cache = lru_cache(maxsize=65536)
instruction = _cache(is_instruction)  # sentences recur across questions; the check is costly


@_cache
def stated_numbers(text: str) -> frozenset[float]:
    return frozenset(numbers(text))


log = logging.getLogger(__name__)

# Weights and thresholds, set on the hand-written questions in tests/test_answering_offline.py, and
# checked against data by scripts/fit_rules.py (grid over DENSE_WEIGHT 0.4-0.8 x PHRASE_WEIGHT 0-0.3
# x MIN_SCORE 0.30-0.60 on SQuAD 2.0 dev's training titles and the eval's first turns; 2026-12-01):
# the objective is flat (0.58-0.62 right). At DENSE_WEIGHT 0.6 / MIN_SCORE 0.40 it is best with
# PHRASE_WEIGHT 0.2 or 0.3 (0.616; 0.601 without phrases, 0.607 at 0.1), and 0.2 is taken (SQuAD
# held-out titles 0.462 right, 0.458 without phrases). The grid's optimum, 0.7 / 0.3 / 0.42 (0.622;
# held-out 0.485, abstaining on 28% of unanswerable against 24%), fails both eval sets' gates
# (citations on evidence 0.684, second set abstention precision 0.40), so DENSE_WEIGHT and
# MIN_SCORE stay. Separating answerable from unanswerable takes more than a threshold on this
# score (see the issue notes).
DENSE_WEIGHT, LEXICAL_WEIGHT, TYPE_BONUS = 0.6, 0.4, 0.08
PHRASE_WEIGHT = 0.2  # weight of the share of the question's word pairs the sentence has in order (word_pairs)
# NAME_WEIGHT: the share of its IDF weight a name in the question keeps in lexical scoring;
# COMMON_NAME_SHARE: a name in at least this share of chunks does not pin a question down. Swept
# 2026-12-07 (make train's SQuAD cache, right on held-out / training titles; eval items passed on the
# three sets): NAME_WEIGHT 0.4: 0.520 / 0.505, 98 / 52 / 82 (three gates fail); 0.5: 0.520 / 0.505,
# 99 / 52 / 82 (gates fail); 0.6: 0.520 / 0.505, 100 / 52 / 83; 0.7: 0.520 / 0.506, same items; 0.8:
# 0.520 / 0.507, same items: flat from 0.6 up, so it stays. COMMON_NAME_SHARE 0.15, 0.2 and 0.25
# answer alike; 0.3 and 0.4 lose a first-set item (abstention precision gate fails).
NAME_WEIGHT = 0.6
COMMON_NAME_SHARE = 0.25
MIN_SCORE = 0.42  # below this the best sentence does not answer the question (with soft matching: see SOFT_MIN)
# Further sentences must score at least KEEP_RATIO of the best one. Swept 2026-12-07 (make train's
# SQuAD cache: gold in answer on held-out / training titles; the three eval sets: items passed and
# citations on evidence, gated at 0.75 / 0.75 / 0.67): 0.70: 0.798 / 0.758, citations on evidence
# 0.696 / 0.699 / 0.644 (gates fail); 0.80: 0.787 / 0.758, 0.738 / 0.739 (fail); 0.85: 0.787 /
# 0.756, 0.764 / 0.761 / 0.698, items 100 / 52 / 83; 0.90: 0.782 / 0.741, items 98 / 51 / 83 (the
# second set's evidence recall 0.901 fails its 0.91). Lower quotes more near-best sentences than
# the gates allow, higher drops sentences that complete an answer.
KEEP_RATIO = 0.85
RELATED_MIN_LEXICAL = 0.25  # an abstention shows a related sentence only above this overlap
# Soft matching (rag.wordvec): the confidence of the best answering sentence counts a question word
# the sentence says in another word at that word's cosine, if at least SOFT_MIN. Fitted with
# MIN_SCORE by `scripts.fit_rules --reuse --soft` (grid SOFT_MIN none/0.5-0.7 x MIN_SCORE; 2026-12-01;
# gold in answer / abstained on unanswerable / false abstentions). Without soft matching at 0.40:
# SQuAD training titles 0.760/0.269/0.092, held-out titles 0.737/0.245/0.092, eval 0.787/0.722/0.170.
# SOFT_MIN 0.6 is the grid's best (objective 0.649, at MIN_SCORE 0.40: 0.763/0.257/0.087,
# 0.744/0.229/0.082, 0.808/0.722/0.128); MIN_SCORE 0.42 is taken (objective 0.646: 0.761/0.282/0.093,
# 0.735/0.258/0.096, 0.787/0.722/0.181), which abstains more on SQuAD's unanswerable questions
# than before instead of less; on score_squad2.py's 600: 0.757/0.303/0.080 against 0.757/0.283/0.077.
SOFT_MIN = 0.6
# a verb reporting speech, as stemmed in a sentence ("said": stem() leaves irregular forms)
_REPORTED = frozenset(stem(w) for w in REPORTING_VERBS | {"said", "told", "wrote"})
# English connectives that state a cause: a "why" question's answer usually holds one
CAUSAL = re.compile(
    r"\b(?:because|due to|owing to|as a result of|in order to|so that|caused by|led to|thanks to|the reason)\b", re.I
)
PERSON_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")  # a sentence speaking of a person named before it
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)|\b\w+ (?:percent|per cent)\b")
_POSSESSIVE = re.compile(r"\b(?:[Hh]is|[Hh]er|[Hh]im)\b")
# A sentence that is all quotation ("“It is the balance that ...”"), with no "said X" of its own, goes
# on quoting the speaker named before it, as a "he added" sentence does (news convention)
_WHOLE_QUOTE = re.compile(r"^[“\"][^”\"]+[”\"]\W*$")
# Beside the negation words (rag.text.has_negation), the verbs that deny: a sentence answering a
# negated question ("Which countries did not sign?") may say "refused to sign" or "lacks"
_DENYING = re.compile(r"\b(?:lack|fail|refus)\w*", re.I)
_PRONOUN_START = re.compile(r"^(He|She|They|It|This|These|That|His|Her|Their)\b")
# the pronoun "I" (before a word or a contraction; not "J.I.") and my/me
_FIRST_PERSON = re.compile(r"(?:^|(?<=[\s“\"(—–-]))I(?=\s+[a-z]|[’'](?:m|ve|d|ll)\b)|\b[Mm](?:y|e)\b")
# a name before "I" makes it a numeral ("Louis I of France", "Charles I was executed", "World War I")
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")


@dataclass(frozen=True)
class Candidate:
    n: int  # 1-based passage number
    index: int  # position of the sentence in passage.chunk.sentences
    start: int  # offsets in the article
    end: int
    text: str
    dense: float
    lexical: float
    score: float  # ranks candidates (names in the question down-weighted)
    passage: Passage
    confidence: float = 0.0  # the score with every question term at full weight: gates MIN_SCORE
    context: str = ""  # the sentence before it in its paragraph, from any passage that holds both
    labels: frozenset[str] = frozenset()  # spaCy entity labels of the sentence (analysed at ingest)
    places: frozenset[str] = frozenset()  # words of its entities that cannot be a person (places, dates, amounts)
    about_subject: bool = True  # names (or a "he" / a quotation of) the rare name the question's verb has as subject
    lexical_full: float = 0.0  # lexical with every question term at full weight (what confidence counts)
    root: str = ""  # the lemma of its main verb (spaCy's root, stored at ingest)
    things: frozenset[str] = frozenset()  # words of its entities that cannot answer "who" (places but GPEs)


def gives_name(sentence: str, thing: str, asked_names: tuple[str, ...], description: tuple[str, ...] = ()) -> bool:
    """Does the sentence name the thing ("the port of Chabahar", "Chabahar port", "the port, Chabahar",
    "small tentacles called tentilla", "eight comb rows, called swimming-plates", "The property ... is
    called primality", "The Holocene (the latest epoch)", 'tentilla ("little tentacles")', "secretions
    (ink)", "his nephew Tancred", "their castle: Afranji", a project named "Postcolonial Remembrance",
    the "FaceTime Attention Correction" feature, "Known as Doggerland, the area ...")?
    A capitalised word the question already used ("the Azerbaijan-Turkey corridor") is no answer. A sentence without the
    thing's word may name it under another ("convergent boundaries, where one plate subducts" for
    "the area called where one plate subducts"): it does when it holds most of the question's
    description of the thing (its stemmed terms other than names), as such a definition does.
    """
    stem_ = re.escape(thing.rstrip("s"))
    if not re.search(rf"\b{stem_}s?\b", sentence, re.I):
        held = set(content_terms(sentence))
        return bool(description) and sum(t in held for t in description) * 2 > len(description)
    q = "[\"“‘']?"  # a name may stand in quotation marks: named "Postcolonial Remembrance in the City"
    after = re.finditer(
        rf"\b{stem_}s?\b(?:\s*,\s*(?:the\s+)?{q}([A-Z][\w’'-]+)|\s+of\s+(?:the\s+)?{q}([A-Z][\w’'-]+)"
        rf"|,?\s+(?:called|named|known as)\s+(?:the\s+)?{q}([\w’'-]+))",
        sentence,
    )
    before = re.finditer(rf"(?<![.!?]\s)\b([A-Z][\w’'-]+)[\"”’']?\s+{stem_}s?\b", sentence)
    # "Known as Doggerland, the area was ...": the name opens the sentence before the thing
    named_first = re.finditer(
        rf"\b(?:[Cc]alled|[Nn]amed|[Kk]nown as)\s+{q}([A-Z][\w’'-]+)[\"”’']?,\s+(?:the\s+)?{stem_}s?\b", sentence
    )
    # an apposition in brackets: "The Holocene (the latest epoch)"
    bracketed = re.finditer(rf"\b([A-Z][\w’'-]+)\s+\((?:the\s+|an?\s+)?[^()]*\b{stem_}s?\)", sentence)
    # a name right after the thing, or after a colon: "his nephew Tancred", 'the two-tentacled
    # "cydippid" Lampea', "the name of their castle: Afranji"
    right_after = re.finditer(rf"\b{stem_}s?[\"”’']?(?:\s*:)?\s+([A-Z][\w’'-]+)", sentence)
    # the thing as the subject of "is called": "The property of being prime (or not) is called primality"
    is_called = re.finditer(
        rf"\b{stem_}s?\b[^,;:.]{{0,60}}?\b(?:is|are|was|were)\s+(?:\w+ly\s+|also\s+)?(?:called|named|known as)"
        rf"\s+(?:the\s+)?{q}([\w’'-]+)",
        sentence,
    )
    # a word glossed in brackets, "tentilla ("little tentacles")", "a pharynx ("throat")", or the
    # thing followed by its name in brackets, "they produce secretions (ink)"
    glossed = re.finditer(rf"\b([\w’'-]+)\s+\([\"“‘'](?:[\w’'-]+\s+){{0,3}}{stem_}s?[\"”’']\)", sentence)
    gloss = re.finditer(rf"\b{stem_}s?\s+\({q}([\w’'-]+(?:\s+[\w’'-]+){{0,2}})[\"”’']?\)", sentence)
    # a name before the thing and the question's own words for it: "the VideoGuard pay-TV scrambling
    # system" for "the TV scrambling system" (each word between has a part among the question's terms;
    # make train's SQuAD cache, 2026-12-08: one more gold answer, nothing else changed; eval unchanged)
    described = (
        m
        for m in re.finditer(rf"(?<![.!?]\s)\b([A-Z][\w’'-]+)\s+((?:[\w’'-]+\s+){{1,3}}){stem_}s?\b", sentence)
        if all(any(stem(p) in description for p in w.split("-")) for w in m.group(2).split())
    )
    found = {
        next(g for g in m.groups() if g).lower().removesuffix("’s").removesuffix("'s")
        for m in (*after, *before, *bracketed, *named_first, *glossed, *gloss, *is_called, *right_after, *described)
    }
    found -= STOPWORDS
    asked = set(asked_names)
    return any(not set(part.split("-")) <= asked and part not in asked for part in found)


def judge(
    question: str, retrieval: Retrieval, keywords: KeywordIndex
) -> tuple[dict[tuple[str, int], tuple[float, bool]], bool]:
    """(article id, sentence start) -> (its score, can it answer the question's kind), and whether
    these rules would abstain, for the learned answerer's features."""
    info = analyse_question(question)
    info = replace(info, required_names=distinctive_names(info.names, keywords))
    candidates = score_sentences(info, retrieval, keywords)
    kinds = {(c.passage.article_id, c.start): (c.score, fits_kind(info, c)) for c in candidates}
    if not all(keywords.mentions(n) for n in info.names):
        return kinds, True
    answering = [c for c in candidates if c.about_subject and kinds[(c.passage.article_id, c.start)][1]]
    return kinds, not answering or answering[0].confidence < MIN_SCORE


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one question, before it is written out as a Draft."""

    info: QuestionInfo
    chosen: tuple[Candidate, ...]  # the sentences quoted as the answer; () when it abstains
    shown: Candidate | None  # the related sentence an abstention shows ("What the articles do say")
    reason: str  # why it abstains; "" when it answers
    best: Candidate | None  # the best sentence that can answer the question's kind, if any
    items: bool = False  # chosen are the items of one list (rules.listed), the best among them

    @property
    def abstained(self) -> bool:
        return not self.chosen


class OfflineBackend:
    name = "offline"

    def __init__(self, stats: KeywordStats, max_sentences: int = 3) -> None:
        self._stats = stats  # read on every draft: the retriever replaces its index when the store changes
        self.max_sentences = max_sentences

    def draft(self, question: str, retrieval: Retrieval) -> Draft:
        if not retrieval.passages:
            return Draft("", abstained=True, reason="The index holds no articles yet.", backend=self.name)
        d = self.decide(question, retrieval)
        quoted = d.chosen or ((d.shown,) if d.shown is not None else ())
        # a list's items answer together, as surely as the best of them: each shows the list's score
        # (scored alone, an item read "unlikely" beside its neighbour's "possibly")
        listed_score = answer_score(d.best, d) if d.items and d.best is not None else None
        own = [
            (c.passage.article_id, c.start, round(answer_score(c, d) if listed_score is None else listed_score, 3))
            for c in quoted
        ]
        # the sentence quoted before one opening on a pronoun shows that one's score, unless it is
        # chosen itself (the engine reads these in order: a later entry for the same start wins)
        before = [
            (aid, start, score)
            for c, (aid, _, score) in zip(quoted, own)
            for start, _ in quoted_with(c)
            if start != c.start
        ]
        scores = tuple(before + own)
        confidence = own[0][2] if own and not d.abstained else None
        if d.abstained:
            text = d.reason + (f" What the articles do say: {render(d.shown)}" if d.shown is not None else "")
            return Draft(text, abstained=True, reason=d.reason, backend=self.name, scores=scores)
        return Draft(render_all(d.chosen), backend=self.name, confidence=confidence, scores=scores)

    def decide(self, question: str, retrieval: Retrieval) -> Decision:
        """Which retrieved sentences answer the question, or why none does (retrieval not empty)."""
        info = analyse_question(question)
        keywords = self._stats.keywords
        info = replace(info, required_names=distinctive_names(info.names, keywords))
        missing = [n for n in info.names if not keywords.mentions(n)]
        if missing:  # "the Dutch beach" where the articles say "the Netherlands"
            missing = [n for n in missing if not country_of(n, question, retrieval, self._stats.word_vectors)]
        candidates = score_sentences(info, retrieval, keywords)
        shown = next((c for c in candidates if c.lexical >= RELATED_MIN_LEXICAL), None)
        if missing:
            return Decision(
                info, (), shown, f"The articles do not mention {names_as_written(question, missing)}.", None
            )
        answering = [c for c in candidates if c.about_subject and fits_kind(info, c)]
        # "Who is X?" asks what X is: when a sentence says it beside the name (a title, an
        # apposition, the sentence's own copula), the sentences that only mention X do not answer
        if info.describes and (describing := [c for c in answering if describes_person(c.text, info.names)]):
            answering = describing
        # ... and "What is X?" what X is, where a sentence defines it
        elif info.defined and (defining := [c for c in answering if defines(c.text, info.defined)]):
            answering = defining
        if answering:
            answering[0] = soft_confidence(answering[0], info, keywords, self._stats.word_vectors)
        best = answering[0] if answering else None
        # the sentence closest to the question says the opposite of what it asks ("Who was subjected
        # to a qualified minority vote?" / "... subject to a qualified majority vote"; "What is a
        # non-Islamic revival movement?" / "an Islamic revival movement"; "What channel was never
        # dropped from Sky?" / "... the channels were dropped", affirms_denied): what the question takes
        # for granted is not what the articles say, and a sentence further down that merely shares
        # words is no answer either (make train's SQuAD cache, 2026-12-08: 28 unanswerable questions
        # were answered from the next sentence instead and now abstain; of answerable ones, two wrongly
        # answered abstain, and one loses its gold answer: "What non-Chinese empire did the Yuan
        # dynasty succeed?"; score_squad2.py: abstention on unanswerable 32.0% -> 35.0%, gold
        # unchanged; see rag.antonyms. A negation said otherwise, measured after: 14 more unanswerable
        # training questions abstain, none answerable changes; a name swapped for another, below,
        # measured last: 3 more, none answerable changes, score_squad2.py abstention 39.3% -> 40.0%)
        top = candidates[0] if candidates else None
        if top is not None and top is not best and top.about_subject:
            if opposite := (
                opposite_in(info.antonyms, top.text)
                or opposite_by_prefix(info.opposites, top.text)
                or affirms_denied(info.denied, top.text)
                or swapped_name(question, info, top)
            ):
                return said_otherwise(info, top, opposite, best)
        # ... or the best answering one, were it quoted, names another place, organisation or person where the question
        # names its own (make train's SQuAD cache, 2026-12-08: 23 more unanswerable questions abstain,
        # held-out 0.336 -> 0.356, training 0.361 -> 0.391; four answerable ones abstain, three of them
        # answered wrongly before and one with its gold answer, "Why did OPEC block ...?" / "OAPEC
        # proclaimed the embargo"; score_squad2.py: abstention 38.3% -> 40.7%, gold answers and false
        # abstentions unchanged; of the eval's answers one abstention now says why: "they say “CloudBees”
        # where it says “Apple”")
        if best is not None and best.confidence >= MIN_SCORE and (swap := swapped_name(question, info, best)):
            return said_otherwise(info, best, swap, best)
        if best is None or best.confidence < MIN_SCORE:
            reason = abstain_reason(info, candidates)
            shown = says_predicate(info, answering) or shown
            if shown is not None and shown in answering:  # it may answer: say so, not "do not answer"
                reason = NOT_CLEARLY_ANSWERED
            return Decision(info, (), shown, reason, best)
        if items := listed(best, answering, info, retrieval.passages):
            return Decision(info, tuple(items), None, "", best, items=True)
        return Decision(info, tuple(select(answering, info, self.max_sentences)), None, "", best)


def said_otherwise(info: QuestionInfo, shown: Candidate, pair: tuple[str, str], best: Candidate | None) -> Decision:
    """The abstention for a sentence that says otherwise than the question (pair: the question's
    word, the sentence's), showing that sentence."""
    asked, said = pair
    return Decision(
        info, (), shown, f"The articles do not answer this question: they say “{said}” where it says “{asked}”.", best
    )


def swapped_name(question: str, info: QuestionInfo, c: Candidate) -> tuple[str, str] | None:
    """(the question's name, the sentence's) when the sentence says another name of the same kind
    (spaCy's entity label) where the question names its own: "What was announced by Kuwait?" /
    "Libya immediately announced ..."; "From which spaceport did Riverton launch the telescope?" /
    "... launched ... from the Kourou spaceport". The question's name counts as said when the
    sentence, the one before it or its article's headline (news names its subject there once and
    then says "the telescope") has it in any form the answerer accepts elsewhere (a stem, a
    demonym, its acronym: "Orion Sky Agency" as "OSA"), or has any word of it (the
    sentence's "Davies" is the question's "Donald Davies"); the other name must be new to the
    question and share no word with its names of that kind ("Native Americans" is not swapped for
    "French North Americans"). Only names rare enough to pin the question down
    (distinctive_names) count: "Iran" is in every sentence's background. None otherwise."""
    if not info.required_names:
        return None
    said = f"{c.passage.meta.title}\n{c.context} {previous_sentence(c)} {c.text}"
    said_words = set(words(said))
    said_stems = {stem(w) for w in said_words}
    missing = {n for n in info.required_names if stem(n) not in said_stems and not name_in(n, said_words, said)}
    facts = nlp.stored_facts(c.passage.chunk.text, c.passage.facts) if missing and c.passage.facts else ()
    if c.index >= len(facts):
        return None
    q, _ = split_carried(question.strip())
    asked = {stem(w) for w in words(q)}
    entities = nlp.parse_question(q).entities
    for e in entities:
        # a name the parser opens with "the" is where the small model's labels go wrong ("the French"
        # an organisation, swapped for "Huguenot"): on make train's SQuAD cache counting them lost two
        # gold answers and made no unanswerable question abstain
        if e.text.lower().startswith("the "):
            continue
        named = set(words(e.text)) & set(info.names)
        if not named or not named <= missing:
            continue
        if len(named) > 1 and "".join(w[0] for w in e.text.split() if w[0].isupper()).lower() in said_words:
            continue
        same_kind = {stem(w) for x in entities if x.label == e.label for w in words(x.text)}
        others = [
            other
            for other in facts[c.index].entities
            if other.label == e.label
            and (theirs := {stem(w) for w in words(other.text)}) - asked - STOPWORD_STEMS
            and not theirs & same_kind
        ]
        if others:
            # the one standing where the question's stands: after the same words ("arrived in Russia"
            # for "arrived in Ukraine"), else the first
            before = _words_before(q, e.start)
            other = max(others, key=lambda o: len(before & _words_before(c.passage.chunk.text, o.start)))
            return re.sub(r"['’]s$", "", e.text), other.text
    return None


def _words_before(text: str, start: int) -> set[str]:
    """The stems of the two words before offset `start` of the text."""
    return {stem(w) for w in words(text[max(0, start - 60) : start])[-2:]}


def affirms_denied(denied: tuple[tuple[str, str], ...], text: str) -> tuple[str, str] | None:
    """(what the question says did not happen, the sentence's word for it) when the sentence says
    the word that follows one of the question's negations (QuestionInfo.denied) with no negation of
    its own over it: "What channel was never dropped from Sky?" / "... channels were dropped ...";
    None otherwise."""
    if not denied:
        return None
    terms = set(content_terms(text))
    scopes = negated_terms(text)
    for negation, word in denied:
        term = stem(word)
        if term in terms and not any(term in scope for scope in scopes):
            said = next((w for w in words(text) if stem(w) == term), word)  # as the sentence says it
            return f"{negation} {word}", said
    return None


def says_predicate(info: QuestionInfo, answering: list[Candidate]) -> Candidate | None:
    """For a yes/no question nothing answers surely, the related sentence that says what it asks
    (answering: they all do, QuestionInfo.predicate) in a passage (or its article's headline) naming
    its subject: "Has the vaccine been approved?" is better shown "The manufacturer ... has applied
    for approval from regulators." than the first sentence naming the vaccine, and not "Congress
    approved" the telescope of another article. None for other questions, or when no such sentence
    is related."""
    subject = set(info.terms) - set(info.predicate)
    if info.kind != "yesno" or not info.predicate or not subject:
        return None
    return next(
        (
            c
            for c in answering
            if c.lexical >= RELATED_MIN_LEXICAL
            and subject & set(content_terms(f"{c.passage.meta.title}\n{c.passage.chunk.text}"))
        ),
        None,
    )


# How surely a quoted sentence answers the question, shown with its citation (Citation.answers): a
# logistic model over answer_features, fitted by `python -m scripts.fit_answer_score` (2026-12-07)
# on the sentences the rules quote, or show beside an abstention, for SQuAD 2.0 dev's training
# titles (label: the sentence holds the gold answer; any sentence quoted for an unanswerable
# question is wrong), then rescaled (Platt) on the first turns of eval/dataset.jsonl, since half of
# SQuAD's questions are unanswerable by design and far fewer of a newsroom's. ROC AUC of right
# against wrong quotes: SQuAD held-out titles 0.737, first eval set 0.773, second 0.709, third
# 0.725; Brier 0.190 / 0.218 / 0.221 on the three sets (the second and third never fitted).
# The decision to answer stays MIN_SCORE's: this score is what staff see, not what is quoted.
ANSWER_SCORE_FEATURES = ("confidence", "score_ratio", "lexical_full", "dense", "fits", "typed", "abstained")
ANSWER_SCORE_WEIGHTS = (2.09, 6.0643, 1.4815, 2.755, 0.5589, 0.0353, -0.5589)
ANSWER_SCORE_INTERCEPT = -9.6225


def answer_features(c: Candidate, d: Decision) -> tuple[float, ...]:
    """ANSWER_SCORE_FEATURES of a sentence the decision quotes or shows."""
    top = max(c.score, d.best.score if d.best else 0.0)  # what is chosen ranks no higher than the best
    fits = bool(d.best is not None and (c is d.best or c in d.chosen))
    return (
        c.confidence,
        c.score / top if top > 0 else 0.0,
        c.lexical_full,
        c.dense,
        float(fits),
        float(d.info.kind in ("number", "date", "person", "name")),
        float(d.abstained),
    )


def answer_score(c: Candidate, d: Decision) -> float:
    z = ANSWER_SCORE_INTERCEPT + sum(w * x for w, x in zip(ANSWER_SCORE_WEIGHTS, answer_features(c, d)))
    return 1.0 / (1.0 + math.exp(-z))


# The most sentences after a chosen one that an open quotation brings (quoted_with): an answer is a
# few sentences (max_sentences 3), so a longer quotation is cut there rather than quoted whole
QUOTATION_MORE = 3


def quoted_with(c: Quotable) -> tuple[tuple[int, str], ...]:
    """(article offset, text) of each sentence render() quotes for a candidate, in order: the one
    before it when it opens on a pronoun, itself, and the rest of a quotation it opens ("Bakhshayesh-
    Ardestani rebuked, “There is nothing darker than black." goes on to "Why not Russia?”"): up to
    QUOTATION_MORE sentences of its paragraph, until the quotation closes (news opens a quotation
    again at each paragraph it runs into and closes it only at its end, so a paragraph's end ends it
    too). Each is cited with it and shows its score."""
    spans, base, text = c.passage.chunk.sentences, c.passage.chunk.start, c.passage.chunk.text
    out = [(spans[c.index - 1][0], prev)] if (prev := previous_sentence(c)) else []
    out.append((c.start, c.text))
    open_ = quotation_balance(c.text)
    for k in range(c.index + 1, min(c.index + 1 + QUOTATION_MORE, len(spans))):
        if open_ <= 0 or not same_paragraph(text, spans, k, base):
            break
        out.append((spans[k][0], text[spans[k][0] - base : spans[k][1] - base]))
        open_ += quotation_balance(out[-1][1])
    return tuple(out)


def score_sentences(info: QuestionInfo, retrieval: Retrieval, keywords: KeywordIndex) -> list[Candidate]:
    """Every sentence of every retrieved passage, scored against the question, best first."""
    full = {t: keywords.idf(t) for t in info.terms}
    full_total = sum(full.values()) or 1.0
    weights = full
    name_terms = {stem(n) for n in info.names}
    # The person or place a question names says whom it is about, the other words say what is
    # asked: "What did Araghchi tweet?" wants the tweet, not the sentence introducing Araghchi. A
    # question of names only is about its subject: "What did X say about China?" asks about China.
    subject = set(info.subject_terms) & name_terms
    about = name_terms if set(weights) - name_terms else subject if set(weights) - subject else set()
    weights = {t: w * NAME_WEIGHT if t in about else w for t, w in weights.items()}
    total = sum(weights.values()) or 1.0
    # "Which way did Lukas Weber vote?" is answered only by a sentence about Weber: when the question's
    # subject is a rare name (a common one, "Iran", pins nothing down) that the passages call a person
    subject_required = set(info.subject_terms) & {stem(n) for n in info.required_names}
    if subject_required and not names_a_person(subject_required, retrieval.passages):
        subject_required = set()
    # a phrase match counts for what is asked, as the weights above do: a pair of name words ("Wall
    # Street Journal") says whom the question is about, and the name's words already count once
    pairs = {pair for pair in info.pairs if any(w not in STOPWORD_STEMS and w not in name_terms for w in pair)}
    before = sentences_before(retrieval.passages)
    asked_before = answered_questions(retrieval.passages)
    leads = list_leads(retrieval.passages)
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for n, p in enumerate(retrieval.passages, start=1):
        labels_of = sentence_labels(p.chunk.text, p.facts) if p.facts else ()
        roots_of = sentence_roots(p.chunk.text, p.facts) if p.facts else ()
        places_of = sentence_places(p.chunk.text, p.facts) if p.facts else ()
        things_of = sentence_things(p.chunk.text, p.facts) if p.facts else ()
        persons_of = persons_before(p.chunk.text, p.facts) if p.facts else ()
        for i, (s, e) in enumerate(p.chunk.sentences):
            if (p.article_id, s) in seen:  # overlapping chunks repeat sentences
                continue
            seen.add((p.article_id, s))
            text = p.chunk.text[s - p.chunk.start : e - p.chunk.start]
            if instruction(text):  # a prompt injection planted in an article is not an answer
                continue
            # a question of the article's own (an interview's, "Want to know more about X?") states nothing
            if is_question(text) and not in_open_quote(p, s):
                continue
            dense = sentence_similarity(retrieval.query_vector, p, i)
            terms = set(content_terms(text))
            context = before.get((p.article_id, s), "")
            person = persons_of[i] if i < len(persons_of) else ""
            pronoun = bool(PERSON_PRONOUN.search(text) or _WHOLE_QUOTE.match(text) or in_open_quote(p, s))
            possessive = bool(_POSSESSIVE.search(text))
            if pronoun:
                # "He added, ..." speaks of the person named last before it (the sentence before,
                # or the last PERSON of the passage before a run of "he said" sentences): the
                # question's names found there count as found here (coreference)
                terms |= name_terms & set(content_terms(f"{context} {person}"))
            # an interview's answer speaks to the question printed before it ("What's the biggest
            # career risk you've ever taken?" / "Last year I took a pay cut ..."): its words count here
            terms |= set(content_terms(asked_before.get((p.article_id, s), "")))
            # an item of a bulleted list is what the line introducing it says ("Read about:" after
            # "Want to learn more about featured leaders?" / "- Laura Frank Tacho, ...")
            terms |= set(content_terms(leads.get((p.article_id, s), "")))
            for run in info.full_names:  # "Bakhshayesh-Ardestani said" names "Ahmad Bakhshayesh-Ardestani"
                if run[-1] in terms:
                    terms |= set(run)
            # "Where does Priya Nair work?": a sentence saying what she is beside her name ("Priya
            # Nair, chief economist at Calder Bank, said ...") answers what is asked of her, in
            # whatever words (make train's SQuAD questions: no answer changed; measured 2026-12-07)
            described = info.describes and bool(name_terms & terms) and describes_person(text, info.names)
            if described:
                terms |= set(info.terms)
            # "How did economists react?": what they said is their reaction ("Priya Nair, chief
            # economist at Calder Bank, said the increase was a mistake"), in whatever words
            if info.reacts and any(stem(w) in _REPORTED for w in words(text)):
                terms |= set(info.reacts)
            lexical = sum(w for t, w in weights.items() if t in terms) / total
            lexical_full = sum(w for t, w in full.items() if t in terms) / full_total
            labels = labels_of[i] if i < len(labels_of) else frozenset()
            places = places_of[i] if i < len(places_of) else frozenset()
            fits = (
                info.kind in ("number", "date") and answers_kind(info, text, context, labels) and counts(info, text)
            ) or (info.kind == "reason" and bool(CAUSAL.search(text)))
            fits = fits or (info.plural and lists_names(p, i, info))
            fits = fits or described
            fits = fits or (bool(info.defined) and defines(text, info.defined))
            # "Who is the mayor of Port Halden?": a person named with the role asked for ("Mayor
            # Jonas Eklund said ..."), though the sentence says "the city" for the place
            fits = fits or (bool(info.role) and info.role in terms and "PERSON" in labels)
            bonus = TYPE_BONUS if fits else 0.0
            phrase = PHRASE_WEIGHT * len(pairs & word_pairs(text)) / len(pairs) if pairs else 0.0
            score = DENSE_WEIGHT * dense + LEXICAL_WEIGHT * lexical + bonus + phrase
            confidence = DENSE_WEIGHT * dense + LEXICAL_WEIGHT * max(lexical, lexical_full) + bonus
            # a "he" whose antecedent lies outside the passages may well be the subject: not known to be another
            unknown = (pronoun or possessive) and not (context or person)
            # an "I" the article does not quote is its writer or, in an interview, the person
            # interviewed: who that is the passages do not say, so it may well be the subject
            unknown = unknown or (first_person(text) and not in_open_quote(p, s))
            on_subject = not subject_required or unknown or bool(subject_required & terms)
            if possessive and not on_subject:  # "his diplomatic appointments" is about the person named before
                on_subject = bool(subject_required & set(content_terms(f"{context} {person}")))
            out.append(
                Candidate(
                    n,
                    i,
                    s,
                    e,
                    text,
                    dense,
                    lexical,
                    score,
                    p,
                    confidence,
                    context,
                    labels,
                    places,
                    on_subject,
                    lexical_full,
                    roots_of[i] if i < len(roots_of) else "",
                    things_of[i] if i < len(things_of) else frozenset(),
                )
            )
    out.sort(key=lambda c: -c.score)
    log.debug("top sentences: %s", [(round(c.score, 3), c.text[:40]) for c in out[:5]])
    return out


def soft_confidence(c: Candidate, info: QuestionInfo, keywords: KeywordIndex, words: WordVectors | None) -> Candidate:
    """The best answering candidate with its confidence raised where the soft share (word vectors)
    exceeds the exact one; computed only when the exact confidence falls short of MIN_SCORE, the
    one decision it can change. The rank stays: re-ranking by it moved which further sentences an
    answer quotes (KEEP_RATIO) and lost more eval items than it won (first set 97 -> 97, second
    47 -> 46; confidence only: 98, 47)."""
    if words is None or not info.term_words or c.confidence >= MIN_SCORE:
        return c
    soft = soft_share(info, c.text, {t: keywords.idf(t) for t in info.terms}, words)
    return replace(c, confidence=c.confidence + LEXICAL_WEIGHT * max(0.0, soft - max(c.lexical, c.lexical_full)))


def soft_share(info: QuestionInfo, sentence: str, idf: dict[str, float], words: WordVectors) -> float:
    """IDF-weighted share of the question's terms the sentence says: a term it has counts 1, one it
    says in another word counts that word's cosine ("weaponry" / "missiles" 0.64) when at least
    SOFT_MIN, else 0."""
    found = set(content_terms(sentence))
    said = list(dict.fromkeys(content_words(sentence)))
    missing = [(t, w) for t, w in zip(info.terms, info.term_words) if t not in found]
    total = sum(idf.values()) or 1.0
    share = sum(idf.get(t, 0.0) for t in info.terms if t in found)
    if missing and said:
        sims = words.similarity([w for _, w in missing], said)
        # a superlative is not said by its base word: word vectors put "biggest" near "big", but "the
        # first big decision" does not say which is the biggest
        for r, (_, w) in enumerate(missing):
            for c, x in enumerate(said):
                if superlative_of(w, x):
                    sims[r, c] = 0.0
        best = sims.max(axis=1)
        share += sum(idf.get(t, 0.0) * float(b) for (t, _), b in zip(missing, best) if b >= SOFT_MIN)
    return share / total


def superlative_of(word: str, base: str) -> bool:
    """Whether `word` is `base` + "-est" by English spelling: "biggest" of "big" (a doubled final
    consonant), "largest" of "large", "earliest" of "early", "fastest" of "fast". Checked by
    spelling rather than by the parser's tags (JJS), which would parse every question that reaches
    soft matching; comparatives ("-er") are left out because spelling cannot tell them from nouns
    of agents ("leader" of "lead", "player" of "play")."""
    w, b = word.lower(), base.lower()
    if len(b) < 2 or not w.startswith(b[:-1]):
        return False
    forms = {b + "est", b + b[-1] + "est", b + "st" if b[-1] == "e" else "", b[:-1] + "iest" if b[-1] == "y" else ""}
    return w in forms - {""}


# spaCy's labels of names that are no title ("the US secretary", "NASA administrator": the title is the noun)
_NO_TITLE_LABELS = frozenset({"PERSON", "GPE", "ORG", "NORP", "LOC", "FAC"})


@lru_cache(maxsize=1024)
def describes_person(sentence: str, names: tuple[str, ...]) -> bool:
    """Does the sentence say what the person of the question's names is, beside the name: a title
    before it ("Mayor Clara Voss", "NASA administrator Bill Nelson"), an apposition ("Masoud
    Pezeshkian, Iran's new reformist president"; "the US secretary of state, Antony Blinken,"), or
    a copula ("Erin Spiceland is a software engineer")? From spaCy's parse of the sentence, parsed
    only for questions asking who someone is (QuestionInfo.describes), and English punctuation for
    an apposition the small model misses."""
    asked = set(names)
    if not asked & set(words(sentence)):  # the name is not in it: nothing to parse
        return False
    if any(re.search(rf"\b[a-z]+, (?:[A-Z][\w’'-]+ )*(?i:{re.escape(w)}),", sentence) for w in asked):
        return True
    tokens = nlp.parse(sentence).tokens
    for t in tokens:
        if t.text.lower() not in asked:
            continue
        for c in tokens:
            if tokens[c.head] is not t or c is t:
                continue
            if c.dep == "appos" and c.pos in ("NOUN", "PROPN") and c.text.lower() not in asked:
                return True
            if c.dep == "compound" and c.pos in ("NOUN", "PROPN") and c.text.lower() not in asked:
                if c.ent not in _NO_TITLE_LABELS:
                    return True
            # "Lukas Weber of the Institute for Economic Research", "Dr. Ames from Helix Biologics"
            if (
                c.dep == "prep"
                and c.text.lower() in ("of", "at", "from")
                and any(tokens[g.head] is c and g.dep == "pobj" and g.ent == "ORG" for g in tokens)
            ):
                return True
        if t.dep == "appos" and tokens[t.head].pos == "NOUN":
            return True
        if says_what(tokens, t):
            return True
    return False


def says_what(tokens: Sequence[nlp.Token], t: nlp.Token) -> bool:
    """Is token t the subject of the sentence's own copula with a complement ("Erin Spiceland is a
    software engineer")? Inside a clause ("The third is that X is a ...", "Critics say X is a ...")
    a copula states what someone argues, not what X is."""
    head = tokens[t.head]
    return (
        t.dep == "nsubj"
        and head.lemma == "be"
        and head.dep == "ROOT"
        and any(tokens[c.head] is head and c.dep == "attr" for c in tokens)
    )


@lru_cache(maxsize=1024)
def defines(sentence: str, thing: tuple[str, ...]) -> bool:
    """Does the sentence say what the thing is, as the subject of its main verb "be" with a
    complement ("European Union law is a body of treaties ...")? Parsed only when every word of the
    thing is in it. (Measured on make train's SQuAD titles, 2026-12-07: 2 answers more right, none
    fewer; the looser tests of describes_person, an apposition or a compound beside the word, lost
    as many as they gained for common nouns.)"""
    if not thing or not set(thing) <= set(words(sentence)):
        return False
    if len(thing) == 1 and spells_out(sentence, thing[0]):
        return True
    tokens = nlp.parse(sentence).tokens
    return any(t.text.lower() in thing and says_what(tokens, t) for t in tokens)


def spells_out(sentence: str, word: str) -> bool:
    """Does the sentence introduce the word as an abbreviation, in brackets after a name or before
    the name in brackets, as news writes them out once: "the Initiative of Black People in Germany
    (ISD)", "the CJEU (Court of Justice of the European Union)"? English typography, not a parse:
    the small model parses a bracketed "(ISD)" as a sentence of its own."""
    w = re.escape(word)
    return bool(
        re.search(rf"[A-Z][\w’'.-]*\)?\s*\(\s*(?i:{w})\s*\)", sentence)
        or re.search(rf"\b(?i:{w})\s+\(\s*(?:the\s+)?[A-Z]", sentence)
        or re.search(rf"\b(?i:{w}),\s+which\s+(?:is|are|was|were)\b", sentence)
    )


def first_person(sentence: str) -> bool:
    """Does the sentence speak in the first person outside quotation marks ("In 2007, I had a
    three-year-old daughter")? That "I" is the writer, or an interview's interviewee."""
    if re.search(r"[“\"]", sentence):
        return False
    return any(
        m.group() != "I" or not _NAME_BEFORE.search(sentence[: m.start()]) for m in _FIRST_PERSON.finditer(sentence)
    )


def in_open_quote(p: Passage, start: int) -> bool:
    """Does the sentence starting at `start` lie inside a quotation opened earlier in its paragraph
    (“There is nothing darker than black. We give missiles to ...”)? It then speaks for whoever the
    quotation is attributed to, as a "he added" sentence does."""
    base = p.chunk.start
    before = p.chunk.text[: start - base]
    return quotation_balance(before[before.rfind("\n") + 1 :]) > 0


# Entities joined by commas or "and" ("Hezbollah, Hamas, and the Hashd al-Shaabi", "Beijing and Pyongyang")
_JOINER = re.compile(r"^(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?$")
_POSSESSIVE_AFTER = re.compile(r"[’']s\b")
_NOT_ITEMS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})


def lists_names(p: Passage, i: int, info: QuestionInfo) -> bool:
    """For a question asking for several things ("Which capitals ...?"), does sentence i of the
    passage list two or more named things the question lacks, joined by commas or "and"?"""
    if not p.facts:
        return False
    facts = nlp.stored_facts(p.chunk.text, p.facts)
    if i >= len(facts):
        return False
    asked = set(info.names)
    ents = [e for e in facts[i].entities if e.label not in _NOT_ITEMS and not set(words(e.text)) <= asked]
    text = p.chunk.text
    # "Masoud Pezeshkian, Iran's new president": a name followed by a possessive opens an appositive,
    # which describes the name before it; it is no second item
    return any(
        _JOINER.match(text[a.end : b.start]) and not _POSSESSIVE_AFTER.match(text, b.end)
        for a, b in zip(ents, ents[1:])
    )


def answered_questions(passages: tuple[Passage, ...]) -> dict[tuple[str, int], str]:
    """(article, sentence start) -> the question the article printed right before the paragraph
    this sentence opens (an interview's or Q&A's question, rag.text.is_question), wherever the
    passages hold the two together; the answer's first sentence speaks to it."""
    out: dict[tuple[str, int], str] = {}
    for p in passages:
        spans, base = p.chunk.sentences, p.chunk.start
        texts = [p.chunk.text[s - base : e - base] for s, e in spans]
        # a paragraph break after sentence k
        breaks = [not same_paragraph(p.chunk.text, spans, k, base) for k in range(1, len(spans))]
        for k, broken in enumerate(breaks):
            if not (broken and is_question(texts[k]) and not in_open_quote(p, spans[k][0])):
                continue
            first = k  # the whole run of questions ("What's the biggest risk ...? What did you learn?")
            while first > 0 and not breaks[first - 1] and is_question(texts[first - 1]):
                first -= 1
            out.setdefault((p.article_id, spans[k + 1][0]), " ".join(texts[first : k + 1]))
    return out


# A line opening a bulleted or numbered list's item, as articles and our HTML import (trafilatura's
# "- " for <li>) write them
_BULLET = re.compile(r"^\s*(?:[-•*–]|\d{1,2}[.)])\s+\S")
LIST_MAX = 8  # the most items of one bulleted list an answer quotes (a reader's list, not a page's index)


def list_leads(passages: tuple[Passage, ...]) -> dict[tuple[str, int], str]:
    """(article, sentence start) -> for each item of a bulleted list, the text introducing the list:
    the sentence before its first item, ending in a colon, with the sentence before that one in
    its paragraph ("Want to learn more about featured leaders? Read about:")."""
    out: dict[tuple[str, int], str] = {}
    for p in passages:
        spans, base = p.chunk.sentences, p.chunk.start
        texts = [p.chunk.text[s - base : e - base] for s, e in spans]
        lead = ""
        for k, (s, _) in enumerate(spans):
            joined = same_paragraph(p.chunk.text, spans, k, base)  # not at a line's start
            if not joined and _BULLET.match(texts[k]):
                if lead:
                    out[(p.article_id, s)] = lead
                continue
            lead = ""
            if texts[k].rstrip().endswith(":"):
                lead = f"{texts[k - 1]} {texts[k]}" if joined else texts[k]
    return out


def listed(
    best: Candidate, candidates: list[Candidate], info: QuestionInfo, passages: tuple[Passage, ...]
) -> list[Candidate]:
    """Several things asked for ("Which acts ...?") and the best sentence an item of a bulleted list:
    the list's items around it, in order (at most LIST_MAX); else []."""
    if not info.plural:
        return []
    leads = list_leads(passages)
    if (best.passage.article_id, best.start) not in leads:
        return []
    at = {k.index: k for k in candidates if k.passage is best.passage and (k.passage.article_id, k.start) in leads}
    first, last = best.index, best.index  # the run of consecutive items around the best
    while first - 1 in at:
        first -= 1
    while last + 1 in at:
        last += 1
    return [at[i] for i in range(first, last + 1)][:LIST_MAX]


def sentences_before(passages: tuple[Passage, ...]) -> dict[tuple[str, int], str]:
    """(article, sentence start) -> the sentence before it in the same paragraph, wherever the
    passages hold the two together (a sentence opening one chunk may follow its context in another)."""
    out: dict[tuple[str, int], str] = {}
    for p in passages:
        spans, base = p.chunk.sentences, p.chunk.start
        for k in range(1, len(spans)):
            if same_paragraph(p.chunk.text, spans, k, base):
                (s0, e0), s1 = spans[k - 1], spans[k][0]
                out.setdefault((p.article_id, s1), p.chunk.text[s0 - base : e0 - base])
    return out


def counts(info: QuestionInfo, text: str) -> bool:
    """For "how many X", does a number stand just before X ("enrolled 4,800 children", not "children
    by 68 percent")? The head of X is the first word after "how many"; up to two words may come
    between ("4,800 young children"). Other questions: True."""
    if info.kind != "number" or not info.focus:
        return True
    ws = words(text)
    people = info.focus[0] in _PEOPLE
    return any(
        (stem(w) == info.focus[0] or (people and is_person_noun(w)))
        and any(t.isdigit() or t in NUMBER_WORDS for t in ws[max(0, i - 3) : i])
        for i, w in enumerate(ws)
    )


# English's words for human beings in general: "How many people were treated in hospital?" is
# answered by a count of any kind of person ("Four children were treated in hospital"), as WordNet
# knows the kinds (rag.lexicon.is_person_noun)
_PEOPLE = frozenset(stem(w) for w in ("people", "persons", "person"))


def counted_in(counted: Sequence[str], terms: set[str], text: str) -> bool:
    """Whether the sentence (its content terms) names what is counted, or, for people, a kind of
    person."""
    if set(counted) & terms:
        return True
    return bool(set(counted) & _PEOPLE) and any(is_person_noun(w) for w in words(text))


def answers_kind(
    info: QuestionInfo,
    text: str,
    context: str = "",
    labels: frozenset[str] = frozenset(),
    places: frozenset[str] = frozenset(),
    root: str = "",
    things: frozenset[str] = frozenset(),
    subject: str = "",
    title: str = "",
) -> bool:
    """Can this sentence answer this kind of question at all? (labels: its spaCy entity labels;
    places: the words of its entities that name no person or body, see sentence_places; things: those
    that cannot answer "who", see sentence_things; subject: the proper noun spaCy reads as the
    subject of its main verb, see fits_kind; title: its article's headline)"""
    if not info.numbers <= stated_numbers(text):  # a number in the question pins what it asks about
        return False
    # "How can graphs be encoded indirectly?" is not answered by "graphs can be encoded directly"
    if opposite_by_prefix(info.opposites, text):
        return False
    # "Who confirmed that the cases were not caused by the same strain?" is not answered by "... has
    # confirmed that the cases are caused by the same strain" (score_squad2.py, 2026-12-08: abstention
    # on unanswerable questions 35.0% -> 38.3%, gold in answer 77.3% -> 77.0%, one answerable question
    # whose sentence negates by other words, "excluded from being a part" for "not part"; the three
    # eval sets unchanged)
    if affirms_denied(info.denied, text):
        return False
    # "Who was subjected to a qualified minority vote?" is not answered by "... subject to a qualified
    # majority vote", nor "What was BSkyB included with?" by "BSkyB had been excluded from ..."
    if says_opposite(info.antonyms, text):
        return False
    # "What agreement has Iran signed with Russia?" is not answered by "Iran has signed a 25-year
    # security agreement with China", though it shares every other word
    if names_another(info, f"{context} {text}" if _PRONOUN_START.match(text) else text):
        return False
    # what did not happen is not told by what did
    if info.negated and not (has_negation(text) or _DENYING.search(text)):
        return False
    if info.kind in ("number", "date") and info.required_names and not first_person(text):
        # "How many did the Wall Street Journal say ...?" is not answered by Blinken's figure. The
        # sentence before counts too, as pronouns point there ("the country they invaded in 2022"),
        # and so does the article's headline, as news names its subject there and then says "the
        # city" ("How many pupils in Riverton were affected?" / "The school district said 212 pupils
        # were affected"; make train's SQuAD cache, 2026-12-08: 5 more gold answers, none lost, 2
        # unanswerable questions answered; score_squad2.py gold 77.7% -> 78.3%, false abstentions
        # 7.3% -> 7.0%, abstention 40.7% -> 40.3%; one eval answer changed, both passing).
        # An interview's unquoted "I" (see score_sentences) may be the person named: not another.
        if not holds_names(info.required_names, f"{title}\n{context} {text}"):
            return False
    if info.kind == "number":
        if not quantities(text) - info.numbers:  # "Project 360" in the question is no answer to "how many"
            return False
        if info.amount and not amount_stated(info.amount, text, labels, info.numbers):
            return False
        if info.age and not (labels & {"DATE", "DURATION"} or _AGE.search(text)):
            return False
        terms = set(content_terms(text))
        if info.unit and stem(info.unit) not in terms:
            return False
        if info.count and not quantities(_PERCENT.sub(" ", text)) - info.numbers:  # "how many" counts things
            return False
        if info.counted and not counted_in(info.counted, terms, text):  # it counts other things
            return False
        return not info.focus or counted_in(info.focus, terms, text)
    if info.kind == "date":  # spaCy's DATE also finds "1066", "the 10th century", "the following spring"
        return (has_date(text) or "DATE" in labels) and (not info.date_part or states_date_part(info.date_part, text))
    if info.kind == "person" and not info.names_subject:
        # "Who is the mayor of Berlin?" is not answered by a sentence that names no mayor; the role may
        # be said by a word of its family ("the inventor" / "invented by", "leader" / "leadership")
        family = family_start(info.role, 2)
        if info.role and not any(t.startswith(family) for t in content_terms(f"{context} {text}")):
            return False
        if info.verb and root == info.verb:  # says who does it, named or not ("The national government will pay")
            return True
        # ... or says it by another word of the verb's family, whose doer need be no name: "Who complained
        # about the name changes?" / "some 500 local residents filed complaints against the name
        # changes" (on make train's SQuAD questions and the three eval sets this changed no answer,
        # measured 2026-12-07; found on the third set's saved pages)
        if info.verb:  # the verb itself answers only as the main verb, above
            verb = stem(info.verb)
            family = family_start(verb, 1)
            if any(t.startswith(family) and t != verb for t in content_terms(text)):
                return True
        # "Which official ...?" needs a name the question lacks ("Iran" is no new name for "Which Iranian official")
        asked = set(info.names)
        unfit = places if info.individual else things
        # (subject: see fits_kind; make train's SQuAD cache, 2026-12-08: two answerable questions
        # answered that abstained, "BSkyB has design authority over ...", nothing lost;
        # score_squad2.py gold-in-answer 77.0% -> 77.3%; the eval sets unchanged)
        found = names(text) | {name_word(w) for w in subject.split() if w[:1].isupper()}
        return any(not name_in(n, asked, " ".join(asked)) for n in found - unfit)
    if info.kind == "name":
        return gives_name(text, info.focus_text, info.names, info.description)
    if info.kind == "yesno" and info.predicate:
        # "Has the vaccine been approved?" is not answered yes or no by a sentence that only names the
        # vaccine: it must say what is asked of it, by a word of the family ("approval"). make train's
        # SQuAD questions and the eval sets: no answer changed (measured 2026-12-07; found on the
        # second set's malaria article, where it quoted "Half received the vaccine, called RX-12, ...")
        return any(t.startswith(family_start(w, 1)) for w in info.predicate for t in content_terms(text))
    return True


def names_another(info: QuestionInfo, text: str) -> bool:
    """Does the sentence tie a thing the question asks about to another name than the question does:
    one of the question's words, its preposition and a name that is none of the question's ("agreement
    with China" for "signed with Russia", "legislature of the European Union" for "legislature of
    American Union"), while the question's name is nowhere in it? Written by hand because it reads
    the sentence as stored (no parse at query time). On make train's SQuAD questions it changed 19
    answers, mostly abstaining on the entity swaps of SQuAD's unanswerable questions; it also lost two
    where the other name is the answer ("the island of Lindau" for "What is the island ...?"), which
    "of" brings (without "of": no net change). Held-out titles: right 51.7% -> 52.0%, training
    titles 50.4% -> 50.5% (measured 2026-12-07); no first-turn eval answer changed."""
    seen: set[str] | None = None
    for prep, name in info.counterparts:
        for m in _word_preposition_name(prep).finditer(text):
            other = name_word(m.group(2))
            if other in info.names or other in STOPWORDS or stem(m.group(1).lower()) not in info.terms:
                continue
            seen = word_set(text) if seen is None else seen  # the dearer test last: most sentences stop above
            if not name_in(name, seen, text):
                return True
    return False


@lru_cache(maxsize=32)
def _word_preposition_name(prep: str) -> re.Pattern[str]:
    """A word, the preposition and the capitalised word after it ("agreement with China")."""
    return re.compile(rf"\b([\w’'-]+)\s+{prep}\s+(?:the\s+)?([A-Z][\w’'-]+)")


# The parts of a date as English writes them: a year (three or four digits, not an amount or a
# measure; "AD 79", "44 BC"), a month by its name, a day (a weekday, "March 3", "3 March", "today"),
# a century by its ordinal, a decade ("the 1970s"); a year also says its century and decade
_YEAR_SAID = re.compile(
    r"(?<![\d$£€¥.,])\b(?:1\d{3}|20\d{2}|[1-9]\d{2})(?:s\b|\b)(?![.,]\d)(?!\s*(?:%|percent|per\b|km\b|kilomet|"
    r"met(?:re|er)s?\b|miles?\b|feet\b|ft\b|kg\b|tonnes?\b|tons?\b|people\b|men\b))"
    r"|\b\d{1,4}\s*(?:BC|AD|BCE|CE)\b|\bAD\s*\d{1,4}\b"
)
_MONTH_NAMES = "(?:" + "|".join(m.title() for m in MONTHS) + ")"  # with a capital: "may" is a verb
_MONTH_SAID = re.compile(rf"\b(?:{_MONTH_NAMES}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b")
_DAY_SAID = re.compile(
    rf"\b(?:{'|'.join(WEEKDAYS)}|today|yesterday|tomorrow)\b"
    rf"|\b{_MONTH_NAMES}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAMES}\b",
    re.I,
)
_CENTURY_SAID = re.compile(r"\bcentur(?:y|ies)\b", re.I)
_DECADE_SAID = re.compile(
    r"\b(?:1\d|20)?\d0s\b|[’']\d0s\b|\b(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
    re.I,
)


def states_date_part(part: str, text: str) -> bool:
    """Does the sentence state the part of a date asked for ("In what year ...?": a year; "Which
    month ...?": a month)? A sentence with only a weekday does not say the year, nor one with only a
    year the month. (make train's SQuAD questions, 2026-12-07: 4 quotes changed, right-answer rates
    unchanged, as SQuAD's "what year" sentences nearly all hold one; no eval answer changed. Found on
    the tests' telescope article: "In what year ...?" quoted "on Tuesday".)"""
    if part == "month":
        return bool(_MONTH_SAID.search(text))
    if part == "day":
        return bool(_DAY_SAID.search(text))
    year = bool(_YEAR_SAID.search(text))
    if part == "century":
        return year or bool(_CENTURY_SAID.search(text))
    if part == "decade":
        return year or bool(_DECADE_SAID.search(text))
    return year


def fits_kind(info: QuestionInfo, c: Candidate) -> bool:
    """answers_kind of a scored sentence, with what ingest stored of it."""
    if info.role_of and not holds_names(info.role_of, f"{c.passage.meta.title}\n{c.passage.chunk.text}"):
        # "Who is the president of France?" is not answered by a vice president of another passage:
        # the passage, or its article's title, must name what the role is of (news names the place
        # in the headline or the lead and then says "the city", as the sentence may)
        return False
    # the proper noun spaCy reads as the subject of the sentence's main verb (stored at ingest):
    # names() skips a sentence's first word, and news opens many a sentence with the name that
    # answers "who" ("Natarajan said the outbreak could last until the spring.")
    subject = ""
    if info.kind == "person" and c.passage.facts:
        facts = nlp.stored_facts(c.passage.chunk.text, c.passage.facts)
        subject = facts[c.index].subject if c.index < len(facts) else ""
    return answers_kind(info, c.text, c.context, c.labels, c.places, c.root, c.things, subject, c.passage.meta.title)


def holds_names(asked: Sequence[str], text: str) -> bool:
    """Whether the text names each of the asked names (rag.text.name_in)."""
    seen = word_set(text)
    return all(name_in(n, seen, text) for n in asked)


def family_start(root: str, drop: int) -> str:
    """The start that the words of a stem's family share: the stem less its last `drop` letters, at
    least four letters (verb "complain", 1: "complai", for "complaints"; "pay": "pay", for
    "payment"; role "inventor", 2: "invent", for "invented by")."""
    return root[: max(4, len(root) - drop)]


# spaCy's labels of amounts that are more than a count
_AMOUNT_LABELS = frozenset({"MONEY", "QUANTITY", "PERCENT"})
# a share or a multiple said in words (English number grammar)
_SHARE_WORDS = re.compile(
    r"\b(?:half|halves|thirds?|quarters?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|percent|per cent|"
    r"twice|thrice|double|triple|(?:two|three|four|five|six|seven|eight|nine|ten|\d+) times)\b",
    re.I,
)
_ONE_IN = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:in|out of) (?:\d+|[a-z]+)\b", re.I)
# an age: "50,000 years old", "about 515 million years ago", "aged 12", "a 40-year-old", "in her 30s"
_AGE = re.compile(
    r"\b\d[\d,.]*\s*(?:(?:thousand|million|billion)\s+)?(?:-|\s)?(?:years?|months?|weeks?|days?)(?:-|\s)(?:old|ago)\b"
    r"|\baged?\s+\d|\bin (?:his|her|their) \d0s\b",
    re.I,
)
_CURRENCY = re.compile(r"[$€£¥₹₽]|\b(?:US|EUR|GBP|USD)\b")  # a sum written with its currency's sign or code
_IN_NAME = re.compile(r"\b[A-Za-z]+-\d+\b")  # "RX-12", "F-16": a name, not an amount
_YEARS_AND_DAYS = re.compile(
    r"\b(?:1[89]\d{2}|20\d{2})s?\b|\b\d{1,2}(?:st|nd|rd|th)?,?\s+(?=\d{4})|(?<=[A-Z][a-z]{2} )\d{1,2}\b"
)


def amount_stated(kind: str, text: str, labels: frozenset[str], asked: frozenset[float] = frozenset()) -> bool:
    """Does the sentence state an amount, as a "how much" question asks: a sum, a quantity with its
    unit or a percentage (spaCy's MONEY, QUANTITY, PERCENT, stored at ingest), a number in digits
    that is no year or day ("1.2 billion crowns", whose currency the small model may not know), or
    a share or multiple in words ("two thirds", "one ninth", "ten times")? A count in words ("a
    mother of two", "three doses") answers "how many", not "how much"; nor does a number the
    question states (`asked`) or one that is part of a name ("RX-12", "F-16"). A sum of money
    (kind "money": "How much does a dose cost?") is a MONEY entity or a number in digits, not a
    share ("Half received the vaccine") nor a percentage; a share (kind "share": "What percentage
    ...?") is a percentage or a share in words, not any other number."""
    if kind == "share":  # "What percentage ...?": a percentage or a share in words ("two thirds", "one in five")
        return bool("PERCENT" in labels or _PERCENT.search(text) or _SHARE_WORDS.search(text) or _ONE_IN.search(text))
    if "MONEY" in labels or (kind != "money" and (labels & _AMOUNT_LABELS or _SHARE_WORDS.search(text))):
        return True
    if kind == "money" and not (_CURRENCY.search(text) or MONEY_SAID.search(text)):
        return False
    digits = _IN_NAME.sub(" ", _YEARS_AND_DAYS.sub(" ", _PERCENT.sub(" ", text) if kind == "money" else text))
    return any(float(m.replace(",", "")) not in asked for m in re.findall(r"\d[\d,]*(?:\.\d+)?", digits))


def select(candidates: list[Candidate], info: QuestionInfo, limit: int) -> list[Candidate]:
    """The best sentence, plus near-best ones that add question terms or another article, or list
    names when several things are asked for ("Which groups ...?": the list is the answer, though
    its words may all be in the best sentence already)."""
    best = candidates[0]
    chosen = [best]
    covered = set(content_terms(best.text)) & set(info.terms)
    for c in candidates[1:]:
        if len(chosen) >= limit or c.score < best.score * KEEP_RATIO:
            break
        adds = (set(content_terms(c.text)) & set(info.terms)) - covered
        other_article = all(c.passage.article_id != k.passage.article_id for k in chosen)
        if adds or other_article or (info.plural and lists_names(c.passage, c.index, info)):
            chosen.append(c)
            covered |= adds
    if info.plural and len(chosen) < limit and not any(lists_names(k.passage, k.index, info) for k in chosen):
        # several things asked for and nothing chosen names them ("a trial in three countries"): the
        # best sentence that lists names joins if it clears the bar to answer on its own
        listing = next((c for c in candidates if lists_names(c.passage, c.index, info)), None)
        if listing is not None and listing.confidence >= MIN_SCORE and listing not in chosen:
            chosen.append(listing)
    if info.plural:
        chosen = with_between(chosen, candidates, limit)
    return chosen


def with_between(chosen: list[Candidate], candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Several things asked for, and two chosen sentences of one paragraph with one sentence between
    them: that one continues the enumeration ("... the Armenia-Azerbaijan conflict. There was also
    anger at Russia's stance over the three islands. In the reformist press, ..."), so it joins,
    between them, while the answer has room."""
    out = list(chosen)
    for a in chosen:
        for b in chosen:
            if len(out) >= limit or b.passage is not a.passage or b.index != a.index + 2:
                continue
            base = a.passage.chunk.start
            middle = next((c for c in candidates if c.passage is a.passage and c.index == a.index + 1), None)
            if (
                middle is not None
                and middle not in out
                and "\n" not in a.passage.chunk.text[a.end - base : b.start - base]
            ):
                out.insert(max(out.index(a), out.index(b)), middle)
    return out


class Quotable(Protocol):
    """A sentence chosen to quote: the rules' Candidate and the learned answerer's (features.Candidate)."""

    @property
    def n(self) -> int: ...  # 1-based passage number
    @property
    def index(self) -> int: ...  # position of the sentence in passage.chunk.sentences
    @property
    def start(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def passage(self) -> Passage: ...


def render(c: Quotable) -> str:
    """The sentence, verbatim, with its marker, and the sentences quoted_with it."""
    return render_all([c])


def render_all(chosen: Sequence[Quotable]) -> str:
    """The chosen sentences, verbatim, each with its marker, in the order given, each with those
    quoted_with it (the one before a pronoun, the rest of a quotation). No sentence is quoted twice:
    two consecutive "He added, ..." sentences read "A [1] B [1]", not "A [1] B [1] <A's sentence
    before> [1] A [1]"."""
    quoted: set[tuple[str, int]] = set()
    parts = []
    for c in chosen:
        if (c.passage.article_id, c.start) in quoted:
            continue
        for start, sentence in quoted_with(c):  # with the sentence before it, the rest of its quotation
            if (c.passage.article_id, start) not in quoted:
                parts.append(f"{sentence} [{c.n}]")
                quoted.add((c.passage.article_id, start))
    # an item of a bulleted list goes on a line of its own, as in the article: a line break ends a
    # sentence (rag.chunking.sentence_spans), so each item is checked and cited alone, and the chat
    # shows the list as a list
    text = parts[0] if parts else ""
    for previous, part in zip(parts, parts[1:]):
        text += ("\n" if _BULLET.match(part) or _BULLET.match(previous) else " ") + part
    return text


def distinctive_names(asked: tuple[str, ...], keywords: KeywordIndex) -> tuple[str, ...]:
    """The question's names that are rare enough in the corpus to pin what it asks about
    ("Wall Street Journal", "Pezeshkian"), leaving out ones found nearly everywhere ("Iran")."""
    size = max(keywords.size, 1)
    return tuple(n for n in asked if keywords.doc_freq.get(stem(n), 0) / size < COMMON_NAME_SHARE)


def previous_sentence(c: Quotable) -> str:
    if not _PRONOUN_START.match(c.text):
        return ""
    spans, base = c.passage.chunk.sentences, c.passage.chunk.start
    if not same_paragraph(c.passage.chunk.text, spans, c.index, base):
        return ""
    s, e = spans[c.index - 1]
    return c.passage.chunk.text[s - base : e - base]


def abstain_reason(info: QuestionInfo, candidates: list[Candidate]) -> str:
    if info.negated:
        return "The articles do not say this: no passage says that what the question asks about did not happen."
    if info.kind == "number":
        topic = f" for {info.focus_text}" if info.focus_text else ""
        return f"The articles give no number{topic}."
    if info.kind == "date":
        return "The articles do not say when."
    if info.kind == "name":
        return f"The articles do not name the {info.focus_text}."
    return "The articles do not answer this question."


# spaCy's DATE also covers lengths of time ("a 20-year agreement", "six weeks"), which answer "how
# long", not "when": such an entity that says no date (rag.text.has_date: no year, month, placed
# unit or ordinal century) is labelled DURATION instead.
_DURATION = re.compile(
    r"\b(?:years?|months?|weeks?|days?|hours?|decades?|centuries)\b|-(?:year|month|week|day)\b", re.I
)


# ... and how often ("an annual festival", "daily"), which answers "how often": FREQUENCY
_FREQUENCY = re.compile(
    r"^(?:(?:bi)?annual(?:ly)?|yearly|quarterly|monthly|weekly|daily|nightly|hourly|biennial|every \w+)$", re.I
)


def _label(e: nlp.Entity) -> str:
    if e.label == "DATE" and _FREQUENCY.match(e.text.strip()):
        return "FREQUENCY"
    if e.label == "DATE" and _DURATION.search(e.text) and not has_date(e.text):
        return "DURATION"
    return e.label


@lru_cache(maxsize=4096)
def persons_before(chunk_text: str, packed_facts: str) -> tuple[str, ...]:
    """For each sentence of a chunk, the last person named in the sentences before it in the chunk
    (from the analysis ingest stored: a PERSON entity, or a proper-noun subject the small model
    labels otherwise, but not a place or a people), "" if none: whom a "he" there most likely means."""
    out, last = [], ""
    for f in nlp.stored_facts(chunk_text, packed_facts):
        out.append(last)
        people = [(e.start, e.text) for e in f.entities if e.label == "PERSON"]
        if f.subject and f.subject_label in ("", "PERSON", "ORG"):
            people.append((next((e.start for e in f.entities if e.text == f.subject), -1), f.subject))
        last = max(people)[1] if people else last
    return tuple(out)


def names_a_person(terms: set[str], passages: tuple[Passage, ...]) -> bool:
    """Do the passages mostly label the entities holding these terms PERSON, without the name being
    the topic of the passages (in half of them or more: an article about the Rhine calls it "the
    river", and the small model calls "Rhine" and "Victoria" a person now and then)?"""
    labels = [
        e.label
        for p in passages
        if p.facts
        for e in nlp.stored_entities(p.chunk.text, p.facts)
        if terms & set(content_terms(e.text))
    ]
    topic = sum(bool(terms & set(content_terms(p.chunk.text))) for p in passages) * 2 >= len(passages)
    return not topic and labels.count("PERSON") * 2 > len(labels)


# spaCy labels of entities that answer "who" / "which official": people, bodies, peoples
AGENT_LABELS = frozenset({"PERSON", "ORG", "NORP"})


# ... and a country or city may answer "who" ("Who allowed the embargo to expire?" / "the United
# States, United Kingdom, France ..."), though not "which official"
WHO_LABELS = AGENT_LABELS | {"GPE"}


def sentence_places(chunk_text: str, packed_facts: str) -> tuple[frozenset[str], ...]:
    """For each sentence of a chunk, the lower-cased words of its entities that are no agent (a place,
    a date, an amount): "Russia" in a sentence is no answer to "Which official ...?"."""
    return entity_words(chunk_text, packed_facts, AGENT_LABELS)


def sentence_things(chunk_text: str, packed_facts: str) -> tuple[frozenset[str], ...]:
    """For each sentence of a chunk, the lower-cased words of its entities that cannot answer "who"
    (a product, a work, an event, a date, an amount): "RX-12" is no answer to "Who makes the vaccine?"."""
    return entity_words(chunk_text, packed_facts, WHO_LABELS)


@lru_cache(maxsize=8192)
def entity_words(chunk_text: str, packed_facts: str, but: frozenset[str]) -> tuple[frozenset[str], ...]:
    """For each sentence of a chunk, the lower-cased words of its entities whose label is not in `but`."""
    return tuple(
        frozenset(w.removesuffix("'s") for e in f.entities if e.label not in but for w in words(e.text))
        for f in nlp.stored_facts(chunk_text, packed_facts)
    )


# A people's adjective the articles do not use ("Dutch") counts as found when a place the retrieved
# passages name is its country by word vectors (rag.wordvec): measured 2026-12-07, country and
# adjective 0.68-0.91 (Chinese / China 0.68, Dutch / Netherlands 0.78, Swiss / Switzerland 0.91),
# other pairs at most 0.62 (Swiss / Sweden 0.62, Dutch / Belgium 0.58, Finnish / France 0.35)
DEMONYM_MIN = 0.65
_PLACE_LABELS = frozenset({"GPE", "LOC"})


def country_of(name: str, question: str, retrieval: Retrieval, vectors: WordVectors | None) -> bool:
    """Is the question's name a people's adjective (spaCy's NORP) whose country the passages name?"""
    if vectors is None or name not in nationalities(question):
        return False
    places = {
        w
        for p in retrieval.passages
        if p.facts
        for e in nlp.stored_entities(p.chunk.text, p.facts)
        if e.label in _PLACE_LABELS
        for w in words(e.text)
        if len(w) > 2
    }
    return bool(places) and float(vectors.similarity([name], sorted(places)).max()) >= DEMONYM_MIN


@lru_cache(maxsize=4096)
def sentence_roots(chunk_text: str, packed_facts: str) -> tuple[str, ...]:
    """The lemma of each sentence's main verb, from the analysis ingest stored with the chunk."""
    return tuple(f.root for f in nlp.stored_facts(chunk_text, packed_facts))


@lru_cache(maxsize=4096)
def sentence_labels(chunk_text: str, packed_facts: str) -> tuple[frozenset[str], ...]:
    """The entity labels of each sentence of a chunk, from the analysis ingest stored with it."""
    return tuple(frozenset(_label(e) for e in f.entities) for f in nlp.stored_facts(chunk_text, packed_facts))
