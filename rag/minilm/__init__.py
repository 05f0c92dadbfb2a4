"""The offline embedding model, all-MiniLM-L6-v2, run without torch: weights (weights.py), two
forward passes that give the same vectors (numpy_bert.py, the reference; onnx_bert.py, the fast
path) and the encoder that tokenizes, batches and pools (encoder.py). rag.embeddings wraps it.
"""

from rag.minilm.encoder import MiniLMEncoder, length_batches
from rag.minilm.weights import (
    MINILM_DIM,
    MINILM_MAX_TOKENS,
    MINILM_MODEL_NAME,
    MINILM_WEIGHTS_SHA256,
    minilm_model_dir,
    sha256_file,
)

__all__ = [
    "MINILM_DIM",
    "MINILM_MAX_TOKENS",
    "MINILM_MODEL_NAME",
    "MINILM_WEIGHTS_SHA256",
    "MiniLMEncoder",
    "length_batches",
    "minilm_model_dir",
    "sha256_file",
]
