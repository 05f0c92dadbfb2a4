"""What the hand-written offline answerer reads in a question: its kind (number, date, name, person,
place, reason, yes/no), its content terms, the thing whose number or name it asks for, its names,
numbers and unit.

Input: the question text. Output: QuestionInfo. English question grammar only (wh-words, "how
many", "what is X called"), no names of the corpus; rag.answering.rules chooses the sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import nlp
from rag.antonyms import Asked, asked_antonyms
from rag.text import (
    NEGATIONS,
    NUMBER_WORDS,
    STOPWORDS,
    THING_PRONOUNS,
    content_terms,
    content_words,
    name_word,
    names,
    numbers,
    split_carried,
    stem,
    word_pairs,
    words,
)


@dataclass(frozen=True)
class QuestionInfo:
    kind: str  # number | date | name | person | place | reason | yesno | what
    terms: tuple[str, ...]  # stemmed content terms, unique, in order
    focus: tuple[str, ...]  # stemmed terms of "how many X" (number questions)
    focus_text: str  # the words of "how many X", as asked
    names: tuple[str, ...]  # proper nouns in the question, lower-cased
    numbers: frozenset[float]  # numbers the question states ("the 20-year agreement")
    unit: str = ""  # "kilometres" in "what is the range, in kilometres": the answer must use it
    names_subject: bool = False  # "Who is Abbas Araghchi?" asks about a name; "Which official ...?" asks for one
    required_names: tuple[str, ...] = ()  # names a number/date answer must mention (set by the backend)
    # stemmed terms of each name of two or more words ("Ahmad Bakhshayesh-Ardestani"): news names a
    # person in full once, then by the last part alone, which then stands for the whole name
    full_names: tuple[tuple[str, ...], ...] = ()
    # stemmed terms of the name the question's verb has as subject ("What did <Ahmad Bakhshayesh-
    # Ardestani> say about China?"): whom it is about, while the other names say what is asked
    subject_terms: tuple[str, ...] = ()
    count: bool = False  # "How many ...?" asks for a count: a percentage is no answer
    # stemmed words of the things "how many" counts, before the question's verb ("How many
    # councillors voted ...?": councillor): a sentence counting other things does not answer it
    counted: tuple[str, ...] = ()
    # "Which official ...?" asks for a person; "Who ...?" may be answered by a country ("Libya announced ...")
    individual: bool = False
    plural: bool = False  # "Which capitals ...?", "What groups ...?": several things are asked for
    # what a name question says of the thing, beyond its word and the question's names: "the area
    # called where one plate subducts under another" -> plate, subduct, anoth
    description: tuple[str, ...] = ()
    pairs: frozenset[tuple[str, str]] = frozenset()  # rag.text.word_pairs of the question as asked
    # "Where didn't the trappers travel?" asks what is denied: a sentence saying where they did
    # travel does not answer it (see asks_negated)
    negated: bool = False
    # each word of the question with its opposites by a negating prefix ("directly": "indirectly";
    # "unstable": "stable"): a sentence that has an opposite and not the word says the contrary
    opposites: tuple[tuple[str, frozenset[str]], ...] = ()
    # the question's word for each of terms, as asked ("weaponry" for "weaponri"): word vectors
    # (rag.wordvec) match it to the word a sentence uses instead
    term_words: tuple[str, ...] = ()
    # "How much ...?" and "How long / big is X?" ask for an amount ("amount"), a sum of money when
    # they ask what something costs, pays or earns ("money"); "" for other questions ("how many"
    # asks for a count)
    amount: str = ""
    age: bool = False  # "How old is X?" is answered by an age ("50,000 years old"), not by any number
    # "Who is the mayor of Berlin?" asks who holds a role: the stem of its noun ("mayor"), which the
    # answering sentence (or the one before it) must name; "" for other questions
    role: str = ""
    # ... and the names of what the role is of ("veldmark" of "the mayor of Veldmark"), which the
    # answering sentence's passage must name
    role_of: tuple[str, ...] = ()
    # "Who will pay for the barrier?" asks who does what its verb says: the lemma of that verb
    # ("pay"), which a sentence answers by having it as its own main verb ("The national government
    # will pay 70 percent ..."), though the doer it names be no name; "" for other questions
    verb: str = ""
    # "Who is Clara Voss?", "What position does Antony Blinken hold?": asks what a named person is,
    # which a sentence tells by a title or description beside the name (rules.describes_person)
    describes: bool = False
    # "What is (a/the) X?" asks what X is: the words of X, which a sentence defines by a copula
    # ("European Union law is a body of treaties ...", rules.defines)
    defined: tuple[str, ...] = ()
    # each name the question puts after a preposition, with it: ("with", "russia") of "What agreement
    # has Iran signed with Russia?" (rules.names_another: a sentence saying "an agreement with China"
    # is about another counterpart)
    counterparts: tuple[tuple[str, str], ...] = ()
    # "In what year ...?", "Which month ...?": the part of a date asked for (year | month | day |
    # century | decade), which a date question's answer must state (rules.states_date_part); "" for any
    date_part: str = ""
    # a yes/no question's stemmed words outside its subject ("approv" of "Has the vaccine been
    # approved?"): what it asks of the subject, which a sentence answering yes or no must say
    predicate: tuple[str, ...] = ()
    # the question's words that have antonyms (WordNet), with the words beside them: a sentence
    # saying an antonym in their place ("a qualified majority vote" for "a qualified minority vote")
    # says the opposite of what is asked (rag.antonyms.says_opposite)
    antonyms: tuple[Asked, ...] = ()
    # each negation of the question, in any clause, with the first content word after it (see
    # negated_words): a sentence saying that word with no negation over it says it did happen
    denied: tuple[tuple[str, str], ...] = ()
    # "How did economists react?", "What was the mayor's response?": the question's stemmed words that
    # ask for a reaction, which news reports by what the party said ("Priya Nair, chief economist
    # ..., said the increase was a mistake"): a sentence saying so counts them as said
    reacts: tuple[str, ...] = ()


# A preposition and the capitalised word after it ("with Russia", "of the European Union": "european"):
# English prepositions that tie a thing or an act to a counterpart, a place or an owner
PREPOSITION_NAME = re.compile(r"\b(with|from|to|in|of|by|for|against|on|at|into)\s+(?:the\s+)?([A-Z][\w’'-]+)")


# A question about a date: "when" opening the question or asking ("and when did ...", "since when"),
# or "what/which year ...". A "when" that opens a subordinate clause ("what had he promised when he
# was elected?") asks nothing about a date.
DATE_QUESTION = re.compile(
    r"^(?:(?:and|so|but|then)\s+)?(?:since\s+)?when\b"
    r"|\bwhen\s+(?:did|does|do|was|were|is|are|will|would|had|has|have|can|could)\b"
    r"|\b(?:what|which)\s+(?:year|date|month|day|time|century|decade)s?\b"
)
# "On what date ...?" asks for a calendar date, a day ("on September 6"): "late 2023" or "in May" is none
_DATE_PART = re.compile(r"\b(?:what|which)\s+(year|month|day|date|century|decade)s?\b")
# The question words; the first one says what is asked: a later one opens a relative clause ("What did
# the children who were not given RX-12 get?" asks no person)
_WH_WORD = re.compile(r"\b(what|which|who|whom|whose|where|why|when|how)\b")


# "When" opening a clause, not a question: "When the three types of rock are re-melted, what is
# formed?" asks what, as its later wh-word says; "When did ...", "When was ..." ask when
_WHEN_CLAUSE = re.compile(
    r"^(?:(?:and|so|but|then)\s+)?when\s+(?!(?:and|or|did|does|do|was|were|is|are|will|would|had|has|have|can|could|should)\b)"
    r".*?\b(?=(?:what|which|who|whom|whose|where|why|how)\b)"
)


def asked_part(low: str) -> str:
    """The (lower-cased) question from the wh-word that asks it: without an opening "when" clause."""
    return low[m.end() :] if (m := _WHEN_CLAUSE.match(low)) else low


def first_wh(low: str) -> str:
    return m.group(1) if (m := _WH_WORD.search(low)) else ""


# "How old is the flint tool?", "How big is the discount at which ...": a size or an age of the
# thing named by the noun group after the copula ("flint tool", "discount"), any of whose words
# the sentence giving the number names; "How large can ctenophores grow?", "How far can the
# missiles fly?" ask a size too ("How long can the vaccine be kept?" a time, a duration: not here)
HOW_BIG = re.compile(
    r"\bhow (?:(big|large|high|tall|wide|long|far|old|steep|deep|heavy) (?:is|are|was|were)|"
    r"(big|large|high|tall|wide|far|steep|deep|heavy) (?:can|could|do|does|did|will|would|may|might)) (?:the |a |an )?"
    r"([\w’'-]+(?:\s+[\w’'-]+)*?)(?=\s+(?:at|in|on|of|from|to|for|with|by|that|which|who|when|where|than|now|today)\b|\s*[?,.]|$)"
)
UNITS = r"kilomet(?:re|er)s|km|miles|met(?:re|er)s|dollars|euros|tonnes|tons|barrels|percent"
UNIT = re.compile(rf"\bin ({UNITS})\b")
PEOPLE = r"officials?|persons?|people|ministers?|lawmakers?|leaders?|politicians?|spokes\w+|diplomats?"
PERSON_WHICH = re.compile(rf"^which (?:[\w-]+ )?(?:{PEOPLE})\b")
_NAME_OF = re.compile(r"\bwhat (?:is|are|was|were) the names? of (?:the |that |this |those |these )?(.+)", re.I)
_CALLED = re.compile(
    r"\bwhat (?:is|are|was|were) (?:the |that |this |those |these )(.+?) (?:called|named|known as)\b", re.I
)
# "Which Persian Gulf port ...?" asks for a place's name as surely as "what is that port called?".
_WHICH_PLACE = re.compile(
    r"\b[Ww]hich\s+(?:[A-Z][\w’'-]*\s+)*(port|city|town|island|base|airport|harbou?r|province|corridor)s?\b"
)
_HEAD_END = re.compile(r"\s(?:that|which|who|where|when|in|across|on|at|from|to|for|of|with|near)\s|[,?]")


def name_asked(question: str) -> str:
    """The thing whose name is asked ("What is that port called?", "Which Gulf port ...?" -> "port"), or ""."""
    m = _NAME_OF.search(question) or _CALLED.search(question)
    if not m:
        place = _WHICH_PLACE.search(question)
        return place.group(1) if place else ""
    phrase = _HEAD_END.split(m.group(1) + " ", maxsplit=1)[0].strip()
    # The thing is the head of the phrase's first noun group, by spaCy's tags: "the name of the
    # alphabet is most commonly used" -> "alphabet", "of another algorithm useful for" -> "algorithm"
    # (the phrase's last word would be "used", "useful").
    start = m.start(1)
    tokens = [t for t in nlp.parse_question(question).tokens if start <= t.start < start + len(phrase)]
    # a relative clause without "that" ends the noun group: "the project Berlin is launching"
    verb = next((i for i, t in enumerate(tokens) if i and t.pos in ("VERB", "AUX")), len(tokens))
    tokens = tokens[:verb]
    # a common noun heads "the Azerbaijan-Turkey corridor" (names and hyphens are its modifiers) and
    # "the flood barrier"; a name after it is the clause's subject ("the project Berlin ...")
    compound = ("NOUN", "PUNCT")
    for i, t in enumerate(tokens):
        if t.pos == "NOUN" and (i + 1 == len(tokens) or tokens[i + 1].pos not in compound):
            return t.text
    return phrase.split()[-1] if phrase else ""


def yesno_predicate(question: str) -> tuple[str, ...]:
    """The stemmed content words of a yes/no question outside its subject (spaCy's nsubj/nsubjpass of
    the root and the words that depend on it): "Has the vaccine been approved?" -> ("approv",);
    () when the parse finds no subject."""
    p = nlp.parse_question(question)
    kids = nlp.children(p)
    root = next((i for i, t in enumerate(p.tokens) if t.dep == "ROOT"), None)
    if root is None:
        return ()
    subj = next((i for i in kids[root] if p.tokens[i].dep in ("nsubj", "nsubjpass")), None)
    if subj is None:
        return ()
    inside = set(nlp.subtree(kids, subj))
    rest = " ".join(t.text for i, t in enumerate(p.tokens) if i not in inside)
    return tuple(dict.fromkeys(content_terms(rest)))


def counted_things(question: str) -> str:
    """The words between "how many" and the question's first verb (spaCy's tags), when a verb
    follows: "How many councillors voted against the barrier?" -> "councillors"; "How many
    missiles did Iran send?" -> "missiles"; "" for other questions."""
    m = re.search(r"\bhow many\b", question, re.I)
    if not m:
        return ""
    tokens = [t for t in nlp.parse_question(question).tokens if t.start >= m.end()]
    # the clause's verb, not a participle inside the noun group ("non paid holidays"); an adverb or
    # a comma ends the group too ("people, at most,", "Huguenots eventually moved")
    verb = next(
        (i for i, t in enumerate(tokens) if t.pos in ("VERB", "AUX") and t.dep not in ("amod", "compound")), None
    )
    if verb is not None:
        verb = next((i for i, t in enumerate(tokens[:verb]) if t.pos in ("ADV", "PUNCT")), verb)
    if not verb or not any(t.pos in ("NOUN", "PROPN") for t in tokens[:verb]):  # "How many of those ...?"
        return ""
    last = tokens[verb - 1]
    return question[tokens[0].start : last.start + len(last.text)]


