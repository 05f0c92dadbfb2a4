"""Scoring rows and aggregates: one answer -> its result row; all rows -> every metric as (value, n).

The per-answer checks live in eval/metrics.py; this module combines them. It does not gate,
compare with a baseline or write reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval import metrics as m

# name -> (what it measures, True when higher is better); also the order of the table
METRICS: dict[str, tuple[str, bool]] = {
    "item_pass_rate": ("items passing their verdict", True),
    "hit_at_k": ("evidence in the top-k retrieved passages", True),
    "mrr": ("mean reciprocal rank of the first evidence passage", True),
    "required_fact_accuracy": (
        "answerable items answered with every required fact",
        True,
    ),
    "forbidden_facts": ("forbidden strings produced (count)", False),
    "citation_validity": ("citations whose quote == article[start:end]", True),
    "repeated_quotes": ("answers quoting one sentence twice (count)", False),
    "evidence_recall": ("evidence quotes overlapped by a citation", True),
    "citation_precision": ("citations on evidence or with support >= 0.75", True),
    "citations_on_evidence": (
        "citations of answerable items that overlap the evidence",
        True,
    ),
    "abstention_precision": ("abstentions that were right", True),
    "abstention_recall": ("unanswerable items abstained on", True),
    "false_premise_correction": ("false premises corrected", True),
    "verifier_bad_dropped": ("scripted wrong sentences the verifier dropped", True),
    "verifier_good_kept": ("scripted faithful sentences the verifier kept", True),
    "latency_p50_s": ("answer latency, median (s)", False),
    "latency_p95_s": ("answer latency, 95th percentile (s)", False),
}


def score_item(
    item: Mapping[str, Any],
    answer: dict[str, Any],
    passages: Sequence[m.Located],
    k: int,
    texts: Mapping[str, str],
) -> dict[str, Any]:
    """One item's result row: the answer, the per-item metrics and the verdict."""
    text, cites, evidence = answer["answer"], answer["citations"], item["evidence"]
    spans = m.locate_evidence(evidence, texts)
    missing = m.missing_facts(item["required_facts"], text)
    why = m.failure_reasons(item, answer, texts)
    return {
        "id": item["id"],
        "tags": item["tags"],
        "question": item["user_input"],
        "history": item["history"],
        "answerable": item["answerable"],
        "false_premise": item["false_premise"],
        "reference": item["reference"],
        "required_facts": item["required_facts"],
        "passed": not why,
        "why": why,
        "abstained": answer["abstained"],
        "answer": text,
        "missing_facts": missing,
        "forbidden_found": m.forbidden_facts_found(item["forbidden_facts"], text),
        "repeated_quotes": m.repeated_quotes(text, cites),
        "facts_ok": not answer["abstained"] and not missing,
        "corrected": m.false_premise_correction(answer["abstained"], item["required_facts"], text),
        "hit": m.hit_at_k(evidence, passages, k, texts),
        "rr": m.reciprocal_rank(evidence, passages, texts),
        "retrieved": [list(p) for p in passages],
        "citations_total": len(cites),
        "citations_valid": sum(m.citation_valid(c, texts) for c in cites),
        "citations_precise": sum(m.citation_precise(c, spans) for c in cites),
        "citations_on_evidence": sum(m.on_evidence(c, spans) for c in cites),
        "evidence_recall": m.evidence_recall(evidence, cites, texts),
        "latency_s": float(answer.get("timings", {}).get("total_s", 0.0)),
        "full_answer": answer,
    }


def mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    """Mean of the defined values and how many there were."""
    got = [float(v) for v in values if v is not None]
    return (sum(got) / len(got) if got else None), len(got)


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def aggregate(
    results: Sequence[Mapping[str, Any]],
) -> dict[str, tuple[float | None, int]]:
    """Every metric as (value, n): n is the number of items (or citations) it is computed over."""
    plain = [r for r in results if r["answerable"] and not r["false_premise"]]
    premise = [r for r in results if r["false_premise"]]
    cites = sum(r["citations_total"] for r in results)
    grounded = sum(r["citations_total"] for r in results if r["evidence_recall"] is not None)
    precision, recall = m.abstention_precision_recall(
        [not r["answerable"] for r in results], [r["abstained"] for r in results]
    )
    latencies = [r["latency_s"] for r in results]
    return {
        "item_pass_rate": (
            share(sum(r["passed"] for r in results), len(results)),
            len(results),
        ),
        "hit_at_k": mean([None if r["hit"] is None else float(r["hit"]) for r in results]),
        "mrr": mean([r["rr"] for r in results]),
        "required_fact_accuracy": (
            share(sum(r["facts_ok"] for r in plain), len(plain)),
            len(plain),
        ),
        "forbidden_facts": (
            float(sum(len(r["forbidden_found"]) for r in results)),
            len(results),
        ),
        "citation_validity": (
            share(sum(r["citations_valid"] for r in results), cites) if cites else 1.0,
            cites,
        ),
        "repeated_quotes": (float(sum(bool(r["repeated_quotes"]) for r in results)), len(results)),
        "evidence_recall": mean([r["evidence_recall"] for r in results]),
        "citation_precision": (
            share(sum(r["citations_precise"] for r in results), cites),
            cites,
        ),
        "citations_on_evidence": (
            share(sum(r["citations_on_evidence"] for r in results), grounded),
            grounded,
        ),
        "abstention_precision": (precision, sum(r["abstained"] for r in results)),
        "abstention_recall": (recall, sum(not r["answerable"] for r in results)),
        "false_premise_correction": (
            share(sum(r["corrected"] for r in premise), len(premise)),
            len(premise),
        ),
        "latency_p50_s": (m.percentile(latencies, 50), len(latencies)),
        "latency_p95_s": (m.percentile(latencies, 95), len(latencies)),
    }


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name in ("forbidden_facts", "repeated_quotes"):
        return str(int(value))
    return f"{value:.3f}"
