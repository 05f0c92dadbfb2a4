"""The one web server: a FastAPI app with the JSON API (POST /api/ask, GET /healthz, /openapi.json)
onto which app.py mounts the Gradio chat, all behind the login when settings.users_file is set.

Input: an open engine and settings. Output: an ASGI app. Thin, like app.py: it validates requests
(body size, per-client rate limit, shape), calls engine.ask and maps library errors to HTTP
statuses. It neither opens the index nor builds the UI.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from rag.auth import ASGIApp, Authenticator, LoginMiddleware, Receive, Scope, Send, read_users, respond
from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMissingError, QuestionError, RagError
from rag.limits import RateLimiter, retry_after, too_fast_message
from rag.types import Answer

log = logging.getLogger(__name__)

MAX_TURNS = 50
MAX_TURN_CHARS = 20_000


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_TURN_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in plain text.", examples=["What does Iran get for the missiles?"])
    history: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS, description="Earlier turns, oldest first.")


class Problem(BaseModel):
    detail: str


def client_key(user: object, host: object) -> str:
    """Whose rate limit a request counts against: the logged-in user, else the client's address."""
    return f"user:{user}" if user else f"ip:{host or 'unknown'}"


def create_app(engine: Any, settings: Settings, limiter: RateLimiter | None = None) -> FastAPI:
    """The API app; mount the Gradio UI on it at '/' (gr.mount_gradio_app) before serving.

    limiter: per-client question budget, shared with the chat when app.py passes the same one."""
    app = FastAPI(
        title="Grounded news Q&A",
        summary="Answers about the news articles, every claim cited to a verbatim quote.",
        version="1",
        # the docs page would fetch Swagger UI from a CDN; the schema itself is served locally
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(RequestValidationError, refuse_invalid)  # type: ignore[arg-type]
    workers = anyio.CapacityLimiter(settings.concurrency_limit)
    rate = limiter or RateLimiter.from_settings(settings)

    @app.get("/healthz", summary="200 once the index is open and the server answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(
        "/api/ask",
        response_model=Answer,  # the dataclass itself: the schema cannot drift from what every surface returns
        summary="Answer one question (a follow-up in the light of the history)",
        responses={
            413: {"model": Problem, "description": "Request body over RAG_MAX_REQUEST_BYTES"},
            422: {"model": Problem, "description": "Unusable question"},
            429: {"model": Problem, "description": "Too many questions from this client; see Retry-After"},
            503: {"model": Problem},
        },
    )
    async def ask(request: AskRequest, http: Request) -> dict[str, Any]:
        user = getattr(http.state, "user", None)
        wait = rate.acquire(client_key(user, http.client.host if http.client else None))
        if wait > 0:
            headers = {"Retry-After": str(retry_after(wait))}
            raise HTTPException(status_code=429, detail=too_fast_message(wait, rate), headers=headers)
        history = [t.model_dump() for t in request.history]
        try:
            answer = await anyio.to_thread.run_sync(engine.ask, request.question, history, limiter=workers)
        except QuestionError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        except (IndexMissingError, IndexCorruptError) as e:
            raise HTTPException(status_code=503, detail=str(e)) from e
        except RagError as e:
            log.exception("ask failed")
            raise HTTPException(status_code=500, detail=str(e)) from e
        return answer.to_dict()  # type: ignore[no-any-return]

    add_verify_route(app, engine, workers, rate)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)  # type: ignore[arg-type]
    if settings.users_file is not None:  # added last: the outermost layer, so strangers get 401 first
        secret = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
        auth = Authenticator(read_users(settings.users_file), secret, settings.session_hours)
        app.add_middleware(LoginMiddleware, auth=auth)  # type: ignore[arg-type]
    return app


class PassageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=MAX_TURN_CHARS)
    title: str = ""
    author: str = ""
    outlet: str = ""
    published: str = ""


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The draft to check, in plain text.")
    passages: list[PassageIn] | None = Field(
        None, max_length=20, description="Passages to check against; without them, the corpus (retrieval per sentence)."
    )


def add_verify_route(app: FastAPI, engine: Any, workers: Any, rate: RateLimiter) -> None:
    """POST /api/verify: each sentence of a draft supported (with quotes) or not (with the reason)."""
    from rag.check import DraftPassage

    @app.post(
        "/api/verify",
        summary="Check a draft against the articles, sentence by sentence",
        responses={422: {"model": Problem}, 429: {"model": Problem}, 503: {"model": Problem}},
    )
    async def verify(request: VerifyRequest, http: Request) -> dict[str, Any]:
        user = getattr(http.state, "user", None)
        wait = rate.acquire(client_key(user, http.client.host if http.client else None))
        if wait > 0:
            headers = {"Retry-After": str(retry_after(wait))}
            raise HTTPException(status_code=429, detail=too_fast_message(wait, rate), headers=headers)
        passages = [DraftPassage(**p.model_dump()) for p in request.passages] if request.passages else None
        try:
            result = await anyio.to_thread.run_sync(engine.check, request.text, passages, limiter=workers)
        except QuestionError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        except (IndexMissingError, IndexCorruptError) as e:
            raise HTTPException(status_code=503, detail=str(e)) from e
        return result.to_dict()  # type: ignore[no-any-return]


async def refuse_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming each problem's place and reason. FastAPI's own handler also echoes the input, which
    fails on a NaN or Infinity in the body (a 500) and would send back whatever the client sent."""
    problems = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in error.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": problems})


class BodyLimitMiddleware:
    """413 for a POST /api/ask body over max_bytes, before anything buffers or parses all of it."""

    def __init__(self, app: ASGIApp, max_bytes: int, paths: tuple[str, ...] = ("/api/ask", "/api/verify")) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.too_large(send)
            return
        messages, size = [], 0
        while True:  # read at most max_bytes (+ one message), then hand the body on as it came
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self.too_large(send)
                return
            messages.append(message)
            if not message.get("more_body"):
                break

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def too_large(self, send: Send) -> None:
        detail = (
            f"The request body is over {self.max_bytes:,} bytes (RAG_MAX_REQUEST_BYTES). "
            "Send a shorter question and fewer earlier turns."
        )
        body = json.dumps({"detail": detail}).encode()
        await respond(send, 413, body, [(b"content-type", b"application/json")])
