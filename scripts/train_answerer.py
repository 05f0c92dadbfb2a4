"""Fits the offline answerer (rag/answering/answerer.json) on SQuAD 2.0 dev and the eval items.

Usage: python -m scripts.train_answerer [--data ../shared/external/squad2_dev.jsonl] [--work .rag/train]
       [--reuse]   (`make train`)

Steps. (1) Corpora built as score_squad2.py builds them (one article per SQuAD title, its first 8
paragraphs; a second corpus with all paragraphs for the questions on the later ones), ingested by
rag.ingest like any corpus, plus corpus/ for the eval items of eval/dataset.jsonl (first turns).
(2) Each question is retrieved by rag.retrieval and analysed by rag.answering.question, exactly as
at run time; rag.answering.features turns the retrieved sentences into feature rows. (3) Labels:
a sentence answers when it holds a gold answer (SQuAD's normalisation) and is from the gold article;
for eval items, when it overlaps an evidence quote. (4) Fitted: the answer-type table (the label of
the gold answer's entity per question key), the sentence model (logistic regression over candidate
features), the answer-or-abstain model (logistic regression over the best candidate's features) and
its threshold, and the threshold for quoting a second sentence. (5) Articles are held out BY TITLE
(every 4th title in sorted order) and the held-out numbers are printed: the committed model never
saw those titles. Deterministic (no sampling; lbfgs); about 5-10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import pickle
import re
import string
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from rag.answering import features as F
from rag.answering.model import ANSWERER_FILE, AnswererModel
from rag.answering.offline import OfflineBackend, fitting
from rag.answering.question import Question, analyse
from rag.config import PROJECT_ROOT, load_settings, prepare_offline_env
from rag.retrieval import Retrieval, TermStats

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "external" / "squad2_dev.jsonl"
EVAL_DATA = PROJECT_ROOT / "eval" / "dataset.jsonl"
MODEL_PY = PROJECT_ROOT / "rag" / "answering" / "model.py"
PARAS = 8  # as score_squad2.py: an article is its first 8 paragraphs
HOLD_OUT_EVERY = 4  # every 4th title (sorted) is held out
TYPE_PSEUDO_COUNTS = 5.0  # smoothing of P(label | key) towards P(label | wh-word): a weak prior of 5 questions
KIND_MIN_TYPE_GRID = (0.0, 0.2)  # a wider grid (0, .02, .05, .1, .2 x 0, .2, .3, .4, .6, 1.01) chose from these
KIND_NO_TYPE_GRID = (0.0, 0.3)  # 1.01: every question must find an entity of its type
C = 1.0  # inverse L2 strength of both logistic models (scikit-learn's default)


# --- data -----------------------------------------------------------------------------------------


def normalize_answer(s: str) -> str:  # as SQuAD's evaluate-v2.0.py
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def contains(text: str, golds: list[str]) -> bool:
    t = " " + normalize_answer(text) + " "
    return any(normalize_answer(g) and (" " + normalize_answer(g) + " ") in t for g in golds)


def slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_")[:60]


def build_corpus(paras: list[dict[str, Any]], folder: Path) -> dict[str, str]:
    """One file per title in the project's corpus format (as score_squad2.py); title -> article id."""
    folder.mkdir(parents=True, exist_ok=True)
    by_title: dict[str, list[str]] = collections.defaultdict(list)
    for p in paras:
        by_title[p["title"]].append(p["context"])
    ids = {}
    for i, (title, texts) in enumerate(sorted(by_title.items())):
        aid = f"squad_{i:02d}_{slug(title)}"
        ids[title] = aid
        header = (
            f"---\nid: {aid}\ntitle: {title.replace('_', ' ')}\ntitle_is_editorial: false\n"
            "author:\noutlet: Wikipedia\npublished:\nurl:\n---\n"
        )
        (folder / f"{aid}.txt").write_text(header + "\n\n".join(texts) + "\n", encoding="utf-8")
    return ids


class Stats(TermStats):
    """The corpus term statistics the features read (KeywordIndex's, without its BM25 retriever);
    a class of this script's own, so that the pickled retrieval cache keeps loading."""


