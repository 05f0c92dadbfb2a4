"""Summaries and comparisons: questions about whole articles, answered by quoting them.

Input: the question, its Retrieval and the Library (the articles by id, their text, the keyword
index). Output: a Draft of verbatim article sentences with [n] markers, plus Passages for quoted
sentences outside the retrieved ones, or None when the question asks for neither. Extractive only:
sentences are chosen for coverage (centrality, lead, diversity), never rewritten or merged.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag import nlp
from rag.answering import Draft
from rag.chunking import clip_spans, sentence_spans
from rag.retrieval import KeywordIndex, Retrieval, sentence_similarity
from rag.spelling import Library
from rag.text import content_terms, is_instruction, stem, words
from rag.types import ArticleMeta, Chunk, Passage

# The words that make a question a request for a summary or a comparison (English question shape,
# not the corpus's vocabulary): stems, as rag.text.content_terms gives them.
SUMMARY_VERBS = frozenset(stem(w) for w in "summarize summarise summary summaries overview gist recap".split())
POINT_NOUNS = frozenset(stem(w) for w in "point points takeaways takeaway ideas idea findings message".split())
POINT_ADJECTIVES = frozenset(stem(w) for w in "main key important central major".split())
COMPARE_WORDS = frozenset(stem(w) for w in "differ differs difference differences compare comparison contrast".split())
ARTICLE_WORDS = frozenset(
    stem(w) for w in "article articles piece pieces story stories text texts report reports".split()
)
SCAFFOLD = SUMMARY_VERBS | POINT_NOUNS | POINT_ADJECTIVES | COMPARE_WORDS | ARTICLE_WORDS
SCAFFOLD |= frozenset(stem(w) for w in "two three both each all us me give briefly short".split())
_ABOUT_ARTICLES = re.compile(
    r"^\s*what (?:is|are) (?:the|these|this|both|all the) (?:articles?|pieces?|stories)\s+about\b", re.I
)
_PRONOUN_OPENING = re.compile(
    r"^[“\"‘']?(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|But|And|Yet|So|Also|However)\b"
    r"|^The (?:first|second|third|fourth|fifth|last|latter|former|other)\b"  # "The first is that ..."
)

MIN_WORDS = 8  # shorter lines in news text are headings, bylines, captions or quotes cut short
# Maximal marginal relevance (Carbonell & Goldstein 1998): 0.7 relevance / 0.3 novelty is the
# usual setting for extractive summaries; not fitted here.
MMR_LAMBDA = 0.7
# The lead of a news article is its best summary (the Lead-3 baseline of news summarization,
# e.g. See et al. 2017); opinion pieces open on a hook, so the lead only tips the balance.
LEAD_WEIGHT = 0.3
MAX_SUMMARY_ARTICLES = 6  # a summary of "all the articles" quotes at most this many (the top retrieved)
# Comparison: sentence relevance = equal parts MiniLM cosine and keyword overlap (both 0..1;
# no data here to fit a split on; the eval's cross-article items check the outcome).
DENSE_SHARE = 0.5
# A comparison quotes an article's second-best sentence on the point when it scores at least this
# share of its best (the rules answerer's KEEP_RATIO for further sentences, same reasoning)
SECOND_SHARE = 0.85


@dataclass(frozen=True)
class Quote:
    article_id: str
    start: int
    end: int


def wants_summary(question: str) -> bool:
    """ "Summarize the articles", "What are the main points?", "What is the article about?"."""
    terms = set(content_terms(question))
    if terms & SUMMARY_VERBS or _ABOUT_ARTICLES.match(question):
        return True
    return bool(terms & POINT_NOUNS and terms & POINT_ADJECTIVES)


def wants_comparison(question: str) -> bool:
    """ "How do the two articles differ on ...?", "What do the articles say about ...?"."""
    terms = set(content_terms(question))
    low = question.lower()
    each = bool(re.search(r"\b(?:each|both|the two|all the) (?:articles?|pieces?|stories)\b", low))
    each |= bool(re.search(r"\b(?:the|these) (?:articles|pieces|stories)\b", low))  # plural: what each says
    return bool(terms & COMPARE_WORDS) or (each and bool(topic_terms(question)))


def topic_terms(question: str) -> list[str]:
    return [t for t in dict.fromkeys(content_terms(question)) if t not in SCAFFOLD]


def overview_draft(question: str, retrieval: Retrieval, library: Library) -> Draft | None:
    """A summary or a comparison when the question asks for one, else None. A word of summary
    ("Summarize the articles about X") asks for a summary unless a word of comparison is there too."""
    if not library.articles:
        return None
    summary = wants_summary(question) and not set(content_terms(question)) & COMPARE_WORDS
    if wants_comparison(question) and not summary:
        # "What do the articles about the election say?" of a corpus without one
        if articles_about(question, retrieved_first(retrieval, library)[0], library) == []:
            return no_article_on(question, retrieval, library)
        return compare(question, retrieval, library)
    if summary:
        return summarize(question, retrieval, library)
    return None


# --- summaries --------------------------------------------------------------------------------


def retrieved_first(retrieval: Retrieval, library: Library) -> tuple[list[str], list[str]]:
    """The library's article ids: those the retrieval holds, best first, and the others in id order."""
    ranked = list(dict.fromkeys(p.article_id for p in retrieval.passages if p.article_id in library.articles))
    return ranked, [a for a in sorted(library.articles) if a not in ranked]


