"""Word vectors, for matching a question's word to the word a sentence says it with.

Input: words (lower-cased, as rag.text.words gives them). Output: one L2-normalised vector per
word, and the cosine of every question word with every sentence word. The vector of a word is
all-MiniLM-L6-v2's vector of the word alone (no context): "weaponry" / "missiles" 0.64, "Tehran"
/ "Iran" 0.74, "die" / "death" 0.76, but "cost" / "built" 0.25, "agree" / "refused" 0.13
(measured 2026-12-01; the threshold that uses them is fitted by scripts/fit_rules.py). Written by
hand because no package ships English word vectors that load offline (spaCy's small pipeline has
none; see ../shared/OFFLINE.md) and MiniLM is loaded anyway. Vectors are computed on first use and
kept for the life of the process (a word's vector never changes); nothing is stored in the index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> L2-normalised vectors (n, dim)

CACHE_WORDS = 200_000  # about 300 MB of float32 at 384 dims at most; SQuAD's 18 articles use 12k words


class WordVectors:
    def __init__(self, encode: Encode, batch_size: int = 256) -> None:
        self._encode = encode
        self._batch_size = batch_size
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # the web app answers on several threads

    def vectors(self, words: Sequence[str]) -> np.ndarray:
        """(len(words), dim) vectors, encoding only the words not seen before."""
        with self._lock:
            new = [w for w in dict.fromkeys(words) if w not in self._vectors]
            if len(self._vectors) + len(new) > CACHE_WORDS:
                self._vectors = {}
            for start in range(0, len(new), self._batch_size):
                batch = new[start : start + self._batch_size]
                self._vectors.update(zip(batch, np.asarray(self._encode(batch), dtype=np.float32)))
            return np.stack([self._vectors[w] for w in words]) if words else np.zeros((0, 0), np.float32)

    def similarity(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """Cosine of every word of left with every word of right: (len(left), len(right))."""
        if not left or not right:
            return np.zeros((len(left), len(right)), np.float32)
        both = self.vectors([*left, *right])
        return np.asarray(both[: len(left)] @ both[len(left) :].T)


def minilm_word_vectors(embed_model: object) -> WordVectors | None:
    """Word vectors from the retriever's MiniLM encoder, or None when the index embeds with another
    model (an embeddings API is no place to send every word of every passage)."""
    encoder = getattr(embed_model, "encoder", None)
    if encoder is None or not hasattr(encoder, "encode"):
        return None
    return WordVectors(lambda words: encoder.encode(words, batch_size=len(words)))
