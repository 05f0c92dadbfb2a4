"""A local HTTP server that speaks the OpenAI chat-completions API (plain and streamed), so tests
run the real openai client and LlamaIndex code against scripted replies and faults.

Each request takes the next step of the script (the last step repeats). A step is a reply text,
or a function of the request returning one, or a fault: Status, Hang, Malformed, CutStream,
StallStream.
Every request body is recorded, so tests can read the prompts the model was sent.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Status:
    code: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = ""  # the error message in the body (default: "scripted <code>")


@dataclass
class Hang:
    seconds: float


@dataclass
class Malformed:
    body: str = '{"id": "x", "choices": [ {"message": '


@dataclass
class CutStream:
    text: str  # sent as deltas, then the connection is closed without [DONE]


@dataclass
class Slow:
    reply: str | Callable[[dict[str, Any]], str]
    seconds_per_word: float  # streamed word by word with this pause, like a slow model


@dataclass
class StallStream:
    text: str  # sent as deltas, then the server goes quiet for `seconds` with the connection open
    seconds: float


Step = str | Callable[[dict[str, Any]], str] | Status | Hang | Malformed | CutStream | Slow | StallStream


def sources(request: dict[str, Any]) -> dict[int, str]:
    """The numbered sources in the prompt the stub received."""
    prompt = request["messages"][-1]["content"]
    return {int(n): body for n, body in re.findall(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', prompt, re.S)}


def cite(request: dict[str, Any], phrase: str) -> int:
    """The number of the first source containing phrase (how a well-behaved model would cite)."""
    for n, body in sorted(sources(request).items()):
        if phrase.lower() in body.lower():
            return n
    raise AssertionError(f"no source contains {phrase!r}")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that gave up (timeout) closes the socket while a Hang step is still to answer
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class OpenAIStub:
    def __init__(self, script: list[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # the HTTP headers of each request (e.g. Authorization)
        self._lock = threading.Lock()
        self._server = QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def next_step(self, request: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(request)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.headers.append(dict(self.headers.items()))
                step = stub.next_step(request)
                if isinstance(step, Hang):
                    time.sleep(step.seconds)
                    step = "Too late."
                if isinstance(step, Status):
                    self._send(step.code, {"error": {"message": step.message or f"scripted {step.code}"}}, step.headers)
                elif isinstance(step, Malformed):
                    self._raw(200, step.body.encode(), "application/json")
                elif isinstance(step, CutStream):
                    self._stream(request, step.text, cut=True)
                elif isinstance(step, Slow):
                    text = step.reply(request) if callable(step.reply) else step.reply
                    self._stream(request, text, cut=False, pause=step.seconds_per_word)
                elif isinstance(step, StallStream):
                    self._stream(request, step.text, cut=True, stall=step.seconds)
                else:
                    text = step(request) if callable(step) else step
                    if request.get("stream"):
                        self._stream(request, text, cut=False)
                    else:
                        self._send(200, completion(request, text))

            def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._raw(code, json.dumps(body).encode(), "application/json", headers)

            def _raw(self, code: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _stream(
                self, request: dict[str, Any], text: str, cut: bool, pause: float = 0.0, stall: float = 0.0
            ) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in re.findall(r"\S+\s*", text):  # word by word, like a model
                    self.wfile.write(f"data: {json.dumps(chunk(request, piece))}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(pause)
                if stall:
                    time.sleep(stall)
                if cut:
                    self.wfile.write(b'data: {"id": "c", "choices": [{"delta": {"content": "and th')
                    self.wfile.flush()
                    self.close_connection = True
                    return
                done = chunk(request, "")
                done["choices"][0]["finish_reason"] = "stop"
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.close_connection = True

        return Handler

    def __enter__(self) -> OpenAIStub:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def completion(request: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "stub"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(request: dict[str, Any], piece: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.get("model", "stub"),
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}],
    }


@contextmanager
def running(script: list[Step]) -> Iterator[OpenAIStub]:
    with OpenAIStub(script) as stub:
        yield stub


def engine_with_stub_model(engine: Any, settings: Any, url: str, **overrides: Any) -> Any:
    """The session engine's retriever and verifier, with the stub at `url` as the chat model."""
    from rag.engine import with_backend

    values = {"openai_base_url": url, "backend": "openai", "openai_timeout": 2.0, "openai_max_retries": 2}
    return with_backend(engine, settings.model_copy(update=values | overrides))
