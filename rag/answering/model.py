"""The fitted answerer: two logistic models and an answer-type table, read from a small JSON file.

scripts/train_answerer.py (`make train`) fits them and writes ANSWERER_FILE; its sha256 is pinned
here (the script updates the pin), so a changed or damaged file is refused with what to run.
Inference is numpy only (no scikit-learn at run time). This module does not build features.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answering.features import ABSTAIN_FEATURES, CANDIDATE_FEATURES
from rag.answering.question import Question
from rag.config import read_pinned
from rag.errors import ConfigError

ANSWERER_FILE = Path(__file__).with_name("answerer.json")
ANSWERER_SHA256 = "473172da7a7c0bc0bab5e97c658b4a85501ea0cfeb0a25c54b35b93c2d63362b"


@dataclass(frozen=True)
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Logistic:
        return cls(
            np.asarray(d["mean"], float),
            np.asarray(d["scale"], float),
            np.asarray(d["coef"], float),
            float(d["intercept"]),
        )

    def logit(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept


def sigmoid(z: np.ndarray | float) -> Any:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, float)))


@dataclass(frozen=True)
class AnswererModel:
    chooser: Logistic  # P(this sentence holds the answer | CANDIDATE_FEATURES)
    abstainer: Logistic  # P(the best sentence holds the answer | ABSTAIN_FEATURES)
    answer_threshold: float  # answer when the abstainer's probability reaches this
    second_threshold: float  # quote a second sentence when the chooser gives it at least this
    kind_min_type: float  # a sentence answers the question's kind with an entity this likely an answer...
    kind_no_type: float  # ... or when the question's answer is no entity at least this often
    key_types: Mapping[str, Mapping[str, float]]  # question key -> P(answer entity label); "" = none
    wh_types: Mapping[str, Mapping[str, float]]  # wh-word -> the same, for keys seen too rarely
    prior_types: Mapping[str, float]

    def types(self, q: Question) -> Mapping[str, float]:
        return self.key_types.get(q.key) or self.wh_types.get(q.wh) or self.prior_types

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AnswererModel:
        if tuple(d["candidate_features"]) != CANDIDATE_FEATURES or tuple(d["abstain_features"]) != ABSTAIN_FEATURES:
            raise ConfigError(f"{ANSWERER_FILE} was fitted on other features; run `make train`.")
        t = d["types"]
        return cls(
            Logistic.from_json(d["chooser"]),
            Logistic.from_json(d["abstainer"]),
            float(d["answer_threshold"]),
            float(d["second_threshold"]),
            float(d["kind_min_type"]),
            float(d["kind_no_type"]),
            t["keys"],
            t["wh"],
            t["prior"],
        )


_lock = threading.Lock()
_model: AnswererModel | None = None


def load(path: Path = ANSWERER_FILE, sha256: str | None = ANSWERER_SHA256) -> AnswererModel:
    """The committed model (once per process); pass sha256=None for a freshly trained file."""
    global _model
    if path == ANSWERER_FILE and sha256 == ANSWERER_SHA256 and _model is not None:
        return _model
    with _lock:
        data = read_pinned(
            path, sha256, "answerer model", "run `make train`.", "restore it from git or run `make train`."
        )
        model = AnswererModel.from_json(json.loads(data))
        if path == ANSWERER_FILE and sha256 == ANSWERER_SHA256:
            _model = model
        return model
