"""The verifier: checks every sentence of a draft answer against the article text it cites.

Input: a Draft (text with [n] markers referring to retrieved passages) and the passages.
Output: the text that survives, renumbered so that each [n] is one Citation whose quote is a
verbatim span of the cited article (article_text[start:end] == quote), or an abstention.
Rules (each has a test): uncited claim, unknown [n], changed number, unknown name, flipped
negation, swapped roles after a preposition, uncovered content, a quote that instructs an AI
model (prompt injection). Deterministic, no model.
It cannot judge paraphrase that shares few words with the text: such a claim is dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from rag.chunking import sentence_spans
from rag.text import content_terms, is_instruction, name_in, names, negation_differs, numbers, word_set, words
from rag.types import ArticleMeta, Citation, Passage

log = logging.getLogger(__name__)

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# [n] markers at the start of a piece belong to the sentence before ("soy. [1] Next")
LEADING_MARKERS = re.compile(r"(\s*\[\d+(?:\s*,\s*\d+)*\])+")
MIN_COVERAGE = 0.75  # share of a claim's content terms that the quote must contain
# Sentences that describe the articles' coverage rather than the world need no citation.
META_SENTENCE = re.compile(
    r"^(The articles? (do|does|did)( not|n['’]t)|The articles? (give|gives|provide|provides) no|"
    r"(The|These|No) articles? (say|mention|state)s? nothing)",
    re.IGNORECASE,
)
META_PREFIX = re.compile(r"^(What the articles do say|They do say|However, the articles say)\s*:\s*", re.I)
ROLE_PREPOSITIONS = ("to", "from", "by", "against", "with", "for", "into")


@dataclass(frozen=True)
class Claim:
    text: str  # without markers
    cited: tuple[int, ...]  # source numbers as written


@dataclass(frozen=True)
class Support:
    start: int
    end: int
    score: float
    problem: str  # "" when the span supports the claim


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    abstained: bool = False
    reason: str = ""


def split_claims(text: str) -> list[Claim]:
    """Sentences of the draft with the [n] markers that follow each (markers end a sentence)."""
    claims: list[Claim] = []
    for s, e in sentence_spans(text):
        piece = text[s:e]
        leading = LEADING_MARKERS.match(piece)
        if leading and claims:  # "soy. [1] Next" splits as "soy." | "[1] Next"
            prev = claims.pop()
            claims.append(Claim(prev.text, prev.cited + _numbers_in(leading.group())))
            piece = piece[leading.end() :]
        cited = _numbers_in("".join(m.group() for m in MARKER.finditer(piece)))
        bare = MARKER.sub("", piece).strip()
        if bare:
            claims.append(Claim(bare, cited))
    return claims


def _numbers_in(markers: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", markers))


class Verifier:
    def __init__(self, article_text: Callable[[str], str], mode: str = "drop") -> None:
        self._article_text = article_text
        self.mode = mode  # "drop" removes unsupported sentences; "flag" keeps them marked

    def verify(self, text: str, passages: tuple[Passage, ...], question: str = "") -> Verified:
        out = Verified(text="")
        parts: list[str] = []
        keys: dict[tuple[str, int, int], int] = {}
        for claim in split_claims(text):
            body = META_PREFIX.sub("", claim.text)
            prefix = claim.text[: len(claim.text) - len(body)]
            if META_SENTENCE.match(body) and not claim.cited:
                if why := check_meta(body, question, passages):
                    self._reject(out, parts, claim.text, why)
                else:
                    parts.append(claim.text)
                continue
            found, why = self._support(body, claim.cited, passages)
            if not found:
                self._reject(out, parts, claim.text, why)
                continue
            numbers_out = []
            for p, sup in found:
                key = (p.article_id, sup.start, sup.end)
                if key not in keys:
                    keys[key] = len(keys) + 1
                    out.citations.append(self._citation(keys[key], p, sup))
                numbers_out.append(keys[key])
            marks = "".join(f"[{k}]" for k in dict.fromkeys(numbers_out))
            parts.append(f"{prefix}{body} {marks}")
        out.text = " ".join(parts)
        if not out.citations:
            out.abstained = True
            out.reason = "No sentence of the answer could be verified against the cited articles."
        return out

    def _reject(self, out: Verified, parts: list[str], sentence: str, why: str) -> None:
        log.info("verifier: %s: %r", why, sentence[:80])
        if self.mode == "flag":
            out.flagged.append(sentence)
            parts.append(f"{sentence} [unverified: {why}]")
        else:
            out.dropped.append(sentence)

    def _support(
        self, claim: str, cited: tuple[int, ...], passages: tuple[Passage, ...]
    ) -> tuple[list[tuple[Passage, Support]], str]:
        """The cited passages whose article supports the claim, and why none did if so."""
        if not cited:
            return [], "no citation"
        found = []
        why = f"citation {list(cited)} out of range (1-{len(passages)})"
        for n in dict.fromkeys(cited):
            if not 1 <= n <= len(passages):
                continue  # out-of-range marker: ignored
            p = passages[n - 1]
            best = best_support(claim, self._article_text(p.article_id), p)
            if best and not best.problem:
                found.append((p, best))
            elif why.startswith("citation"):  # the first valid citation's problem explains it
                why = best.problem if best else "not supported"
        return found, why

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
        )


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


@lru_cache(maxsize=256)
def _windows(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Candidate quotes with their terms: every sentence, and two adjacent ones of a paragraph.
    A sentence that instructs an AI model (a prompt injection in the article) supports nothing."""
    spans = [(s, e) for s, e in sentence_spans(text) if not is_instruction(text[s:e])]
    out = list(spans)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        if "\n" not in text[e1:s2]:
            out.append((s1, e2))
    return tuple((s, e, frozenset(content_terms(text[s:e]))) for s, e in out)


