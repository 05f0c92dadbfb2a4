"""The offline backend: answers by quoting the retrieved sentences that best answer the question.

Input: the question and its Retrieval (passages with per-sentence vectors and the sentence analysis
stored at ingest). Output: a Draft made of verbatim article sentences, each followed by [n] (its
passage), or an abstention with a reason and what the articles do say nearby. Which sentence
answers, and whether any does, is decided by the fitted model of rag.answering.model (trained by
scripts/train_answerer.py on SQuAD 2.0 and the eval items), over the features of
rag.answering.features; the question is read by rag.answering.question. No network, no generation:
it cannot merge facts into one sentence or resolve a false premise.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from rag.answering import NOT_CLEARLY_ANSWERED, Draft, rules
from rag.answering.features import CANDIDATE_FEATURES, Candidate, abstain_features, candidates
from rag.answering.intent import Library, special_draft
from rag.answering.model import AnswererModel, load, sigmoid
from rag.answering.question import Question, analyse, question_parts
from rag.retrieval import KeywordStats, Retrieval
from rag.text import content_words, names_as_written

log = logging.getLogger(__name__)

# An abstention shows the best sentence only when it shares at least this IDF-weighted share of the
# question's terms: a display choice (what is "related"), not an answer decision; set by hand.
RELATED_MIN_LEXICAL = 0.25
_LEXICAL = CANDIDATE_FEATURES.index("lexical")
_TYPE, _NO_TYPE = CANDIDATE_FEATURES.index("type"), CANDIDATE_FEATURES.index("no_type")
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT"})  # spaCy's labels of amounts


class OfflineBackend:
    name = "offline"

    def __init__(
        self,
        stats: KeywordStats,
        max_sentences: int = 3,
        model: AnswererModel | None = None,
        answerer: str = "learned",  # or "rules": the hand-written answerer (Settings.offline_answerer)
        library: Library | None = None,
    ) -> None:
        self._stats = stats  # read on every draft: the retriever replaces its index when the store changes
        self.max_sentences = max_sentences
        self.library = library  # whole articles, for summaries and comparisons (rag.answering.intent)
        self._model = model
        self._rules = rules.OfflineBackend(stats, max_sentences) if answerer == "rules" else None

    @property
    def model(self) -> AnswererModel:
        if self._model is None:
            self._model = load()
        return self._model

    def draft(self, question: str, retrieval: Retrieval) -> Draft:
        if (special := special_draft(question, retrieval, self.library)) is not None:
            return special
        if not retrieval.passages:
            return Draft("", abstained=True, reason="The index holds no articles yet.", backend=self.name)
        whole = self._fact_draft(question, retrieval)
        parts = question_parts(question)
        if len(parts) < 2:
            return whole
        return joined(whole, [self._fact_draft(part, retrieval) for part in parts], self.max_sentences + 1)

    def _fact_draft(self, question: str, retrieval: Retrieval) -> Draft:
        if self._rules is not None:
            return self._rules.draft(question, retrieval)
        return self.quote(analyse(question), retrieval)

    def quote(self, q: Question, retrieval: Retrieval) -> Draft:
        """The sentences that answer q, or an abstention (the sentence-choice path)."""
        keywords = self._stats.keywords
        model = self.model
        cands = candidates(q, retrieval, keywords, model.types)
        if not cands:
            return self._abstain(abstain_reason(q, model), None, 0.0)
        logits = model.chooser.logit(np.stack([c.x for c in cands]))
        best = cands[int(np.argmax(logits))]
        keep = fitting(model, cands)
        if not keep:  # no sentence gives the kind of thing asked for
            return self._abstain(abstain_reason(q, model), best, 0.0)
        cands = [cands[k] for k in keep]
        logits = logits[keep]
        order = np.argsort(-logits, kind="stable")
        best = cands[order[0]]
        missing = [n for n in q.proper if not any(keywords.mentions(w) for w in content_words(n))]
        if missing:
            reason = f"The articles do not mention {names_as_written(q.text, missing)}."
            return self._abstain(reason, best, 0.0)
        p_answer = float(sigmoid(model.abstainer.logit(abstain_features(q, cands, logits, order, keywords))))
        log.debug("best %.3f %r; answers with p=%.3f", float(logits[order[0]]), best.text[:60], p_answer)
        if p_answer < model.answer_threshold:  # the shown sentence fits the question's kind: it may answer
            shown = best.x[_LEXICAL] >= RELATED_MIN_LEXICAL
            return self._abstain(NOT_CLEARLY_ANSWERED if shown else abstain_reason(q, model), best, p_answer)
        chosen = [best]
        for k in order[1:]:
            if len(chosen) >= self.max_sentences or sigmoid(logits[k]) < model.second_threshold:
                break
            chosen.append(cands[k])
        chosen.sort(key=lambda c: (c.n, c.start))
        return Draft(rules.render_all(chosen), backend=self.name, confidence=round(p_answer, 3))

    def _abstain(self, reason: str, best: Candidate | None, p_answer: float) -> Draft:
        text = reason
        if best is not None and best.x[_LEXICAL] >= RELATED_MIN_LEXICAL:
            text += " What the articles do say: " + rules.render(best)
        return Draft(text, abstained=True, reason=reason, backend=self.name, confidence=round(p_answer, 3))


_CITED_SENTENCE = re.compile(r"\S.*?\[\d+\](?=\s|$)")


def joined(whole: Draft, parts: list[Draft], limit: int) -> Draft:
    """A compound question's answer: the answer to the whole, plus what answers each part and the
    whole left out ("Who is X, and which Y ...?": the sentence on Y), up to limit sentences. The
    whole's abstention stands when no part is answered either."""
    answered = [d for d in (whole, *parts) if not d.abstained]
    if not answered or answered == [whole]:
        return whole
    sentences: list[str] = []
    for d in answered:
        for s in _CITED_SENTENCE.findall(d.text):
            if s not in sentences and len(sentences) < limit:
                sentences.append(s)
    confidence = min((d.confidence for d in answered if d.confidence is not None), default=None)
    scores = tuple(dict.fromkeys(s for d in answered for s in d.scores))
    return Draft(" ".join(sentences), backend=whole.backend, confidence=confidence, scores=scores)


def fitting(model: AnswererModel, cands: list[Candidate]) -> list[int]:
    """Indices of the candidates that can answer the question's kind (see AnswererModel.kind_*)."""
    return [
        k
        for k, c in enumerate(cands)
        if c.x[_NO_TYPE] >= model.kind_no_type or c.x[_TYPE] >= max(model.kind_min_type, 1e-9)
    ]


def abstain_reason(q: Question, model: AnswererModel) -> str:
    """Why nothing answers, in the terms of what the question asks for."""
    types = model.types(q)
    label = max((k for k in types if k), key=lambda k: types[k], default="")
    if q.key in ("how many", "how much") or (label in NUMBER_LABELS and types[label] > types.get("", 0.0)):
        topic = f" for {q.focus}" if q.focus else ""
        return f"The articles give no number{topic}."
    if q.key.endswith(" name") and q.focus:
        return f"The articles do not name the {q.focus}."
    if q.wh == "when" or label in ("DATE", "TIME") and types[label] > 0.5:
        return "The articles do not say when."
    return "The articles do not answer this question."
