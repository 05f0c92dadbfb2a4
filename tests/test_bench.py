"""The benchmark: its arithmetic by hand, and a quick run that fails only on a ratio far off target.

No timer is asserted here: `python -m bench --quick --check` compares ratios measured side by side
in one run (onnx vs numpy, ingest vs bare embedding, answer vs plain LlamaIndex retrieval).
"""

import subprocess
import sys
from pathlib import Path

from bench.__main__ import CHECKS, check
from bench.cpu import MATMUL_PARAMS, passage_flops
from rag.config import PROJECT_ROOT


def test_minilm_matmul_parameters() -> None:
    # per layer: QKV 384x1152, output 384x384, FFN 384x1536 and 1536x384
    assert MATMUL_PARAMS == 6 * (442_368 + 147_456 + 589_824 + 589_824) == 10_616_832


def test_passage_flops_by_hand() -> None:
    # 10 tokens: 2 x 10,616,832 x 10 for the weights, 6 layers x 4 x 10^2 x 384 for attention
    assert passage_flops(10) == 212_336_640 + 921_600


def test_check_flags_only_ratios_past_their_limit() -> None:
    good = {
        "embedding": {"onnx_chunks": {"share_of_measured_gemm_peak": 0.6}, "onnx_speedup_over_numpy": 3.0},
        "ingest": {"ratio_to_bare_embedding": 0.9},
        "latency": {"real": {"p95_ratio_to_baseline": 1.5}},
        "reingest": {"in_process_s": 0.02},
    }
    assert check(good) == []
    slow = {**good, "ingest": {"ratio_to_bare_embedding": 0.3}}
    assert [line.split(" =")[0] for line in check(slow)] == ["ingest / bare embedding"]
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


STUB_APP = """
import http.server, json, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 404); self.end_headers()
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"answer": "stub", "citations": []}).encode()
        self.send_response(200); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.HTTPServer((os.environ["RAG_HOST"], int(os.environ["RAG_PORT"])), H).serve_forever()
"""


def test_app_cold_start_is_ready_for_app_py(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    from bench.measure import app_cold_start

    assert app_cold_start(make_settings(), ["q"], app=tmp_path / "absent.py") == {"status": "n/a (no app.py yet)"}
    stub = tmp_path / "app.py"
    stub.write_text(STUB_APP)
    result = app_cold_start(make_settings(), ["q1", "q2"], app=stub)
    assert result["status"] == "ok" and result["asked"] == 2
    assert 0 < result["healthz_200_s"] < 60 and result["peak_rss_mb"] > 1
