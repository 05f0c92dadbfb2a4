"""The benchmark: its arithmetic by hand, and a quick run that fails only on a ratio far off target.

No timer is asserted here: `python -m bench --quick --check` compares ratios measured side by side
in one run (onnx vs numpy, ingest vs bare embedding, answer vs plain LlamaIndex retrieval).
"""

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import CHECKS, check
from bench.cpu import LAYERS, MATMUL_PARAMS, passage_flops
from rag.config import PROJECT_ROOT


def test_minilm_matmul_parameters_are_those_of_the_model_weights(embed_model) -> None:  # type: ignore[no-untyped-def]
    # counted in the weights the encoder runs (QKV, output, FFN in and out of every layer)
    layers = embed_model.encoder.weights.layers
    assert len(layers) == LAYERS
    assert MATMUL_PARAMS == sum(layer[k].size for layer in layers for k in ("qkv_w", "o_w", "i_w", "f_w"))


def test_passage_flops_by_hand() -> None:
    # 10 tokens: 2 x 10,616,832 x 10 for the weights, 6 layers x 4 x 10^2 x 384 for attention
    assert passage_flops(10) == 212_336_640 + 921_600


def test_check_flags_only_ratios_past_their_limit() -> None:
    good = {
        "embedding": {"onnx_chunks": {"share_of_measured_gemm_peak": 0.6}, "onnx_speedup_over_numpy": 3.0},
        "ingest": {"ratio_to_bare_embedding_and_analysis": 0.9},
        "latency": {"real": {"p95_ratio_to_baseline": 1.5}},
        "reingest": {"in_process_s": 0.02},
    }
    assert check(good) == []
    slow = {**good, "ingest": {"ratio_to_bare_embedding_and_analysis": 0.3}}
    assert [line.split(" =")[0] for line in check(slow)] == ["ingest / bare embedding + analysis"]
    assert len(check({})) == len(CHECKS)  # a missing figure is a failure, not a pass


def test_quick_benchmark_runs_and_ratios_are_near_target(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--check", "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "answer p50/p95, real corpus" in proc.stdout
    assert out.exists()
    # the cold CLI is timed on a question answered without a parse and on a which/what one, which loads spaCy
    cold = json.loads(out.read_text())["cold_cli"]
    assert len(cold["questions"]) == 2 and any(q.split()[0] in ("What", "Which") for q in cold["questions"])
    assert cold["median_s"] == max(q["median_s"] for q in cold["questions"].values())


# Plays app.py: answers /healthz (unless STUB_HEALTHZ says otherwise) and records every question
# it is asked, with the settings it was started with, beside itself.
STUB_APP = """
import http.server, json, os, sys
LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asked.jsonl")
HEALTHZ = int(os.environ.get("STUB_HEALTHZ", "200"))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(HEALTHZ if self.path == "/healthz" else 404); self.end_headers()
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        seen = {k: os.environ.get(k) for k in ("RAG_CORPUS_DIR", "RAG_INDEX_DIR", "RAG_RATE_LIMIT_PER_MINUTE")}
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path, "question": body["question"], "env": seen}) + "\\n")
        out = json.dumps({"answer": "stub", "citations": []}).encode()
        self.send_response(200); self.end_headers(); self.wfile.write(out)
    def log_message(self, *args): pass
http.server.HTTPServer((os.environ["RAG_HOST"], int(os.environ["RAG_PORT"])), H).serve_forever()
"""


def test_app_cold_start_starts_the_app_with_the_settings_and_asks_every_question(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    import json

    from bench.measure import app_cold_start

    s = make_settings()
    stub = tmp_path / "app.py"
    stub.write_text(STUB_APP)
    result = app_cold_start(s, ["q1", "q2"], app=stub)
    assert result["status"] == "ok" and result["asked"] == 2 and result["peak_rss_mb"] > 1
    asked = [json.loads(line) for line in (tmp_path / "asked.jsonl").read_text().splitlines()]
    assert [(a["path"], a["question"]) for a in asked] == [("/api/ask", "q1"), ("/api/ask", "q2")]
    env = {"RAG_CORPUS_DIR": str(s.corpus_dir), "RAG_INDEX_DIR": str(s.index_dir), "RAG_RATE_LIMIT_PER_MINUTE": "0"}
    assert all(a["env"] == env for a in asked)  # the measured app reads the benchmark's index, unthrottled


def test_app_cold_start_reports_an_app_that_never_gets_ready(tmp_path: Path, make_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bench.measure import app_cold_start

    stub = tmp_path / "app.py"
    stub.write_text(STUB_APP)
    monkeypatch.setenv("STUB_HEALTHZ", "503")
    result = app_cold_start(make_settings(), ["q1"], timeout=3, app=stub)
    assert result["status"].startswith("failed: no 200 on /healthz within 3 s")
    assert not (tmp_path / "asked.jsonl").exists()  # nothing is asked of an app that is not ready
