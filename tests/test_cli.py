"""The command-line contract (docs/CONTRACTS.md, from ../shared/DESIGN.md), run as a real subprocess."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT
from tests.conftest import CORPUS_IDS

KEYS = {"question", "answer", "abstained", "citations", "backend"}
CITATION_KEYS = {"n", "article_id", "title", "quote", "start", "end", "passage"}


def run(args: list[str], env_extra: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") and not k.startswith("OPENAI_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.fixture
def env(make_settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    s = make_settings()
    return {"RAG_CORPUS_DIR": str(s.corpus_dir), "RAG_INDEX_DIR": str(s.index_dir)}


def test_ask_before_ingest_builds_the_index_and_answers_json(env, article_texts) -> None:  # type: ignore[no-untyped-def]
    q1 = "What does Iran receive in return for the missiles it sends to Russia?"
    q2 = "How many Shahed drones has Iran sold to Russia?"
    p = run(["ask", "--json", q1, q2], env)
    assert p.returncode == 0, p.stderr
    assert "building it" in p.stderr
    lines = p.stdout.strip().split("\n")
    assert len(lines) == 2  # JSON Lines: one object per question
    first, second = (json.loads(line) for line in lines)
    assert KEYS <= set(first) and first["question"] == q1 and not first["abstained"]
    assert first["backend"] == "offline"
    for c in first["citations"]:
        assert CITATION_KEYS <= set(c)
        assert article_texts[c["article_id"]][c["start"] : c["end"]] == c["quote"]
    assert second["abstained"] and second["reason"]


def test_questions_from_stdin_and_readable_output(env) -> None:  # type: ignore[no-untyped-def]
    assert run(["ingest"], env).returncode == 0
    p = run(["ask", "--json", "-"], env, stdin="Who is Iran's new president?\n\nWhen did the embargo expire?\n")
    assert p.returncode == 0, p.stderr
    assert [json.loads(x)["question"] for x in p.stdout.strip().split("\n")] == [
        "Who is Iran's new president?",
        "When did the embargo expire?",
    ]
    human = run(["ask", "Who is Iran's new president?"], env)
    assert human.returncode == 0
    assert "Sources:" in human.stdout and "[1]" in human.stdout and "characters" in human.stdout
    # how surely the quote answers, beside how well it supports the sentence (verbatim: 1.00)
    assert re.search(r"answers the question 0\.\d\d \((?:very likely|likely|possibly|unlikely)\)", human.stdout)
    assert "quote supports the sentence 1.00" in human.stdout


def test_ingest_prints_a_one_line_summary(env) -> None:  # type: ignore[no-untyped-def]
    p = run(["ingest"], env)
    assert p.returncode == 0 and p.stdout.startswith(f"indexed {len(CORPUS_IDS)} new")
    again = run(["ingest"], env)
    assert f"{len(CORPUS_IDS)} unchanged" in again.stdout and "0 embedded" in again.stdout


def test_bad_settings_exit_2_with_what_to_fix(env) -> None:  # type: ignore[no-untyped-def]
    p = run(["ask", "x"], {**env, "RAG_TOP_K": "lots"})
    assert p.returncode == 2 and "RAG_TOP_K" in p.stderr and "Traceback" not in p.stderr


def test_empty_question_is_a_usage_error(env) -> None:  # type: ignore[no-untyped-def]
    p = run(["ask", "--json", "   "], env)
    assert p.returncode == 2 and "empty" in json.loads(p.stdout)["error"]


def test_corrupt_index_exits_3_and_says_how_to_rebuild(env) -> None:  # type: ignore[no-untyped-def]
    index = Path(env["RAG_INDEX_DIR"])
    index.mkdir()
    (index / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    p = run(["ask", "anything"], env)
    assert p.returncode == 3 and "--rebuild" in p.stderr and "Traceback" not in p.stderr
    assert run(["ingest", "--rebuild"], env).returncode == 0


def test_ingest_of_a_missing_corpus_exits_2_and_says_what_to_set(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = run(["ingest"], env | {"RAG_CORPUS_DIR": str(tmp_path / "missing")})
    assert p.returncode == 2 and "does not exist" in p.stderr and "RAG_CORPUS_DIR" in p.stderr
    assert "Traceback" not in p.stderr


def test_a_missing_corpus_beside_an_existing_index_is_not_answered_from_silently(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run(["ingest"], env).returncode == 0
    p = run(["ask", "Who is Salal Sadatian?"], env | {"RAG_CORPUS_DIR": str(tmp_path / "missing")})
    assert p.returncode == 0 and "Salal Sadatian" in p.stdout  # the index still answers ...
    warning = f"the corpus folder {tmp_path / 'missing'} does not exist; answering from the index at"
    assert warning in p.stderr and "Set RAG_CORPUS_DIR" in p.stderr  # ... and says so, with what to do


def test_chat_keeps_history_so_a_follow_up_is_rewritten(env) -> None:  # type: ignore[no-untyped-def]
    turns = "Who is Salal Sadatian?\nWhat did he say about relations with Russia?\n"
    p = run(["chat"], env, stdin=turns)
    assert p.returncode == 0, p.stderr
    assert "(read as: What did Salal Sadatian say about relations with Russia?)" in p.stdout
    assert "It is not right to break relations with Russia" in p.stdout


def test_the_readable_answer_says_who_he_is_under_a_quote_opening_on_he() -> None:
    from dataclasses import replace

    from rag.__main__ import format_answer
    from rag.types import Answer, Citation

    quote = "He added, “We must sell drones.”"
    known = Citation(1, "a", "T", False, "", "", "", "", quote, 0, 31, quote, 0, 31, 1.0, speaker="Ahmad Ardestani")
    lines = format_answer(Answer("q", f"{quote} [1]", False, (known,), "offline")).splitlines()
    assert "    “He” = Ahmad Ardestani (the speaker the article names before this sentence)" in lines
    unknown = replace(known, speaker="")
    assert "the speaker" not in format_answer(Answer("q", f"{quote} [1]", False, (unknown,), "offline"))