def retrieve_all(corpus: Path, index: Path, questions: list[str]) -> tuple[Stats, list[Retrieval]]:
    from rag.engine import open_engine
    from rag.ingest import ingest

    settings = load_settings(corpus_dir=corpus, index_dir=index, backend="offline")
    ingest(settings, progress=False)
    engine = open_engine(settings)
    retriever = engine.retriever
    vectors: dict[str, Any] = {}  # chunk id -> its sentence vectors, shared by every retrieval
    out = []
    t0 = time.perf_counter()
    for i, q in enumerate(questions):
        r = retriever.retrieve(q)
        passages = tuple(
            replace(p, sentence_vectors=vectors.setdefault(p.chunk.id, p.sentence_vectors)) for p in r.passages
        )
        out.append(replace(r, passages=passages))
        if i % 500 == 0:
            print(f"  retrieved {i}/{len(questions)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    kw = retriever.keywords
    return Stats(kw.size, dict(kw.doc_freq)), out


def collect(data: Path, work: Path) -> list[dict[str, Any]]:
    """Every training question with its retrieval: dicts of text, golds, gold article, split, ..."""
    paras = [json.loads(line) for line in data.open(encoding="utf-8")]
    titles = sorted({p["title"] for p in paras})
    held = {t for i, t in enumerate(titles) if i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1}
    rows: list[dict[str, Any]] = []
    for name, corpus_paras, asked in (
        ("first8", [p for p in paras if p["para"] < PARAS], lambda p: p["para"] < PARAS),
        ("all", paras, lambda p: p["para"] >= PARAS),
    ):
        ids = build_corpus(corpus_paras, work / name / "corpus")
        qs = [
            {
                "text": q["question"].strip(),
                "golds": q["answers"],
                "answerable": not q["is_impossible"],
                "gold_article": ids[p["title"]],
                "title": p["title"],
                "held_out": p["title"] in held,
                "corpus": name,
            }
            for p in paras
            if asked(p)
            for q in p["qas"]
            if q["question"].strip() and "\n" not in q["question"]
        ]
        print(f"{name}: {len(ids)} articles, {len(qs)} questions", file=sys.stderr)
        stats, retrievals = retrieve_all(work / name / "corpus", work / name / "index", [q["text"] for q in qs])
        for q, r in zip(qs, retrievals):
            rows.append(dict(q, retrieval=r, stats=stats))
    items = [json.loads(line) for line in EVAL_DATA.open(encoding="utf-8")]
    items = [it for it in items if not it["history"]]
    stats, retrievals = retrieve_all(
        PROJECT_ROOT / "corpus", work / "eval" / "index", [it["user_input"] for it in items]
    )
    for it, r in zip(items, retrievals):
        rows.append(
            {
                "text": it["user_input"],
                "evidence": [e["quote"] for e in it.get("evidence", [])],
                "answerable": bool(it["answerable"]) and bool(it.get("evidence")),
                "title": "eval",
                "held_out": False,
                "corpus": "eval",
                "retrieval": r,
                "stats": stats,
            }
        )
    return rows


def retrieved(data: Path, work: Path, reuse: bool) -> list[dict[str, Any]]:
    """collect()'s rows, read from WORK/retrievals.pkl when `reuse` and it exists, else collected
    and cached there (scripts/fit_rules.py and fit_answer_score.py read the same cache)."""
    cache = work / "retrievals.pkl"
    if reuse and cache.exists():
        # make train writes the cache as __main__: its Stats class is looked up there
        sys.modules["__main__"].Stats = Stats  # type: ignore[attr-defined]
        rows: list[dict[str, Any]] = pickle.loads(cache.read_bytes())
        return rows
    rows = collect(data, work)
    cache.write_bytes(pickle.dumps(rows))
    return rows


def is_gold(row: dict[str, Any], c: F.Candidate) -> bool:
    if not row["answerable"]:
        return False
    if row["corpus"] == "eval":
        return any(c.text in e or e in c.text for e in row["evidence"])
    return c.passage.article_id == row["gold_article"] and contains(c.text, row["golds"])


# --- fitting --------------------------------------------------------------------------------------


def fit_types(rows: list[dict[str, Any]], questions: list[Question]) -> dict[str, Any]:
    """P(label of the gold answer's entity | question key), "" = the answer is no entity."""
    by_key: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_wh: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    overall: collections.Counter[str] = collections.Counter()
    empty: dict[str, float] = {}
    for row, q in zip(rows, questions):
        if row["held_out"] or not row["answerable"] or row["corpus"] == "eval":
            continue
        golds = [normalize_answer(g) for g in row["golds"] if normalize_answer(g)]
        label = None
        for c in F.candidates(q, row["retrieval"], row["stats"], lambda _: empty):
            if not is_gold(row, c):
                continue
            facts = F.passage_facts(c.passage)
            ents = facts[c.index].entities if c.index < len(facts) else ()
            hits = [
                e.label
                for e in ents
                if any(g in normalize_answer(e.text) or normalize_answer(e.text) in g for g in golds)
                and normalize_answer(e.text)
            ]
            label = hits[0] if hits else ""
            break
        if label is None:  # the gold sentence was not retrieved
            continue
        by_key[q.key][label] += 1
        by_wh[q.wh][label] += 1
        overall[label] += 1
    total = sum(overall.values())
    prior = {k: v / total for k, v in overall.items()}

    def smooth(counts: collections.Counter[str], base: dict[str, float]) -> dict[str, float]:
        n = sum(counts.values())
        labels = set(counts) | set(base)
        return {
            k: round((counts[k] + TYPE_PSEUDO_COUNTS * base.get(k, 0.0)) / (n + TYPE_PSEUDO_COUNTS), 4)
            for k in sorted(labels)
        }

    wh = {w: smooth(c, prior) for w, c in sorted(by_wh.items())}
    keys = {k: smooth(c, wh.get(k.split()[0] if k else "", prior)) for k, c in sorted(by_key.items())}
    return {"keys": keys, "wh": wh, "prior": {k: round(v, 4) for k, v in sorted(prior.items())}}


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=C, max_iter=2000)
    lr.fit((x - mean) / scale, y, sample_weight=w)
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--work", type=Path, default=PROJECT_ROOT / ".rag" / "train")
    ap.add_argument("--reuse", action="store_true", help="reuse WORK/retrievals.pkl from an earlier run")
    ap.add_argument("--out", type=Path, default=ANSWERER_FILE)
    a = ap.parse_args()
    prepare_offline_env()
    t0 = time.perf_counter()
    if not a.data.exists():
        sys.exit(f"train_answerer: {a.data} not found; pass --data PATH to SQuAD 2.0 dev (squad2_dev.jsonl)")
    rows = retrieved(a.data, a.work, a.reuse)
    print(f"{len(rows)} questions retrieved in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    questions = [analyse(r["text"]) for r in rows]
    model_json: dict[str, Any] = {
        "candidate_features": list(F.CANDIDATE_FEATURES),
        "abstain_features": list(F.ABSTAIN_FEATURES),
        "types": fit_types(rows, questions),
    }
    types_model = AnswererModel.from_json(
        {
            **model_json,
            **NO_FILTER,
            "chooser": _zero(F.CANDIDATE_FEATURES),
            "abstainer": _zero(F.ABSTAIN_FEATURES),
            "answer_threshold": 0,
            "second_threshold": 1,
        }
    )
    cands = [F.candidates(q, r["retrieval"], r["stats"], types_model.types) for q, r in zip(questions, rows)]
    golds = [np.array([is_gold(r, c) for c in cs], dtype=float) for r, cs in zip(rows, cands)]
    train = [i for i, r in enumerate(rows) if not r["held_out"] and cands[i]]

    # sentence choice: every candidate of every answerable training question
    idx = [i for i in train if rows[i]["answerable"]]
    x = np.concatenate([np.stack([c.x for c in cands[i]]) for i in idx])
    y = np.concatenate([golds[i] for i in idx])
    n_eval = sum(rows[i]["corpus"] == "eval" for i in idx)
    domain_weight = {True: (len(idx) - n_eval) / max(n_eval, 1), False: 1.0}  # each domain weighs the same
    w = np.concatenate([np.full(len(cands[i]), domain_weight[rows[i]["corpus"] == "eval"]) for i in idx])
    model_json["chooser"] = fit_logistic(x, y, w)
    chooser = AnswererModel.from_json(
        {
            **model_json,
            **NO_FILTER,
            "abstainer": _zero(F.ABSTAIN_FEATURES),
            "answer_threshold": 0,
            "second_threshold": 1,
        }
    ).chooser

    logits = [chooser.logit(np.stack([c.x for c in cs])) if cs else np.zeros(0) for cs in cands]
    orders = [np.argsort(-lg, kind="stable") for lg in logits]

    # a second sentence is quoted when the sentence model gives it at least the threshold with the
    # best F1 at telling second-ranked sentences that hold the answer (when the best does not)
    two = [i for i in train if rows[i]["answerable"] and len(orders[i]) > 1]
    p2 = np.array([1 / (1 + np.exp(-logits[i][orders[i][1]])) for i in two])
    g2 = np.array([golds[i][orders[i][1]] > golds[i][orders[i][0]] for i in two])
    model_json["second_threshold"] = second_threshold(p2, g2)

    # "A quoted sentence must answer the question's kind": candidates are kept when the question's
    # answer is often no entity (P("" | key) >= no_type) or the sentence names an entity of a
    # likely type (P(label | key) >= min_type); both set on the grid below, with the abstainer
    # refitted for each, by the same score as the answer threshold
    answerable = np.array([rows[i]["answerable"] for i in train])
    domain = np.array([rows[i]["corpus"] == "eval" for i in train])
    # each domain weighs as much as the other in the answer-or-abstain decision: run-time text is
    # news like the eval items' articles, and SQuAD has 40 times as many questions
    wa = np.where(domain, (~domain).sum() / max(domain.sum(), 1), 1.0)
    best: tuple[float, dict[str, Any]] | None = None
    for min_type in KIND_MIN_TYPE_GRID:
        for no_type in KIND_NO_TYPE_GRID:
            kind = {"kind_min_type": min_type, "kind_no_type": no_type}
            probe = AnswererModel.from_json(
                {**model_json, **kind, "abstainer": _zero(F.ABSTAIN_FEATURES), "answer_threshold": 0}
            )
            xa, ya, ok = [], [], []
            for i in train:
                keep = fitting(probe, cands[i])
                ok.append(bool(keep))
                if not keep:
                    xa.append(np.zeros(len(F.ABSTAIN_FEATURES)))
                    ya.append(0.0)
                    continue
                lg = logits[i][keep]
                order = np.argsort(-lg, kind="stable")
                xa.append(F.abstain_features(questions[i], [cands[i][k] for k in keep], lg, order, rows[i]["stats"]))
                ya.append(quoted_gold(lg, order, golds[i][keep], model_json["second_threshold"]))
            xs, ys, oks = np.stack(xa), np.array(ya), np.array(ok)
            fitted = fit_logistic(xs[oks], ys[oks], wa[oks])
            abstainer = AnswererModel.from_json(
                {**model_json, **kind, "abstainer": fitted, "answer_threshold": 0}
            ).abstainer
            pa = np.where(oks, 1 / (1 + np.exp(-abstainer.logit(xs))), 0.0)
            threshold, score = best_threshold(pa, ys, answerable, domain)
            print(f"  kind filter {kind}: threshold {threshold}, score {score:.4f}", file=sys.stderr)
            if best is None or score > best[0]:
                best = (score, {**kind, "abstainer": fitted, "answer_threshold": threshold})
    assert best is not None
    model_json.update(best[1])

    text = json.dumps(model_json, indent=1, sort_keys=True) + "\n"
    a.out.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    if a.out == ANSWERER_FILE:
        source = MODEL_PY.read_text(encoding="utf-8")
        MODEL_PY.write_text(
            re.sub(r'ANSWERER_SHA256 = "[0-9a-f]*"', f'ANSWERER_SHA256 = "{digest}"', source), encoding="utf-8"
        )
    print(
        f"wrote {a.out} (sha256 {digest}); answer threshold {model_json['answer_threshold']}, "
        f"second sentence {model_json['second_threshold']}",
        file=sys.stderr,
    )

    model = AnswererModel.from_json(model_json)
    report = {
        split: evaluate(rows, questions, model, keep)
        for split, keep in (
            ("train (first 8 paragraphs)", lambda r: not r["held_out"] and r["corpus"] == "first8"),
            ("held out by article (first 8 paragraphs)", lambda r: r["held_out"] and r["corpus"] == "first8"),
            ("held out by article (all paragraphs)", lambda r: r["held_out"] and r["corpus"] != "eval"),
            ("eval items (first turns)", lambda r: r["corpus"] == "eval"),
        )
    }
    report["seconds"] = round(time.perf_counter() - t0, 1)  # type: ignore[assignment]
    print(json.dumps(report, indent=1))


NO_FILTER = {"kind_min_type": 0.0, "kind_no_type": 0.0}


def _zero(names: tuple[str, ...]) -> dict[str, Any]:
    return {"mean": [0.0] * len(names), "scale": [1.0] * len(names), "coef": [0.0] * len(names), "intercept": 0.0}


def best_threshold(
    p: np.ndarray, correct: np.ndarray, answerable: np.ndarray, domain: np.ndarray
) -> tuple[float, float]:
    """The answer threshold with the best mean, over the two domains (SQuAD, eval items), of the
    mean of 'answerable: answered with the gold' and 'unanswerable: abstained' (the two halves of
    score_squad2.py's sample); and that score."""
    best, best_t = -1.0, 0.5
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        answered = p >= t
        scores = []
        for d in (domain, ~domain):
            has, no = answerable & d, ~answerable & d
            scores.append(((answered & (correct > 0))[has].mean() + (~answered)[no].mean()) / 2)
        if np.mean(scores) > best:
            best, best_t = float(np.mean(scores)), float(t)
    return best_t, best


def second_threshold(p: np.ndarray, gold: np.ndarray) -> float:
    best, best_t = -1.0, 1.0
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        kept = p >= t
        tp = float((kept & gold).sum())
        f1 = 2 * tp / (kept.sum() + gold.sum()) if kept.sum() + gold.sum() else 0.0
        if f1 > best:
            best, best_t = f1, float(t)
    return best_t


def quoted_gold(logits: np.ndarray, order: np.ndarray, gold: np.ndarray, second: float) -> float:
    """Do the sentences the answerer would quote (the best, the second above `second`) hold the answer?"""
    if len(order) > 1 and 1 / (1 + np.exp(-logits[order[1]])) >= second:
        return float(gold[order[0]] or gold[order[1]])
    return float(gold[order[0]])


def evaluate(rows: list[dict[str, Any]], questions: list[Question], model: AnswererModel, keep: Any) -> dict[str, Any]:
    """score_squad2.py's numbers for these questions, answered by the run-time path itself."""
    c: collections.Counter[str] = collections.Counter()
    for row, q in zip(rows, questions):
        if not keep(row):
            continue
        backend = OfflineBackend(SimpleNamespace(keywords=row["stats"]), model=model)  # type: ignore[arg-type]
        draft = backend.quote(q, row["retrieval"]) if row["retrieval"].passages else None
        abstained = draft is None or draft.abstained
        if row["answerable"]:
            c["hasans"] += 1
            c["false_abstentions"] += abstained
            if not abstained and draft is not None:
                text = re.sub(r"\[\d+\]", " ", draft.text)
                ok = (
                    contains(text, row["golds"])
                    if row["corpus"] != "eval"
                    else any(e in draft.text for e in row["evidence"])
                )
                c["gold_in_answer"] += ok
        else:
            c["noans"] += 1
            c["abstained"] += abstained
    h, n = c["hasans"] or 1, c["noans"] or 1
    return {
        "questions": c["hasans"] + c["noans"],
        "gold in answer (answerable)": round(c["gold_in_answer"] / h, 4),
        "abstained (unanswerable)": round(c["abstained"] / n, 4),
        "false abstentions (answerable)": round(c["false_abstentions"] / h, 4),
    }


if __name__ == "__main__":
    main()