# "Who's", "What's", "Where's" (English contractions of "is" after a question word): read in full,
# as every pattern here is written ("Who is X?" asks about a name)
_CONTRACTED = re.compile(r"^(\s*(?:who|what|where|when|how|which one))['’]s\b", re.I)


def analyse_question(question: str) -> QuestionInfo:
    # a carried previous question adds terms, but what is asked (its kind, names, numbers) is the follow-up's
    q, carried = split_carried(question.strip())
    q = _CONTRACTED.sub(r"\1 is", q)
    low = q.lower()
    kind = "what"
    size = False  # "How long / big / high is X?": a size, which a count in words does not give
    focus: list[str] = []
    focus_text = ""
    counted = ""
    if named := name_asked(q):
        kind, focus_text = "name", named
        focus = content_terms(named)
    elif m := re.search(r"\bhow (many|much)\b(.*)", low):
        kind = "number"
        tail = q[m.start(2) :]
        tail = re.split(r"\b(?:has|have|had|did|does|do|is|are|was|were|will|would|can|could)\b", tail, flags=re.I)[0]
        focus = content_terms(tail)
        # what is counted, as asked ("councillors"; else the words after "how many" up to its
        # auxiliary: "missiles" of "How many missiles did ...?", "of the vote" of "How much of the vote ...?")
        counted = counted_things(q)
        focus_text = counted or " ".join(w for w in re.findall(r"[\w’'-]+", tail) if w.lower() not in STOPWORDS)
    elif m := HOW_BIG.search(low):
        focus_text = m.group(3)
        if m.group(2):  # "How large can ctenophores grow?": the thing ends before its verb
            tokens = [t for t in nlp.parse_question(q).tokens if m.start(3) <= t.start < m.end(3)]
            if verb := next((t for i, t in enumerate(tokens) if i and t.pos in ("VERB", "AUX")), None):
                focus_text = low[m.start(3) : verb.start].strip()
        kind, focus = "number", content_terms(focus_text)
        size = m.group(1) != "old"
    elif NUMBER_NOUN.search(low) or re.search(r"\bhow long\b", low) or UNIT.search(low):
        kind = "number"
    elif DATE_QUESTION.search(asking := asked_part(low)):
        kind = "date"
    elif (wh := first_wh(asking)) in ("who", "whom", "whose") or PERSON_WHICH.search(low):
        kind = "person"
    elif wh == "where":
        kind = "place"
    elif re.search(r"^why\b|\bwhy\b", low) or REASON_QUESTION.search(low):
        kind = "reason"
    elif re.match(r"^(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", low):
        kind = "yesno"
    terms = list(dict.fromkeys(content_terms(q) + content_terms(carried)))
    if kind == "reason":  # "What reason did she give?": the word asks for a reason, it is not one
        terms = [t for t in terms if t not in _REASON_TERMS] or terms
    # Short acronyms (MP, UN, EU) are often spelled out in the text ("member of parliament"), so
    # their absence from the corpus is no reason to abstain.
    acronyms = {w.lower() for w in re.findall(r"\b[A-Z]{2,3}s?\b", q)}
    asked_names = tuple(sorted(names(q) - acronyms))
    # a follow-up naming nothing itself that points back ("What held it up?" after "... a similar deal
    # with Russia?") is about what the carried question names: whom it is with, at least
    referred_names = names(carried) if not asked_names and THING_PRONOUNS & set(re.findall(r"[a-z]+", low)) else set()
    unit = m.group(1) if (m := UNIT.search(low)) else ""
    # "Who is Clara Voss?"; not "Who is the Director ...?", a role whose holder is asked for
    names_subject = bool(re.match(r"^(?i:(?:who|what) (?:is|was|are|were) )[A-Z]", q))
    runs = tuple(t for run in _NAME_RUN.findall(q) if len(t := tuple(content_terms(run))) >= 2)
    role = _ROLE.search(q) if kind == "person" else None  # "Who is the mayor of X?"
    return QuestionInfo(
        kind,
        tuple(terms),
        tuple(focus),
        focus_text,
        asked_names,
        frozenset(numbers(q)) - asked_count(q),
        unit,
        names_subject,
        full_names=runs,
        subject_terms=tuple(content_terms(m.group(1))) if (m := _AUX_SUBJECT.match(q)) else (),
        count=bool(re.search(r"\bhow many\b", low)),
        counted=tuple(content_terms(counted)),
        amount="share"
        if _SHARE_ASKED.search(low)
        else "money"
        if _MONEY_ASKED.search(low) and "how much" in low
        else "amount"
        if size or "how much" in low
        else "",
        age=bool(re.search(r"\bhow old\b", low)),
        role=stem(role.group(1).lower()) if role else "",
        role_of=tuple(sorted(names(q[role.end() :]) - acronyms)) if role else (),
        verb=doer_verb(q) if kind == "person" and _WHO_DOES.match(q) else "",
        describes=bool(asked_names) and bool(_WHO_IS_NAME.match(q) or _ROLE_ASKED.match(q) or _WORKS_WHERE.match(q)),
        defined=what_is(q),
        individual=bool(PERSON_WHICH.search(low)),
        plural=kind in ("what", "person") and asks_plural(q),
        description=_description(q, focus_text, asked_names) if kind == "name" else (),
        pairs=word_pairs(q),
        negated=asks_negated(q),
        denied=negated_words(q),
        antonyms=asked_antonyms(nlp.parse_question(q).tokens),
        opposites=tuple((w, o) for w in dict.fromkeys(prefixed_words(q)) if (o := opposites(w))),
        term_words=_term_words(f"{q} {carried}", terms),
        predicate=yesno_predicate(q) if kind == "yesno" else (),
        reacts=tuple(dict.fromkeys(stem(w) for w in re.findall(r"[a-z]+", low) if w in REACTION_WORDS)),
        date_part=m.group(1).replace("date", "day") if kind == "date" and (m := _DATE_PART.search(low)) else "",
        counterparts=tuple(
            dict.fromkeys(
                (m.group(1).lower(), n)
                # the carried question's too: "What about Russia?" carries "... signed with Russia?"
                for m in PREPOSITION_NAME.finditer(f"{q}\n{carried}")
                if (n := name_word(m.group(2))) in (asked_names or referred_names)
            )
        ),
    )


