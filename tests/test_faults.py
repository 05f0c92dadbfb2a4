"""Faults: a model server that is down, slow, or goes quiet mid-answer gives an answer in bounded
time (the offline one, with a notice, when it fails); an ingest killed with SIGKILL mid-way leaves the
previous index answering and the next ingest completes it, consistently.

429, 500, malformed JSON, a cut stream, a hang and a 401 are in tests/test_answering_openai.py; the
feedback log under concurrent and killed writers in tests/test_feedback.py."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from _web import free_port

from rag.config import PROJECT_ROOT, Settings
from rag.engine import GroundedQueryEngine, with_backend
from tests.conftest import CORPUS_IDS
from tests.openai_stub import Hang, StallStream, cite, running

QUESTION = "What is Iran bartering its missiles and drones for?"  # the offline backend answers it


def model_engine(engine: Any, real_settings: Settings, **values: Any) -> GroundedQueryEngine:
    return with_backend(engine, real_settings.model_copy(update={"backend": "openai", **values}))


def test_a_model_server_that_is_down_gives_the_offline_answer_with_a_notice_at_once(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there: connection refused
    llm = model_engine(engine, real_settings, openai_base_url=down, openai_max_retries=2, openai_timeout=5.0)
    t0 = time.monotonic()
    a = llm.ask(QUESTION)
    elapsed = time.monotonic() - t0
    assert a.backend == "offline" and a.answer == engine.ask(QUESTION).answer
    assert a.notice == "The model server failed (could not connect after 3 attempts); this is the offline answer."
    assert elapsed < 5.0, elapsed  # two backoffs (0.4-0.5 s, 0.8-1 s), not a timeout per attempt


def test_a_slow_model_server_within_the_timeout_is_waited_for(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    with running([Hang(1.0)]) as stub:  # answers "Too late." after 1 s, inside the 5 s timeout
        a = model_engine(engine, real_settings, openai_base_url=stub.url, openai_timeout=5.0).ask(QUESTION)
    assert a.backend == "openai" and not a.notice and len(stub.requests) == 1  # waited, not retried


def test_a_stream_that_goes_quiet_mid_answer_is_abandoned_within_the_timeout(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    with running([StallStream("Iran is bartering missiles", seconds=30)]) as stub:
        t0 = time.monotonic()
        a = model_engine(engine, real_settings, openai_base_url=stub.url, openai_timeout=1.0).ask(QUESTION)
        elapsed = time.monotonic() - t0
    assert a.backend == "offline" and "wheat and soy" in a.answer
    assert a.notice.startswith("The model server failed (the stream broke mid-answer")
    assert elapsed < 10.0, elapsed  # one read timeout, not the 30 s stall


def test_no_retry_starts_that_could_end_past_the_deadline(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    with running([Hang(5)]) as stub:
        values = {"openai_base_url": stub.url, "openai_timeout": 0.5, "openai_deadline": 1.2, "openai_max_retries": 5}
        t0 = time.monotonic()
        a = model_engine(engine, real_settings, **values).ask(QUESTION)
        elapsed = time.monotonic() - t0
    # after 0.5 s a retry would wait ~0.5 s and could time out 0.5 s later, at ~1.5 s: past 1.2 s
    assert len(stub.requests) == 1 and a.backend == "offline" and "timed out after 1 attempt" in a.notice
    assert elapsed < 1.2 + 0.5, elapsed  # the deadline, plus the answer's own work


def test_a_slow_model_answers_when_it_finishes_within_the_deadline(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    def reply(r: dict[str, Any]) -> str:
        return f"Iran is bartering missiles and drones in exchange for wheat and soy [{cite(r, 'wheat and soy')}]."

    with running([Hang(0.5), reply]) as stub:  # the first attempt is late (timeout 0.3 s), the retry answers
        a = model_engine(engine, real_settings, openai_base_url=stub.url, openai_timeout=0.3).ask(QUESTION)
    assert a.backend == "openai" and "wheat and soy" in a.answer and not a.notice and len(stub.requests) == 2


# --- ingest killed with SIGKILL ------------------------------------------------------------------

REGIONS = "Tatarstan Bashkortostan Samara Saratov Volgograd Rostov Krasnodar Stavropol Orenburg Kursk".split()
# articles added before the ingest that gets killed: several embedding groups (rag.ingest.GROUP_CHUNKS),
# so that a kill at the first progress line lands with groups still to embed
N_NEW = 36
CROPS = "wheat barley rye oats maize sunflower buckwheat millet sorghum flax".split()


def harvest_report(i: int) -> str:
    """A made-up article on another subject, so that the real questions keep their answers."""
    rnd = random.Random(i)
    lines = [f"---\nid: harvest_{i:03d}\ntitle: Harvest report {i}\n---"]
    for _ in range(16):
        region, crop = rnd.choice(REGIONS), rnd.choice(CROPS)
        lines.append(
            f"In {region}, growers reported a {crop} yield of {rnd.randint(10, 99)}.{rnd.randint(0, 9)} "
            f"centners per hectare, {rnd.choice(['above', 'below', 'close to'])} the {rnd.randint(2001, 2023)} "
            f"figure, after {rnd.choice(['a dry', 'a wet', 'a late', 'an early'])} {rnd.choice(['spring', 'summer'])}."
        )
    return "\n".join(lines) + "\n"


def rag_cli(args: list[str], settings: Settings, **popen: Any) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(RAG_CORPUS_DIR=str(settings.corpus_dir), RAG_INDEX_DIR=str(settings.index_dir))
    return subprocess.Popen([sys.executable, "-m", "rag", *args], cwd=PROJECT_ROOT, env=env, text=True, **popen)


def kill_when_embedding_is_under_way(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, int]:
    """SIGKILL proc as soon as its progress bar shows some chunks embedded and stored, but not all."""
    seen = ""
    lock = threading.Lock()

    def read() -> None:
        nonlocal seen
        assert proc.stderr is not None
        while chunk := os.read(proc.stderr.fileno(), 4096):
            with lock:
                seen += chunk.decode(errors="replace")

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with lock:
            counts = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \[", seen)]
        done = [(a, b) for a, b in counts if 0 < a < b]
        if done:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return done[-1]
        time.sleep(0.01)
    raise AssertionError(f"ingest never showed progress mid-way (exit {proc.poll()}): {seen[-500:]}")


def test_an_ingest_killed_mid_way_leaves_the_index_answering_and_the_next_ingest_completes_it(
    make_settings, embed_model, article_texts
) -> None:  # type: ignore[no-untyped-def]
    from rag.engine import open_engine
    from rag.ingest import ingest
    from rag.store import open_store

    s = make_settings()
    first = rag_cli(["ingest"], s, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert first.wait(timeout=240) == 0, first.communicate()
    for i in range(N_NEW):
        (s.corpus_dir / f"harvest_{i:03d}.txt").write_text(harvest_report(i), encoding="utf-8")
    killed = rag_cli(["ingest", "--progress"], s, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    embedded, total = kill_when_embedding_is_under_way(killed)
    assert killed.returncode == -signal.SIGKILL and 0 < embedded < total

    # the index as the killed ingest left it: it opens and answers from the articles it had
    store = open_store(s, embed_model.model_name)
    # some of the new articles were in, not all
    assert len(CORPUS_IDS) < len(store.indexed_articles()) < len(CORPUS_IDS) + N_NEW
    a = open_engine(s).ask(QUESTION)
    assert "wheat and soy" in a.answer and not a.abstained
    assert {c.article_id for c in a.citations} <= set(article_texts)
    for c in a.citations:
        assert article_texts[c.article_id][c.start : c.end] == c.quote

    # the next ingest completes it: every article once, every chunk once, nothing orphaned
    report = ingest(s, embed_model=embed_model)
    assert report.unchanged > len(CORPUS_IDS) and len(report.added) + report.unchanged == len(CORPUS_IDS) + N_NEW
    records = store.indexed_articles()
    assert set(records) == set(article_texts) | {f"harvest_{i:03d}" for i in range(N_NEW)}
    chunks = list(store.iter_chunks(texts=False))
    assert len(chunks) == len({c.id for c in chunks}) == report.chunks_total
    per_article = store.chunk_counts()
    assert per_article == {k: v["n_chunks"] for k, v in records.items()}
    again = ingest(s, embed_model=embed_model)
    assert again.unchanged == len(CORPUS_IDS) + N_NEW and again.chunks_embedded == again.chunks_deleted == 0
    assert "wheat and soy" in open_engine(s).ask(QUESTION).answer


def test_the_harvest_reports_are_distinct_articles() -> None:
    texts = {harvest_report(i) for i in range(N_NEW)}
    assert len(texts) == N_NEW and all(len(t) > 1500 for t in texts)