def summary_scope(question: str, retrieval: Retrieval, library: Library) -> list[str]:
    """Which articles to summarize: one when the question names one ("the article about X") or the
    library holds one; else all of them, the retrieved ones first. When the question names a topic
    ("the flood barrier article", "the articles about the election"), only articles about it
    (articles_about); none when no article is."""
    ranked, rest = retrieved_first(retrieval, library)
    if (about := articles_about(question, ranked, library)) is not None:
        ranked, rest = about, []
    if len(library.articles) == 1 or (names_an_article(question) and topic_terms(question) and ranked):
        return (ranked or rest)[:1]
    return (ranked + rest)[:MAX_SUMMARY_ARTICLES]


_ONE_ARTICLE = re.compile(r"\b(?:the|this|that)(?: [\w’'-]+){0,4} (?:article|piece|story|report)\b(?!s)", re.I)


def names_an_article(question: str) -> bool:
    """ "the article", "this piece", "the flood barrier article", "the Ledger's story"."""
    return bool(_ONE_ARTICLE.search(question))


# English nouns for a piece of journalism, and the prepositions by which a question describes one
# ("the article about X", "the story on X", "the piece by X", "the report from X"). Wider than
# metadata's _PIECE_NOUN on purpose: there "Who published the report on ...?" asks about a report
# the article mentions, while a description here only narrows which article is meant
PIECE_NOUNS = frozenset("article piece story report column editorial op-ed essay post".split())
DESCRIBING = frozenset("about on by from regarding concerning".split())
# English nouns for a kind of piece, which say what kind it is, not what it is about ("the opinion
# piece about the Iranian MP": the article need not say "opinion")
KIND_NOUNS = frozenset(stem(w) for w in "opinion news feature analysis interview profile review guest cover".split())


