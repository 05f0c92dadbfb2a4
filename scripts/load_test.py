"""Bounded load test of the web app on loopback: N clients ask POST /api/ask at once for T seconds.

Starts `python app.py` (offline backend, rate limit off, a throwaway feedback log; the index of
RAG_INDEX_DIR, built first if missing) unless --url is given, warms it up, then prints requests,
errors, throughput, p50/p95/max latency and the server's RSS at start (after warm-up), middle and end.
Exits 1 on any error (an unexpected status, a malformed answer, a timeout) or when the server's RSS
grows by more than --max-rss-growth (memory must stay flat).

    .venv/bin/python -m scripts.load_test                      # 20 clients x 30 s
    .venv/bin/python -m scripts.load_test --clients 10 --seconds 8 --json
    .venv/bin/python -m scripts.load_test --url http://127.0.0.1:7860 --pid PID   # a running server
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ANSWER_KEYS = {"question", "answer", "abstained", "citations", "backend"}
# (question, history, expected status): answerable, unanswerable, a follow-up, another script, a bad one
MIX: list[tuple[str, list[dict[str, str]], int]] = [
    ("What does Iran receive in return for the missiles it sends to Russia?", [], 200),
    ("How many Shahed drones has Iran sold to Russia?", [], 200),
    ("What did Blinken say about the missile transfers?", [], 200),
    ("Who is Salal Sadatian?", [], 200),
    (
        "What did he say about relations with Russia?",
        [{"role": "user", "content": "Who is Salal Sadatian?"}, {"role": "assistant", "content": "A diplomat."}],
        200,
    ),
    ("When did the UN embargo on missile trade with Iran expire?", [], 200),
    ("Сколько ракет Иран отправил в Россию?", [], 200),
    ("What is the name of the Persian Gulf port that Iran may lend to China’s navy?", [], 200),
    ("   ", [], 422),
]


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def check(response: httpx.Response, expected: int) -> str:
    """'' when the response is what this request should get, else what is wrong with it."""
    if response.status_code != expected:
        return f"HTTP {response.status_code} (expected {expected})"
    body = response.json()
    if expected == 200 and not (ANSWER_KEYS <= set(body) and body["answer"]):
        return "malformed answer"
    if expected != 200 and not body.get("detail"):
        return "error without detail"
    return ""


def client_loop(url: str, index: int, stop_at: float, results: Results) -> None:
    with httpx.Client(base_url=url, timeout=120) as http:
        i = index
        while time.monotonic() < stop_at:
            question, history, expected = MIX[i % len(MIX)]
            i += 1
            t0 = time.perf_counter()
            try:
                problem = check(http.post("/api/ask", json={"question": question, "history": history}), expected)
            except httpx.HTTPError as e:
                problem = type(e).__name__
            elapsed = time.perf_counter() - t0
            with results.lock:
                results.latencies.append(elapsed)
                if problem:
                    results.errors[problem] += 1


def sample_rss(pid: int | None, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    t0 = time.monotonic()
    while pid and not stop.is_set():
        samples.append((time.monotonic() - t0, rss_mb(pid)))
        stop.wait(0.5)


def start_server() -> tuple[subprocess.Popen[bytes], str, Path]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="rag-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(
        RAG_PORT=str(port),
        RAG_BACKEND="offline",
        RAG_RATE_LIMIT_PER_MINUTE="0",  # one address plays all the clients
        RAG_FEEDBACK_LOG=str(tmp / "feedback.jsonl"),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
    )
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"app.py exited ({proc.returncode}); see {tmp / 'server.log'}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url, tmp
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit("app.py did not answer /healthz within 300 s")


def run(url: str, pid: int | None, clients: int, seconds: float) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=120) as http:  # warm-up: every question once
        for question, history, expected in MIX:
            problem = check(http.post("/api/ask", json={"question": question, "history": history}), expected)
            if problem:
                sys.exit(f"warm-up failed: {question!r}: {problem}")
    results, samples, stop = Results(), [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(pid, stop, samples), daemon=True)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(url, i, started + seconds, results)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    if pid:
        samples.append((wall, rss_mb(pid)))
    lat = sorted(results.latencies)
    rss = [mb for _, mb in samples]
    middle = min(samples, key=lambda s: abs(s[0] - wall / 2))[1] if samples else None
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(lat),
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "throughput_rps": round(len(lat) / wall, 2),
        "latency_ms": {
            "p50": round(statistics.median(lat) * 1000),
            "p95": round(lat[max(0, int(len(lat) * 0.95) - 1)] * 1000),
            "max": round(lat[-1] * 1000),
        },
        "rss_mb": {
            "start": round(rss[0]) if rss else None,
            "middle": round(middle) if middle else None,
            "end": round(rss[-1]) if rss else None,
            "peak": round(max(rss)) if rss else None,
        },
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--url", help="a running server (default: start app.py)")
    p.add_argument("--pid", type=int, help="the running server's process id, for its RSS")
    p.add_argument("--max-rss-growth", type=float, default=1.5, help="allowed end/start RSS ratio")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    proc = None
    url, pid = args.url, args.pid
    if url is None:
        proc, url, _ = start_server()
        pid = proc.pid
    try:
        report = run(url, pid, args.clients, args.seconds)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    rss = report["rss_mb"]
    grew = bool(rss["start"] and rss["end"] > rss["start"] * args.max_rss_growth)
    report["ok"] = report["errors"] == 0 and report["requests"] > 0 and not grew
    if args.json:
        print(json.dumps(report))
    else:
        lat = report["latency_ms"]
        print(f"{report['clients']} clients x {report['seconds']} s against {url}/api/ask (offline backend)")
        print(f"requests {report['requests']}, errors {report['errors']} {report['error_kinds'] or ''}")
        print(f"throughput {report['throughput_rps']} requests/s")
        print(f"latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms")
        print(
            f"server RSS start {rss['start']} MB, middle {rss['middle']} MB, end {rss['end']} MB, peak {rss['peak']} MB"
        )
        print("OK" if report["ok"] else "FAILED")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
