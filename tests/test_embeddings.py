import json
from pathlib import Path

import numpy as np
import pytest

from rag.errors import EmbeddingError
from rag.minilm import MINILM_WEIGHTS_SHA256, MiniLMEncoder, minilm_model_dir, sha256_file

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


def test_packaged_weights_are_the_pinned_ones() -> None:
    assert sha256_file(minilm_model_dir() / "model.safetensors") == MINILM_WEIGHTS_SHA256


def test_vectors_match_sentence_transformers(embed_model) -> None:  # type: ignore[no-untyped-def]
    ref = json.loads(REFERENCE.read_text())
    ours = embed_model.encoder.encode(ref["texts"])
    theirs = np.array(ref["vectors"], dtype=np.float32)
    cosines = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() > 0.99999
    assert np.abs(ours - theirs).max() < 1e-4


def test_batching_and_padding_do_not_change_vectors(embed_model) -> None:  # type: ignore[no-untyped-def]
    texts = ["short", "a much longer sentence about missiles and wheat and soy " * 3]
    one_by_one = np.stack([embed_model.encoder.encode([t])[0] for t in texts])
    batched = embed_model.encoder.encode(texts, batch_size=2)
    assert np.allclose(one_by_one, batched, atol=1e-5)


def test_vectors_rank_by_meaning(embed_model) -> None:  # type: ignore[no-untyped-def]
    q = np.array(embed_model.get_query_embedding("What does Iran get in exchange for missiles?"))
    near, far = embed_model.get_text_embedding_batch(
        [
            "Iran is bartering missiles and drones in exchange for wheat and soy.",
            "The weather was mild in Lisbon.",
        ]
    )
    assert q @ np.array(near) > q @ np.array(far) + 0.3


def test_span_vectors_pool_the_sentence_tokens(embed_model) -> None:  # type: ignore[no-untyped-def]
    text = "Iran sells missiles to Russia. The weather in Lisbon was mild."
    spans = [(0, 30), (31, len(text))]
    vectors, span_vectors = embed_model.encoder.encode_with_spans([text], [spans])
    assert span_vectors[0].shape == (2, 384)
    assert np.allclose(np.linalg.norm(span_vectors[0], axis=1), 1.0, atol=1e-5)
    q = embed_model.encoder.encode(["Which weapons does Russia buy?"])[0]
    assert span_vectors[0][0] @ q > span_vectors[0][1] @ q


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    import shutil

    model = tmp_path / "model"
    shutil.copytree(minilm_model_dir(), model)
    with (model / "model.safetensors").open("r+b") as f:
        f.seek(-4, 2)
        f.write(b"\x00\x00\x00\x01")
    with pytest.raises(EmbeddingError, match="not the pinned"):
        MiniLMEncoder(model)
