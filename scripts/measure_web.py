"""Print how fast `python app.py` comes up and how much memory it holds: start -> first 200 on /healthz,
RSS after start and after some questions, and /api/ask latency. Uses the RAG_* settings of the shell
(the index must exist, or the first start includes building it).

    .venv/bin/python scripts/measure_web.py [N_QUESTIONS]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "What does Iran receive in return for the missiles it sends to Russia?",
    "How many Shahed drones has Iran sold to Russia?",
    "What did Blinken say about the missile transfers?",
]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAG_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                sys.exit("app.py exited before answering /healthz")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        ready = time.perf_counter() - t0
        rss, _ = rss_mb(proc.pid)
        latencies = []
        for i in range(n):
            t = time.perf_counter()
            question = QUESTIONS[i % len(QUESTIONS)]
            httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60).raise_for_status()
            latencies.append(time.perf_counter() - t)
        rss_after, peak = rss_mb(proc.pid)
        print(f"start -> /healthz 200: {ready:.2f} s")
        print(f"RSS when ready: {rss:.0f} MB; after {n} questions: {rss_after:.0f} MB (peak {peak:.0f} MB)")
        median_ms, max_ms = statistics.median(latencies) * 1000, max(latencies) * 1000
        print(f"/api/ask latency: median {median_ms:.0f} ms, max {max_ms:.0f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
