"""Shared fixtures: real Chroma in temporary folders, the real offline model, the tests' own corpus.

TEST_CORPUS (tests/data/corpus) holds the product's two seed articles plus articles on other topics
(a space telescope, a measles outbreak), so that answers are chosen among unrelated articles."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rag.config import PROJECT_ROOT, Settings, load_settings, prepare_offline_env

prepare_offline_env()

CORPUS = PROJECT_ROOT / "tests" / "data" / "corpus"
PRODUCT_CORPUS = PROJECT_ROOT / "corpus"  # the product's seed files: only the tests of those files read it
CORPUS_IDS = sorted(p.stem for p in CORPUS.glob("*.txt"))  # each test article's id is its file name
SHARED = PROJECT_ROOT.parent / "shared"  # read-only data shared by the project (never copied in)


def assert_says_otherwise(answer: Any, said: str, asked: str, quoted: str | None = None) -> None:
    """The answer abstains because the articles say `said` where the question says `asked`, showing,
    cited, the sentence with `quoted` in it (when given)."""
    assert answer.abstained
    assert answer.answer.startswith(
        f"The articles do not answer this question: they say “{said}” where it says “{asked}”."
    )
    if quoted is not None:
        assert quoted in answer.citations[0].quote


@pytest.fixture(autouse=True)
def _clean_rag_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("RAG_") or key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def embed_model():  # type: ignore[no-untyped-def]
    from rag.embeddings import MiniLMEmbedding

    return MiniLMEmbedding()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings pointing at a private copy of the corpus and a private index folder."""

    def make(**overrides: object) -> Settings:
        corpus = tmp_path / "corpus"
        if not corpus.exists():
            shutil.copytree(CORPUS, corpus)
        values: dict[str, object] = {"corpus_dir": corpus, "index_dir": tmp_path / "index"}
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    index = tmp_path_factory.mktemp("real-index")
    return Settings(corpus_dir=CORPUS, index_dir=index)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def engine(real_settings: Settings, embed_model):  # type: ignore[no-untyped-def]
    """One engine over the test corpus, built once for the whole session."""
    from rag.engine import GroundedQueryEngine, open_engine
    from rag.ingest import ingest

    ingest(real_settings, embed_model=embed_model)
    eng: GroundedQueryEngine = open_engine(real_settings)
    return eng


@pytest.fixture(scope="session")
def article_texts() -> dict[str, str]:
    from rag.corpus import load_corpus

    return {a.id: a.text for a in load_corpus(CORPUS).articles}


@pytest.fixture(scope="session")
def corpus_engine(tmp_path_factory: pytest.TempPathFactory, embed_model):  # type: ignore[no-untyped-def]
    """Builds an engine over a small corpus of a test module's own: build(name, {file: text})."""
    from rag.engine import GroundedQueryEngine, open_engine
    from rag.ingest import ingest

    def build(name: str, files: dict[str, str]) -> GroundedQueryEngine:
        root = tmp_path_factory.mktemp(name)
        (root / "corpus").mkdir()
        for file, text in files.items():
            (root / "corpus" / file).write_text(text, encoding="utf-8")
        settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "index")
        ingest(settings, embed_model=embed_model)
        return open_engine(settings)

    return build
