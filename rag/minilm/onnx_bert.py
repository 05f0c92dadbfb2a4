"""BERT's forward pass in onnxruntime: a graph built in memory from the same arrays as numpy_bert.

Input: BertWeights. Output: OnnxBert, callable like numpy_bert.token_states. No file is written,
nothing is downloaded. It does not tokenize or pool.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from rag.minilm.weights import MINILM_DIM, MINILM_EPS, BertWeights


class OnnxBert:
    """The MiniLM layers as an onnxruntime graph, built in memory from the same arrays.

    Uses onnxruntime's fused CPU kernels (com.microsoft EmbedLayerNormalization, Attention,
    SkipLayerNormalization, BiasGelu) on exactly the numpy encoder's weights and order of
    operations as numpy_bert, so it returns the same token states (float32 noise, ~1e-6). No file is written
    and nothing is downloaded; building the graph takes a fraction of a second.
    """

    def __init__(self, weights: BertWeights, threads: int | None = None) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.threads = threads or available_cores()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Do not busy-wait between runs: the cores are shared with the web server and Chroma.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        model, arrays = stored_graph(), graph_arrays(weights)
        # The weights reach onnxruntime as in-memory "external data": no 90 MB protobuf copy.
        self._arrays = arrays  # onnxruntime reads these buffers; keep them alive
        names = list(arrays)
        options.add_external_initializers(names, [ort.OrtValue.ortvalue_from_numpy(arrays[n]) for n in names])
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids.astype(np.int32), "attention_mask": mask.astype(np.int32)}
        states: np.ndarray = self.session.run(["states"], feeds)[0]
        return states


# The serialised graph (structure only: every weight is external data, passed from memory) ships
# beside this module, so that a process does not import the onnx package (about 0.6 s of a cold
# CLI answer) to build it. `python -m scripts.make_onnx_graph` rewrites it from build_onnx_graph;
# tests/test_onnx_embeddings.py checks that the two are the same bytes.
GRAPH_FILE = Path(__file__).with_name("minilm_graph.onnx")


def stored_graph() -> bytes:
    if not GRAPH_FILE.exists():
        raise FileNotFoundError(
            f"{GRAPH_FILE} is missing: restore it from git or run `python -m scripts.make_onnx_graph`"
        )
    return GRAPH_FILE.read_bytes()


def graph_arrays(bert: BertWeights) -> dict[str, np.ndarray]:
    """The graph's weights by name, in its order: what build_onnx_graph refers to as external data."""
    # Every token has type 0, so its type embedding is folded into the position embedding.
    arrays = {"word": bert.word, "pos": bert.position + bert.token_type, "eln_w": bert.ln_w, "eln_b": bert.ln_b}
    for i, layer in enumerate(bert.layers):
        arrays.update({f"l{i}.{k}": v for k, v in layer.items()})
    return {name: np.ascontiguousarray(a, dtype=np.float32) for name, a in arrays.items()}


def build_onnx_graph(bert: BertWeights) -> tuple[bytes, dict[str, np.ndarray]]:
    """The BERT encoder as a serialised ONNX model (inputs input_ids, attention_mask; output states),
    and its weights by name: the model refers to them as external data, to be passed to the session.
    """
    from onnx import TensorProto, helper

    inits, nodes = [], []
    weights: dict[str, np.ndarray] = {}
    int_inputs = [
        helper.make_tensor_value_info(n, TensorProto.INT32, ["batch", "seq"]) for n in ("input_ids", "attention_mask")
    ]

    def weight(name: str, array: np.ndarray) -> str:
        weights[name] = np.ascontiguousarray(array, dtype=np.float32)
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=array.shape)
        tensor.data_location = TensorProto.EXTERNAL
        tensor.external_data.add(key="location", value=name)  # resolved from memory, never a file
        inits.append(tensor)
        return name

    def op(kind: str, inputs: list[str], output: str, **attrs: Any) -> str:
        domain = "" if kind == "MatMul" else "com.microsoft"
        nodes.append(helper.make_node(kind, inputs, [output], domain=domain, **attrs))
        return output

    # Every token has type 0, so its type embedding is folded into the position embedding.
    pos = bert.position + bert.token_type
    emb = [
        "",
        weight("word", bert.word),
        weight("pos", pos),
        "",
        weight("eln_w", bert.ln_w),
        weight("eln_b", bert.ln_b),
    ]
    nodes.append(
        helper.make_node(
            "EmbedLayerNormalization",
            ["input_ids", *emb, "attention_mask"],
            ["x", "mask_index"],
            domain="com.microsoft",
            epsilon=MINILM_EPS,
        )
    )
    x = "x"
    for i, layer in enumerate(bert.layers):
        w = {k: weight(f"l{i}.{k}", v) for k, v in layer.items()}
        ctx = op("Attention", [x, w["qkv_w"], w["qkv_b"], "attention_mask"], f"l{i}.ctx", num_heads=bert.heads)
        attn = op("MatMul", [ctx, w["o_w"]], f"l{i}.attn")
        x1 = op("SkipLayerNormalization", [attn, x, w["ln1_w"], w["ln1_b"], w["o_b"]], f"l{i}.x1", epsilon=MINILM_EPS)
        inter = op("BiasGelu", [op("MatMul", [x1, w["i_w"]], f"l{i}.inter"), w["i_b"]], f"l{i}.gelu")
        ff = op("MatMul", [inter, w["f_w"]], f"l{i}.ff")
        x = op("SkipLayerNormalization", [ff, x1, w["ln2_w"], w["ln2_b"], w["f_b"]], f"l{i}.x2", epsilon=MINILM_EPS)
    nodes.append(helper.make_node("Identity", [x], ["states"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        int_inputs,
        [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["batch", "seq", MINILM_DIM])],
        inits,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="rag.minilm")
    model.ir_version = 9  # onnx 1.23 writes 14 by default; onnxruntime 1.31 reads up to 13
    return bytes(model.SerializeToString()), weights


def available_cores() -> int:
    """CPU cores this process may run on (cgroup/affinity aware where the OS says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
