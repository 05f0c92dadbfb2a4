"""What a sentence claims, in the pieces the verifier compares: values with units, dated months,
names with their aliases, what a pronoun refers to, what a negation negates, who does what to whom.

Input: plain strings (and rag.nlp parses for roles and pronouns). Output: small sets and tuples.
It decides nothing: rag.grounding applies the rules. Word lists here are English grammar (number
words, pronouns, framing verbs), never names of the corpus's people, places or organisations.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rag.nlp import Entity, Parsed, Token, parse, parse_many
from rag.text import (
    MONTHS,
    NUMBER_TEENS,
    NUMBER_TENS,
    NUMBER_UNITS,
    QUESTION_WORDS,
    STOPWORDS,
    content_terms,
    name_in,
    names,
    stem,
    words,
)

_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
_SMALL = {**NUMBER_UNITS, **NUMBER_TEENS, **NUMBER_TENS, "dozen": 12}
_TOKEN = re.compile(r"\$|£|€|%|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[A-Za-z]+")
_PERCENT = {"%", "percent", "per cent", "percentage"}
_MONEY = {"$", "£", "€", "dollar", "dollars", "pound", "pounds", "euro", "euros"}

Value = tuple[float, str]  # (number, unit): unit is "%", "money" or ""
# a span of years whose second year keeps only its last two digits ("2007-11", "1939 -- 45",
# "the 2019/20 season"): the second year is stated too (2011, 1945, 2020)
_SHORT_YEAR_SPAN = re.compile(r"\b(1[5-9]|20)(\d\d)\s*(?:-{1,2}|–|—|/)\s*(\d\d)\b(?![\d,.])")


def values(text: str, hard: bool = False) -> set[Value]:
    """Numbers stated in the text, by value and unit: "200" = "two hundred", "1.5bn" = 1.5e9,
    "8%" = "8 percent". "one" alone is not a number ("one explanation"), nor are ordinals, and
    with hard=True nor is a small count in words ("two films": a count a summary may make itself)."""
    toks = [t.lower() for t in _TOKEN.findall(text.replace("-", " "))]
    out: set[Value] = set()
    i = 0
    while i < len(toks):
        t = toks[i]
        money = t in ("$", "£", "€")
        j = i + 1 if money else i
        if j >= len(toks):
            break
        value, j = _read_number(toks, j)
        if value is None:
            i += 1
            continue
        if toks[i] == "one" and (j >= len(toks) or toks[j] not in _SCALES) and value == 1 and not money:
            i = j  # "one explanation", "one of them": a determiner, not a count
            continue
        if hard and toks[i] in _SMALL and value <= 10 and toks[i] == toks[j - 1]:
            i = j
            continue
        unit = "money" if money else ""
        if j < len(toks) and (
            toks[j] in _PERCENT or (toks[j] == "per" and j + 1 < len(toks) and toks[j + 1] == "cent")
        ):
            unit = "%"
        elif j < len(toks) and toks[j] in _MONEY:
            unit = "money"
        out.add((value, unit))
        i = j
    for m in _SHORT_YEAR_SPAN.finditer(text):
        if int(m.group(3)) > int(m.group(2)):  # the span runs forward within the century
            out.add((float(m.group(1) + m.group(3)), ""))
    return out


def _read_number(toks: list[str], i: int) -> tuple[float | None, int]:
    """A number starting at toks[i] (digits or words, with scales), and the index after it."""
    t = toks[i]
    if t[0].isdigit():
        value = float(t.replace(",", ""))
        j = i + 1
        if j < len(toks) and (toks[j] in _SCALES or toks[j] in _SHORT_SCALES):
            value *= _SCALES.get(toks[j]) or _SHORT_SCALES[toks[j]]
            j += 1
        return value, j
    if t not in _SMALL and t not in _SCALES:
        return None, i
    if t in _SCALES and (i == 0 or toks[i - 1] not in ("a", "one")):
        return None, i  # "hundreds", "thousands of" are not a count
    total, current, j = 0.0, 0.0, i
    while j < len(toks) and (toks[j] in _SMALL or toks[j] in _SCALES or toks[j] == "and"):
        w = toks[j]
        if w == "and":
            if j + 1 < len(toks) and toks[j + 1] in _SMALL and current:
                j += 1
                continue
            break
        if w in _SMALL:
            current += _SMALL[w]
        elif w == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _SCALES[w]
            current = 0.0
        j += 1
    return total + current, j


def value_terms(text: str) -> set[str]:
    """The text's values as terms ("#200"), so that choosing support can count them as words."""
    return {f"#{v:g}" for v, _ in values(text)}


