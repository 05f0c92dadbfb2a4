"""The verifier: checks every sentence of a draft answer against the passages it cites.

Input: a draft (text with [n] markers, or [n: "quoted words"] markers, referring to retrieved
passages), the passages and the question. Output: the text that survives, renumbered so that each
[n] is one Citation whose quote is a verbatim span of the cited article (article_text[start:end]
== quote), the removed sentences with the reason for each, or an abstention.

A sentence is supported when some set of sentences of its cited passages (one or several
passages together), plus their metadata (title, author, outlet, date), states what it claims:
its numbers by value and unit, its dates, its names (with aliases and what a pronoun of the
passage refers to), its negations (by scope), who does what to whom (dependency roles), and
enough of its content (coverage of its terms, or MiniLM similarity for a paraphrase). Framing
words ("the second article notes") and preambles ("Here is what the articles say:") are not
claims. Thresholds come from scripts/fit_verifier.py. Deterministic given the model files.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rag import claims as cl
from rag import nlp
from rag.chunking import sentence_spans
from rag.nlp import Entity, speakers_before, stored_entities, stored_facts
from rag.text import (
    OPENS_ON_PERSON,
    content_terms,
    is_instruction,
    names,
    normalize,
    numbers,
    quotation_lead,
    word_set,
    words,
)
from rag.types import ArticleMeta, Citation, Passage, Removed

log = logging.getLogger(__name__)

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# a marker that carries its evidence: [2: "exact words of source 2"] (straight or curly quotes)
QUOTE_MARKER = re.compile(r"\s*\[(\d+)\s*:\s*[\"“”]([^\"“”\]]{1,600})[\"“”]\s*\]")
# [n] markers at the start of a piece belong to the sentence before ("soy. [1] Next")
LEADING_MARKERS = re.compile(r"(\s*\[\d+(?:\s*,\s*\d+)*\]|\s*\[\d+\s*:\s*[\"“”][^\"“”\]]{0,600}[\"“”]\s*\])+")
UNCLOSED_QUOTE = re.compile(r"\[\d+\s*:[^\]]*$")  # a quote marker a stream has not finished yet
# Fitted by scripts/fit_verifier.py (see its report in docs/verifier.md): the share of a claim's
# content terms its support must hold, the lower share accepted when MiniLM finds the claim close
# in meaning to a support sentence, that similarity, and how many sentences may support one claim.
MIN_COVERAGE = 0.6
MIN_COVERAGE_SIMILAR = 0.2
MIN_SIMILARITY = 0.55
MAX_UNITS = 3
MAX_MISSING_RUN = 2  # more consecutive content words than this absent from the support: a new fact
MIN_GAIN = 2  # a further sentence joins the support only if it adds this many of the claim's terms
# Sentences that describe the articles' coverage rather than the world need no citation.
META_SENTENCE = re.compile(
    r"^(The (articles?|passages?|sources?|texts?) (do|does|did)( not|n['’]t)|"
    r"The (articles?|passages?|sources?) (give|gives|provide|provides) no|"
    r"(The|These|No) (articles?|passages?|sources?) (say|mention|state)s? nothing)",
    re.IGNORECASE,
)
# Lead-ins that claim nothing themselves; what follows them is verified as the claim ("No: Iran
# denied the report [1]" answers a yes/no question whose premise the cited sentence contradicts).
META_PREFIX = re.compile(r"^(What the articles do say|They do say|However, the articles say|No)\s*:\s*", re.I)
LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])(?:\s+|$)")  # "1. ", "- " opening a list item
DIRECTIONS = {"to": "from", "from": "to", "into": "from"}


@dataclass(frozen=True)
class Claim:
    text: str  # without markers
    cited: tuple[int, ...]  # source numbers as written
    quotes: tuple[tuple[int, str], ...] = ()  # (source number, the words the model says it rests on)
    line: str = ""  # the line break(s) before it in the draft ("\n", "\n\n"): a list item, a paragraph


@dataclass(frozen=True)
class Support:
    start: int
    end: int
    score: float
    problem: str  # "" when the span supports the claim


@dataclass(frozen=True)
class Unit:
    """A sentence of a cited passage (article offsets), or its metadata (start == end == -1)."""

    n: int  # source number in the prompt
    start: int
    end: int
    text: str
    terms: frozenset[str]
    vector: Any = None  # its MiniLM vector, when the passage carries one


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)  # every dropped or flagged sentence, with why
    abstained: bool = False
    reason: str = ""


def split_claims(text: str) -> list[Claim]:
    """Sentences of the draft with the [n] markers that follow each (markers end a sentence).
    Quote markers [n: "words"] are read first, so that a full stop inside a quote splits nothing."""
    quotes: list[tuple[int, str]] = []
    text = UNCLOSED_QUOTE.sub("", text)

    def stash(m: re.Match[str]) -> str:
        quotes.append((int(m.group(1)), m.group(2)))
        return f" [{m.group(1)}]\x00{len(quotes) - 1}\x00"

    plain = QUOTE_MARKER.sub(stash, text)
    claims: list[Claim] = []
    end = 0
    for s, e in sentence_spans(plain):
        piece = plain[s:e]
        gap, end = plain[end:s] + piece[: len(piece) - len(piece.lstrip())], e
        leading = LEADING_MARKERS.match(_strip_tags(piece))
        if leading and claims:  # "soy. [1] Next" splits as "soy." | "[1] Next"
            lead, piece = _split_leading(piece)
            prev = claims.pop()
            claims.append(
                Claim(
                    prev.text, prev.cited + _numbers_in(_strip_tags(lead)), prev.quotes + _tags(lead, quotes), prev.line
                )
            )
        own = _tags(piece, quotes)
        bare_piece = _strip_tags(piece)
        cited = _numbers_in("".join(m.group() for m in MARKER.finditer(bare_piece)))
        bare = MARKER.sub("", bare_piece).strip()
        if bare:
            claims.append(Claim(bare, cited, own, "\n" * min(gap.count("\n"), 2) if claims else ""))
        elif claims and (cited or own):
            prev = claims.pop()
            claims.append(Claim(prev.text, prev.cited + cited, prev.quotes + own, prev.line))
    return claims


def _joined(parts: list[tuple[str, str]]) -> str:
    """The verified sentences as the draft laid them out: a list item or paragraph keeps its line
    break (a model's bulleted answer, the offline backend's quoted list), the rest joined by a space.
    The first sentence kept opens the text, whatever stood before it."""
    text = ""
    for line, sentence in parts:
        text += sentence if not text else (line or " ") + sentence
    return text


_TAG = re.compile(r"\x00(\d+)\x00")


def _strip_tags(piece: str) -> str:
    return _TAG.sub("", piece)


def _tags(piece: str, quotes: list[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    return tuple(quotes[int(i)] for i in _TAG.findall(piece))


def _split_leading(piece: str) -> tuple[str, str]:
    m = re.match(r"((?:\s*\[\d+(?:\s*,\s*\d+)*\](?:\x00\d+\x00)?)+)", piece)
    return (m.group(1), piece[m.end() :]) if m else ("", piece)


def _numbers_in(markers: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", markers))


Embed = Callable[[Sequence[str]], Any]  # texts -> L2-normalised vectors (n, dim)


_shared: dict[str, Any] = {}


def minilm_embed(texts: Sequence[str]) -> Any:
    """MiniLM vectors of texts, from one encoder shared by every Verifier of the process (loaded on
    first use, about 1-5 s), with a small cache: support sentences recur from answer to answer."""
    if "encoder" not in _shared:
        from rag.minilm import MiniLMEncoder

        _shared["encoder"] = MiniLMEncoder()
        _shared["cache"] = {}
    cache: dict[str, Any] = _shared["cache"]
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    if todo:
        if len(cache) > 4096:
            cache.clear()
        for t, v in zip(todo, _shared["encoder"].encode(todo)):
            cache[t] = v
    import numpy as np

    return np.stack([cache[t] for t in texts])


def sentence_embedder(embed_model: Any) -> Embed:
    """minilm_embed, sharing the retriever's MiniLM encoder when it has one (no second load)."""
    encoder = getattr(embed_model, "encoder", None)
    if encoder is not None and hasattr(encoder, "encode") and "encoder" not in _shared:
        _shared["encoder"], _shared["cache"] = encoder, {}
    return minilm_embed


