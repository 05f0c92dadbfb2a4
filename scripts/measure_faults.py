"""Print how long a question takes, and what it gets, when the model server misbehaves: down, 429,
500, garbage, a cut or silent stream, a hang, a wrong key, slow. Runs the real openai client against
tests/openai_stub.py (loopback only) with the settings of the shell (RAG_OPENAI_TIMEOUT,
RAG_OPENAI_MAX_RETRIES, RAG_OPENAI_DEADLINE; the index must exist or is built first).

    .venv/bin/python -m scripts.measure_faults
"""

from __future__ import annotations

import socket
import time
from typing import Any

from rag import load_settings, open_or_build, prepare_offline_env
from rag.engine import GroundedQueryEngine, with_backend
from tests.openai_stub import CutStream, Hang, Malformed, StallStream, Status, cite, running

QUESTION = "What is Iran bartering its missiles and drones for?"


def good(r: dict[str, Any]) -> str:
    return f"Iran is bartering missiles and drones in exchange for wheat and soy [{cite(r, 'wheat and soy')}]."


FAULTS: list[tuple[str, list[Any]]] = [
    ("answers at once", [good]),
    ("slow: answers after 1 s", [Hang(1.0)]),
    ("429 every time", [Status(429)]),
    ("500 every time", [Status(500)]),
    ("malformed JSON", [Malformed()]),
    ("stream cut mid-answer", [CutStream("Iran is bartering missiles")]),
    ("stream silent mid-answer (60 s)", [StallStream("Iran is bartering missiles", 60)]),
    ("hangs (60 s) before answering", [Hang(60)]),
    ("401 wrong key", [Status(401)]),
]


def engine_for(base: Any, url: str) -> GroundedQueryEngine:
    return with_backend(base, base.settings.model_copy(update={"openai_base_url": url, "backend": "openai"}))


def timed(engine: GroundedQueryEngine) -> tuple[float, Any]:
    t0 = time.perf_counter()
    answer = engine.ask(QUESTION)
    return time.perf_counter() - t0, answer


def main() -> None:
    prepare_offline_env()
    base = open_or_build(load_settings())
    s = base.settings
    print(f"timeout {s.openai_timeout:g} s, retries {s.openai_max_retries}, deadline {s.openai_deadline:g} s\n")
    print(f"{'server':34} {'seconds':>7}  {'backend':8} notice")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"  # closed when the block ends
    rows = [("down (connection refused)", *timed(engine_for(base, down)))]
    for name, script in FAULTS:
        with running(script) as stub:
            rows.append((name, *timed(engine_for(base, stub.url))))
    for name, seconds, answer in rows:
        print(f"{name:34} {seconds:7.2f}  {answer.backend:8} {answer.notice or '-'}")


if __name__ == "__main__":
    main()
