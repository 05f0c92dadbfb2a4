"""Fit the verifier's soft thresholds (rag/grounding.py: MIN_COVERAGE, MIN_COVERAGE_SIMILAR,
MIN_SIMILARITY, MAX_MISSING_RUN) on labelled sentences, and report how they do.

    .venv/bin/python -m scripts.fit_verifier [--split]

Data (read from ../shared, never copied): set B of the replay (each labelled answer sentence
against the sources its prompt held, mapped back onto the corpus articles) and FaithBench's
given half (CC BY-NC-SA: used to fit these four numbers and to evaluate, no weights are trained
on it). The hard rules (numbers, dates, names, negation, roles, attribution) are not fitted.

Objective: the largest FaithBench balanced accuracy (summary flagged when any sentence fails)
among the threshold sets that keep >= 95% of set B's faithful sentences, catch >= 90% of its
unfaithful ones and flag <= 40% of FaithBench's consistent summaries (the issue's targets); failing
the last, the best of those meeting set B's; failing those, the largest sum of the three.
--split fits on the odd-numbered FaithBench sources and set B questions and reports the
even-numbered ones, to show how much the fit flatters itself.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass

from rag.grounding import (
    META_SENTENCE,
    Judgement,
    Thresholds,
    Verifier,
    assess,
    claim_body,
    claims_nothing,
    decide,
    split_claims,
)
from scripts.verifier_data import load_faithbench, load_set_b


@dataclass
class Item:
    group: str  # "B" or "fb-news" / "fb-wikipedia"
    key: int  # set B question number or FaithBench sample index
    label: bool  # True = faithful / consistent (sentence for B, summary for FaithBench)
    judgement: Judgement | None  # None: not a claim (preamble, coverage sentence) - always kept
    fixed: str  # a reason decided before any threshold (no citation, out of range), or ""


def judge_text(v: Verifier, text: str, passages, question: str) -> tuple[Judgement | None, str]:  # type: ignore[no-untyped-def]
    claims = split_claims(text)
    if not claims:
        return None, ""
    c = claims[0]
    body = claim_body(c.text)
    if (META_SENTENCE.match(body) and not c.cited) or claims_nothing(body):
        return None, ""  # as Verifier.verify: a coverage sentence or a preamble is not judged
    valid = [n for n in dict.fromkeys(c.cited) if 1 <= n <= len(passages)]
    if not valid:
        return None, "no citation" if not c.cited else "out of range"
    units = [u for n in valid for u in v._units(n, passages[n - 1])]
    return assess(body, units, question, "", passages, v._embed, always_similarity=True), ""


def collect() -> list[Item]:
    items = []
    for question, sentence, passages, article_text, faithful, rid in load_set_b():
        j, fixed = judge_text(Verifier(article_text), sentence, passages, question)
        items.append(Item("B", int(rid[1:]), faithful, j, fixed))
    for kind, i, sentence, passages, article_text, hallucinated in load_faithbench():
        j, fixed = judge_text(Verifier(article_text), f"{sentence} [1]", passages, "")
        items.append(Item(f"fb-{kind}", i, not hallucinated, j, fixed))
    return items


def rejected(item: Item, t: Thresholds) -> bool:
    if item.fixed:
        return True
    return item.judgement is not None and bool(decide(item.judgement, t))


def scores(items: list[Item], t: Thresholds, keys: set[int] | None = None) -> dict[str, float]:
    b = [x for x in items if x.group == "B" and (keys is None or x.key in keys)]
    faithful = [x for x in b if x.label]
    unfaithful = [x for x in b if not x.label]
    out = {
        "B_faithful_kept": sum(not rejected(x, t) for x in faithful) / max(len(faithful), 1),
        "B_unfaithful_caught": sum(rejected(x, t) for x in unfaithful) / max(len(unfaithful), 1),
    }
    for part in ("fb-news", "fb-wikipedia", "fb"):
        summaries: dict[int, list[Item]] = {}
        for x in items:
            if x.group.startswith(part) and (keys is None or x.key in keys):
                summaries.setdefault(x.key, []).append(x)
        cons = [s for s in summaries.values() if s[0].label]
        hall = [s for s in summaries.values() if not s[0].label]
        flag_c = sum(any(rejected(x, t) for x in s) for s in cons) / max(len(cons), 1)
        rec_h = sum(any(rejected(x, t) for x in s) for s in hall) / max(len(hall), 1)
        out[f"{part}_bacc"] = (rec_h + 1 - flag_c) / 2
        out[f"{part}_flag_consistent"] = flag_c
    return out


GRID = {
    "min_coverage": [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9],
    "min_coverage_similar": [0.2, 0.3, 0.4, 0.5, 0.6],
    "min_similarity": [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.1],
    "max_missing_run": [1, 2, 3, 4, 6, 99],
}


def fit(items: list[Item], keys: set[int] | None = None) -> tuple[Thresholds, dict[str, float]]:
    best: tuple[tuple[float, ...], Thresholds, dict[str, float]] | None = None
    for cov, cov_sim, sim, run in itertools.product(*GRID.values()):
        if cov_sim > cov:
            continue
        t = Thresholds(cov, cov_sim, sim, run)
        s = scores(items, t, keys)
        ok = s["B_faithful_kept"] >= 0.95 and s["B_unfaithful_caught"] >= 0.90
        calm = s["fb_flag_consistent"] <= 0.40
        key = (
            float(ok),
            float(calm),
            s["fb_bacc"] if ok else s["fb_bacc"] + s["B_faithful_kept"] + s["B_unfaithful_caught"],
        )
        if best is None or key > best[0]:
            best = (key, t, s)
    assert best is not None
    return best[1], best[2]


def show(name: str, s: dict[str, float]) -> None:
    print(f"{name}: " + "  ".join(f"{k} {v:.3f}" for k, v in s.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", action="store_true", help="fit on odd-numbered items, report even-numbered ones")
    args = parser.parse_args()
    items = collect()
    n_b = sum(x.group == "B" for x in items)
    print(f"{n_b} set B sentences, {len(items) - n_b} FaithBench sentences")
    show("current thresholds", scores(items, Thresholds()))
    keys = None
    if args.split:
        every = {x.key for x in items}
        keys = {k for k in every if k % 2 == 1}
    t, s = fit(items, keys)
    print(f"fitted: {t}")
    show("fitted, on the fitting data", s)
    if args.split:
        show("fitted, on the held-out half", scores(items, t, {k for k in {x.key for x in items} if k % 2 == 0}))


if __name__ == "__main__":
    main()