class Verifier:
    def __init__(
        self, article_text: Callable[[str], str], mode: str = "drop", embed: Embed | None | str = "auto"
    ) -> None:
        self._article_text = article_text
        self.mode = mode  # "drop" removes unsupported sentences; "flag" keeps them marked
        # paraphrase judged by MiniLM similarity: "auto" = the shared offline encoder, None = word rules only
        self._embed: Embed | None = minilm_embed if embed == "auto" else embed  # type: ignore[assignment]

    def with_articles(self, article_text: Callable[[str], str]) -> Verifier:
        """The same verifier over other article texts (a draft's own passages)."""
        return Verifier(article_text, self.mode, self._embed)

    def verify(self, text: str, passages: tuple[Passage, ...], question: str = "") -> Verified:
        out = Verified(text="")
        parts: list[tuple[str, str]] = []  # (the line break before it, the verified sentence)
        keys: dict[tuple[str, int, int], int] = {}
        all_claims = split_claims(text)
        self._prime(all_claims, passages)
        cited_anywhere = tuple(dict.fromkeys(n for c in all_claims for n in c.cited))
        person = ""  # the person the answer last named, for a claim that opens with "He"/"She"
        for claim in all_claims:
            body = claim_body(claim.text)
            prefix = claim.text[: len(claim.text) - len(body)]
            if META_SENTENCE.match(body) and not claim.cited:
                if why := check_meta(body, question, passages):
                    self._reject(out, parts, claim, why)
                else:
                    parts.append((claim.line, claim.text))
                continue
            if claims_nothing(body):
                # "Here is what the articles say:" (or a bare list number) claims nothing: shown only
                # when it cites a source, as a sentence about that passage as a whole
                valid = [n for n in claim.cited if 1 <= n <= len(passages)]
                if valid:
                    p = passages[valid[0] - 1]
                    found = [(p, Support(p.chunk.start, p.chunk.end, 0.0, ""))]
                    parts.append((claim.line, f"{prefix}{body} {self._marks(out, keys, found)}".strip()))
                continue
            cited = claim.cited or cited_anywhere  # an uncited summary may rest on what the answer cites
            found, why = self._support(body, cited, passages, question, claim.quotes, person)
            if found and not claim.cited:
                why = "no citation"
                found = found if self._uncited_ok(body) else []
            if not found:
                self._reject(out, parts, claim, why if claim.cited or why == "no citation" else "no citation")
                continue
            person = _last_person(body) or person
            parts.append((claim.line, f"{prefix}{body} {self._marks(out, keys, found)}"))
        out.text = _joined(parts)
        if not out.citations:
            out.abstained = True
            out.reason = "No sentence of the answer could be verified against the cited articles."
        return out

    def _prime(self, all_claims: Sequence[Claim], passages: tuple[Passage, ...]) -> None:
        """Parse, in one batch, the claims the rules will read: those that are not word for word a
        sentence of what they cite (a verbatim quote is accepted without reading it)."""
        todo = []
        for c in all_claims:
            body = claim_body(c.text)
            valid = [n for n in dict.fromkeys(c.cited) if 1 <= n <= len(passages)]
            if not valid or _verbatim(body, [u for n in valid for u in self._units(n, passages[n - 1])]) is not None:
                continue
            cited_text = " ".join(passages[n - 1].chunk.text for n in valid)
            role_rule = _shared_names(body, cited_text) >= 2 and any(_may_relate(body, passages[n - 1]) for n in valid)
            if role_rule or cl.initial_word_missing(body, cited_text):
                todo.append(body)  # the role rule or the first-word name rule may read it
        cl.prime(todo)

    def _marks(self, out: Verified, keys: dict[tuple[str, int, int], int], found: list[tuple[Passage, Support]]) -> str:
        """[k] markers for the supports, each quote numbered once per answer."""
        numbers_out = []
        for p, sup in found:
            key = (p.article_id, sup.start, sup.end)
            if key not in keys:
                keys[key] = len(keys) + 1
                out.citations.append(self._citation(keys[key], p, sup))
            numbers_out.append(keys[key])
        return "".join(f"[{k}]" for k in dict.fromkeys(numbers_out))

    @staticmethod
    def _uncited_ok(body: str) -> bool:
        """An uncited sentence is kept only as a conclusion ("In short, ...") of what was cited."""
        return bool(re.match(r"^(in short|in sum|in summary|overall|taken together|in other words)\b", body, re.I))

    def _reject(self, out: Verified, parts: list[tuple[str, str]], claim: Claim, why: str) -> None:
        sentence = claim.text
        log.info("verifier: %s: %r", why, sentence[:80])
        out.removed.append(Removed(sentence, why))
        if self.mode == "flag":
            out.flagged.append(sentence)
            parts.append((claim.line, f"{sentence} [unverified: {why}]"))
        else:
            out.dropped.append(sentence)

    def _support(
        self,
        claim: str,
        cited: tuple[int, ...],
        passages: tuple[Passage, ...],
        question: str = "",
        quotes: tuple[tuple[int, str], ...] = (),
        person: str = "",
    ) -> tuple[list[tuple[Passage, Support]], str]:
        """The cited passages' spans that support the claim together, and why not if none do."""
        if not cited:
            return [], "no citation"
        valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
        if not valid:
            return [], f"citation {list(cited)} out of range (1-{len(passages)})"
        units = [u for n in valid for u in self._units(n, passages[n - 1])]
        where = "source " + "".join(f"[{n}]" for n in valid)
        quoted = self._quoted(quotes, passages, valid)
        if quoted:  # the model's own evidence, found word for word: the claim is checked against it first
            chosen, why = judge(claim, quoted + units, question, person, passages, self._embed, first=quoted)
            if not why:
                return self._found(chosen, passages), ""
            if SAID_OF_ELSE in why:  # the model's own evidence gives the number to something else
                return [], why.replace("the cited text", where)
        exact = _verbatim(claim, units)
        if exact is not None:
            return self._found([exact], passages), ""
        chosen, why = judge(claim, units, question, person, passages, self._embed)
        if why:
            return [], why.replace("the cited text", where) if "the cited text" in why else f"{why} ({where})"
        return self._found(chosen, passages), ""

    def _found(self, chosen: list[Unit], passages: tuple[Passage, ...]) -> list[tuple[Passage, Support]]:
        out = []
        text_units = [u for u in chosen if u.start >= 0]
        # a sentence holding a quoted span adds nothing to the quote: cite the tighter one
        text_units = [
            u for u in text_units if not any(o is not u and u.start <= o.start and o.end <= u.end for o in text_units)
        ]
        for u in text_units or chosen[:1]:
            p = passages[u.n - 1]
            start, end = (u.start, u.end) if u.start >= 0 else (p.chunk.start, p.chunk.start)
            out.append((p, Support(start, end, 1.0, "")))
        return out

    def _units(self, n: int, p: Passage) -> list[Unit]:
        article = self._article_text(p.article_id)
        spans = p.chunk.sentences or tuple(
            (s + p.chunk.start, e + p.chunk.start) for s, e in sentence_spans(p.chunk.text)
        )
        base = _chunk_units(article, tuple(spans))
        vecs = p.sentence_vectors
        use_vecs = vecs is not None and len(vecs) == len(spans)
        units = [
            Unit(n, s, e, t, terms, vecs[i] if use_vecs else None)
            for i, (s, e, t, terms) in enumerate(base)
            if t  # an instruction planted in the article supports nothing
        ]
        meta = meta_text(p.meta)
        if meta:
            units.append(Unit(n, -1, -1, meta, _unit_terms(meta)))
        return units

    def _quoted(
        self, quotes: tuple[tuple[int, str], ...], passages: tuple[Passage, ...], valid: list[int]
    ) -> list[Unit]:
        """The model's quotes that are verbatim in their cited passage, as units of exactly those words."""
        out = []
        for n, quote in quotes:
            if n not in valid:
                continue
            p = passages[n - 1]
            article = self._article_text(p.article_id)
            span = find_verbatim(html.unescape(quote), article, p.chunk.start, p.chunk.end)
            if span is None:
                log.info("verifier: quote not found word for word in source [%d]: %r", n, quote[:60])
                continue
            s, e = span
            if is_instruction(article[s:e]):
                continue
            out.append(Unit(n, s, e, article[s:e], _unit_terms(article[s:e])))
        return out

    def _citation(self, n: int, p: Passage, sup: Support) -> Citation:
        text = self._article_text(p.article_id)
        ps, pe = (p.chunk.start, p.chunk.end)
        if not (ps <= sup.start and sup.end <= pe):  # quote outside the retrieved chunk
            ps, pe = paragraph_of(text, sup.start, sup.end)
        m: ArticleMeta = p.meta
        return Citation(
            n=n,
            article_id=m.id,
            title=m.title,
            title_is_editorial=m.title_is_editorial,
            author=m.author,
            outlet=m.outlet,
            published=m.published,
            url=m.url,
            quote=text[sup.start : sup.end],
            start=sup.start,
            end=sup.end,
            passage=text[ps:pe],
            passage_start=ps,
            passage_end=pe,
            support=round(sup.score, 3),
            speaker=speaker_of(p, sup.start, text[sup.start : sup.end], text),
            quotation=quotation_of(p, sup.start),
        )


