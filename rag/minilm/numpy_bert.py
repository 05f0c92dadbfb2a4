"""BERT's forward pass in plain numpy: padded token ids and a mask -> the last hidden states.

The reference that the onnxruntime graph (onnx_bert) is tested against, and the fallback when
onnxruntime is missing. It does not tokenize or pool.
"""

from __future__ import annotations

import math

import numpy as np

from rag.minilm.weights import MINILM_EPS, BertWeights


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf and scipy is not a dependency; BERT's exact GELU needs one.
    # Abramowitz & Stegun 7.1.26 is off by up to 1.5e-7, below float32 noise in this model.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = MINILM_EPS) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def token_states(weights: BertWeights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Last hidden states (batch, seq, 384) for padded ids and a 0/1 mask."""
    W = weights
    batch, seq = ids.shape
    x = _layer_norm(W.word[ids] + W.position[:seq][None] + W.token_type, W.ln_w, W.ln_b)
    bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
    h, d = W.heads, x.shape[-1] // W.heads
    scale = np.float32(1.0 / math.sqrt(d))
    for L in W.layers:
        qkv = x @ L["qkv_w"] + L["qkv_b"]
        q, k, v = (
            qkv[..., i * h * d : (i + 1) * h * d].reshape(batch, seq, h, d).transpose(0, 2, 1, 3) for i in range(3)
        )
        scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, h * d)
        x = _layer_norm(ctx @ L["o_w"] + L["o_b"] + x, L["ln1_w"], L["ln1_b"])
        ff = _gelu(x @ L["i_w"] + L["i_b"]) @ L["f_w"] + L["f_b"]
        x = _layer_norm(ff + x, L["ln2_w"], L["ln2_b"])
    return x
