"""Bad input, each with a clear message and nothing lost: questions in other scripts, an oversized
question over HTTP, a corpus full of broken files, an empty corpus, and an index folder damaged in
each way we could think of (detected and reported with what to run, rebuilt on request, corpus
untouched). Wrong settings: tests/test_config.py; empty/NUL/binary questions: tests/test_engine.py
and tests/test_fuzz.py."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.api import create_app
from rag.errors import IndexCorruptError, IndexMissingError
from rag.ingest import ingest
from tests.conftest import CORPUS_IDS

OTHER_LANGUAGES = [
    "Combien de missiles l'Iran a-t-il envoyés à la Russie ?",  # French
    "ایران چند موشک به روسیه فرستاده است؟",  # Persian (right to left)
    "Сколько ракет Иран отправил в Россию?",  # Russian
    "كم عدد الصواريخ التي أرسلتها إيران إلى روسيا؟",  # Arabic
    "イランはロシアに何発のミサイルを送りましたか？",  # Japanese
    "Iran 🚀➡️🇷🇺 ¿cuántos? combien? сколько?",  # mixed scripts and emoji
]


@pytest.mark.parametrize("question", OTHER_LANGUAGES)
def test_questions_in_other_languages_are_abstained_on_with_a_reason(engine, question: str) -> None:  # type: ignore[no-untyped-def]
    # The offline backend reads English only: an honest "the articles do not say", never a quote.
    a = engine.ask(question)
    assert a.question == question
    assert a.abstained and a.reason and a.answer.startswith(a.reason) and not a.citations, a.answer


def test_other_languages_and_a_100_kb_question_over_the_api(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    settings = real_settings.model_copy(update={"rate_limit_per_minute": 0})
    with TestClient(create_app(engine, settings)) as client:
        for q in OTHER_LANGUAGES:
            r = client.post("/api/ask", json={"question": q})
            assert r.status_code == 200 and r.json()["question"] == q
        r = client.post("/api/ask", json={"question": "Why? " * 20_000})  # 100 kB
        assert r.status_code == 422 and "100,000 characters" not in r.text  # it is cleaned first
        assert "the limit is 2,000 (RAG_MAX_QUESTION_CHARS)" in r.json()["detail"]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_corpus_full_of_broken_files_loads_the_good_ones_and_names_each_bad_one(make_settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    s = make_settings(max_article_chars=100_000)
    corpus: Path = s.corpus_dir
    good = (corpus / "002_20c69bec0f205d41.txt").read_bytes()
    broken = {
        "empty.txt": b"",
        "latin1.txt": "Caf\u00e9 au lait in Tehran.".encode("latin-1"),
        "header.txt": b"---\nid: x\ntitle: never closed\nText.",
        "copy.txt": good,  # a duplicate of an article already there
        "huge.txt": b"word " * 30_000,  # 150,000 characters, over the limit set above
        "binary.txt": os.urandom(2048),
    }
    for name, data in broken.items():
        (corpus / name).write_bytes(data)
    before = digest(corpus)
    report = ingest(s, embed_model=embed_model)
    assert sorted(report.added) == CORPUS_IDS
    named = {str(p).split(":")[0] for p in report.problems}
    assert named == set(broken), report.summary()
    assert digest(corpus) == before  # nothing in corpus/ is changed or removed


def test_an_empty_corpus_gives_an_index_that_says_so(tmp_path: Path, embed_model, make_settings) -> None:  # type: ignore[no-untyped-def]
    from rag.engine import open_engine

    (tmp_path / "empty").mkdir()
    s = make_settings(corpus_dir=tmp_path / "empty")
    report = ingest(s, embed_model=embed_model)
    assert report.chunks_total == 0 and not report.problems
    a = open_engine(s).ask("How many missiles did Iran send to Russia?")
    assert a.abstained and a.reason == "The index holds no articles yet." and not a.citations
    # says what to do, not "the articles do not answer this question"
    assert (
        a.answer == f"No articles are indexed yet: add article files to {s.corpus_dir} and run `python -m rag ingest`."
    )
    streamed = list(open_engine(s).stream("How many missiles?"))
    assert streamed[-2] == streamed[-1].answer == open_engine(s).ask("How many missiles?").answer


def _segments(index: Path) -> list[Path]:
    return [f for d in index.iterdir() if d.is_dir() for f in d.iterdir() if f.is_file()]


DAMAGE = {
    "database truncated": lambda d: os.truncate(d / "chroma.sqlite3", (d / "chroma.sqlite3").stat().st_size // 2),
    "database emptied": lambda d: (d / "chroma.sqlite3").write_bytes(b""),
    "database deleted": lambda d: (d / "chroma.sqlite3").unlink(),
    "vector segments overwritten": lambda d: [f.write_bytes(os.urandom(f.stat().st_size)) for f in _segments(d)],
}


@pytest.fixture(scope="module")
def built_index(real_settings, embed_model, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """An index of the real corpus, built once; each test damages a copy of it."""
    index = tmp_path_factory.mktemp("built") / "index"
    ingest(real_settings.model_copy(update={"index_dir": index}), embed_model=embed_model)
    return index


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_index_is_reported_with_what_to_run_and_rebuilt_without_losing_the_corpus(
    make_settings, embed_model, engine, built_index, damage: str
) -> None:  # type: ignore[no-untyped-def]
    from rag.engine import open_engine

    question = "What is Iran bartering its missiles and drones for?"
    s = make_settings()
    shutil.copytree(built_index, s.index_dir)
    corpus = digest(s.corpus_dir)
    expected = engine.ask(question).answer
    DAMAGE[damage](s.index_dir)
    try:
        # still readable: then it must still answer, from what it holds
        assert open_engine(s).ask(question).answer == expected
    except (IndexCorruptError, IndexMissingError) as e:
        assert "python -m rag ingest" in str(e)  # says what to run
    report = ingest(s, embed_model=embed_model, rebuild=True)
    assert sorted(report.added) == CORPUS_IDS
    assert open_engine(s).ask(question).answer == expected
    assert digest(s.corpus_dir) == corpus


def test_the_web_app_with_a_damaged_index_exits_3_and_says_how_to_rebuild(make_settings, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from _web import load_app_module

    s = make_settings()
    s.index_dir.mkdir()
    (s.index_dir / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    monkeypatch.setenv("RAG_CORPUS_DIR", str(s.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(s.index_dir))
    assert load_app_module().main() == 3
    err = capsys.readouterr().err
    assert "python -m rag ingest --rebuild" in err and "Traceback" not in err


def test_an_index_folder_that_is_a_file_is_a_settings_error_and_nothing_is_deleted(tmp_path: Path) -> None:
    from rag.config import load_settings
    from rag.errors import ConfigError

    (tmp_path / "index").write_text("somebody's notes")
    with pytest.raises(ConfigError, match="is a file, not a folder: move it away or set RAG_INDEX_DIR"):
        load_settings(index_dir=tmp_path / "index")
    assert (tmp_path / "index").read_text() == "somebody's notes"