def quotation_of(p: Passage, start: int) -> str:
    """rag.text.quotation_lead of the passage's sentence holding the quote's start."""
    base, spans = p.chunk.start, p.chunk.sentences
    i = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
    return "" if i is None else quotation_lead(p.chunk.text, [(s - base, e - base) for s, e in spans], i)


# How many sentences before a chunk are read for the speaker of a "He added, ..." that its own
# sentences name no one before: news names the speaker in the sentence before or close to it, and
# further back another person may have been named since (a choice, not fitted)
SPEAKER_LOOK_BACK = 3


def speaker_of(p: Passage, start: int, quote: str, article: str = "") -> str:
    """Whom the "He"/"She" opening a quote of the passage means (rag.nlp.speakers_before), so the
    reader of "He added, ..." sees who added it; "" for another quote, or one outside the passage.
    When the chunk names no one before the quote (it opens on "He has already made ..."), the
    article's SPEAKER_LOOK_BACK sentences before the chunk are analysed now and read with it."""
    if not p.facts or not OPENS_ON_PERSON.match(quote):
        return ""
    i = next((k for k, (s, e) in enumerate(p.chunk.sentences) if s <= start < e), None)
    found = speakers_before(p.chunk.text, p.facts)
    if i is None or i >= len(found):
        return ""
    facts = stored_facts(p.chunk.text, p.facts)
    if found[i] or not article or any(f.subject or any(e.label == "PERSON" for e in f.entities) for f in facts[:i]):
        return found[i]
    return _speaker_before_chunk(article, p.chunk.start, p.chunk.sentences[: i + 1])


