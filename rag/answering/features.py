"""Features of (question, retrieved sentence) pairs for the learned offline answerer.

Input: a Question (rag.answering.question), a Retrieval (passages with per-sentence vectors and
the sentence analysis stored at ingest) and the corpus' term statistics. Output: one Candidate per
distinct retrieved sentence with its feature vector (CANDIDATE_FEATURES), and the features of the
decision to answer at all (ABSTAIN_FEATURES). scripts/train_answerer.py computes its training
features with these same functions, so training and serving cannot drift apart. No decision here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rag import nlp
from rag.answering import rules
from rag.answering.question import Question
from rag.answering.rules import instruction, stated_numbers
from rag.retrieval import KeywordIndex, Retrieval, sentence_similarity
from rag.text import content_terms, content_words
from rag.types import Passage

CANDIDATE_FEATURES = (
    "dense",  # MiniLM cosine of the sentence and the question
    "dense_gap",  # dense minus the best dense of any candidate
    "dense_top",  # 1 / rank by dense
    "lexical",  # IDF-weighted share of the question's terms in the sentence
    "lexical_gap",
    "lexical_top",
    "lexical_context",  # the same over the sentence and its neighbours in the passage
    "lemmas",  # share of the question's content lemmas in the sentence
    "bigrams",  # share of the question's term bigrams in the sentence
    "type",  # P(answer type = label | question key) for the sentence's best entity the question lacks
    "no_type",  # P(the answer is no named entity | question key)
    "type_fit",  # type * (1 - no_type)
    "new_entities",  # log(1 + entities the question does not already contain)
    "question_entities",  # share of the question's entities named in the sentence
    "question_entities_context",  # ... in the passage around it
    "root",  # the question's main verb is among the sentence's lemmas
    "focus",  # share of the lemmas of the thing asked about ("how many X", "which X") in the sentence
    "numbers_missing",  # a number the question states is absent from the sentence
    "passage_top",  # 1 / rank of its passage
    "length",  # log(1 + content lemmas)
    "rules_score",  # the earlier hand-written answerer's score (rag.answering.rules)
    "rules_kind",  # ... its check that the sentence can answer the question's kind
    "rules_top",  # 1 / rank by its score
)
ABSTAIN_FEATURES = (
    "best",  # the sentence model's logit for the best candidate
    "margin",  # ... minus that of the second best
    "best_type",
    "best_no_type",
    "best_lexical",
    "best_dense",
    "best_question_entities",
    "best_lexical_context",
    "best_numbers_missing",
    "best_root",
    "best_focus",
    "unmatched_idf",  # the highest IDF of a question term missing from the best sentence and its neighbours
    "absent_terms",  # IDF-weighted share of the question's terms in no retrieved passage
    "absent_idf",  # the highest IDF of such a term
    "max_lexical",
    "max_dense",
    "unknown_terms",  # IDF-weighted share of the question's terms found nowhere in the corpus
    "unknown_names",  # the question's proper nouns found nowhere in the corpus
    "yesno",
    "rules_abstain",  # the earlier hand-written answerer would abstain
    "rules_agree",  # its best sentence is the best candidate
)
Types = Callable[[Question], Mapping[str, float]]  # question -> P(answer label), "" = no entity


@dataclass(frozen=True)
class Candidate:
    n: int  # 1-based passage number
    index: int  # position of the sentence in passage.chunk.sentences
    start: int  # offsets in the article
    end: int
    text: str
    passage: Passage
    x: np.ndarray  # CANDIDATE_FEATURES
    new_labels: frozenset[str]  # labels of its entities the question does not contain
    rules_abstain: bool = False  # the earlier hand-written answerer would abstain on the question


def passage_facts(p: Passage) -> tuple[nlp.SentenceFacts, ...]:
    return nlp.stored_facts(p.chunk.text, p.facts) if p.facts else ()


def _bigrams(terms: list[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:]))


def candidates(q: Question, retrieval: Retrieval, keywords: KeywordIndex, types: Types) -> list[Candidate]:
    """Every distinct sentence of the retrieved passages, with its features (passage order)."""
    expected = types(q)
    no_type = float(expected.get("", 0.0))
    idf = {t: keywords.idf(t) for t in q.terms}
    total = sum(idf.values()) or 1.0
    q_bigrams = _bigrams(list(q.terms))
    q_lemmas = q.lemmas
    rules_kinds, rules_abstain = rules.judge(q.text, retrieval, keywords)  # type: ignore[arg-type]
    rows: list[tuple[int, int, int, int, str, Passage, list[float], frozenset[str]]] = []
    seen: set[tuple[str, int]] = set()
    for n, p in enumerate(retrieval.passages, start=1):
        facts = passage_facts(p)
        base = p.chunk.start
        texts = [p.chunk.text[s - base : e - base] for s, e in p.chunk.sentences]
        term_sets = [content_terms(t) for t in texts]
        chunk_low = p.chunk.text.lower()
        for i, (s, e) in enumerate(p.chunk.sentences):
            if (p.article_id, s) in seen:  # overlapping chunks repeat sentences
                continue
            seen.add((p.article_id, s))
            text = texts[i]
            if instruction(text):  # a prompt injection planted in an article is not an answer
                continue
            terms = set(term_sets[i])
            around = terms.union(*term_sets[max(i - 1, 0) : i + 2])
            f = facts[i] if i < len(facts) else nlp.SentenceFacts((), (), "")
            low = text.lower()
            new = [x for x in f.entities if x.text.lower() not in q.text.lower()]
            labels = frozenset(x.label for x in new)
            type_p = max((float(expected.get(label, 0.0)) for label in labels), default=0.0)
            lemmas = set(f.lemmas)
            q_ents = q.entities
            rows.append(
                (
                    n,
                    i,
                    s,
                    e,
                    text,
                    p,
                    [
                        sentence_similarity(retrieval.query_vector, p, i),
                        0.0,
                        0.0,
                        sum(w for t, w in idf.items() if t in terms) / total,
                        0.0,
                        0.0,
                        sum(w for t, w in idf.items() if t in around) / total,
                        len(q_lemmas & lemmas) / len(q_lemmas) if q_lemmas else 0.0,
                        len(q_bigrams & _bigrams(term_sets[i])) / len(q_bigrams) if q_bigrams else 0.0,
                        type_p,
                        no_type,
                        type_p * (1.0 - no_type),
                        math.log1p(len(new)),
                        sum(x in low for x in q_ents) / len(q_ents) if q_ents else 1.0,
                        sum(x in chunk_low for x in q_ents) / len(q_ents) if q_ents else 1.0,
                        float(bool(q.root) and q.root in lemmas),
                        len(q.focus_lemmas & lemmas) / len(q.focus_lemmas) if q.focus_lemmas else 1.0,
                        float(not q.numbers <= stated_numbers(text)),
                        1.0 / n,
                        math.log1p(len(lemmas)),
                        *_rules(rules_kinds.get((p.article_id, s))),
                        0.0,
                    ],
                    labels,
                )
            )
    if not rows:
        return []
    x = np.array([r[6] for r in rows], dtype=np.float64)
    for col, gap, top in ((0, 1, 2), (3, 4, 5), (_RULES, None, _RULES + 2)):  # gaps to the best, inverse ranks
        if gap is not None:
            x[:, gap] = x[:, col] - x[:, col].max()
        order = np.argsort(-x[:, col], kind="stable")
        ranks = np.empty(len(order))
        ranks[order] = np.arange(1, len(order) + 1)
        x[:, top] = 1.0 / ranks
    return [
        Candidate(n, i, s, e, text, p, x[k], labels, rules_abstain)
        for k, (n, i, s, e, text, p, _, labels) in enumerate(rows)
    ]


_RULES = CANDIDATE_FEATURES.index("rules_score")


def _rules(judged: tuple[float, bool] | None) -> tuple[float, float]:
    return (judged[0], float(judged[1])) if judged is not None else (0.0, 0.0)


def abstain_features(
    q: Question, cands: list[Candidate], logits: np.ndarray, order: np.ndarray, keywords: KeywordIndex
) -> np.ndarray:
    """ABSTAIN_FEATURES for the best candidate (order: candidate indices, best first)."""
    col = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    best = cands[order[0]].x
    second = float(logits[order[1]]) if len(order) > 1 else float(logits[order[0]]) - 5.0
    xs = np.stack([c.x for c in cands])
    idf = {t: keywords.idf(t) for t in q.terms}
    top = cands[order[0]]
    base = top.passage.chunk.start
    spans = top.passage.chunk.sentences[max(top.index - 1, 0) : top.index + 2]
    near = set(content_terms(" ".join(top.passage.chunk.text[s - base : e - base] for s, e in spans)))
    retrieved = set(content_terms(" ".join({p.chunk.id: p.chunk.text for p in (c.passage for c in cands)}.values())))
    absent = [w for t, w in idf.items() if t not in retrieved]
    unknown = sum(w for t, w in idf.items() if keywords.doc_freq.get(t, 0) == 0) / (sum(idf.values()) or 1.0)
    unknown_names = sum(
        1 for name in q.proper if content_words(name) and not any(keywords.mentions(w) for w in content_words(name))
    )
    return np.array(
        [
            float(logits[order[0]]),
            float(logits[order[0]]) - second,
            best[col["type"]],
            best[col["no_type"]],
            best[col["lexical"]],
            best[col["dense"]],
            best[col["question_entities"]],
            best[col["lexical_context"]],
            best[col["numbers_missing"]],
            best[col["root"]],
            best[col["focus"]],
            max((w for t, w in idf.items() if t not in near), default=0.0),
            sum(absent) / (sum(idf.values()) or 1.0),
            max(absent, default=0.0),
            xs[:, col["lexical"]].max(),
            xs[:, col["dense"]].max(),
            unknown,
            math.log1p(unknown_names),
            float(q.wh == "yesno"),
            float(cands[order[0]].rules_abstain),
            float(best[col["rules_top"]] == 1.0),
        ]
    )