# "Who is Clara Voss?", not "Who was Shi Tianze's father?" (a possessive: someone else is asked for)
_WHO_IS_NAME = re.compile(r"^(?i:who (?:is|was)) [A-Z](?![^?]*[’']s\b)")
# "Where does X work?", "Who does X work for?", "What does X do?": what X is, by a title or an
# employer beside the name ("Priya Nair, chief economist at Calder Bank, said ...")
_WORKS_WHERE = re.compile(
    r"^(?i:(?:where|who|whom|what|which \w+) (?:does|did) )[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*"
    r" (?i:work(?: for| at)?|do(?: for a living)?)\s*\?$"
)
# English words that ask how someone took something, as written ("responsible" is none: no stems)
REACTION_WORDS = frozenset(
    "react reacts reacted reacting reaction reactions respond responds responded responding response responses "
    "reply replies replied replying".split()
)
_WHAT_IS = re.compile(r"^(?i:what (?:is|are|was|were)) (?:(?:a|an|the) )?([\w’'-]+(?: [\w’'-]+){0,2})\s*\?$")


def what_is(q: str) -> tuple[str, ...]:
    """The words of X in "What is (a/the) X?", lower-cased, when X is a noun group of up to three
    words (not "What are cilia used for?" nor "What is the CJEU's duty?"); else ()."""
    m = _WHAT_IS.match(q.strip())
    if not m:
        return ()
    tokens = [t for t in nlp.parse_question(q.strip()).tokens if t.start >= m.start(1) and t.pos != "PUNCT"]
    # a capitalised word is a name, whatever the small model tags it ("ARKit" as a verb)
    pos = [("PROPN" if t.text[:1].isupper() and t.pos in ("VERB", "ADJ") else t.pos) for t in tokens]
    if not tokens or pos[-1] not in ("NOUN", "PROPN"):
        return ()
    if any(p in ("VERB", "AUX", "PART", "ADP") for p in pos):
        return ()
    return tuple(w.lower() for w in m.group(1).split() if w.lower() not in STOPWORDS)


