"""Fit the default (rules) answerer's weights and its abstention threshold on data, and report how
they do on articles the fit never saw.

    .venv/bin/python -m scripts.fit_rules [--work .rag/train] [--reuse] [--soft]

Data: the questions scripts/train_answerer.py retrieves (SQuAD 2.0 dev, one article per title as
score_squad2.py builds it, plus the first turns of eval/dataset.jsonl), read from its cache
WORK/retrievals.pkl with --reuse (run `make train` first), else retrieved again. Titles are held
out as that script holds them out (every 4th in sorted order): the fit sees the others.

Fitted, by grid search: DENSE_WEIGHT (LEXICAL_WEIGHT = 1 - DENSE_WEIGHT), PHRASE_WEIGHT and MIN_SCORE of
rag/answering/rules.py. Objective: the share of questions handled right (answerable: answered
with a quote holding the gold answer; unanswerable: abstained), averaged over the two domains
(SQuAD's training titles and the eval items) so that neither outweighs the other. With --soft it
fits SOFT_MIN (soft matching by word vectors, rag.wordvec) and MIN_SCORE at the current weights
instead, and prints each part's trade-off by MIN_SCORE. The script
prints the grid and the held-out numbers; it does not edit rules.py (copy the chosen values,
with the date and the numbers, into the comment beside them).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rag.answering import rules
from rag.config import PROJECT_ROOT, prepare_offline_env
from rag.text import stem
from rag.wordvec import WordVectors

DENSE_GRID = (0.4, 0.5, 0.6, 0.7, 0.8)
PHRASE_GRID = (0.0, 0.1, 0.2, 0.3)
SOFT_MIN_GRID = (None, 0.5, 0.55, 0.6, 0.65, 0.7)
MIN_SCORE_GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(31))  # 0.30 .. 0.60


@dataclass(frozen=True)
class Outcome:
    answerable: bool
    confidence: float  # the best sentence's confidence; -1 when the rules abstain whatever the threshold
    right: bool  # its quote (with the sentences select() adds) holds the gold answer


def outcome(row: dict[str, Any], words: WordVectors | None = None) -> Outcome:
    """What the rules answerer does on one retrieved question, before its threshold applies."""
    from scripts.train_answerer import is_gold

    keywords = row["stats"]
    info = rules.analyse_question(row["text"])
    info = replace(info, required_names=rules.distinctive_names(info.names, keywords))
    if any(keywords.doc_freq.get(stem(n), 0) == 0 for n in info.names):
        return Outcome(row["answerable"], -1.0, False)
    candidates = rules.score_sentences(info, row["retrieval"], keywords)
    answering = [c for c in candidates if rules.fits_kind(info, c)]
    if not answering:
        return Outcome(row["answerable"], -1.0, False)
    chosen = rules.select(answering, info, 3)
    best = rules.soft_confidence(answering[0], info, keywords, words)
    return Outcome(row["answerable"], best.confidence, any(is_gold(row, c) for c in chosen))


def rates(outcomes: list[Outcome], threshold: float) -> dict[str, float]:
    has = [o for o in outcomes if o.answerable]
    no = [o for o in outcomes if not o.answerable]
    answered_right = sum(o.right and o.confidence >= threshold for o in has)
    abstained_no = sum(o.confidence < threshold for o in no)
    return {
        "gold in answer (answerable)": round(answered_right / max(len(has), 1), 4),
        "abstained (unanswerable)": round(abstained_no / max(len(no), 1), 4),
        "false abstentions (answerable)": round(sum(o.confidence < threshold for o in has) / max(len(has), 1), 4),
        "right": (answered_right + abstained_no) / max(len(outcomes), 1),
        "questions": len(outcomes),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=PROJECT_ROOT / ".rag" / "train")
    ap.add_argument("--reuse", action="store_true", help="read WORK/retrievals.pkl (written by make train)")
    ap.add_argument("--soft", action="store_true", help="fit SOFT_MIN and MIN_SCORE (the weights stay)")
    ap.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "external" / "squad2_dev.jsonl")
    a = ap.parse_args()
    prepare_offline_env()
    from scripts.train_answerer import retrieved

    rows = retrieved(a.data, a.work, a.reuse)
    parts = {
        "squad train titles": [r for r in rows if r["corpus"] != "eval" and not r["held_out"]],
        "squad held-out titles": [r for r in rows if r["corpus"] != "eval" and r["held_out"]],
        "eval items (first turns)": [r for r in rows if r["corpus"] == "eval"],
    }
    fitted_on = ("squad train titles", "eval items (first turns)")
    if a.soft:
        fit_soft(parts, fitted_on)
        return
    best: tuple[float, tuple[float, float], float] | None = None
    by_weight: dict[tuple[float, float], dict[str, list[Outcome]]] = {}
    kept = (rules.DENSE_WEIGHT, rules.LEXICAL_WEIGHT, rules.PHRASE_WEIGHT)
    t0 = time.perf_counter()
    try:
        for dense in DENSE_GRID:
            for phrase in PHRASE_GRID:
                rules.DENSE_WEIGHT, rules.LEXICAL_WEIGHT, rules.PHRASE_WEIGHT = dense, round(1.0 - dense, 2), phrase
                by_weight[dense, phrase] = outcomes = {name: [outcome(r) for r in part] for name, part in parts.items()}
                objective = {
                    t: sum(rates(outcomes[n], t)["right"] for n in fitted_on) / len(fitted_on) for t in MIN_SCORE_GRID
                }
                for t, score in objective.items():
                    if best is None or score > best[0] + 1e-9:
                        best = (score, (dense, phrase), t)
                row = [f"{t:.2f}:{objective[t]:.3f}" for t in MIN_SCORE_GRID[::5]]
                print(f"dense {dense} phrase {phrase}: objective by MIN_SCORE {' '.join(row)}", file=sys.stderr)
    finally:
        rules.DENSE_WEIGHT, rules.LEXICAL_WEIGHT, rules.PHRASE_WEIGHT = kept
    assert best is not None
    score, (dense, phrase), t = best
    print(
        f"chosen: DENSE_WEIGHT {dense}, LEXICAL_WEIGHT {round(1 - dense, 2)}, PHRASE_WEIGHT {phrase}, "
        f"MIN_SCORE {t} (objective {score:.4f})"
    )
    print(f"current: DENSE_WEIGHT {kept[0]}, PHRASE_WEIGHT {kept[2]}, MIN_SCORE {rules.MIN_SCORE}")
    for label, (w, thr) in (("chosen", ((dense, phrase), t)), ("current", ((kept[0], kept[2]), rules.MIN_SCORE))):
        if w not in by_weight:
            continue
        for name in parts:
            print(f"  {label:8s} {name:26s} {rates(by_weight[w][name], thr)}")
    print(f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)


def fit_soft(parts: dict[str, list[dict[str, Any]]], fitted_on: tuple[str, ...]) -> None:
    """Grid over SOFT_MIN (None: no word vectors) x MIN_SCORE at the current weights."""
    from rag.minilm import MiniLMEncoder

    encoder = MiniLMEncoder()
    words = WordVectors(lambda texts: encoder.encode(texts, batch_size=len(texts)))
    kept, kept_min = rules.SOFT_MIN, rules.MIN_SCORE
    # soft_confidence only raises a confidence under MIN_SCORE: under every threshold of the grid
    rules.MIN_SCORE = max(MIN_SCORE_GRID)
    results: dict[float | None, dict[str, list[Outcome]]] = {}
    best: tuple[float, float | None, float] | None = None
    try:
        for soft in SOFT_MIN_GRID:
            if soft is not None:
                rules.SOFT_MIN = soft
            results[soft] = outcomes = {
                name: [outcome(r, None if soft is None else words) for r in part] for name, part in parts.items()
            }
            objective = {
                t: sum(rates(outcomes[n], t)["right"] for n in fitted_on) / len(fitted_on) for t in MIN_SCORE_GRID
            }
            for t, score in objective.items():
                if best is None or score > best[0] + 1e-9:
                    best = (score, soft, t)
            row = [f"{t:.2f}:{objective[t]:.3f}" for t in MIN_SCORE_GRID[::2]]
            print(f"SOFT_MIN {soft}: objective by MIN_SCORE {' '.join(row)}", file=sys.stderr)
            for t in MIN_SCORE_GRID[6:21:2]:  # the trade-off on each part: gold in answer / abstained / false
                cells = [
                    (
                        lambda r: (
                            f"{r['gold in answer (answerable)']:.3f}/{r['abstained (unanswerable)']:.3f}/"
                            f"{r['false abstentions (answerable)']:.3f}"
                        )
                    )(rates(outcomes[n], t))
                    for n in parts
                ]
                print(
                    f"  MIN_SCORE {t:.2f}: "
                    + "  ".join(f"{n.split()[0]}-{n.split()[1]} {c}" for n, c in zip(parts, cells))
                )
    finally:
        rules.SOFT_MIN, rules.MIN_SCORE = kept, kept_min
    assert best is not None
    score, soft, t = best
    print(f"chosen: SOFT_MIN {soft}, MIN_SCORE {t} (objective {score:.4f})")
    for label, (s, thr) in (
        ("chosen", (soft, t)),
        ("current", (kept, rules.MIN_SCORE)),
        ("no soft", (None, rules.MIN_SCORE)),
    ):
        for name in parts:
            print(f"  {label:8s} {name:26s} {rates(results[s][name], thr)}")


if __name__ == "__main__":
    main()