def described_topic(question: str) -> list[str]:
    """The stems of the nouns and names by which the question describes the article it asks about,
    from spaCy's parse: "flood", "barrier" of "the flood barrier article" and of "the article
    about the flood barrier", "ana", "ruiz" of "the article by Ana Ruiz", "iranian" of "the
    Iranian article"; not "latest" of "the latest article", which says which article, nor anything
    of "the article's second theory", which describes none."""
    parsed = nlp.parse_question(question)
    tokens, kids = parsed.tokens, nlp.children(parsed)
    described: list[int] = []
    for i, t in enumerate(tokens):
        if t.pos != "NOUN" or t.lemma.lower() not in PIECE_NOUNS:
            continue
        # its modifiers before it, and "about X" after it, which the parser may hang on the verb
        # whose object it is ("Summarize [the articles] [on the election]")
        after = [k for k in kids[t.head] if k > i] if t.dep == "dobj" else []
        for k in kids[i] + after:
            if k < i and tokens[k].dep in ("compound", "amod", "nmod", "poss"):
                described += nlp.subtree(kids, k)
            elif k > i and tokens[k].dep == "prep" and tokens[k].lemma.lower() in DESCRIBING:
                described += [j for o in kids[k] if tokens[o].dep == "pobj" for j in nlp.subtree(kids, o)]
    return list(
        dict.fromkeys(
            stem(tokens[j].text.lower())
            for j in sorted(described)
            if (tokens[j].pos in ("NOUN", "PROPN") or (tokens[j].ent == "NORP" and tokens[j].pos == "ADJ"))
            and stem(tokens[j].text.lower()) not in KIND_NOUNS
        )
    )


def articles_about(question: str, ranked: Sequence[str], library: Library) -> list[str] | None:
    """The articles the question describes by a topic ("the flood barrier article", "the articles
    about the election", "the article by Ana Ruiz": described_topic): those of `ranked` (the
    retrieved ones, best first) that are about_topic, else those whose title, author or outlet
    says it (which retrieval does not search); [] when no article is about it; None when the
    question describes no article. Only the retrieved articles' texts are read: retrieval holds
    the keyword side's best chunks for the topic's words."""
    topic = described_topic(question)
    if not topic:
        return None
    found = [a for a in ranked if about_topic(topic, library, a, library.article_text(a))]
    return found or [a for a in sorted(library.articles) if about_topic(topic, library, a, "")]


def about_topic(topic: Sequence[str], library: Library, article_id: str, text: str) -> bool:
    """Whether the article (its text, title, author or outlet) says at least half of the topic's
    words by IDF weight: half allows for a word the article says otherwise, IDF lets the rare
    words of the topic decide ("the flood barrier article" is not a bridge story that mentions
    floods). Set by reasoning, not fitted; a topic word no article says (no_article_on names it)
    weighs most, so "the Iranian MP" is not found in "an Iranian lawmaker"."""
    m = library.articles[article_id]
    said = set(content_terms(" ".join((text, m.title, m.author, m.outlet))))
    weights = {t: library.keywords.idf(t) for t in topic}
    return sum(w for t, w in weights.items() if t in said) * 2 >= sum(weights.values())