# "What position does X hold?", "What is X's job?": what a person is, asked by its English nouns
_ROLE_ASKED = re.compile(
    r"^(?i:what) (?:(?i:(?:position|post|role|title|job|office|rank|profession)s? (?:does|did|do|is|was|has|had))\b"
    r"|(?:is|was) [A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*[’']s? (?:position|post|role|title|job|office|rank|profession)\b)"
)


# "Who will pay ...?", "Who built ...?" (not "Who is ...?", which asks who someone is, and not "Which
# official ...?"): only these are parsed for their verb
_WHO_DOES = re.compile(r"^who\s+(?!(?:is|are|was|were)\b)", re.I)
_LIGHT_VERBS = frozenset({"be", "have", "do"})


def doer_verb(question: str) -> str:
    """The lemma of the main verb whose subject is the question's "who" ("pay" for "Who will pay for
    the barrier?"), from spaCy's parse; "" when "who" is no subject of a full verb."""
    tokens = nlp.parse_question(question).tokens
    for t in tokens:
        if t.text.lower() == "who" and t.dep in ("nsubj", "nsubjpass"):
            verb = tokens[t.head]
            if verb.pos == "VERB" and verb.lemma.lower() not in _LIGHT_VERBS:
                return verb.lemma.lower()
    return ""


