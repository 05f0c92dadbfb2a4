"""The onnxruntime MiniLM graph against the numpy reference encoder and sentence-transformers."""

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.config import load_settings
from rag.embeddings import build_embedding
from rag.errors import EmbeddingError
from rag.minilm import MiniLMEncoder, length_batches

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"
SPAN_TEXTS = [
    "Iran sells missiles to Russia. The weather in Lisbon was mild.",
    "On September 6, 2024, the Wall Street Journal reported it. Iran denied the report. Tehran said so.",
    "short",
]


@pytest.fixture(scope="module")
def onnx_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(runtime="onnx")


@pytest.fixture(scope="module")
def numpy_encoder() -> MiniLMEncoder:
    return MiniLMEncoder(runtime="numpy", verify=False)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_onnx_is_the_default_when_installed(embed_model) -> None:  # type: ignore[no-untyped-def]
    assert embed_model.encoder.runtime == "onnx"


def test_onnx_vectors_match_sentence_transformers(onnx_encoder: MiniLMEncoder) -> None:
    ref = json.loads(REFERENCE.read_text())
    ours = onnx_encoder.encode(ref["texts"])
    theirs = np.array(ref["vectors"], dtype=np.float32)
    assert cosines(ours, theirs).min() >= 0.99999
    assert np.abs(ours - theirs).max() < 1e-4


def test_onnx_token_states_match_numpy(onnx_encoder: MiniLMEncoder, numpy_encoder: MiniLMEncoder) -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 30000, size=(3, 40))
    mask = np.ones((3, 40), np.float32)
    mask[1, 25:] = 0
    mask[2, 3:] = 0
    ids[mask == 0] = 0
    real = mask > 0
    ours = onnx_encoder.token_states(ids, mask)[real]
    reference = numpy_encoder.numpy_token_states(ids, mask)[real]
    assert np.abs(ours - reference).max() < 1e-4


def test_onnx_sentence_vectors_match_numpy(onnx_encoder: MiniLMEncoder, numpy_encoder: MiniLMEncoder) -> None:
    spans = [[(0, 30), (31, 62)], [(0, 57), (58, 79), (80, 97)], [(0, 5)]]
    vec_o, spans_o = onnx_encoder.encode_with_spans(SPAN_TEXTS, spans)
    vec_n, spans_n = numpy_encoder.encode_with_spans(SPAN_TEXTS, spans)
    assert cosines(vec_o, vec_n).min() >= 0.99999
    for ours, reference in zip(spans_o, spans_n):
        assert ours.shape == reference.shape
        assert cosines(ours, reference).min() >= 0.99999


def test_length_batches_group_similar_lengths_within_budget() -> None:
    lengths = [100, 5, 7, 300, 6, 99, 8]
    batches = length_batches(lengths, max_rows=3, max_tokens=210)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert batches[0] == [1, 4, 2]  # shortest first, at most 3 rows
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 210
    assert [3] in batches  # longer than the budget: alone


def test_forced_onnx_without_onnxruntime_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    with pytest.raises(EmbeddingError, match="RAG_MINILM_RUNTIME=numpy"):
        MiniLMEncoder(runtime="onnx", verify=False)


def test_auto_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with caplog.at_level(logging.WARNING, logger="rag.minilm.encoder"):
        encoder = MiniLMEncoder(verify=False)
    assert encoder.runtime == "numpy"
    assert "numpy" in caplog.text


def test_setting_selects_the_runtime_and_keeps_the_model_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_MINILM_RUNTIME", "numpy")
    model = build_embedding(load_settings())
    assert model.encoder.runtime == "numpy"  # type: ignore[attr-defined]
    assert model.model_name == "all-MiniLM-L6-v2"  # same vectors, same index


def test_the_shipped_graph_is_what_build_onnx_graph_writes_today(onnx_encoder: MiniLMEncoder) -> None:
    """The encoder reads rag/minilm/minilm_graph.onnx instead of importing onnx at run time: a change
    to build_onnx_graph without `python -m scripts.make_onnx_graph` fails here."""
    from rag.minilm.onnx_bert import build_onnx_graph, graph_arrays, stored_graph

    model, arrays = build_onnx_graph(onnx_encoder.weights)
    assert stored_graph() == model
    served = graph_arrays(onnx_encoder.weights)
    assert list(served) == list(arrays)
    assert all(np.array_equal(served[k], arrays[k]) for k in arrays)


def test_a_process_answering_does_not_import_onnx() -> None:
    import subprocess

    code = (
        "import sys; from rag.minilm import MiniLMEncoder; e = MiniLMEncoder(runtime='onnx'); "
        "e.encode(['a sentence']); print(e.runtime, 'onnx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["onnx", "False"]


def test_an_encoder_beside_other_work_gives_the_same_vectors_on_its_own_session(
    onnx_encoder: MiniLMEncoder, numpy_encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.minilm.encoder as encoder_module

    assert onnx_encoder._onnx is not None
    threads = onnx_encoder._onnx.threads  # all the cores this machine has
    monkeypatch.setattr(encoder_module, "available_cores", lambda: threads + 2)  # as if it had two more
    twin = onnx_encoder.beside(1)  # one core left to other work: a session of its own
    assert twin is not onnx_encoder and twin._onnx is not None and twin._onnx.threads == threads + 1
    spans = [[(0, 30)], [(0, 57)], []]
    a, a_spans = onnx_encoder.encode_with_spans(SPAN_TEXTS, spans)
    b, b_spans = twin.encode_with_spans(SPAN_TEXTS, spans)
    assert np.allclose(a, b, atol=1e-5) and all(np.allclose(x, y, atol=1e-5) for x, y in zip(a_spans, b_spans))
    assert onnx_encoder.beside(2) is onnx_encoder  # the threads it already has: no second session
    assert numpy_encoder.beside(1) is numpy_encoder  # numpy's threads are BLAS's, not set here
