"""Fit the score shown with each offline quote (how surely it answers the question), and report how
well it is calibrated on articles the fit never saw.

    .venv/bin/python -m scripts.fit_answer_score [--work .rag/train] [--reuse]

Data: the questions scripts/train_answerer.py retrieves (SQuAD 2.0 dev, one article per title as
score_squad2.py builds it; read from its cache WORK/retrievals.pkl with --reuse, which `make train`
writes), answered by the rules answerer itself (rag.answering.rules.OfflineBackend.decide): each
sentence it quotes, or shows beside an abstention, is a row of rules.answer_features, labelled 1
when it holds a gold answer (SQuAD's normalisation) and comes from the gold article; every
sentence quoted for an unanswerable question is labelled 0. Titles are held out as that script
holds them out (every 4th in sorted order): the fit sees the others.

Fitted: a logistic regression (L2, Newton's method; deterministic, numpy only) on the SQuAD
training titles, which tells right from wrong; then its scale and offset (Platt) on the first
turns of the first eval set (news; labels: the sentence overlaps an evidence quote), since how
often a quote is right depends on the questions asked (half of SQuAD's are unanswerable by design,
about one in six of the eval sets'). Printed: the weights, to copy into rules.py
(ANSWER_SCORE_WEIGHTS, ANSWER_SCORE_INTERCEPT, with the date and the numbers), and for the SQuAD
titles and each eval set (the second and third never fitted) the calibration (mean score against
the share right, by score band), the Brier score and the ROC AUC of right against wrong.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from rag.answering import rules
from rag.config import PROJECT_ROOT, prepare_offline_env

L2 = 1.0  # ridge on the standardised weights (a prior worth about one question; the fit has thousands)
BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.01)


@dataclass(frozen=True)
class Row:
    x: tuple[float, ...]
    right: bool
    part: str  # "train", "held-out", or an eval set's name


def rows_of(question: dict[str, Any], part: str, words: Any) -> list[Row]:
    """The quoted (or shown) sentences of one retrieved question, with features and labels."""
    from scripts.train_answerer import contains

    retrieval = question["retrieval"]
    if not retrieval.passages:
        return []
    backend = rules.OfflineBackend(SimpleNamespace(keywords=question["stats"], word_vectors=words), 3)  # type: ignore[arg-type]
    d = backend.decide(question["text"], retrieval)
    quoted = d.chosen or ((d.shown,) if d.shown is not None else ())
    out = []
    for c in quoted:
        if not question["answerable"]:
            right = False
        elif "evidence" in question:
            right = any(c.text in e or e in c.text for e in question["evidence"])
        else:
            right = c.passage.article_id == question["gold_article"] and contains(c.text, question["golds"])
        out.append(Row(rules.answer_features(c, d), right, part))
    return out


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method on standardised features; weights on the raw ones."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    ridge = np.diag([0.0] + [L2] * (z.shape[1] - 1))
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + ridge @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + ridge
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    weights = w[1:] / scale
    return weights, float(w[0] - weights @ mean)


def report(name: str, rows: list[Row], weights: np.ndarray, intercept: float) -> None:
    if not rows:
        return
    x = np.array([r.x for r in rows])
    y = np.array([r.right for r in rows], float)
    p = 1 / (1 + np.exp(-(x @ weights + intercept)))
    bands = []
    for lo, hi in zip(BANDS, BANDS[1:]):
        inside = (p >= lo) & (p < hi)
        if inside.any():
            bands.append(
                f"{lo:.1f}-{min(hi, 1):.1f}: {p[inside].mean():.2f} vs {y[inside].mean():.2f} (n {inside.sum()})"
            )
    right, wrong = p[y == 1], p[y == 0]
    auc = float((right[:, None] > wrong[None, :]).mean() + 0.5 * (right[:, None] == wrong[None, :]).mean())
    brier = float(((p - y) ** 2).mean())
    print(f"{name}: {len(rows)} sentences, {y.mean():.3f} right; Brier {brier:.4f}; AUC {auc:.3f}")
    print("  mean score vs share right, by score band: " + "; ".join(bands))


def eval_rows(words: Any) -> dict[str, list[Row]]:
    """The first turns of the three eval sets, retrieved from their own corpora (temporary indexes)."""
    from eval.items import load_items
    from eval.other_set import OTHER, PAGES, SHARED_HTML, THIRD
    from scripts.train_answerer import retrieve_all

    sets = [("first set", PROJECT_ROOT / "eval" / "dataset.jsonl", lambda _: PROJECT_ROOT / "corpus")]
    sets.append(("second set", OTHER / "dataset.jsonl", lambda _: OTHER / "corpus"))
    if SHARED_HTML.is_dir():
        sets.append(("third set", PAGES / "dataset.jsonl", THIRD.corpus))
    out: dict[str, list[Row]] = {}
    for name, dataset, corpus_of in sets:
        items = [it for it in load_items(dataset) if not it["history"]]
        with tempfile.TemporaryDirectory(prefix="fit-answer-score-") as scratch:
            corpus = corpus_of(Path(scratch))
            stats, retrievals = retrieve_all(corpus, Path(scratch) / "index", [it["user_input"] for it in items])
        questions = [
            {
                "text": it["user_input"],
                "answerable": bool(it["answerable"]) and not it["false_premise"],
                "evidence": [e["quote"] for e in it["evidence"]],
                "retrieval": r,
                "stats": stats,
            }
            for it, r in zip(items, retrievals)
        ]
        out[name] = [row for q in questions for row in rows_of(q, name, words)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=PROJECT_ROOT / ".rag" / "train")
    ap.add_argument("--reuse", action="store_true", help="read WORK/retrievals.pkl (written by make train)")
    ap.add_argument("--data", type=Path, default=PROJECT_ROOT.parent / "shared" / "external" / "squad2_dev.jsonl")
    a = ap.parse_args()
    prepare_offline_env()
    from rag.minilm import MiniLMEncoder
    from rag.wordvec import WordVectors
    from scripts import train_answerer

    questions = train_answerer.retrieved(a.data, a.work, a.reuse)
    encoder = MiniLMEncoder()
    words = WordVectors(lambda texts: encoder.encode(texts, batch_size=len(texts)))
    squad = [q for q in questions if q["corpus"] != "eval"]
    rows = [row for q in squad for row in rows_of(q, "held-out" if q["held_out"] else "train", words)]
    train = [r for r in rows if r.part == "train"]
    weights, intercept = fit(np.array([r.x for r in train]), np.array([r.right for r in train], float))
    news = eval_rows(words)
    first = news["first set"]
    logits = np.array([r.x for r in first]) @ weights + intercept
    (scale,), offset = fit(logits[:, None], np.array([r.right for r in first], float))
    print(f"SQuAD fit rescaled on the first eval set: logit x {scale:.3f} {offset:+.3f}")
    weights, intercept = weights * scale, intercept * scale + offset
    print("features:", ", ".join(rules.ANSWER_SCORE_FEATURES))
    print("ANSWER_SCORE_WEIGHTS =", json.dumps([round(float(w), 4) for w in weights]))
    print("ANSWER_SCORE_INTERCEPT =", round(intercept, 4))
    report("SQuAD training titles (fitted)", train, weights, intercept)
    report("SQuAD held-out titles", [r for r in rows if r.part == "held-out"], weights, intercept)
    for name, part in news.items():
        report(f"{name} (first turns{', rescaled on' if part is first else ', not fitted'})", part, weights, intercept)


if __name__ == "__main__":
    main()