def nationalities(question: str) -> frozenset[str]:
    """The question's adjectives of a people (spaCy's NORP as an adjective: "Dutch", "Swiss"),
    lower-cased: no name of a place to find in the articles, which may say "the Netherlands"."""
    return frozenset(t.text.lower() for t in nlp.parse_question(question).tokens if t.ent == "NORP" and t.tag == "JJ")


# English prefixes that negate what follows ("indirect", "unstable", "illegal", "non-violent",
# "disapprove"), and the shortest rest they negate (shorter ones are mostly other words: "inform",
# "income", "dispose"). On make train's SQuAD 2.0 questions the quoted sentence said the question's
# word with the prefix added or taken away for 25 unanswerable questions and 4 answered right.
NEGATING_PREFIXES = ("non", "un", "in", "im", "il", "ir", "dis")
MIN_NEGATED = 5
_WORD_WITH_PREFIX = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def prefixed_words(text: str) -> list[str]:
    """Lower-cased words, a hyphen after a negating prefix dropped ("un-elected" -> "unelected")."""
    out: list[str] = []
    for w in _WORD_WITH_PREFIX.findall(text.lower()):
        first, _, rest = w.partition("-")
        out += [first + rest] if rest and first in NEGATING_PREFIXES else w.split("-")
    return out


