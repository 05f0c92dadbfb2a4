"""The benchmark's measurements, one function each; bench.__main__ runs them and prints the table.

Every function returns a plain dict (it goes to reports/bench.json). Timings are wall-clock on a
shared machine: compare ratios (measured side by side in the same run) rather than absolutes.
Nothing here asserts a target; bench.__main__ --check flags ratios far off their target.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.cpu import Peak, passage_flops
from rag.config import PROJECT_ROOT, Settings
from rag.minilm import MiniLMEncoder

PY = sys.executable


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    a = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)), "n": len(a)}


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ---------------------------------------------------------------- embedding


def embedding_throughput(encoder: MiniLMEncoder, texts: Sequence[str], peak: Peak, rounds: int = 3) -> dict[str, Any]:
    """Passages/s of encoder.encode on texts (best of rounds) and the share of both peaks it reaches."""
    tokens = [len(e.ids) for e in encoder.tokenizer.encode_batch(list(texts))]
    flops = sum(passage_flops(t) for t in tokens)
    encoder.encode(texts[:8])  # warm-up: first-run allocations
    best = min(timed(lambda: encoder.encode(texts)) for _ in range(rounds))
    gflops = flops / best / 1e9
    return {
        "runtime": encoder.runtime,
        "passages": len(texts),
        "mean_tokens": float(np.mean(tokens)),
        "passages_per_s": len(texts) / best,
        "gflops": gflops,
        "share_of_theoretical_peak": gflops / peak.theoretical_gflops,
        "share_of_measured_gemm_peak": gflops / peak.measured_gflops,
    }


# ---------------------------------------------------------------- ingest


def ingest_throughput(settings: Settings, model: Any, peak: Peak, rounds: int = 3) -> dict[str, Any]:
    """End-to-end ingest of settings.corpus_dir into fresh indexes, with the model already loaded.

    End to end = read files, chunk, embed (chunk and sentence vectors), write to Chroma. Each round
    ingests into a new folder and then, right after, times bare `encode` of the very same chunk
    texts, so that both see about the same machine load; the ratio is taken per round (paired),
    and the median over rounds is reported (the load on this shared machine comes and goes).
    """
    from rag import nlp
    from rag.ingest import ingest
    from rag.store import open_store

    ingest_rates, bare_rates, work_rates, chunks = [], [], [], 0
    for i in range(rounds):
        run = settings.model_copy(update={"index_dir": Path(f"{settings.index_dir}-{i}")})
        t = time.perf_counter()
        report = ingest(run, embed_model=model, progress=False)
        ingest_rates.append(report.chunks_embedded / (time.perf_counter() - t))
        texts = open_store(run, model.model_name).chunk_texts()
        embed_s = timed(lambda texts=texts: model.encoder.encode(texts))  # type: ignore[misc]
        analyse_s = timed(lambda texts=texts: nlp.parse_many(texts))  # type: ignore[misc]
        bare_rates.append(len(texts) / embed_s)
        work_rates.append(len(texts) / (embed_s + analyse_s))  # both stages, one after the other
        chunks = report.chunks_embedded
    ratios = [i / b for i, b in zip(ingest_rates, bare_rates)]
    work_ratios = [i / w for i, w in zip(ingest_rates, work_rates)]
    return {
        "chunks": chunks,
        "rounds": rounds,
        "chunks_per_s": float(np.median(ingest_rates)),
        "bare_embedding_chunks_per_s": float(np.median(bare_rates)),
        "ratio_to_bare_embedding": float(np.median(ratios)),
        # ingest also parses every chunk with spaCy (rag.nlp, for the answerer): against the two
        # stages' bare time together, what is left is the pipeline's own overhead (reading, chunking,
        # writing to Chroma), which is what the tripwire of `--check` watches
        "bare_embedding_and_analysis_chunks_per_s": float(np.median(work_rates)),
        "ratio_to_bare_embedding_and_analysis": float(np.median(work_ratios)),
        "all_ingest_chunks_per_s": ingest_rates,
        "all_bare_chunks_per_s": bare_rates,
        "all_ratios": ratios,
    }


def reingest_unchanged(settings: Settings) -> dict[str, Any]:
    """An unchanged corpus ingested again: in-process (as a library call), and as a CLI process."""
    from rag.ingest import ingest

    t = time.perf_counter()
    report = ingest(settings, progress=False)
    in_process = time.perf_counter() - t
    assert report.chunks_embedded == 0, "re-ingest of an unchanged corpus embedded something"
    cli = min(_run_cli(["ingest"], settings)[0] for _ in range(2))
    return {"in_process_s": in_process, "cli_process_s": cli, "chunks_embedded": report.chunks_embedded}


# ---------------------------------------------------------------- answers


def answer_latency(settings: Settings, questions: Sequence[str], warmup: int = 5, rounds: int = 2) -> dict[str, Any]:
    """engine.ask() latency, interleaved question by question with a plain LlamaIndex retriever.

    The baseline is VectorStoreIndex over the same Chroma collection and the same embedding
    model, retrieval only (top_k): what a minimal LlamaIndex app pays per question. The questions
    are asked `rounds` times: a p95 of 124 timings is the 7th slowest, which one pause of a shared
    machine moves (the p95 ratio read 2.97 to 4.28 over single rounds of one day's loaded runs).
    """
    from llama_index.core import VectorStoreIndex

    from rag.engine import open_engine

    engine = open_engine(settings)
    retriever = engine.retriever
    baseline = VectorStoreIndex.from_vector_store(
        retriever.store.vector_store, embed_model=retriever.embed_model
    ).as_retriever(similarity_top_k=settings.top_k)
    for q in questions[:warmup]:
        engine.ask(q)
        baseline.retrieve(q)
    ours, base = [], []
    for q in [q for _ in range(rounds) for q in questions]:
        ours.append(timed(lambda q=q: engine.ask(q)))  # type: ignore[misc]
        base.append(timed(lambda q=q: baseline.retrieve(q)))  # type: ignore[misc]
    mine, theirs = percentiles(ours), percentiles(base)
    return {
        "chunks": retriever.keywords.size,
        "ours": mine,
        "baseline": theirs,
        "p95_ratio_to_baseline": mine["p95_ms"] / theirs["p95_ms"],
        "p50_ratio_to_baseline": mine["p50_ms"] / theirs["p50_ms"],
    }


def eval_questions() -> list[str]:
    path = PROJECT_ROOT / "eval" / "dataset.jsonl"
    return [json.loads(line)["user_input"] for line in path.read_text().splitlines() if line.strip()]


# ---------------------------------------------------------------- processes


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_CORPUS_DIR=str(settings.corpus_dir),
        RAG_INDEX_DIR=str(settings.index_dir),
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
        **extra,
    )
    return env


def _run_cli(args: list[str], settings: Settings) -> tuple[float, str]:
    """Wall time from process start to its first line of output (or exit), and that line."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "rag", *args], env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    seconds = time.perf_counter() - t
    proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m rag {' '.join(args)} failed with {proc.returncode}")
    return seconds, line


def cold_cli(settings: Settings, questions: Sequence[str], runs: int = 3) -> dict[str, Any]:
    """`python -m rag ask --json Q` from process start to the answer line, index already built, for
    each question; median_s is the slowest question's median. Ask both a question the rules answer
    without a parse and one they parse with spaCy (which/what; who-does questions too): that parse
    loads spaCy, about 0.6 s."""
    per_question = {}
    for question in questions:
        times = []
        for _ in range(runs):
            seconds, line = _run_cli(["ask", "--json", question], settings)
            json.loads(line)  # it really answered
            times.append(seconds)
        per_question[question] = {"median_s": float(np.median(times)), "min_s": min(times)}
    slowest = max(per_question.values(), key=lambda q: q["median_s"])
    return {**slowest, "runs": runs, "questions": per_question}


def cold_questions(questions: Sequence[str]) -> list[str]:
    """The first eval question, and the first one asking "What/Which ..." if that is another."""
    parsed = next((q for q in questions if q.split()[0].lower() in ("what", "which")), questions[0])
    return list(dict.fromkeys([questions[0], parsed]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else float("nan")


def app_cold_start(
    settings: Settings, questions: Sequence[str], timeout: float = 90.0, app: Path = PROJECT_ROOT / "app.py"
) -> dict[str, Any]:
    """`python app.py` to GET /healthz 200, then its peak RSS after answering questions over HTTP."""
    port = free_port()
    # one client asking many questions: the per-client rate limit would measure itself, not the app
    env = _env(settings, RAG_HOST="127.0.0.1", RAG_PORT=str(port), RAG_RATE_LIMIT_PER_MINUTE="0")
    t = time.perf_counter()
    proc = subprocess.Popen(
        [PY, str(app)], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        ready = _wait_healthz(port, proc, t + timeout)
        if ready is None:
            return {"status": f"failed: no 200 on /healthz within {timeout:.0f} s (exit {proc.poll()})"}
        for q in questions:
            _post_json(f"http://127.0.0.1:{port}/api/ask", {"question": q})
        return {
            "status": "ok",
            "healthz_200_s": ready - t,
            "peak_rss_mb": peak_rss_mb(proc.pid),
            "asked": len(questions),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_healthz(port: int, proc: subprocess.Popen, deadline: float) -> float | None:  # type: ignore[type-arg]
    while time.perf_counter() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.05)
    return None


def _post_json(url: str, body: dict[str, Any]) -> Any:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def engine_rss(settings: Settings, n_questions: int) -> dict[str, Any]:
    """Peak RSS of a process that opens the engine (as the app does) and answers n questions."""
    proc = subprocess.run(
        [PY, "-m", "bench.probe", str(n_questions)], env=_env(settings), capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench.probe failed: {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))
