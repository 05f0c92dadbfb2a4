"""The load test in its short CI form: `python app.py` under 10 concurrent clients for 8 s on loopback
(offline backend, rate limit off) answers every request as it should, and its memory stays flat.
The full run (20 clients x 30 s) and its figures: README, "Reliability and security"."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rag.config import PROJECT_ROOT


def test_the_app_under_concurrent_clients_makes_no_error_and_keeps_its_memory_flat(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(RAG_CORPUS_DIR=str(real_settings.corpus_dir), RAG_INDEX_DIR=str(real_settings.index_dir))
    p = subprocess.run(
        [sys.executable, "-m", "scripts.load_test", "--clients", "10", "--seconds", "8", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    lines = p.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {}
    assert p.returncode == 0, (report, p.stderr[-2000:])  # the script exits 1 when its own checks fail
    assert report["ok"] and report["errors"] == 0, report["error_kinds"]
    assert report["requests"] >= 10 and report["clients"] == 10
    assert report["rss_mb"]["end"] <= report["rss_mb"]["start"] * 1.5, report["rss_mb"]
    print(report)  # shown with pytest -s