def missing_values(claim: str, support: str) -> list[Value]:
    """The claim's values that the support does not state (a unit-less value matches any unit)."""
    have = values(support)
    plain = {v for v, _ in have}
    return sorted(v for v in values(claim, hard=True) if v not in have and not (v[1] == "" and v[0] in plain))


_MONTH = r"(" + "|".join(m.title() for m in MONTHS) + r")"
_MONTH_YEAR = re.compile(_MONTH + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?\s*,?\s+(\d{4})\b")
_QUALIFIED = re.compile(r"\b(early|mid|late|end of|beginning of|start of)[\s-]+(" + _MONTH[1:-1] + r"|\d{4})\b", re.I)


def date_problem(claim: str, support: str) -> str:
    """A month put to a year, or an early/late qualifier, that the support does not state
    ("May 2023" is not in "late 2023 ... in May"; "late 2023" is not in "2023")."""
    low = support.lower()
    for month, year in _MONTH_YEAR.findall(claim):
        if not re.search(month.lower() + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?\s*,?\s+" + year, low):
            return f"date {month} {year} not in the cited text"
    for qual, what in _QUALIFIED.findall(claim):
        if not re.search(re.escape(qual.lower()) + r"[\s-]+" + what.lower(), low):
            return f"date '{qual} {what}' not in the cited text"
    return ""


FRACTIONS = frozenset("all half quarter most none majority minority every".split())


def fraction_problem(claim: str, support: str) -> str:
    """A share the claim states ("all of it") where the support states another ("half of it")."""
    theirs = FRACTIONS & set(words(support))
    ours = FRACTIONS & set(words(claim))
    extra = ours - theirs
    if extra and theirs:
        return f"quantity '{sorted(extra)[0]}' not in the cited text (it says '{sorted(theirs)[0]}')"
    return ""


# Words that describe the articles rather than the world ("The first article also notes that ...").
FRAMING = frozenset(
    stem(w)
    for w in """article articles piece source sources author first second third both also note notes noted
    argue argues argued describe describes described cite cites cited citing discuss discusses discussed
    write writes wrote written suggest suggests suggested add adds added mention mentions mentioned
    highlight highlights highlighted explain explains explained refer refers referred relies rely relied
    quote quotes quoted overall summary summarize summarise broader
    however since moreover meanwhile nonetheless nevertheless thus therefore instead still
    himself herself itself themselves passage passages text texts information concise core pieces
    topic topics thing things entity entities subject subjects distinct unrelated separate different
    various several certain specific main""".split()
)
PRONOUNS_PERSON = frozenset("he him his she her hers himself herself".split())
PRONOUNS_GROUP = frozenset("we us our ours they them their theirs i me my".split())
_PREAMBLE = re.compile(
    r"^(here\s+is|here's|here\s+are|below\s+is|based\b|according\s+to|from|in\s+summary|to\s+summari[sz]e)\b"
    r"[^.!?]{0,200}:\s*$"
    r"|^[^.!?]{0,200}\b(summary|summarizes|summarises|as follows|the following)\b[^.!?]{0,100}:\s*$"
    r"|^(sure|certainly|of course)[,.!]|^\(?\s*note\s*:",
    re.IGNORECASE,
)


LEAD_IN_WORDS = 15  # the longest lead-in to a list: a sentence any longer says something itself


def is_preamble(sentence: str) -> bool:
    """A content-free lead-in ("Here is what the articles say:") rather than a claim; also any
    short sentence that only announces what follows its colon ("Key points include:", "The passage
    describes two main topics:"), naming no one and stating no number: what follows is checked."""
    s = sentence.strip()
    if _PREAMBLE.match(s):
        return True
    return s.endswith(":") and len(words(s)) <= LEAD_IN_WORDS and not names(s) and not values(s, hard=True)


def missing_run(text: str, have: set[str] | frozenset[str]) -> int:
    """The longest run of consecutive content words of the text whose terms are not in `have`
    (framing words neither extend nor break a run): "a former heart surgeon and health minister"."""
    best = run = 0
    for w in words(text):
        if w in STOPWORDS or w in QUESTION_WORDS or w.isdigit():
            continue
        t = stem(w)
        if t in FRAMING or len(w) < 2:
            continue
        run = 0 if t in have else run + 1
        best = max(best, run)
    return best


def claim_terms(text: str) -> set[str]:
    """Content terms of a claim without the words that only frame it ("the second article notes")."""
    return {t for t in content_terms(text) if t not in FRAMING}


_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|Jr\.?|Sr\.?))+")