def _speaker_before_chunk(article: str, chunk_start: int, own: Sequence[tuple[int, int]]) -> str:
    """The speaker (rag.nlp.speakers) of the last of `own` (article offsets), read after the
    article's sentences before chunk_start, at most SPEAKER_LOOK_BACK of them, from the paragraph
    it starts in or, when it starts one, the paragraph before ("He added" opens a new one)."""
    end = len(article[:chunk_start].rstrip())  # the end of the text before, past blank lines
    paragraph = article.rfind("\n", 0, end) + 1
    before = [(s + paragraph, e + paragraph) for s, e in sentence_spans(article[paragraph:chunk_start])]
    spans = before[-SPEAKER_LOOK_BACK:] + list(own)
    if len(spans) == len(own):
        return ""
    base = spans[0][0]
    window = article[base : spans[-1][1]]
    facts = nlp.sentence_facts(nlp.parse(window), [(s - base, e - base) for s, e in spans])
    return nlp.speakers(facts)[-1]


def claim_body(sentence: str) -> str:
    """The sentence without a list mark or a "What the articles do say:" lead."""
    return META_PREFIX.sub("", LIST_MARK.sub("", sentence))


def claims_nothing(body: str) -> bool:
    """A preamble ("Here is what the articles say:"), a bare list number, or framing alone."""
    return cl.is_preamble(body) or not (cl.claim_terms(body) or names(body) or cl.values(body))


