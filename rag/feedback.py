"""The feedback log: staff verdicts on answers, one JSON object per line, appended and fsynced.

Input: an answer (its to_dict() structure), a verdict and an optional comment. Output: one line in
settings.feedback_log. Writers in threads or processes never interleave (a file lock around one
os.write of the whole line) and a written record survives a crash or restart (fsync before the
lock is released). The reader reports a torn line (a writer killed mid-write) instead of failing.
It does not analyse feedback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock

from rag.errors import RagError

log = logging.getLogger(__name__)

Verdict = Literal["up", "down"]
VERDICTS: tuple[str, ...] = ("up", "down")
MAX_COMMENT_CHARS = 4000
LOCK_TIMEOUT_S = 30.0
ANSWER_KEYS = ("question", "answer", "abstained", "citations", "backend", "standalone_question")


class FeedbackError(RagError):
    """Feedback cannot be recorded (bad verdict, unwritable log)."""


def make_record(
    answer: Mapping[str, Any], verdict: str, comment: str = "", user: str = "", answer_id: str = ""
) -> dict[str, Any]:
    """One feedback record: the answer as shown (question, answer, citations, backend) + the verdict."""
    if verdict not in VERDICTS:
        raise FeedbackError(f"Unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}.")
    record = {k: answer.get(k) for k in ANSWER_KEYS}
    record.update(
        verdict=verdict,
        comment=comment.strip()[:MAX_COMMENT_CHARS],
        user=user,
        answer_id=answer_id or str(uuid.uuid4()),
        time=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
    )
    return record


class FeedbackLog:
    """Append-only JSON Lines file shared by every thread and process of every replica on this disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # threads of this process queue on the mutex; processes (and replicas) on the file lock
        self._mutex = threading.Lock()
        self._file_lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record as one line; returns once it is on disk."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._mutex, self._file_lock:
                self._write_locked(line)
        except OSError as e:
            raise FeedbackError(f"Cannot write the feedback log {self.path}: {e}. Check RAG_FEEDBACK_LOG.") from e

    def _write_locked(self, line: bytes) -> None:
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)  # read: to check the last byte
        try:
            if not created and _ends_torn(fd):
                line = b"\n" + line  # a writer died mid-line: keep its debris on a line of its own
            view = memoryview(line)
            while view:  # os.write may write less than asked (signals, full disk): finish the line
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # make the new file's directory entry durable too
            _fsync_dir(self.path.parent)


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on directories; the data itself is synced
        pass
    finally:
        os.close(fd)


@dataclass
class FeedbackRead:
    records: list[dict[str, Any]] = field(default_factory=list)
    torn: list[int] = field(default_factory=list)  # 1-based numbers of lines that are not whole records


def read_feedback(path: Path) -> FeedbackRead:
    """Every whole record in the log, and the numbers of the lines that are not (torn or edited)."""
    result = FeedbackRead()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return result
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            result.torn.append(number)
            continue
        if isinstance(record, dict):
            result.records.append(record)
        else:
            result.torn.append(number)
    if result.torn:
        log.warning("feedback log %s: %d line(s) are not whole records: %s", path, len(result.torn), result.torn)
    return result