def missing_names(claim: str, support: str, extra: str = "") -> list[str]:
    """Capitalised names of the claim not in the support (nor in `extra`, e.g. the metadata),
    allowing a demonym and an acronym (rag.text.name_in), and a first name left out by the
    support ("Chris Eubank" for "Eubank") when the surname is there."""
    text = f"{support} {extra}"
    ws = _word_set_hyphens(text)
    excused: set[str] = set()
    for run in _NAME_RUN.findall(claim):
        parts = [w.lower().strip("'’") for w in re.findall(r"[\w'’]+", run) if w.lower() not in ("jr", "sr")]
        if len(parts) >= 2 and name_in(parts[-1], ws, text):
            excused |= set(parts[:-1])
    out = []
    for n in names(claim) | _initial_name(claim, ws, text):
        n = n.strip("'’\"")
        if n and n not in excused and not name_in(n, ws, text):
            out.append(n)
    return sorted(set(out))


def initial_word_missing(sentence: str, support: str) -> bool:
    """Is the sentence's first word a capitalised word the support lacks (that _initial_name
    would parse the sentence for)?"""
    m = re.match(r"\s*([A-Z][a-z][\w'’-]*)", sentence)
    if not m or m.group(1).lower() in STOPWORDS or m.group(1).lower() in QUESTION_WORDS:
        return False
    return not name_in(m.group(1).lower().strip("'’"), _word_set_hyphens(support), support)


def _initial_name(sentence: str, support_words: set[str], support: str) -> set[str]:
    """The sentence's first word when the parser reads it as a proper noun ("Blinken met ...") and
    the support lacks it; names() skips first words, which are capitalised anyway. A first word the
    support has is not parsed (the parse is what costs)."""
    m = re.match(r"\s*([A-Z][a-z][\w'’-]*)", sentence)
    if not m or m.group(1).lower() in STOPWORDS or m.group(1).lower() in QUESTION_WORDS:
        return set()
    if name_in(m.group(1).lower().strip("'’"), support_words, support):
        return set()
    first = parsed(sentence).tokens[0]
    return {first.text.lower().strip("'’")} if first.pos == "PROPN" else set()


def _word_set_hyphens(text: str) -> set[str]:
    out = set(words(text))
    return out | {w[:-2] for w in out if w.endswith("'s")}