def opposites(word: str) -> frozenset[str]:
    """The word with a negating prefix added, or its own taken away."""
    out = {p + word for p in NEGATING_PREFIXES if len(word) >= MIN_NEGATED}
    out |= {word[len(p) :] for p in NEGATING_PREFIXES if word.startswith(p) and len(word) - len(p) >= MIN_NEGATED}
    return frozenset(out)


def opposite_by_prefix(opposites: tuple[tuple[str, frozenset[str]], ...], text: str) -> tuple[str, str] | None:
    """(the question's word, the sentence's opposite of it by a negating prefix) when the sentence
    has an opposite and not the word ("directly" for "indirectly"); None otherwise."""
    said = set(prefixed_words(text))
    for word, opposite in opposites:
        if word not in said and (found := opposite & said):
            return word, min(found)
    return None


def _term_words(text: str, terms: list[str]) -> tuple[str, ...]:
    first: dict[str, str] = {}
    for w in content_words(text):
        first.setdefault(stem(w), w)
    return tuple(first.get(t, t) for t in terms)


# English words that make "how much" a question of money: what something costs, pays or earns
# ("How much did the price of oil rise?" asks for a change, often a percentage: "price" is not one)
_MONEY_WORDS = (
    r"cost|costs|costing|pay|pays|paid|paying|spend|spends|spent|spending|earn|earns|earned|earning|"
    r"charge|charges|charged|worth|salary|wages?|fees?|budget"
)
_MONEY_ASKED = re.compile(rf"\b(?:{_MONEY_WORDS})\b")

# ... and the words a sentence states a sum of money with (those, and the nouns of prices and
# funds), when the small model does not know its currency ("expected to cost 1.2 billion crowns",
# "will pay roughly 60 crowns more"): "20 million doses" or "31 votes to 14" is no sum
MONEY_SAID = re.compile(
    rf"\b(?:{_MONEY_WORDS}|budgets|prices?|priced|funds?|funded|funding|invest\w*|revenues?|sums?|loans?)\b", re.I
)

# "What percentage of people died?", "What percent of the vote ...?": a share is asked for
_SHARE_ASKED = re.compile(r"\bwhat (?:[\w-]+ )?(?:percentages?|percent)\b")