def find_verbatim(quote: str, article: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the quote stands word for word in article[start:end] (curly quotes, dashes, spacing
    and case aside), as article offsets; None if it does not."""
    q = re.sub(r"\s+", " ", normalize(quote)).strip().strip(".").strip()
    if len(q) < 3:
        return None
    region = article[start:end]
    norm_chars: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(normalize(region)):
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        norm_chars.append(ch.lower())
        index.append(i)
    hay = "".join(norm_chars)
    at = hay.find(q.lower())
    if at < 0 or len(normalize(region)) != len(region):
        return None if at < 0 else _fallback_find(q, region, start)
    return start + index[at], start + index[at + len(q) - 1] + 1


def _fallback_find(q: str, region: str, start: int) -> tuple[int, int] | None:
    at = region.lower().find(q.lower())
    return (start + at, start + at + len(q)) if at >= 0 else None


def meta_text(m: ArticleMeta) -> str:
    """The passage's metadata as text that can support a claim ("written by ...")."""
    bits = []
    if m.title:  # an editorial title too: the prompt shows it (marked as the newsroom's)
        bits.append(f"Title: {m.title}.")
    if m.author:
        bits.append(f"The article was written by {m.author}, the author.")
    if m.outlet:
        bits.append(f"It was published by {m.outlet}.")
    if m.published:
        bits.append(f"It was published on {spelled_date(m.published)}.")
    return " ".join(bits)


_MONTH_NAMES = "January February March April May June July August September October November December".split()


def spelled_date(iso: str) -> str:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        return iso
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return f"{_MONTH_NAMES[mo - 1]} {d}, {y} ({iso})" if 1 <= mo <= 12 else iso


@lru_cache(maxsize=1024)
def _chunk_units(article: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int, str, frozenset[str]], ...]:
    out = []
    for s, e in spans:
        t = article[s:e]
        out.append((s, e, "" if is_instruction(t) else t, _unit_terms(t)))
    return tuple(out)


def _unit_terms(text: str) -> frozenset[str]:
    return frozenset(content_terms(text)) | cl.value_terms(text)


def _windows_cache_clear() -> None:
    _chunk_units.cache_clear()
    stored_entities.cache_clear()
    _relations_by_start.cache_clear()
    stored_facts.cache_clear()
    cl.clear_parses()


_windows = _chunk_units  # kept for scripts that clear the cache by this name


def _verbatim(claim: str, units: list[Unit]) -> Unit | None:
    """A claim that is one of the cited sentences word for word (the offline backend's quotes)."""
    c = " ".join(words(claim))
    if not c:
        return None
    for u in units:
        if u.start >= 0 and " ".join(words(u.text)) == c:
            return u
    return None


_NOT_A_SUBJECT = frozenset(
    "the a an in on at according as after before when while if this that these those it its "
    "he she they we i his her their".split()
)


def _last_person(sentence: str) -> str:
    """The name a sentence opens with ("Araghchi, Iran's new foreign minister, criticized ..."):
    whom the answer's next "He ..." sentence means (a cheap tracker of the answer's subject)."""
    m = re.match(r"([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)", sentence)
    if not m or m.group(1).split()[0].lower() in _NOT_A_SUBJECT:
        return ""
    return m.group(1).lower()


def select(claim_terms: set[str], units: Sequence[Unit], first: Sequence[Unit] = ()) -> list[Unit]:
    """Up to MAX_UNITS units that together hold most of the claim's terms (greedy set cover),
    starting from `first` (the model's own quotes) when given; after the first, a unit must add
    MIN_GAIN terms (one shared word does not make another sentence part of the evidence)."""
    chosen = list(first)
    covered: set[str] = set().union(*(u.terms for u in chosen)) & claim_terms if chosen else set()
    while len(chosen) < MAX_UNITS:
        need = MIN_GAIN if chosen else 1
        numbered = any(t.startswith("#") for u in chosen for t in u.terms)
        best, gain, tight = None, 0, 0.0
        for u in units:
            if u in chosen:
                continue
            added = (u.terms & claim_terms) - covered
            # a number the claim states counts twice while the support states none: the hard checks
            # need the sentence that states it ("Home for the Holidays (1995 film)." beside "The
            # film stars ..."); once the support has a number, another one is not evidence but a
            # possible swap ("a 20-year agreement with China" where China's is 25-year)
            g = len(added) + (0 if numbered else sum(t.startswith("#") for t in added))
            t = len(u.terms & claim_terms) / max(len(u.terms), 1)
            if g >= need and (g > gain or (g == gain and t > tight)):
                best, gain, tight = u, g, t
        if best is None:
            break
        chosen.append(best)
        covered |= best.terms & claim_terms
    return chosen


