"""Labelled sentences for fitting and measuring the verifier, read from ../shared (never copied):
set B of the replay (each answer against the very sources its prompt held) and FaithBench.

    load_set_b() -> [(question, answer sentence with markers, passages, article_text, faithful, id)]
    load_faithbench() -> [(source kind, sample index, sentence, passages, article_text, hallucinated)]
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rag.chunking import sentence_spans
from rag.config import PROJECT_ROOT
from rag.types import ArticleMeta, Chunk, Passage

SHARED = PROJECT_ROOT.parent / "shared"
SET_B = SHARED / "replay" / "set_B.jsonl"
FAITHBENCH = SHARED / "external" / "faithbench_dev.jsonl"
HALLU = {"Questionable", "Unwanted", "Unwanted.Intrinsic", "Unwanted.Extrinsic"}

Row = tuple[str, str, tuple[Passage, ...], Callable[[str], str], bool, str]


def passages_of(texts: list[str], metas: list[ArticleMeta] | None = None) -> tuple[tuple[Passage, ...], dict[str, str]]:
    """Each text as the one chunk of an article of its own."""
    out, articles = [], {}
    for i, text in enumerate(texts):
        aid = f"s{i + 1}"
        articles[aid] = text
        chunk = Chunk(f"{aid}:0", aid, text, 0, len(text), tuple(sentence_spans(text)))
        meta = metas[i] if metas else ArticleMeta(id=aid, title="")
        out.append(Passage(chunk=chunk, meta=ArticleMeta(**{**meta.__dict__, "id": aid}), score=1.0))
    return tuple(out), articles


def load_set_b(path: Path = SET_B) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        passages, articles = corpus_passages(r["prompt_sources"])
        for s in r["sentences"]:
            if s.get("preamble"):
                continue
            rows.append((r["question"], s["text"], passages, articles.__getitem__, bool(s["faithful"]), r["id"]))
    return rows


def corpus_passages(texts: list[str]) -> tuple[tuple[Passage, ...], dict[str, str]]:
    """The prompt's sources as chunks of the corpus articles they were cut from (with the articles'
    metadata, which the prompt showed the model); a text found in no article stands alone."""
    from rag.corpus import load_corpus

    global _CORPUS
    if _CORPUS is None:
        _CORPUS = load_corpus(PROJECT_ROOT / "corpus").articles
    out, articles = [], {}
    for text in texts:
        art = next((a for a in _CORPUS if text in a.text), None)
        if art is None:
            alone, arts = passages_of([text])
            out.append(alone[0])
            articles.update(arts)
            continue
        start = art.text.index(text)
        spans = tuple((s + start, e + start) for s, e in sentence_spans(text))
        chunk = Chunk(f"{art.id}:{start}", art.id, text, start, start + len(text), spans)
        out.append(Passage(chunk=chunk, meta=art.meta, score=1.0))
        articles[art.id] = art.text
    return tuple(out), articles


_CORPUS = None


def source_kind(src: str) -> str:
    """As score_faithbench.py tells them apart."""
    if src == src.lower():
        return "news"
    if " . " in src or " , " in src:
        return "wikipedia"
    return "news"


def load_faithbench(
    path: Path = FAITHBENCH,
) -> list[tuple[str, int, str, tuple[Passage, ...], Callable[[str], str], bool]]:
    """One row per summary sentence; `hallucinated` is the summary's gold label (worst aggregation)."""
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        s = json.loads(line)
        passages, articles = passages_of([s["source"]])
        gold = bool({lab for a in s["annotations"] for lab in a["label"]} & HALLU)
        summ = s["summary"]
        for st, en in sentence_spans(summ):
            sent = summ[st:en].strip()
            if sent:
                rows.append((source_kind(s["source"]), i, sent, passages, articles.__getitem__, gold))
    return rows