# "Who is the mayor of Berlin?", "Who was the first inventor of ...?": the noun of the role asked about
_ROLE = re.compile(
    r"^(?:and\s+)?(?:who|whom)\s+(?:is|was|are|were)\s+(?:the|a|an)\s+(?:(?:current|first|last|new|former|then)\s+)?"
    r"([a-z][\w-]*)(?=\s+(?:of|in|at|for|behind|during|on)\b|\s*\?)",
    re.I,
)

_NEGATION_WORD = re.compile(r"\b(?:not|never|cannot)\b|n[’']t\b", re.I)


def asks_negated(question: str) -> bool:
    """Is the question's main verb negated ("Where didn't French trappers travel?", "What was never
    broadcast?")? A negation inside a clause of its own ("What did the children who were not given
    the drug get?", "whether or not") leaves the question positive. spaCy's parse decides: a `neg`
    token with no clause (or prepositional phrase) between it and the root; the small model may hang
    "n't" on a nearby word ("did n't French"), so its head need not be the root itself. The
    question is parsed only when it holds a negation word at all.

    On SQuAD 2.0 dev (score_squad2.py, 600 questions, seed 0) 33 questions are negated so, 31 of
    them unanswerable (SQuAD's writers made many unanswerable questions by negating answerable
    ones); rules.answers_kind then wants a negation in the sentence, which made the offline
    answerer abstain on 14 more of the 300 unanswerable questions and on none of the answerable."""
    if not _NEGATION_WORD.search(question):
        return False
    tokens = nlp.parse_question(question).tokens

    def in_main_clause(i: int) -> bool:  # no clause of its own between the token and the root
        while tokens[i].dep != "ROOT" and tokens[i].head != i:
            i = tokens[i].head
            if tokens[i].dep in _CLAUSES:
                return False
        return True

    return any(t.dep == "neg" and in_main_clause(i) for i, t in enumerate(tokens))


# grammatical negations ("deny", "without" negate too, but "Who denied the report?" asks who did)
_NOT = NEGATIONS - {"denied", "deny", "denies", "without"}


def negated_words(question: str) -> tuple[tuple[str, str], ...]:
    """Each negation of the question ("not", "never", "n't" read as "not") with the first word after
    it that is no stop word, as written: "When did the court find that the use did not infringe
    the trademark?" -> (("not", "infringe"),); "What channel was never dropped?" -> (("never",
    "dropped"),). In any clause, unlike asks_negated: what a negation's clause says did not happen."""
    ws = words(question)
    out = []
    for i, w in enumerate(ws):
        # "no other" says only, not never: "What do ctenophores have that no other animals have?"
        # asks what they have, which "distinguished from all other animals by ..." says
        if w == "no" and ws[i + 1 : i + 2] == ["other"]:
            continue
        if w in _NOT or w.endswith("n't"):
            if word := next((x for x in ws[i + 1 :] if x not in STOPWORDS and not x.isdigit()), None):
                out.append(("not" if w.endswith("n't") else w, word))
    return tuple(out)


_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "pcomp", "prep"})


# "What are the two bodies ...?", "the three islands": a number word after a determiner says how many
# things the answer names, which the answer need not spell out ("the European Parliament and the
# Council"); a number it states otherwise ("the 20-year agreement", "the 15 largest cities") pins it
_ASKED_COUNT = re.compile(r"\b(?:what|which|the|these|those)\s+(two|three|four|five|six|seven|eight|nine|ten)\b", re.I)


# "one" as any one, not a count the sentence must state: "one of the Normans' major exports", "What
# is one way ...?", "from what other one?", "for each one" ("built by only one manufacturer", "in
# one day" still count; make train's SQuAD cache, 2026-12-08: 9 more gold answers, none lost; 8
# unanswerable questions that abstained only for want of a "one" in the sentence now answer)
_ONE = re.compile(r"\bone\s+of\b|\b(?:is|was|are|were|name|give|other|each|which)\s+one\b", re.I)


def asked_count(question: str) -> set[float]:
    found = {float(NUMBER_WORDS[m.group(1).lower()]) for m in _ASKED_COUNT.finditer(question)}
    return found | ({1.0} if _ONE.search(question) and not re.search(r"(?<![\d.,])1(?![\d.,])", question) else set())


def _description(question: str, thing: str, asked_names: tuple[str, ...]) -> tuple[str, ...]:
    # "name" and "named" are question words, which content_terms drops anyway
    left_out = set(content_terms(f"{thing} names called {' '.join(asked_names)}"))
    return tuple(dict.fromkeys(t for t in content_terms(question) if t not in left_out))


