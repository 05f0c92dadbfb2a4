"""Time the verifier per answer, on two kinds of answers:

- offline: every eval question's offline draft (verbatim quotes), verified against its passages;
- set B: the replay set's model-style answers (../shared/replay/set_B.jsonl), each against the
  sources its prompt held (paraphrase, several sources, pronouns: the slow paths), carrying the
  language analysis ingest stores with every chunk (as passages from the store do), and again
  without it (as the scorers in ../shared build passages: every sentence the rules read is parsed).

Each cold (caches of sentence terms, parses and MiniLM vectors cleared) and warm. Prints
p50/p95/max in milliseconds.

    .venv/bin/python -m scripts.bench_verifier [--repeat 5] [--index-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

from rag.config import PROJECT_ROOT, load_settings, prepare_offline_env


def clear_caches() -> None:
    from rag import grounding

    grounding._windows_cache_clear()
    grounding._shared.get("cache", {}).clear()


def timed(cases, repeat: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    cold, warm = [], []
    for verifier, q, text, passages in cases:
        clear_caches()
        t0 = time.perf_counter()
        verifier.verify(text, passages, q)
        cold.append(time.perf_counter() - t0)
        for _ in range(repeat):
            t0 = time.perf_counter()
            verifier.verify(text, passages, q)
            warm.append(time.perf_counter() - t0)
    return cold, warm


def report(name: str, xs: list[float]) -> None:
    ms = sorted(x * 1000 for x in xs)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    p50 = statistics.median(ms)
    print(f"verifier {name:30s} n={len(ms):4d}  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {ms[-1]:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--index-dir", type=Path, help="an index of corpus/ (default: the settings' one)")
    args = parser.parse_args()
    prepare_offline_env()
    from rag.engine import open_engine
    from rag.grounding import Verifier, minilm_embed
    from rag.ingest import analyse_chunks
    from scripts.verifier_data import SET_B, corpus_passages

    settings = load_settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    engine = open_engine(settings)
    minilm_embed(["warm the encoder up"])  # its one-off load is not a verification
    items = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "dataset.jsonl").open(encoding="utf-8")]
    offline = []
    for item in items:
        q = engine.rewriter.rewrite(item["user_input"], item.get("history"))
        retrieval = engine.retriever.retrieve(q)
        offline.append((engine.verifier, q, engine.backend.draft(q, retrieval).text, retrieval.passages))
    set_b, set_b_bare = [], []
    for line in SET_B.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        passages, articles = corpus_passages(r["prompt_sources"])
        facts = analyse_chunks([p.chunk for p in passages])  # what ingest stores: not timed
        stored = tuple(replace(p, facts=f) for p, f in zip(passages, facts))
        set_b.append((Verifier(articles.__getitem__), r["question"], r["answer"], stored))
        set_b_bare.append((Verifier(articles.__getitem__), r["question"], r["answer"], passages))
    for name, cases in (
        ("offline drafts", offline),
        ("set B answers", set_b),
        ("set B, nothing stored", set_b_bare),  # passages as the scorers build them: all parsed here
    ):
        cold, warm = timed(cases, args.repeat)
        report(f"{name}, cold", cold)
        report(f"{name}, warm", warm)


if __name__ == "__main__":
    main()
