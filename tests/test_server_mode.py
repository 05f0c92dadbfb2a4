"""Chroma server mode: a real `chroma run` on 127.0.0.1, settings alone switch the store to it,
and a second process (another app replica) sees the same index, including later additions."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT, Settings
from rag.retrieval import REFRESH_SECONDS

CHROMA = Path(sys.executable).parent / "chroma"
NEW_ARTICLE = "Lisbon aquarium opened an octopus exhibit on March 3, 2025, its director Ana Sousa said.\n"
NEW_QUESTION = "When did the Lisbon aquarium open its octopus exhibit?"
OLD_QUESTION = "What does Iran receive in return for the missiles it sends to Russia?"

pytestmark = pytest.mark.skipif(not CHROMA.exists(), reason="the chroma server binary ships with chromadb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def server_settings(make_settings: Callable[..., Settings], chroma_server: int, tmp_path: Path) -> Settings:
    # index_dir points at a folder that never exists: server mode must not touch local files
    return make_settings(chroma_host="127.0.0.1", chroma_port=chroma_server, index_dir=tmp_path / "no-such-index")


def replica(settings: Settings) -> subprocess.Popen[str]:
    """Another app process: `python -m rag ask --json -`, fed questions one line at a time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_CHROMA_HOST=str(settings.chroma_host),
        RAG_CHROMA_PORT=str(settings.chroma_port),
        RAG_CORPUS_DIR=str(settings.corpus_dir),
        RAG_INDEX_DIR=str(settings.index_dir),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "rag", "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )


def ask(proc: subprocess.Popen[str], question: str) -> dict[str, object]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(question + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    assert line, f"replica died: {proc.stderr.read() if proc.stderr else ''}"
    return dict(json.loads(line))


def cited_articles(answer: dict[str, object]) -> set[str]:
    return {str(c["article_id"]) for c in answer["citations"]}  # type: ignore[attr-defined]


def test_two_processes_share_one_chroma_server(server_settings: Settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    from rag.engine import open_engine
    from rag.ingest import ingest

    report = ingest(server_settings, embed_model=embed_model)
    assert report.chunks_total > 0
    assert not server_settings.index_dir.exists()
    mine = open_engine(server_settings).ask(OLD_QUESTION)
    assert mine.citations and not mine.abstained

    other = replica(server_settings)
    try:
        theirs = ask(other, OLD_QUESTION)
        assert theirs["answer"] == mine.answer
        assert cited_articles(theirs) == {c.article_id for c in mine.citations}
        assert "new_lisbon" not in cited_articles(ask(other, NEW_QUESTION))

        # this process adds an article; the replica sees it after its refresh interval
        (Path(server_settings.corpus_dir) / "new_lisbon.txt").write_text(NEW_ARTICLE)
        assert ingest(server_settings, embed_model=embed_model).added == ["new_lisbon"]
        time.sleep(REFRESH_SECONDS + 0.5)
        later = ask(other, NEW_QUESTION)
        assert "new_lisbon" in cited_articles(later)
        assert "March 3, 2025" in str(later["answer"])
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=30)
    assert other.returncode == 0


def test_server_mode_needs_no_local_folder_and_rebuilds_on_the_server(server_settings: Settings, embed_model) -> None:  # type: ignore[no-untyped-def]
    from rag.ingest import ingest
    from rag.store import open_store

    ingest(server_settings, embed_model=embed_model)
    again = ingest(server_settings, embed_model=embed_model, rebuild=True)
    assert again.chunks_embedded == again.chunks_total > 0
    store = open_store(server_settings, embed_model.model_name)
    assert store.location.startswith("http://127.0.0.1:")
    assert not server_settings.index_dir.exists()


def test_unreachable_server_says_what_to_do(make_settings: Callable[..., Settings]) -> None:
    from rag.errors import IndexMissingError
    from rag.store import open_store

    settings = make_settings(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(IndexMissingError, match="chroma run"):
        open_store(settings, "all-MiniLM-L6-v2")


def test_token_is_sent_as_a_bearer_header(make_settings: Callable[..., Settings], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import chromadb

    from rag.store import make_client

    seen: dict[str, object] = {}
    monkeypatch.setattr(chromadb, "HttpClient", lambda **kw: seen.update(kw))
    make_client(make_settings(chroma_host="chroma.internal", chroma_port=443, chroma_ssl=True, chroma_token="s3cret"))
    assert seen["headers"] == {"Authorization": "Bearer s3cret"}
    assert seen["ssl"] is True and seen["host"] == "chroma.internal" and seen["port"] == 443