# "What percentage ...", "What growth rate ...", "What figure did she give?": the noun asked for
# (with at most one word before it) is an amount, so the answer is a number
# "What will the interest rate be?", "What is the jobless rate in May?": the same noun after a copula,
# where nothing but a verb or preposition follows it ("What was the rate decision?" asks for a decision)
_AMOUNTS = r"(?:numbers?|percentages?|percent|share|amounts?|rates?|figures?|totals?)"
NUMBER_NOUN = re.compile(
    rf"\bwhat (?:[\w-]+ )?{_AMOUNTS}\b"
    rf"|\bwhat (?:is|was|are|were|will|would) (?:the |its |their )(?:[\w-]+ )?{_AMOUNTS}"
    r"(?=\s*\?|\s+(?:be|of|in|for|at|on|after|before|by|now|today|this|last|next)\b)"
)

# "What reason did she give?", "For what reasons ...", "What caused ...": a reason asked without "why"
REASON_QUESTION = re.compile(
    r"^(?:and\s+)?(?:for\s+)?what\s+(?:(?:is|was|are|were)\s+the\s+)?(?:reasons?|causes?)\b"
    r"|^what\s+(?:caused|prompted|led\s+to|drove)\b"
)
_REASON_TERMS = frozenset(content_terms("reason reasons cause causes caused"))

# "What did X say ...", "How many drones has X sent ...": the name right after the auxiliary of a
# wh-question is its subject (English word order; the small parser is not needed for this).
_AUX_SUBJECT = re.compile(
    r"^(?i:(?:and\s+|so\s+)?(?:what|which|when|where|why|how(?:\s+(?:many|much))?)\b[^?]*?\s+"
    r"(?:did|does|do|has|have|had|is|was|are|were|will|would|can|could)\s+(?:the\s+)?)"
    r"([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)"
)


def asks_plural(question: str) -> bool:
    """ "Which capitals ...?", "In which countries ...?": the noun the wh-determiner opens is plural
    (spaCy's tag NNS/NNPS; "What party rules ...?" is singular). The question is parsed only when it
    opens with which/what and a word that is not a verb of its own ("What is ...")."""
    if not re.match(
        r"^(?:and\s+)?(?:(?:in|from|to|on|at|for|with|by|of|among|between)\s+)?(?:which|what)\s+"
        r"(?!(?:is|are|was|were|do|does|did|has|have|had)\b)\w",
        question,
        re.I,
    ):
        return False
    if not _may_be_plural(question):
        return False
    tokens = nlp.parse_question(question).tokens
    wh = next((i for i, t in enumerate(tokens) if t.text.lower() in ("which", "what")), 0)
    for k, t in enumerate(tokens[wh + 1 :], start=wh + 1):
        # the noun "which" determines, though the small model tags it a verb ("Which places in
        # Wedding are ...": "places" as VBZ, its "-s" a plural's)
        if tokens[wh].dep == "det" and tokens[wh].head == k and t.tag == "VBZ":
            return True
        if t.dep == "amod":  # a participle before the noun ("Which featured leaders ...") is no verb of its own
            continue
        if t.pos in ("VERB", "AUX", "ADP", "PUNCT"):
            return False
        if t.pos in ("NOUN", "PROPN"):
            return t.tag in ("NNS", "NNPS")
    return False


# English plurals that do not end in "s"
_IRREGULAR_PLURALS = frozenset("people children men women police cattle data media criteria phenomena feet".split())


# where the noun group after the wh-word ends: an auxiliary or a preposition
_CLAUSE_WORDS = frozenset(
    """is are was were be been am do does did has have had will would can could may might must shall should
    of in on at by for with from to into about over under than through during before after between among
    against""".split()
)


def _may_be_plural(question: str) -> bool:
    """Can the words after the wh-word, up to an auxiliary or preposition ("What agreement | has ..."),
    hold a plural at all? Nearly all English plurals end in "s"; when none of them does, the answer
    is no without loading spaCy (about 1 s of a cold CLI answer). Checked against the parse on the
    6,489 questions of SQuAD 2.0 dev and both eval sets: it ruled out 2 of the 214 that spaCy tags
    plural, both mis-tagged ("What non-dynasty came before the Yuan?"), and left 9.6% to parse."""
    ws = re.findall(r"[\w’'-]+", question.lower())
    wh = next((i for i, w in enumerate(ws) if w in ("which", "what")), len(ws))
    for w in ws[wh + 1 :]:
        if w in _CLAUSE_WORDS:
            return False
        if w.endswith("s") or w in _IRREGULAR_PLURALS:
            return True
    return False


_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)+|\b[A-Z][\w’']*-[A-Z][\w’'-]*")
