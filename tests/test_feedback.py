"""The feedback log: whole lines under concurrent writers (threads and processes), nothing lost when a
writer is killed or the app restarts, and a torn line reported instead of breaking the reader."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT
from rag.feedback import FeedbackError, FeedbackLog, make_record, read_feedback

ANSWER = {
    "question": "What does Iran receive in return?",
    "answer": "Technology. [1]",
    "abstained": False,
    "citations": [{"n": 1, "article_id": "a", "quote": "Technology.", "start": 0, "end": 11}],
    "backend": "offline",
    "standalone_question": "",
    "timings": {"total_s": 0.1},
}
# Records far larger than PIPE_BUF (4 KiB), so that unlocked appends could interleave.
PADDING = "x" * 20_000


def record(writer: str, i: int) -> dict[str, object]:
    rec = make_record(ANSWER, "up" if i % 2 else "down", comment=f"{writer}:{i}")
    rec["padding"] = PADDING
    return rec


def write_many(path: str, writer: str, count: int) -> None:
    log = FeedbackLog(Path(path))
    for i in range(count):
        log.append(record(writer, i))


def assert_all_whole(path: Path, expected: set[str]) -> None:
    read = read_feedback(path)
    assert read.torn == []
    seen = [r["comment"] for r in read.records]
    assert len(seen) == len(expected) and set(seen) == expected  # none lost, none duplicated
    assert all(r["padding"] == PADDING for r in read.records)  # none cut or mixed


def test_a_record_holds_the_answer_as_shown_and_the_verdict(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")  # the folder is created on first write
    log.append(make_record(ANSWER, "down", comment="  wrong article  ", user="alice"))
    (rec,) = read_feedback(log.path).records
    assert rec["question"] == ANSWER["question"] and rec["answer"] == ANSWER["answer"]
    assert rec["citations"] == ANSWER["citations"] and rec["backend"] == "offline"
    assert rec["verdict"] == "down" and rec["comment"] == "wrong article" and rec["user"] == "alice"
    assert rec["time"].endswith("+00:00") and rec["answer_id"]
    assert "timings" not in rec
    assert log.path.read_bytes().count(b"\n") == 1


def test_an_unknown_verdict_is_refused() -> None:
    with pytest.raises(FeedbackError, match="use one of up, down"):
        make_record(ANSWER, "meh")


def test_threads_sharing_one_log_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    log = FeedbackLog(path)
    threads = [
        threading.Thread(target=lambda w=w: [log.append(record(f"t{w}", i)) for i in range(25)]) for w in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert_all_whole(path, {f"t{w}:{i}" for w in range(8) for i in range(25)})


def test_processes_with_their_own_log_objects_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    ctx = multiprocessing.get_context("spawn")  # like separate app replicas: nothing shared but the file
    procs = [ctx.Process(target=write_many, args=(str(path), f"p{w}", 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert_all_whole(path, {f"p{w}:{i}" for w in range(4) for i in range(25)})


def test_a_restart_keeps_what_was_written_and_appends_after_it(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    write_many(str(path), "before", 3)
    write_many(str(path), "after", 2)  # a new FeedbackLog, as after the app restarts
    assert_all_whole(path, {"before:0", "before:1", "before:2", "after:0", "after:1"})


WRITER = """
import sys
from pathlib import Path
from rag.feedback import FeedbackLog, make_record
log = FeedbackLog(Path(sys.argv[1]))
answer = {"question": "q", "answer": "a [1]", "citations": [], "backend": "offline"}
for i in range(100000):
    log.append(make_record(answer, "up", comment=f"k:{i}"))
    print(i, flush=True)  # acknowledged: append() returned, so the line is on disk
"""


def test_every_acknowledged_record_survives_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT
    )
    assert proc.stdout is not None
    acknowledged = [proc.stdout.readline() for _ in range(20)]
    os.kill(proc.pid, signal.SIGKILL)  # no clean shutdown, mid-write or not
    proc.wait()
    read = read_feedback(path)
    comments = {r["comment"] for r in read.records}
    assert {f"k:{int(n)}" for n in acknowledged} <= comments
    assert len(read.torn) <= 1  # at most the line being written when it died
    FeedbackLog(path).append(make_record(ANSWER, "up", comment="after restart"))
    assert read_feedback(path).records[-1]["comment"] == "after restart"


def test_a_torn_last_line_is_reported_and_the_next_record_starts_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    log = FeedbackLog(path)
    log.append(make_record(ANSWER, "up", comment="whole"))
    with open(path, "ab") as f:  # what a writer killed mid-write leaves behind
        f.write(json.dumps(make_record(ANSWER, "down")).encode()[:40])
    log.append(make_record(ANSWER, "down", comment="next"))
    read = read_feedback(path)
    assert [r["comment"] for r in read.records] == ["whole", "next"]
    assert read.torn == [2]


def test_reading_a_missing_log_gives_nothing(tmp_path: Path) -> None:
    read = read_feedback(tmp_path / "none.jsonl")
    assert read.records == [] and read.torn == []


def test_an_unwritable_log_says_which_setting_to_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(FeedbackError, match="RAG_FEEDBACK_LOG"):
        FeedbackLog(blocker / "feedback.jsonl").append(make_record(ANSWER, "up"))