@dataclass(frozen=True)
class Judgement:
    """What the verifier found for one claim: its support, the first hard rule it breaks ("" if
    none), and the soft measures that the fitted thresholds decide on."""

    units: tuple[Unit, ...]
    problem: str
    coverage: float  # share of the claim's content terms the support holds
    missing_run: int  # longest run of consecutive content words of the claim the cited passages lack
    similarity: float | None  # MiniLM cosine to the closest support sentence (None: not computed)


@dataclass(frozen=True)
class Thresholds:
    min_coverage: float = MIN_COVERAGE
    min_coverage_similar: float = MIN_COVERAGE_SIMILAR
    min_similarity: float = MIN_SIMILARITY
    max_missing_run: int = MAX_MISSING_RUN


def judge(
    claim: str,
    units: Sequence[Unit],
    question: str,
    person: str,
    passages: tuple[Passage, ...],
    embed: Embed | None,
    first: Sequence[Unit] = (),
    always_similarity: bool = False,
) -> tuple[list[Unit], str]:
    """The units that support the claim and "", or the first rule the claim breaks against them."""
    j = assess(claim, units, question, person, passages, embed, first, always_similarity)
    return list(j.units), decide(j, Thresholds())


def decide(j: Judgement, t: Thresholds) -> str:
    """The reason to reject the claim under thresholds t, or "". Past the hard rules a claim needs
    its words in the support (coverage, and no long run of words the support lacks), or, for a
    paraphrase, a closeness in meaning (MiniLM) with some lower coverage."""
    if j.problem:
        return j.problem
    if j.missing_run > t.max_missing_run:  # a run of new words is a new fact, however close the meaning
        return f"{j.missing_run} words in a row of the claim are not in the cited text"
    if j.coverage >= t.min_coverage:
        return ""
    if j.coverage >= t.min_coverage_similar and j.similarity is not None and j.similarity >= t.min_similarity:
        return ""
    return f"only {j.coverage:.0%} of the claim's content is in the cited text"


def assess(
    claim: str,
    units: Sequence[Unit],
    question: str,
    person: str,
    passages: tuple[Passage, ...],
    embed: Embed | None,
    first: Sequence[Unit] = (),
    always_similarity: bool = False,
) -> Judgement:
    terms = cl.claim_terms(claim)
    chosen = tuple(select(terms | cl.value_terms(claim), units, first))
    support = " ".join(u.text for u in chosen)
    metadata = " ".join(u.text for u in units if u.start < 0)
    text_units = [u for u in chosen if u.start >= 0]
    have = set().union(*(u.terms for u in chosen)) if chosen else set()
    coverage = len(terms & have) / len(terms) if terms else 1.0
    # a run of words found nowhere in the cited passages is a new fact ("a former heart surgeon")
    run = cl.missing_run(claim, have.union(*(u.terms for u in units)))
    problem = _hard_problem(claim, question, person, passages, support, metadata, text_units, list(first))
    sim = None
    if (
        embed is not None
        and text_units
        # only where it can decide (decide(): a long run of new words, or coverage under the
        # similar-paraphrase floor, fails whatever the similarity)
        and (
            always_similarity
            or (not problem and MIN_COVERAGE_SIMILAR <= coverage < MIN_COVERAGE and run <= MAX_MISSING_RUN)
        )
    ):
        sim = similarity(claim, text_units, embed)
    return Judgement(chosen, problem, coverage, run, sim)


def _hard_problem(
    claim: str,
    question: str,
    person: str,
    passages: tuple[Passage, ...],
    support: str,
    metadata: str,
    text_units: list[Unit],
    quoted: list[Unit],
) -> str:
    if missing := cl.missing_values(claim, support + " " + metadata):
        return f"number {', '.join(_fmt(v) for v in missing)} not in the cited text"
    if why := cl.date_problem(claim, support + " " + metadata):
        return why
    if quoted and (why := _value_context(claim, text_units, passages)):
        return why
    if why := cl.fraction_problem(claim, support):
        return why
    if missing_n := _missing_names(
        claim, text_units, support, metadata + " " + _passage_texts(text_units, passages), passages
    ):
        return f"name(s) {', '.join(missing_n)} not in the cited text"
    if why := _attribution(claim, person, text_units, passages):
        return why
    if why := negation_problem(claim, support, question):
        return why
    if why := role_problem(claim, text_units, passages):
        return why
    return ""


SAID_OF_ELSE = "is said of something else in"
_CLAUSE = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b")


def _value_context(claim: str, text_units: list[Unit], passages: tuple[Passage, ...]) -> str:
    """With quotes (a model that follows the quoting rule), a number must be said of what the claim
    says it of: a support sentence holding it also
    names the names of the claim's clause around it (or refers to them with a pronoun), or at least
    no other name. "Iran signed a 20-year agreement with China" fails on "Iran and Russia ... a
    20-year agreement" even when another cited sentence names China."""
    for clause in _CLAUSE.split(claim):
        vals = cl.values(clause, hard=True)
        wanted = names(clause)
        if not vals or not wanted:
            continue
        holders = [u for u in text_units if vals & cl.values(u.text)]
        if not holders:
            continue
        claim_words = word_set(claim)
        for u in holders:
            # fine if it names the clause's names, or names nothing the claim does not (a paraphrase)
            if not _missing_names(clause, [u], u.text, "", passages) or not names(u.text) - claim_words:
                break
        else:
            number = ", ".join(_fmt(v) for v in sorted(vals))
            return f"number {number} {SAID_OF_ELSE} the cited text"
    return ""


