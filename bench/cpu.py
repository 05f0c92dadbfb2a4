"""The CPU's float32 peak, two ways, and the FLOPs MiniLM spends on a passage.

theoretical_peak(): cores x GHz x FMA units x SIMD lanes x 2, read from /proc/cpuinfo (the clock
is the nominal one the VM reports; turbo would raise it). measured_gemm_peak(): the best of a
large float32 GEMM in numpy (OpenBLAS) and in onnxruntime (MLAS, the library that runs MiniLM),
i.e. what this machine really delivers to a matrix multiply right now. Nothing here is asserted.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

# all-MiniLM-L6-v2: 6 layers, hidden 384, intermediate 1536
LAYERS, HIDDEN, INTER = 6, 384, 1536
MATMUL_PARAMS = LAYERS * (HIDDEN * 3 * HIDDEN + HIDDEN * HIDDEN + 2 * HIDDEN * INTER)  # 10.6 M


def passage_flops(tokens: int) -> float:
    """Multiply-adds x 2 of one passage of `tokens` word pieces (specials included).

    Weights: 2 x params-in-matmuls x tokens. Attention: Q.K^T and P.V, each 2 x tokens^2 x hidden
    per layer. LayerNorm, GELU, softmax and the embedding lookup are under 1% and not counted.
    """
    return 2.0 * MATMUL_PARAMS * tokens + LAYERS * 4.0 * tokens * tokens * HIDDEN


@dataclass
class Peak:
    cores: int
    ghz: float
    simd_lanes: int  # float32 lanes per vector register the CPU reports (avx512f: 16, avx2: 8)
    fma_units: int
    theoretical_gflops: float
    numpy_gemm_gflops: float
    onnx_gemm_gflops: float
    how: str

    @property
    def measured_gflops(self) -> float:
        return max(self.numpy_gemm_gflops, self.onnx_gemm_gflops)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "measured_gflops": self.measured_gflops}


def cpu_facts() -> tuple[int, float, int, str]:
    """(cores usable, nominal GHz, float32 SIMD lanes, model name) from the OS."""
    cores = len(os.sched_getaffinity(0))
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    mhz = [float(m) for m in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", text, re.M)]
    flags = set((re.search(r"^flags\s*:\s*(.*)$", text, re.M) or re.search("(.*)", "")).group(1).split())
    model = (re.search(r"^model name\s*:\s*(.*)$", text, re.M) or re.search("(.*)", "")).group(1)
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4
    return cores, (max(mhz) / 1000 if mhz else 2.0), lanes, model.strip()


def numpy_gemm_gflops(n: int = 1536, repeats: int = 10) -> float:
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = a.T.copy()
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2.0 * n**3 / best / 1e9


def onnx_gemm_gflops(n: int = 1536, repeats: int = 10) -> float:
    """A lone MatMul in onnxruntime with as many threads as cores: MLAS's practical peak."""
    import onnxruntime as ort  # type: ignore[import-untyped]
    from onnx import TensorProto, helper, numpy_helper

    w = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, n])],
        [numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    options = ort.SessionOptions()
    options.intra_op_num_threads = len(os.sched_getaffinity(0))
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    x = {"x": w.copy()}
    session.run(None, x)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        session.run(None, x)
        best = min(best, time.perf_counter() - t)
    return 2.0 * n**3 / best / 1e9


def estimate_peak(fma_units: int = 2) -> Peak:
    """Both peaks. fma_units=2: every x86 core with AVX2 or AVX-512 since Haswell/Zen 2 has two."""
    cores, ghz, lanes, model = cpu_facts()
    theoretical = cores * ghz * fma_units * lanes * 2
    how = (
        f"{model}: {cores} cores x {ghz:.2f} GHz (nominal, /proc/cpuinfo) x {fma_units} FMA units x "
        f"{lanes} float32 lanes ({'avx512f' if lanes == 16 else 'avx2' if lanes == 8 else 'sse'}) x 2 FLOP/FMA"
    )
    return Peak(cores, ghz, lanes, fma_units, theoretical, numpy_gemm_gflops(), onnx_gemm_gflops(), how)
