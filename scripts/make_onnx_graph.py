"""Write rag/minilm/minilm_graph.onnx: the MiniLM graph's structure (weights as external data),
built by rag.minilm.onnx_bert.build_onnx_graph over the pinned weights. The encoder reads the file
instead of importing the onnx package at run time; tests/test_onnx_embeddings.py checks the file is
what build_onnx_graph writes today. Run it after changing build_onnx_graph:

    .venv/bin/python -m scripts.make_onnx_graph
"""

from __future__ import annotations

from rag.minilm.onnx_bert import GRAPH_FILE, build_onnx_graph
from rag.minilm.weights import load_weights, minilm_model_dir


def main() -> None:
    model, _ = build_onnx_graph(load_weights(minilm_model_dir()))
    GRAPH_FILE.write_bytes(model)
    print(f"wrote {GRAPH_FILE} ({len(model):,} bytes)")


if __name__ == "__main__":
    main()