def _passage_texts(text_units: list[Unit], passages: tuple[Passage, ...]) -> str:
    """The whole text of the passages the support comes from: a name stated anywhere in the cited
    passage ("the passage is about him") is not a name the claim brought in."""
    return " ".join(passages[n - 1].chunk.text for n in dict.fromkeys(u.n for u in text_units))


def _values_of(units: Sequence[Unit]) -> set[cl.Value]:
    out: set[cl.Value] = set()
    for u in units:
        out |= cl.values(u.text)
    return out


def _context(u: Unit, passages: tuple[Passage, ...]) -> tuple[str, int]:
    """The cited passage's text and the unit's start in it. The whole passage, not the part up to
    the unit: the readers look only before an offset, and one parse then serves every unit."""
    p = passages[u.n - 1]
    return p.chunk.text, u.start - p.chunk.start


def _may_relate(claim: str, p: Passage) -> bool:
    """Can a sentence of the passage state who does what to whom among the claim's names (False
    only when ingest stored the passage's relations and none can conflict with the claim)?"""
    if not p.facts:
        return True
    rel = _relations_by_start(p.chunk.text, p.facts, p.chunk.sentences)
    return len(rel) < len(p.chunk.sentences) or cl.may_conflict(claim, list(rel.values()))


def _stored_relations(u: Unit, passages: tuple[Passage, ...]) -> cl.Relations | None:
    """The unit's relations as ingest stored them with its passage (None: not stored)."""
    if not 1 <= u.n <= len(passages) or not passages[u.n - 1].facts:
        return None
    p = passages[u.n - 1]
    return _relations_by_start(p.chunk.text, p.facts, p.chunk.sentences).get(u.start)


@lru_cache(maxsize=1024)
def _relations_by_start(text: str, packed: str, sentences: tuple[tuple[int, int], ...]) -> dict[int, cl.Relations]:
    """Article offset of each stored sentence -> its relations (ingest analyses the chunk's
    sentences, in order)."""
    out = {}
    for f, (s, _) in zip(stored_facts(text, packed), sentences):
        if f.relations is not None:
            out[s] = cl.Relations.from_json(f.relations)
    return out


def _entities(p: Passage) -> tuple[Entity, ...]:
    """The passage's named entities (offsets in its text): as ingest stored them when the passage
    comes from the store, else from a parse of the passage."""
    if p.facts:
        return stored_entities(p.chunk.text, p.facts)
    return cl.entities_of(p.chunk.text)


def _missing_names(
    claim: str, text_units: list[Unit], support: str, metadata: str, passages: tuple[Passage, ...]
) -> list[str]:
    """Names of the claim that neither the support, the metadata nor a pronoun of the support
    ("he said" after the passage named him) accounts for."""
    missing = cl.missing_names(claim, support, metadata)
    if not missing:
        return []
    allowed: set[str] = set()
    for u in text_units:
        if not cl.has_pronoun(u.text, cl.PRONOUNS_PERSON | cl.PRONOUNS_GROUP):
            continue
        _, at = _context(u, passages)
        first_pronoun = _first_pronoun(u.text)
        person, groups = cl.referents(_entities(passages[u.n - 1]), at + first_pronoun)
        if cl.has_pronoun(u.text, cl.PRONOUNS_PERSON):
            allowed |= person
        if cl.has_pronoun(u.text, cl.PRONOUNS_GROUP):
            allowed |= groups | person
    from rag.text import name_in

    text = " ".join(sorted(allowed))
    return [n for n in missing if not name_in(n, allowed | {a.split("-")[-1] for a in allowed}, text)]


def _first_pronoun(text: str) -> int:
    m = re.search(r"\b(he|him|his|she|her|we|us|our|they|their|i|my)\b", text, re.I)
    return m.start() if m else 0


def _attribution(claim: str, person: str, text_units: list[Unit], passages: tuple[Passage, ...]) -> str:
    """A claim that opens with "He"/"She" means the person the answer named last; when its support
    says "he" of someone else (the nearest person named before it), the claim is misattributed."""
    if not person or not re.match(r"^(He|She)\b", claim):
        return ""
    named = word_set(" ".join(u.text for u in text_units))
    if any(w in named for w in words(person)):
        return ""
    for u in text_units:
        if not cl.has_pronoun(u.text, cl.PRONOUNS_PERSON):
            continue
        context, at = _context(u, passages)
        starts = [st for st, _ in sentence_spans(context) if st < at]
        since = starts[-1] if starts else 0  # the sentence before: whom a "he" can mean
        before = cl.persons_before(
            _entities(passages[u.n - 1]), at + _first_pronoun(u.text), at + _first_pronoun(u.text) - since
        )
        if before and not before & set(re.split(r"[- ]", person)):
            return (
                f"the cited text says this of someone else ({', '.join(sorted(before)).title()}), not {person.title()}"
            )
    return ""