def best_support(claim: str, article: str, passage: Passage) -> Support | None:
    """The span of the article that best supports the claim, with the first rule it breaks."""
    claim_terms = set(content_terms(claim))
    best: Support | None = None
    best_key: tuple[float, float, int] = (-1.0, -1.0, 0)
    for s, e, quote_terms in _windows(article):
        coverage = len(claim_terms & quote_terms) / len(claim_terms) if claim_terms else 0.0
        # prefer: full coverage, then a tight quote, then one inside the retrieved passage
        tight = len(claim_terms & quote_terms) / max(len(quote_terms), 1)
        inside = int(passage.chunk.start <= s and e <= passage.chunk.end)
        key = (round(coverage, 6), round(tight, 6), inside)
        if key > best_key:
            best_key = key
            best = Support(s, e, coverage * (0.5 + 0.5 * tight), "")
    if best is None:
        return None
    quote = article[best.start : best.end]
    return Support(best.start, best.end, best.score, check_claim(claim, quote, best_key[0]))


def check_claim(claim: str, quote: str, coverage: float) -> str:
    """The first verifier rule the claim breaks against the quote, or ""."""
    missing_numbers = numbers(claim) - numbers(quote)
    if missing_numbers:
        return f"number {', '.join(_fmt(n) for n in sorted(missing_numbers))} not in the cited text"
    quote_words = word_set(quote)
    missing_names = {n for n in names(claim) if not name_in(n, quote_words, quote)}
    if missing_names:
        return f"name(s) {', '.join(sorted(missing_names))} not in the cited text"
    if negation_differs(claim, quote):
        return "negation differs from the cited text"
    if swapped := swapped_roles(claim, quote):
        return f"roles differ from the cited text ({swapped})"
    if coverage < MIN_COVERAGE:
        return f"only {coverage:.0%} of the claim's content is in the cited text"
    return ""


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def swapped_roles(claim: str, quote: str) -> str:
    """'Russia sent missiles to Iran' vs 'Iran sent missiles to Russia': a name after a
    preposition in the claim must follow the same preposition in the quote."""
    cw, qw = words(claim), words(quote)
    claim_names = names(claim)
    q_pairs = {(qw[i], qw[j]) for i in range(len(qw)) for j in range(i + 1, min(i + 3, len(qw)))}
    for i, w in enumerate(cw[:-1]):
        if w not in ROLE_PREPOSITIONS or (w == "to" and i > 0 and cw[i - 1] == "according"):
            continue  # "according to X" names a source, not a role
        nxt = cw[i + 1] if cw[i + 1] != "the" or i + 2 >= len(cw) else cw[i + 2]
        if nxt not in claim_names or not name_in(nxt, set(qw), quote):
            continue
        if not any(a == w and name_in(nxt, {b}, b) for a, b in q_pairs):
            return f"'{w} {nxt}'"
    return ""
