"""Time the verifier on real answers: every eval question's offline draft, verified against its
passages, cold (window cache cleared) and warm. Prints p50/p95/max in milliseconds.

    .venv/bin/python -m scripts.bench_verifier [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from rag.config import PROJECT_ROOT, load_settings, prepare_offline_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prepare_offline_env()
    from rag.engine import open_engine
    from rag.grounding import _windows

    engine = open_engine(load_settings())
    items = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "dataset.jsonl").open(encoding="utf-8")]
    cases = []
    for item in items:
        q = engine.rewriter.rewrite(item["user_input"], item.get("history"))
        retrieval = engine.retriever.retrieve(q)
        cases.append((q, engine.backend.draft(q, retrieval).text, retrieval.passages))
    cold, warm = [], []
    for q, text, passages in cases:
        _windows.cache_clear()
        t0 = time.perf_counter()
        engine.verifier.verify(text, passages, q)
        cold.append(time.perf_counter() - t0)
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            engine.verifier.verify(text, passages, q)
            warm.append(time.perf_counter() - t0)
    for name, xs in (("cold (article windows rebuilt)", cold), ("warm", warm)):
        ms = sorted(x * 1000 for x in xs)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        p50 = statistics.median(ms)
        print(f"verifier {name:32s} n={len(ms):4d}  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  max {ms[-1]:6.2f} ms")


if __name__ == "__main__":
    main()
