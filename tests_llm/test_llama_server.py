"""The project's real OpenAI backend against a real OpenAI-compatible server: llama.cpp's, serving
Qwen2.5-Coder-0.5B-Instruct (Q4_K_M) on loopback. Run by `make test-llm` (not part of `make test`).

A 0.5B model writes poor answers, so these tests assert the contract, not the content: every
sentence shown is one the verifier accepts, every quote is verbatim (article_text[start:end]),
answers are well-formed and come back in bounded time, a dead-slow server gives the offline answer
with a notice. The model's answers are written to reports/test-llm-answers.json for reading.

Needs LLM_PYTHON (the .venv-llm interpreter, with llama-cpp-python[server]) and LLM_MODEL (the
joined GGUF file); `make test-llm` sets both.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT, Settings, load_settings, prepare_offline_env

prepare_offline_env()

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "corpus"
ANSWERS = PROJECT_ROOT / "reports" / "test-llm-answers.json"
STARTUP_S = 180.0  # loading a 0.5B GGUF takes a few seconds; a busy 2-core machine may take far longer
ANSWER_S = 240.0  # one answer, follow-up rewrite included (measured: 5-25 s on 2 shared cores)
_record: list[dict[str, object]] = []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    python, model = os.environ.get("LLM_PYTHON", ""), os.environ.get("LLM_MODEL", "")
    if not (python and Path(python).exists() and model and Path(model).exists()):
        pytest.fail("LLM_PYTHON and LLM_MODEL must name the .venv-llm python and the GGUF file: run `make test-llm`.")
    port = _free_port()
    cmd = [python, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--n_ctx", "4096", "--n_threads", "2"]
    log = (PROJECT_ROOT / "reports").joinpath("llama-server.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not come up (exit {proc.poll()}); see {log}")
            time.sleep(1.0)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        ANSWERS.write_text(json.dumps(_record, indent=1, ensure_ascii=False), encoding="utf-8")


def _settings(tmp: Path, base: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "corpus_dir": tmp / "corpus",
        "index_dir": tmp / "index",
        "backend": "openai",
        "openai_base_url": base,
        "openai_model": "qwen2.5-coder-0.5b-instruct",
        "openai_timeout": 120.0,
        "openai_deadline": 200.0,
        "openai_max_retries": 0,
        "openai_max_tokens": 200,
        "max_answer_sentences": 3,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="module")
def engine(server: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from rag.engine import open_engine
    from rag.ingest import ingest

    tmp = tmp_path_factory.mktemp("llm")
    shutil.copytree(CORPUS, tmp / "corpus")
    settings = _settings(tmp, server)
    ingest(settings)
    eng = open_engine(settings)
    for model in {id(m): m for m in (eng.backend.model, eng.rewriter.model)}.values():
        _record_model_output(model)
    return eng


_raw: list[str] = []  # what the model wrote, call by call (the drafts before verification)


def _record_model_output(model) -> None:  # type: ignore[no-untyped-def]
    stream, complete = model.stream, model.complete

    def recorded_stream(messages):  # type: ignore[no-untyped-def]
        text = ""
        for delta in stream(messages):
            text += delta
            yield delta
        _raw.append(text)

    def recorded_complete(messages):  # type: ignore[no-untyped-def]
        text = complete(messages)
        _raw.append(text)
        return text

    model.stream, model.complete = recorded_stream, recorded_complete


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    from rag.corpus import load_corpus

    return {a.id: a.text for a in load_corpus(CORPUS).articles}


def check_contract(answer, engine, articles: dict[str, str], elapsed: float, name: str) -> None:  # type: ignore[no-untyped-def]
    """What must hold whatever the model wrote."""
    from rag.types import Answer

    _record.append({"test": name, "seconds": round(elapsed, 1), "model_wrote": list(_raw), **answer.to_dict()})
    _raw.clear()
    assert isinstance(answer, Answer) and answer.backend == "openai"
    assert isinstance(answer.answer, str) and answer.answer.strip()
    assert elapsed < ANSWER_S
    assert answer.abstained or answer.citations, "an answer that is not an abstention cites something"
    for c in answer.citations:
        assert articles[c.article_id][c.start : c.end] == c.quote, "every quote is verbatim"
        assert articles[c.article_id][c.passage_start : c.passage_end] == c.passage
    assert len(answer.removed) == len(answer.dropped)
    for r in answer.removed:
        assert r.reason, "every removed sentence says why"
    if not answer.abstained:
        again = reverify(answer, articles)
        assert not again.dropped and again.citations, again.removed


def reverify(answer, articles: dict[str, str]):  # type: ignore[no-untyped-def]
    """The shown answer verified afresh against only the passages its citations name: every
    sentence shown must still pass (the engine shows nothing the verifier did not accept)."""
    import re

    from rag.chunking import sentence_spans
    from rag.grounding import Verifier
    from rag.types import ArticleMeta, Chunk, Passage

    cites = sorted(answer.citations, key=lambda c: c.n)
    passages = []
    for c in cites:
        text = articles[c.article_id][c.passage_start : c.passage_end]
        spans = tuple((s + c.passage_start, e + c.passage_start) for s, e in sentence_spans(text))
        chunk = Chunk(f"{c.article_id}:{c.passage_start}", c.article_id, text, c.passage_start, c.passage_end, spans)
        meta = ArticleMeta(id=c.article_id, title=c.title, author=c.author, outlet=c.outlet, published=c.published)
        passages.append(Passage(chunk=chunk, meta=meta, score=1.0))
    number = {c.n: i for i, c in enumerate(cites, 1)}
    draft = re.sub(r"\[(\d+)\]", lambda m: f"[{number[int(m.group(1))]}]", answer.answer)
    return Verifier(articles.__getitem__).verify(draft, tuple(passages), answer.standalone_question or answer.question)


def test_plain_answer(engine, articles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    answer = engine.ask("How much did the breakwater repairs in Velmora cost?")
    check_contract(answer, engine, articles, time.monotonic() - t0, "plain")


def test_streamed_answer(engine, articles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from rag.types import Answer

    t0 = time.monotonic()
    events = list(engine.stream("When will the ferry to the islands run again?"))
    final = events[-1]
    assert isinstance(final, Answer)
    texts = [e for e in events[:-1] if isinstance(e, str)]
    assert texts and texts[-1] == final.answer
    for a, b in zip(texts, texts[1:]):  # shown text only grows, a verified sentence at a time
        assert len(b) >= len(a)
    check_contract(final, engine, articles, time.monotonic() - t0, "streamed")


def test_abstention(engine, articles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    answer = engine.ask("Who won the 1998 chess olympiad in Elista?")
    check_contract(answer, engine, articles, time.monotonic() - t0, "abstention")
    # nothing in the corpus answers it: whatever is shown must be a verified quote of the corpus
    assert answer.abstained or all(c.quote for c in answer.citations)


def test_follow_up_rewrite(engine, articles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    history = [
        {"role": "user", "content": "Who is the harbour master of Velmora?"},
        {"role": "assistant", "content": "The harbour master is Tomas Reyes. [1]"},
    ]
    t0 = time.monotonic()
    answer = engine.ask("How many boats did he say had returned?", history)
    standalone = answer.standalone_question or answer.question
    assert standalone.strip() and "\n" not in standalone.strip()
    check_contract(answer, engine, articles, time.monotonic() - t0, "follow-up")


def test_timeout_falls_back_to_the_offline_answer(
    engine, articles: dict[str, str], server: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from rag.engine import with_backend

    settings = _settings(tmp_path, server, openai_timeout=0.2, openai_deadline=1.0)
    fast = with_backend(engine, settings)
    t0 = time.monotonic()
    answer = fast.ask("How many fishing boats had returned to the harbour?")
    elapsed = time.monotonic() - t0
    _record.append({"test": "timeout", "seconds": round(elapsed, 1), **answer.to_dict()})
    assert "failed" in answer.notice and "offline" in answer.notice
    assert elapsed < 30.0
    for c in answer.citations:
        assert articles[c.article_id][c.start : c.end] == c.quote
