"""Eval metrics: pure functions from one item's expectations and one answer to numbers and verdicts.

Inputs are plain data (dicts from the dataset and from Answer.to_dict(), article texts by id,
retrieved passages as (article_id, start, end) spans). No I/O, no rag imports, no model; the
runner (eval/run.py) gathers the data and aggregates. Offsets are end-exclusive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

Located = tuple[str, int, int]  # (article_id, start, end) in that article's text
Evidence = Sequence[Mapping[str, str]]  # [{"article_id", "quote"}]
Citations = Sequence[Mapping[str, Any]]  # Citation.to_dict() rows
MIN_SUPPORT = 0.75  # a citation this well supported counts as precise even off the evidence
_MARKER = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


def strip_markers(text: str) -> str:
    """The answer text without its [n] / [n, m] citation markers."""
    return _MARKER.sub("", text)


def overlaps(a: Located, b: Located) -> bool:
    """True when two spans are in the same article and share at least one character."""
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def locate_evidence(evidence: Evidence, texts: Mapping[str, str]) -> list[Located]:
    """Spans of the evidence quotes (first occurrence); a quote not found in its article is skipped."""
    spans = []
    for e in evidence:
        start = texts.get(e["article_id"], "").find(e["quote"])
        if start >= 0:
            spans.append((e["article_id"], start, start + len(e["quote"])))
    return spans


def cited_spans(citations: Citations) -> list[Located]:
    """The [start, end) span of each citation."""
    return [(c["article_id"], int(c["start"]), int(c["end"])) for c in citations]


def hit_at_k(evidence: Evidence, passages: Sequence[Located], k: int, texts: Mapping[str, str]) -> bool | None:
    """True if any evidence quote overlaps one of the first k passages; None when there is no evidence."""
    spans = locate_evidence(evidence, texts)
    if not spans:
        return None
    return any(overlaps(s, p) for s in spans for p in passages[:k])


def reciprocal_rank(evidence: Evidence, passages: Sequence[Located], texts: Mapping[str, str]) -> float | None:
    """1/rank of the first passage that overlaps an evidence quote (0.0 if none); None without evidence."""
    spans = locate_evidence(evidence, texts)
    if not spans:
        return None
    for rank, p in enumerate(passages, start=1):
        if any(overlaps(s, p) for s in spans):
            return 1.0 / rank
    return 0.0


def missing_facts(required_facts: Sequence[Sequence[str]], answer: str) -> list[list[str]]:
    """Required facts none of whose spellings occurs (case-insensitive) in the marker-free answer."""
    text = strip_markers(answer).lower()
    return [list(f) for f in required_facts if not any(s.lower() in text for s in f)]


def required_fact_accuracy(required_facts: Sequence[Sequence[str]], answer: str) -> float:
    """Share of required facts found in the answer (1.0 when nothing is required).

    An item passes on facts only when this is exactly 1.0 (all facts found).
    """
    if not required_facts:
        return 1.0
    return 1.0 - len(missing_facts(required_facts, answer)) / len(required_facts)


def forbidden_facts_found(forbidden: Sequence[str], answer: str) -> list[str]:
    """The forbidden strings that occur (case-insensitive) in the marker-free answer."""
    text = strip_markers(answer).lower()
    return [f for f in forbidden if f.lower() in text]


def repeated_quotes(answer: str, citations: Citations) -> list[str]:
    """The cited sentences the answer quotes more than once (each reader reads it twice, and the
    second copy usually stands where another sentence belonged)."""
    text = strip_markers(answer)
    quotes = dict.fromkeys(str(c["quote"]).strip() for c in citations)
    return [q for q in quotes if q and text.count(q) > 1]


def citation_valid(citation: Mapping[str, Any], texts: Mapping[str, str]) -> bool:
    """True when the quote is exactly the cited span of a known article."""
    text = texts.get(citation["article_id"])
    start, end = int(citation["start"]), int(citation["end"])
    return text is not None and 0 <= start < end <= len(text) and text[start:end] == citation["quote"]


def citation_validity(citations: Citations, texts: Mapping[str, str]) -> float:
    """Share of citations whose quote equals article_text[start:end] (1.0 when there are none)."""
    if not citations:
        return 1.0
    return sum(citation_valid(c, texts) for c in citations) / len(citations)


def evidence_recall(evidence: Evidence, citations: Citations, texts: Mapping[str, str]) -> float | None:
    """Share of evidence quotes overlapped by some cited span; None when there is no evidence."""
    spans = locate_evidence(evidence, texts)
    if not spans:
        return None
    cited = cited_spans(citations)
    return sum(any(overlaps(s, c) for c in cited) for s in spans) / len(spans)


def on_evidence(citation: Mapping[str, Any], evidence_spans: Sequence[Located]) -> bool:
    """True when the cited span overlaps one of the evidence spans (same article)."""
    span = (citation["article_id"], int(citation["start"]), int(citation["end"]))
    return any(overlaps(span, e) for e in evidence_spans)


def citation_precise(
    citation: Mapping[str, Any],
    evidence_spans: Sequence[Located],
    min_support: float = MIN_SUPPORT,
) -> bool:
    """True when the citation is on the evidence or its support is at least min_support."""
    support = float(citation.get("support", 0.0))
    return support >= min_support or on_evidence(citation, evidence_spans)


def citation_precision(
    citations: Citations,
    evidence: Evidence,
    texts: Mapping[str, str],
    min_support: float = MIN_SUPPORT,
) -> float | None:
    """Share of citations that are precise (see citation_precise); None when there are no citations."""
    if not citations:
        return None
    spans = locate_evidence(evidence, texts)
    return sum(citation_precise(c, spans, min_support) for c in citations) / len(citations)


def abstention_precision_recall(
    should_abstain: Sequence[bool], abstained: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Precision and recall of abstaining (positive = should abstain); None where undefined (0/0)."""
    pairs = list(zip(should_abstain, abstained, strict=True))
    tp = sum(s and a for s, a in pairs)
    predicted, actual = sum(a for _, a in pairs), sum(s for s, _ in pairs)
    return (tp / predicted if predicted else None, tp / actual if actual else None)


def false_premise_correction(abstained: bool, required_facts: Sequence[Sequence[str]], answer: str) -> bool:
    """A false premise is corrected when the system answers (no abstention) with every required fact."""
    return not abstained and not missing_facts(required_facts, answer)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def failure_reasons(item: Mapping[str, Any], answer: Mapping[str, Any], texts: Mapping[str, str]) -> list[str]:
    """Why an item fails ([] = it passes). Forbidden facts and invalid citations fail every kind.

    answerable: answered with all required facts; unanswerable: abstained;
    false premise: corrected (answered with all required facts, which carry the correction).
    """
    text, abstained = answer["answer"], bool(answer["abstained"])
    reasons = []
    if item["false_premise"] and abstained:
        reasons.append("abstained on a false premise instead of correcting it")
    elif item["answerable"] and abstained:
        reasons.append("abstained on an answerable question")
    elif not item["answerable"] and not abstained:
        reasons.append("answered an unanswerable question")
    missing = missing_facts(item["required_facts"], text) if item["answerable"] else []
    if missing and not abstained:
        reasons.append("missing facts: " + "; ".join(" | ".join(f) for f in missing))
    found = forbidden_facts_found(item["forbidden_facts"], text)
    if found:
        reasons.append("forbidden facts: " + ", ".join(found))
    bad = [c["n"] for c in answer["citations"] if not citation_valid(c, texts)]
    if bad:
        reasons.append("invalid citations: " + ", ".join(f"[{n}]" for n in bad))
    return reasons