def negation_problem(claim: str, support: str, question: str = "") -> str:
    """Negation compared by scope. A negation in the claim needs a negation of the same thing in
    the support, unless what it denies is only the question's premise and the support never states
    it ("short-range, not long-range"); a negation in the support of what the claim affirms fails."""
    claim_scopes = cl.negated_scope(claim)
    support_scopes = cl.negated_scope(support)
    support_negated = set().union(*support_scopes) if support_scopes else set()
    support_terms = set(content_terms(support))
    question_terms = set(content_terms(question))
    for scope in claim_scopes:
        if not scope or scope & support_negated:
            continue
        stated = scope & support_terms
        if scope <= question_terms | (support_terms - _affirmed(support, scope)) and not (stated - question_terms):
            continue  # it denies the question's premise, which the support does not state
        return "negation differs from the cited text"
    claim_negated = set().union(*claim_scopes) if claim_scopes else set()
    affirmed = set(cl.claim_terms(claim)) - claim_negated
    for scope in support_scopes:
        if len(scope & affirmed) >= 2 or (scope and scope <= affirmed):
            return "negation differs from the cited text"
    return ""


def _affirmed(support: str, scope: set[str]) -> set[str]:
    """The scope's terms that the support states outside any negation."""
    negated = set().union(*cl.negated_scope(support)) if cl.negated_scope(support) else set()
    return (set(content_terms(support)) - negated) & scope


def role_problem(claim: str, text_units: list[Unit], passages: tuple[Passage, ...] = ()) -> str:
    """Who does what to whom: a verb with subject and object exchanged, or a name after "to"
    that the support puts after "from" (and the other way round)."""
    sentences = [u.text for u in text_units]
    support = " ".join(sentences)
    known = [_stored_relations(u, passages) for u in text_units]
    stored = [k for k in known if k is not None]
    if (
        _shared_names(claim, support) >= 2
        and (len(stored) < len(known) or cl.may_conflict(claim, stored))
        and (why := cl.swapped(claim, sentences, known) or cl.reversed_direction(claim, sentences, known))
    ):
        return f"roles differ from the cited text ({why})"
    cw, sw = words(claim), words(support)
    claim_names = names(claim)
    for i, w in enumerate(cw[:-1]):
        if w not in DIRECTIONS:
            continue
        nxt = cw[i + 2] if cw[i + 1] == "the" and i + 2 < len(cw) else cw[i + 1]
        if nxt not in claim_names:
            continue
        opposite = DIRECTIONS[w]
        same = any(sw[j] == w and nxt in sw[j + 1 : j + 3] for j in range(len(sw)))
        other = any(sw[j] == opposite and nxt in sw[j + 1 : j + 3] for j in range(len(sw)))
        if other and not same:
            return f"roles differ from the cited text ('{w} {nxt}')"
    return ""


def _shared_names(claim: str, support: str) -> int:
    """How many of the claim's capitalised words the support names too. An exchange of roles needs
    two of them on both sides, so below two the claim and the support are not parsed for it."""
    from rag.text import STOPWORDS, name_in

    caps = {w.lower().strip("'’") for w in re.findall(r"\b[A-Z][\w'’-]*", claim)} - STOPWORDS
    have = word_set(support)
    return sum(1 for w in caps if name_in(w.removesuffix("'s"), have, support))


def similarity(claim: str, text_units: list[Unit], embed: Embed) -> float:
    """Highest cosine similarity (MiniLM) between the claim and one of its support sentences, each
    encoded on its own (as the thresholds were fitted)."""
    if not text_units:
        return 0.0
    import numpy as np

    vecs = embed([claim, *(u.text for u in text_units)])
    return float(np.max(vecs[1:] @ vecs[0]))


def check_meta(sentence: str, question: str, passages: tuple[Passage, ...]) -> str:
    """A sentence about the articles' coverage ("The articles do not say ...") needs no citation,
    but must not smuggle in facts: its numbers and names must come from the question or the
    retrieved passages ("The articles do not say so, but Iran sold 5000 missiles" is dropped)."""
    known = question + " " + " ".join(p.chunk.text for p in passages)
    extra_numbers = numbers(sentence) - numbers(known)
    if extra_numbers:
        return f"number {', '.join(_fmt(n) for n in sorted(extra_numbers))} in an uncited sentence"
    extra_names = {n for n in names(sentence) if n not in word_set(known)}
    if extra_names:
        return f"name(s) {', '.join(sorted(extra_names))} in an uncited sentence"
    return ""


def paragraph_of(text: str, start: int, end: int) -> tuple[int, int]:
    ps = text.rfind("\n", 0, start) + 1
    pe = text.find("\n", end)
    return ps, (len(text) if pe < 0 else pe)


def _fmt(n: Any) -> str:
    if isinstance(n, tuple):
        value, unit = n
        s = _fmt(value)
        return f"{s}%" if unit == "%" else s
    if n >= 1e9 and n % 1e9 == 0:
        return f"{int(n // 1e9)} billion"
    if n >= 1e6 and n % 1e6 == 0:
        return f"{int(n // 1e6)} million"
    return f"{int(n):,}" if n == int(n) else str(n)