_TYPED_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*(?<![’']s)")  # a word as typed, without a possessive "'s"


def no_article_on(question: str, retrieval: Retrieval, library: Library) -> Draft:
    """The abstention for a question about an article the library does not hold (articles_about
    found none): the words of its description that no article says, as typed ("The articles do
    not mention “barrier”."), else that no article is about the description as a whole; with the
    titles there are beside it, the retrieved ones first."""
    topic = described_topic(question)
    unknown = {t for t in topic if not library.keywords.doc_freq.get(t, 0)}  # in no article's text...
    if unknown:  # ... nor in any title, author or outlet
        unknown -= {t for m in library.articles.values() for t in content_terms(f"{m.title} {m.author} {m.outlet}")}
    typed = _TYPED_WORD.findall(question)
    missing = " ".join(w for w in typed if stem(w) in unknown)
    whole = " ".join(w for w in typed if stem(w) in topic)
    reason = (
        f"The articles do not mention “{missing}”."
        if missing
        else f"The articles do not include an article about “{whole}”."
    )
    ranked, rest = retrieved_first(retrieval, library)
    titles = [f"“{library.articles[a].title or a}”" for a in ranked + rest]
    shown = "; ".join(titles[:MAX_SUMMARY_ARTICLES]) + (
        f"; and {len(titles) - MAX_SUMMARY_ARTICLES} more" if len(titles) > MAX_SUMMARY_ARTICLES else ""
    )
    return Draft(
        reason, abstained=True, reason=reason, notice=f"The articles you can ask about: {shown}.", backend="offline"
    )


def summarize(question: str, retrieval: Retrieval, library: Library) -> Draft:
    scope = summary_scope(question, retrieval, library)
    if not scope:
        return no_article_on(question, retrieval, library)
    per_article = 3 if len(scope) == 1 else 2 if len(scope) <= 3 else 1
    quotes: list[Quote] = []
    for aid in scope:
        text = library.article_text(aid)
        quotes += [Quote(aid, s, e) for s, e in key_sentences(text, library.keywords, per_article)]
    if not quotes:
        return Draft("", abstained=True, reason="The articles have no sentence to summarize.", backend="offline")
    return quote_draft(quotes, retrieval, library)


def key_sentences(text: str, keywords: KeywordIndex, k: int) -> list[tuple[int, int]]:
    """The k sentences of an article that best cover it, in article order: centrality (mean
    tf-idf cosine to the article's other sentences, as LexRank) plus a lead bonus, picked by MMR."""
    spans = [(s, e) for s, e in sentence_spans(text) if usable(text[s:e])]
    if not spans:
        return []
    vectors = tfidf([text[s:e] for s, e in spans], keywords)
    sims = vectors @ vectors.T
    n = len(spans)
    centrality = (sims.sum(axis=1) - np.diag(sims)) / max(n - 1, 1)
    top = centrality.max() or 1.0
    relevance = centrality / top + LEAD_WEIGHT * (1.0 - np.arange(n) / n)
    chosen: list[int] = []
    while len(chosen) < min(k, n):
        novelty = sims[:, chosen].max(axis=1) if chosen else np.zeros(n)
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * novelty
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return [spans[i] for i in sorted(chosen)]


# A sentence ends on a full stop, "!" or "…", maybe inside closing quotes or brackets; a line that
# does not is a headline, a dateline, a byline or a caption, which pages keep in the body (English
# punctuation, not the corpus's)
_ENDS_A_SENTENCE = re.compile(r"[.!…][”\"’')\]]*$")


def usable(sentence: str) -> bool:
    """A sentence fit for a summary: long enough, ending as a sentence does (not a headline the page
    repeats in its body: the citation shows the title), and standing alone; a question (ending on
    "?") is rhetorical and does not summarise."""
    text = sentence.strip()
    return len(words(text)) >= MIN_WORDS and bool(_ENDS_A_SENTENCE.search(text)) and stands_alone(text)


def stands_alone(sentence: str) -> bool:
    """Not opening on a pronoun or connective that points to the sentence before; not an instruction
    to an AI model planted in an article."""
    return not _PRONOUN_OPENING.match(sentence) and not is_instruction(sentence)


def tfidf(sentences: Sequence[str], keywords: KeywordIndex) -> np.ndarray:
    """Unit-length tf-idf rows over the sentences' content terms (idf from the whole index)."""
    counts = [Counter(content_terms(s)) for s in sentences]
    vocab = {t: i for i, t in enumerate(sorted({t for c in counts for t in c}))}
    out = np.zeros((len(sentences), max(len(vocab), 1)), np.float32)
    for row, c in enumerate(counts):
        for t, n in c.items():
            out[row, vocab[t]] = (1 + math.log(n)) * keywords.idf(t)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


# --- comparisons ------------------------------------------------------------------------------


def compare(question: str, retrieval: Retrieval, library: Library) -> Draft | None:
    """What each retrieved article says on the point: its best retrieved sentence, cited. None when
    fewer than two articles say anything on it (the ordinary answer is then the better one)."""
    topic = topic_terms(question)
    if not topic:
        return summarize(question, retrieval, library)
    weights = {t: library.keywords.idf(t) for t in topic}
    total = sum(weights.values()) or 1.0
    scored: dict[str, list[tuple[float, set[str], list[Quote]]]] = {}
    seen: set[tuple[str, int]] = set()
    for p in retrieval.passages:
        base = p.chunk.start
        for i, (s, e) in enumerate(p.chunk.sentences):
            sentence = p.chunk.text[s - base : e - base]
            if is_instruction(sentence) or (p.article_id, s) in seen:
                continue
            seen.add((p.article_id, s))
            terms = set(content_terms(sentence))
            lexical = sum(w for t, w in weights.items() if t in terms) / total
            if lexical == 0:
                continue
            score = DENSE_SHARE * sentence_similarity(retrieval.query_vector, p, i) + (1 - DENSE_SHARE) * lexical
            scored.setdefault(p.article_id, []).append((score, terms & set(topic), with_context(p, i)))
    best = {aid: article_points(found) for aid, found in scored.items()}
    limit = 2 if re.search(r"\b(?:two|both)\b", question.lower()) else MAX_SUMMARY_ARTICLES
    ranked = sorted(best.values(), key=lambda sq: -sq[0])[:limit]
    if len(ranked) < 2:
        return None
    order = list(dict.fromkeys(p.article_id for p in retrieval.passages))
    quotes = [q for _, qs in sorted(ranked, key=lambda sq: order.index(sq[1][0].article_id)) for q in qs]
    return quote_draft(quotes, retrieval, library)


def article_points(found: list[tuple[float, set[str], list[Quote]]]) -> tuple[float, list[Quote]]:
    """An article's say on the point: its best sentence, and its second best when that scores
    nearly as well (SECOND_SHARE of the best) and covers topic words the best one lacks ("the US
    treasury" beside "the Wall Street Journal")."""
    found = sorted(found, key=lambda f: -f[0])
    score, covered, quotes = found[0]
    for other, terms, more in found[1:]:
        if other >= SECOND_SHARE * score and terms - covered:
            return score, quotes + [q for q in more if q not in quotes]
    return score, quotes


def with_context(p: Passage, i: int) -> list[Quote]:
    """Sentence i of a passage, preceded by the sentence before it in its paragraph when it opens on
    a pronoun or connective ("She pointed to three causes ..." needs "Governor Helena Marsh said ...")."""
    s, e = p.chunk.sentences[i]
    quote = Quote(p.article_id, s, e)
    if i == 0 or stands_alone(p.chunk.text[s - p.chunk.start : e - p.chunk.start]):
        return [quote]
    ps, pe = p.chunk.sentences[i - 1]
    if "\n" in p.chunk.text[pe - p.chunk.start : s - p.chunk.start]:
        return [quote]
    return [Quote(p.article_id, ps, pe), quote]


# --- quoting ----------------------------------------------------------------------------------


def quote_draft(quotes: Sequence[Quote], retrieval: Retrieval, library: Library) -> Draft:
    """The quotes verbatim, each with the [n] of a retrieved passage holding it, or of a passage
    added for it (its paragraph), so that the verifier and the citations treat it as any other."""
    passages = list(retrieval.passages)
    added: list[Passage] = []
    parts = []
    for q in quotes:
        text = library.article_text(q.article_id)
        n = next(
            (
                i
                for i, p in enumerate(passages, 1)
                if p.article_id == q.article_id and p.chunk.start <= q.start and q.end <= p.chunk.end
            ),
            0,
        )
        if not n:
            added.append(paragraph_passage(text, q, library.articles[q.article_id]))
            passages.append(added[-1])
            n = len(passages)
        parts.append(f"{text[q.start : q.end]} [{n}]")
    return Draft(" ".join(parts), backend="offline", passages=tuple(added))


def _holds(p: Passage, q: Quote) -> bool:
    return p.article_id == q.article_id and p.chunk.start <= q.start and q.end <= p.chunk.end


def paragraph_passage(text: str, q: Quote, meta: ArticleMeta) -> Passage:
    """A Passage of the paragraph around a quote (with its sentence spans), as retrieval builds them."""
    start = text.rfind("\n", 0, q.start) + 1
    end = text.find("\n", q.end)
    end = len(text) if end < 0 else end
    chunk = Chunk(
        id=f"{meta.id}:{start}-{end}",
        article_id=meta.id,
        text=text[start:end],
        start=start,
        end=end,
        sentences=clip_spans(sentence_spans(text), start, end),
    )
    return Passage(chunk=chunk, meta=meta, score=0.0)
