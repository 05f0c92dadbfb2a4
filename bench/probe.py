"""A stand-in for the app process: open the engine from RAG_* settings, answer N eval questions,
print one JSON line with the peak RSS (VmHWM). `python -m bench.probe N`; used by bench.measure.
"""

from __future__ import annotations

import json
import sys
import time

from rag import load_settings, open_engine, prepare_offline_env


def main() -> None:
    prepare_offline_env()
    from bench.measure import eval_questions, peak_rss_mb

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    t = time.perf_counter()
    engine = open_engine(load_settings())
    opened = time.perf_counter() - t
    for q in eval_questions()[:n]:
        engine.ask(q)
    import os

    print(json.dumps({"peak_rss_mb": peak_rss_mb(os.getpid()), "open_s": opened, "asked": n}))


if __name__ == "__main__":
    main()
