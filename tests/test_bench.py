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
