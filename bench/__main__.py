"""`python -m bench [--quick] [--check]`: how fast the product is, on this machine, in one run.

Prints a table (value, target, met?) and writes reports/bench.json. Measures embedding throughput
against the CPU's float32 peak (bench.cpu), ingest against bare embedding, answer latency against
a plain LlamaIndex retriever on the real corpus and synthetic 1k/10k/100k-chunk stores, cold
starts, peak memory and re-ingest. --quick is the small CI version; --check exits 1 only when a
ratio is far off its target (a regression), never on a noisy absolute number.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from rag.config import PROJECT_ROOT, load_settings, prepare_offline_env

REPORTS = PROJECT_ROOT / "reports"

# --check limits: far enough from the targets that a loaded CI machine does not trip them
CHECKS = {
    "embedding share of measured GEMM peak": ("embedding.onnx_chunks.share_of_measured_gemm_peak", ">=", 0.2),
    "onnx speed-up over numpy": ("embedding.onnx_speedup_over_numpy", ">=", 1.2),  # ~2.5x when quiet
    # ingest's target is 80% of bare embedding + analysis (one after the other); since the analysis
    # runs beside the embedding, ingest beats that (1.0-1.2 on 2 cores, 2026-12-07), while the
    # share of bare embedding alone is ~40%: the spaCy analysis costs about twice the embedding
    "ingest / bare embedding + analysis": ("ingest.ratio_to_bare_embedding_and_analysis", ">=", 0.5),
    # set at 4.0 when an answer parsed nothing (2026-11-22); the answer path now parses the question
    # and reads the stored analysis, and its p95 measures 3.0-4.3x plain retrieval's (about 55 ms
    # against 13, on loaded 2-core runs, 2026-12-07; a clean clone's CI run failed at 4.15). The
    # issue's target is absolute, p95 <= 100 ms in process, about 7x the baseline's p95 here: 5.0
    # flags a regression of a quarter over today's worst reading, well inside that target
    "answer p95 / LlamaIndex p95 (real corpus)": ("latency.real.p95_ratio_to_baseline", "<=", 5.0),
    "re-ingest unchanged, in process (s)": ("reingest.in_process_s", "<=", 3.0),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small corpora, no 10k/100k stores, no app (CI)")
    p.add_argument("--check", action="store_true", help="exit 1 when a ratio is far off its target")
    p.add_argument("--sizes", default="10000,100000", help="chunks of the generated-vector stores")
    p.add_argument("--ingest-chunks", type=int, default=0, help="size of the ingested synthetic corpus")
    p.add_argument("--out", type=Path, default=REPORTS / "bench.json")
    p.add_argument("--work", type=Path, default=REPORTS / "bench-work", help="scratch folder (emptied)")
    p.add_argument("--cache", type=Path, default=REPORTS / "bench-cache", help="generated stores, reused")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prepare_offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from rag import quiet_libraries

    quiet_libraries(logging.ERROR)
    results = run(args)
    REPORTS.mkdir(exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(render_table(results))
    print(f"\nwrote {args.out}")
    failed = check(results) if args.check else []
    for line in failed:
        print(f"CHECK FAILED: {line}", file=sys.stderr)
    return 1 if failed else 0


def step(name: str) -> None:
    print(f"[bench] {name} (load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench import measure as m
    from bench.cpu import estimate_peak
    from bench.synth import REAL_CORPUS, cached_store, write_corpus
    from rag.embeddings import MiniLMEmbedding, MiniLMEncoder
    from rag.ingest import ingest

    quick = args.quick
    out: dict[str, Any] = {
        "quick": quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_before": os.getloadavg(),
    }
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    base = load_settings(corpus_dir=REAL_CORPUS, index_dir=args.work / "real-index")
    questions = m.eval_questions()  # all 124: a p95 over fewer is one unlucky question

    step("CPU peak")
    peak = estimate_peak()
    out["peak"] = peak.as_dict()

    step("embedding throughput")
    model = MiniLMEmbedding(MiniLMEncoder(runtime="onnx"))
    ingest(base, embed_model=model, progress=False)  # the real index, also the source of real chunks
    from rag.store import open_store

    real_chunks = open_store(base, model.model_name).chunk_texts()
    sentences = [s for c in real_chunks for s in c.replace("\n", " ").split(". ") if len(s) > 40]
    numpy_encoder = MiniLMEncoder(runtime="numpy", verify=False)
    emb = {
        "onnx_chunks": m.embedding_throughput(model.encoder, real_chunks * (2 if quick else 8), peak),
        "onnx_short": m.embedding_throughput(model.encoder, sentences * (1 if quick else 3), peak),
        "numpy_chunks": m.embedding_throughput(numpy_encoder, real_chunks * (1 if quick else 2), peak, rounds=1),
    }
    emb["onnx_speedup_over_numpy"] = emb["onnx_chunks"]["passages_per_s"] / emb["numpy_chunks"]["passages_per_s"]
    out["embedding"] = emb
    del numpy_encoder

    step("ingest throughput")
    n_ingest = args.ingest_chunks or (150 if quick else 1000)
    ingest_settings = base.model_copy(
        update={"corpus_dir": write_corpus(args.work / "corpus", n_ingest), "index_dir": args.work / "ingest-index"}
    )
    out["ingest"] = m.ingest_throughput(ingest_settings, model, peak)
    ingest_settings = ingest_settings.model_copy(update={"index_dir": Path(f"{ingest_settings.index_dir}-0")})

    step("re-ingest of the unchanged real corpus")
    out["reingest"] = m.reingest_unchanged(base)

    step("answer latency")
    out["latency"] = {
        "real": m.answer_latency(base, questions),
        "ingested": m.answer_latency(ingest_settings, questions),
    }
    out["generated_stores"] = {}
    for size in [] if quick else [int(s) for s in args.sizes.split(",") if s]:
        step(f"generated store of {size} chunks (random vectors, synthetic text)")
        store_settings, chunks, build_s = cached_store(args.cache, base, size)
        out["generated_stores"][str(size)] = {"chunks": chunks, "build_s": build_s, "vectors": "random, not embedded"}
        out["latency"][str(size)] = m.answer_latency(store_settings, questions)

    step("cold start")
    out["cold_cli"] = m.cold_cli(base, m.cold_questions(questions), runs=1 if quick else 3)
    out["app"] = {"status": "skipped (--quick)"} if quick else m.app_cold_start(base, questions[:20])
    if out["app"].get("status") == "ok" and out["generated_stores"]:
        largest = max(out["generated_stores"], key=int)
        out["app_" + largest] = m.app_cold_start(cached_store(args.cache, base, int(largest))[0], questions[:20])

    step("peak memory")
    out["rss"] = {"real": m.engine_rss(base, 30 if quick else len(questions))}
    for size in out["generated_stores"]:
        store_settings, _, _ = cached_store(args.cache, base, int(size))
        out["rss"][size] = m.engine_rss(store_settings, 30)
    out["load_after"] = os.getloadavg()
    return out


def get(results: dict[str, Any], dotted: str) -> Any:
    value: Any = results
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def check(results: dict[str, Any]) -> list[str]:
    failed = []
    for name, (key, op, limit) in CHECKS.items():
        value = get(results, key)
        ok = value is not None and (value >= limit if op == ">=" else value <= limit)
        if not ok:
            failed.append(f"{name} = {value} (must be {op} {limit}; see reports/bench.json)")
    return failed


def render_table(r: dict[str, Any]) -> str:
    from bench.report import rows

    table = rows(r)
    widths = [max(len(str(row[i])) for row in table) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