class _ParseCache:
    """Parses of the texts the verifier reads (claims, support sentences, passages), bounded. Its own
    dict rather than lru_cache because prime() fills it for a whole answer in one batched spaCy call:
    one pipe() over n short sentences costs about half of n single calls (measured on this machine,
    scripts/bench_verifier.py)."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: dict[str, Parsed] = {}
        self._lock = threading.Lock()

    def get(self, text: str) -> Parsed:
        hit = self._items.get(text)
        if hit is None:
            hit = parse(text)
            self._put({text: hit})
        return hit

    def prime(self, texts: Iterable[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t and t not in self._items]
        if todo:
            self._put(dict(zip(todo, parse_many(todo))))

    def _put(self, new: dict[str, Parsed]) -> None:
        with self._lock:
            if len(self._items) + len(new) > self._size:
                self._items.clear()
            self._items.update(new)

    def cache_clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _ParseCache()


def parsed(text: str) -> Parsed:
    return _cache.get(text)


def clear_parses() -> None:
    _cache.cache_clear()


def prime(texts: Iterable[str]) -> None:
    """Parse texts about to be read, in one batch (the verifier primes an answer's claims)."""
    _cache.prime(texts)


def entities_of(text: str) -> tuple[Entity, ...]:
    return parsed(text).entities


def referents(entities: Sequence[Entity], upto: int) -> tuple[set[str], set[str]]:
    """Who a pronoun at offset `upto` of a text with these entities (in order) can refer to: (the
    nearest person named before it, lower-cased words of the name; every person, place, group or
    organisation named before it)."""
    person: set[str] = set()
    groups: set[str] = set()
    for e in entities:
        if e.end > upto:
            break
        ws = set(words(e.text))
        if e.label == "PERSON":
            person = ws
        if e.label in ("PERSON", "ORG", "GPE", "NORP", "LOC"):
            groups |= ws
    return person, groups


def persons_before(entities: Sequence[Entity], upto: int, window: int = 400) -> set[str]:
    """Words of every person named in the `window` characters before offset `upto` (whom a "he"
    there may mean: the nearest name is not always the speaker)."""
    out: set[str] = set()
    for e in entities:
        if e.label == "PERSON" and upto - window <= e.start < upto:
            out |= set(re.split(r"[- ]", e.text.lower()))
    return out


def has_pronoun(text: str, kinds: frozenset[str]) -> bool:
    return any(w in kinds for w in words(text))


NEGATORS = frozenset("not never no without nor none nothing nobody neither denied denies deny".split())


def negated_scope(text: str) -> list[set[str]]:
    """For each negation of the text, the content terms it negates: the words after it up to the
    end of its clause ("not supplied Shahed drones"); a negation that names nothing ("but he did not
    do so") negates the clause before it."""
    out = []
    for sentence in re.split(r"[.!?;]", text):
        previous: set[str] = set()
        for clause in re.split(r"[,:“”\"]|\bbut\b|\binstead\b|\brather\b|\bwhile\b", sentence):
            ws = words(clause)
            for i, w in enumerate(ws):
                if w in NEGATORS or w.endswith("n't"):
                    terms = {t for t in content_terms(" ".join(ws[i + 1 : i + 9])) if t not in FRAMING}
                    out.append(terms or set(previous))
            here = {t for t in content_terms(clause) if t not in FRAMING}
            previous = here or previous
    return out


def has_negation(text: str) -> bool:
    return bool(negated_scope(text))


ROLE_SUBJ = ("nsubj", "agent_pobj")
ROLE_OBJ = ("dobj", "dative_pobj", "pobj_to", "nsubjpass", "pobj_from")


Role = tuple[str, frozenset[str], frozenset[str]]  # (verb lemma, subject name words, object name words)
Direction = tuple[frozenset[str], frozenset[str]]  # (giver name words, receiver name words)


def roles(text: str) -> list[Role]:
    """(verb lemma, subject name words, object name words) for each verb of the text whose subject
    and object are both names (entities): who does what to whom, from the dependency parse."""
    return roles_in(parsed(text).tokens)


def roles_in(toks: Sequence[Token]) -> list[Role]:
    """roles() of parsed tokens (heads are indices into `toks`)."""
    ent_words: dict[int, str] = {}
    for i, t in enumerate(toks):
        if t.ent in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
            ent_words[i] = t.text.lower()
    out = []
    for v, verb in enumerate(toks):
        if verb.pos not in ("VERB", "AUX"):
            continue
        subj: set[str] = set()
        obj: set[str] = set()
        for i, t in enumerate(toks):
            if t.head != v or i == v:
                continue
            if t.dep == "nsubj":
                subj |= _ent_subtree(toks, i, ent_words)
            elif t.dep in ("dobj", "nsubjpass"):
                obj |= _ent_subtree(toks, i, ent_words)
            elif t.dep in ("agent",):
                subj |= {ent_words[j] for j, c in enumerate(toks) if c.head == i and j in ent_words}
            elif t.dep in ("dative", "prep") and t.text.lower() in ("to", "from", "into", "against"):
                obj |= {ent_words[j] for j, c in enumerate(toks) if c.head == i and c.dep == "pobj" and j in ent_words}
        if subj and obj and not subj & obj:
            out.append((verb.lemma.lower(), frozenset(subj), frozenset(obj)))
    return out


def _ent_subtree(toks: Sequence[Token], i: int, ent_words: dict[int, str]) -> set[str]:
    """Entity words of token i and its compounds/conjuncts (a small subtree)."""
    found = {ent_words[i]} if i in ent_words else set()
    for j, t in enumerate(toks):
        if t.head == i and j != i and t.dep in ("compound", "conj", "appos", "poss") and j in ent_words:
            found.add(ent_words[j])
    return found


@dataclass(frozen=True)
class Relations:
    """Who does what to whom in one sentence: what swapped() and reversed_direction() compare."""

    roles: tuple[Role, ...]
    directions: tuple[Direction, ...]

    def to_json(self) -> list[Any]:
        return [
            [[v, sorted(s), sorted(o)] for v, s, o in self.roles],
            [[sorted(g), sorted(r)] for g, r in self.directions],
        ]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Relations:
        rs, ds = data
        return cls(
            tuple((v, frozenset(s), frozenset(o)) for v, s, o in rs),
            tuple((frozenset(g), frozenset(r)) for g, r in ds),
        )


def relations(doc: Parsed, span: tuple[int, int]) -> Relations:
    """The relations of the sentence at `span` (character offsets) of a parsed text: ingest stores
    them per sentence, from the one parse of the chunk. Its tokens are taken alone (a head outside
    the span becomes the token itself), as a parse of the sentence on its own would see them."""
    index = [i for i, t in enumerate(doc.tokens) if span[0] <= t.start < span[1]]
    if not index:
        return Relations((), ())
    first, last = index[0], index[-1]
    toks = [
        replace(t, head=t.head - first if first <= t.head <= last else i)
        for i, t in enumerate(doc.tokens[first : last + 1])
    ]
    return Relations(tuple(roles_in(toks)), tuple(sorted(directions_in(toks), key=str)))


def _relations(support: str | Sequence[str], known: Sequence[Relations | None]) -> list[Relations]:
    """The support's relations, sentence by sentence: stored ones where given, else from a parse of
    the sentence on its own (parsed and cached once, whatever other sentences a claim draws on
    with it; those to parse are parsed in one batch)."""
    texts = [support] if isinstance(support, str) else list(support)
    stored = list(known) + [None] * (len(texts) - len(known))
    prime(t for t, k in zip(texts, stored) if k is None)
    return [
        k if k is not None else Relations(tuple(roles(t)), tuple(directions(t))) for t, k in zip(texts, stored) if t
    ]


def may_conflict(claim: str, known: Sequence[Relations]) -> bool:
    """Can the claim's roles or directions be the other way round of one of these relations? Only
    if one of them involves two of the claim's capitalised words (an exchange needs both): below
    that the claim is not parsed for the role rules."""
    caps = {w.lower().strip("'’").removesuffix("'s") for w in re.findall(r"\b[A-Z][\w'’-]*", claim)} - STOPWORDS
    for rel in known:
        for group in [*(s | o for _, s, o in rel.roles), *(g | r for g, r in rel.directions)]:
            text = " ".join(group)
            if sum(1 for w in caps if name_in(w, set(group), text)) >= 2:
                return True
    return False


def swapped(claim: str, support: str | Sequence[str], known: Sequence[Relations | None] = ()) -> str:
    """'Russia sent missiles to Iran' against 'Iran sent missiles to Russia': the same verb with
    subject and object exchanged. Only an explicit exchange counts ("with Iran and Russia
    negotiating" states no direction). `known`: the support sentences' relations where ingest
    stored them (None where not: that sentence is parsed)."""
    mine = roles(claim)
    if not mine:
        return ""  # the support is not parsed for nothing
    theirs = [r for rel in _relations(support, known) for r in rel.roles]
    for verb, subj, obj in mine:
        for v2, s2, o2 in theirs:
            if v2 == verb and subj & o2 and obj & s2:
                return f"'{' '.join(sorted(subj))} {verb} {' '.join(sorted(obj))}' is the other way round"
    return ""


def directions(text: str) -> set[Direction]:
    """Who passes something to whom, whatever the verb: "X sent/sold ... to Y" = (X, Y) and "X
    bought ... from Y" = (Y, X); the subject is the verb's nsubj (or the agent of a passive)."""
    return directions_in(parsed(text).tokens)


def directions_in(toks: Sequence[Token]) -> set[Direction]:
    """directions() of parsed tokens (heads are indices into `toks`)."""
    ents = {i: t.text.lower() for i, t in enumerate(toks) if t.ent in ("PERSON", "ORG", "GPE", "NORP", "LOC")}
    out = set()
    for i, prep in enumerate(toks):
        word = prep.text.lower()
        if word not in ("to", "from", "into") or prep.dep not in ("prep", "dative"):
            continue
        target = {ents[j] for j, t in enumerate(toks) if t.head == i and t.dep == "pobj" and j in ents}
        verb = prep.head
        if not target or toks[verb].pos not in ("VERB", "AUX") or toks[verb].lemma.lower() == "accord":
            continue
        subj: set[str] = set()
        v = verb
        for _ in range(3):  # "Iran is forced to buy ...": the subject of the verb it depends on
            heads = {v} | {j for j, t in enumerate(toks) if t.head == v and t.dep in ("aux", "auxpass")}
            for j, t in enumerate(toks):
                if t.head in heads and t.dep in ("nsubj", "nsubjpass") and j != v:
                    subj |= _ent_subtree(toks, j, ents) | {
                        ents[k] for k, c in enumerate(toks) if c.head == j and c.dep == "amod" and k in ents
                    }
                elif t.head == v and t.dep == "agent":
                    subj |= {ents[k] for k, c in enumerate(toks) if c.head == j and k in ents}
            if subj or toks[v].dep not in ("xcomp", "advcl", "conj") or toks[v].head == v:
                break
            v = toks[v].head
        if subj and not subj & target:
            pair = (frozenset(subj), frozenset(target)) if word != "from" else (frozenset(target), frozenset(subj))
            out.add(pair)
    return out


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two entity word sets name the same thing (demonyms and acronyms allowed)?"""
    return any(name_in(x, set(b), " ".join(b)) for x in a)


def reversed_direction(claim: str, support: str | Sequence[str], known: Sequence[Relations | None] = ()) -> str:
    mine = directions(claim)
    if not mine:
        return ""
    theirs = {d for rel in _relations(support, known) for d in rel.directions}
    for giver, receiver in mine:
        for g2, r2 in theirs:
            if _same(giver, r2) and _same(receiver, g2):
                return f"'{' '.join(sorted(giver))} to {' '.join(sorted(receiver))}' is the other way round"
    return ""


def stop_free(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]
