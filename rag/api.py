"""The one web server: a FastAPI app with the JSON API (POST /api/ask, GET /healthz, /openapi.json,
GET/POST/DELETE /api/articles[/{id}]) onto which app.py mounts the Gradio chat, all behind the login
when settings.users_file is set (adding and removing articles then takes the editor role).

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

from rag.auth import (
    ASGIApp,
    Authenticator,
    LoginMiddleware,
    Receive,
    Scope,
    Send,
    may_edit,
    read_roles,
    read_users,
    respond,
)
from rag.config import Settings
from rag.corpus import MAX_FILE_BYTES
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

    add_article_routes(app, engine, settings)
    add_verify_route(app, engine, workers, rate)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)  # type: ignore[arg-type]
    app.add_middleware(
        BodyLimitMiddleware,  # type: ignore[arg-type]
        max_bytes=MAX_FILE_BYTES + UPLOAD_OVERHEAD,
        paths=("/api/articles",),
        what="an article file (25 MB)",
    )
    if settings.users_file is not None:  # added last: the outermost layer, so strangers get 401 first
        secret = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
        users = read_users(settings.users_file)
        auth = Authenticator(users, secret, settings.session_hours, read_roles(settings.users_file))
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

    def __init__(
        self, app: ASGIApp, max_bytes: int, paths: tuple[str, ...] = ("/api/ask", "/api/verify"), what: str = ""
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = paths
        self.what = what

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
        if self.what:
            detail = (
                f"The request body is over {self.max_bytes:,} bytes, more than {self.what}. Add one article at a time."
            )
        body = json.dumps({"detail": detail}).encode()
        await respond(send, 413, body, [(b"content-type", b"application/json")])


UPLOAD_OVERHEAD = 1_048_576  # multipart framing and form fields around one file


class ArticleText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, description="Pasted article text (a title given with it is marked editorial)")
    url: str | None = Field(None, description="A link to the article (http or https)")
    title: str = ""
    author: str = ""
    outlet: str = ""
    published: str = Field("", description="YYYY-MM-DD, or empty when the article does not say")
    article_url: str = Field("", description="The article's own link, for pasted text")


def add_article_routes(app: FastAPI, engine: Any, settings: Settings) -> None:
    """GET/POST/DELETE /api/articles[/{id}]: the sources the engine answers from."""
    from rag import articles as lib

    login_on = settings.users_file is not None
    store = engine.retriever.store

    def require_editor(http: Request) -> None:
        if not may_edit(login_on, getattr(http.state, "roles", ())):
            raise HTTPException(
                403, "Adding and removing articles takes the editor role: python -m rag adduser NAME --editor"
            )

    @app.get("/api/articles", summary="The indexed articles (id, title, author, outlet, date, chunks ...)")
    async def list_all() -> list[dict[str, Any]]:
        return await anyio.to_thread.run_sync(lib.list_articles, store, settings.corpus_dir)

    @app.get("/api/articles/{article_id}", summary="One article, with the indexed text citations refer to")
    async def show(article_id: str) -> dict[str, Any]:
        try:
            row, text = await anyio.to_thread.run_sync(lib.get_article, store, settings.corpus_dir, article_id)
        except lib.ArticleNotFound as e:
            raise HTTPException(404, str(e)) from e
        return {**row, "text": text}

    @app.post(
        "/api/articles",
        status_code=201,
        summary="Add an article: a file (multipart field 'file'), or JSON {url} or {text, title, ...}",
        responses={403: {"model": Problem}, 409: {"model": Problem}, 413: {"model": Problem}, 422: {"model": Problem}},
    )
    async def add(http: Request) -> dict[str, Any]:
        require_editor(http)
        result = await _added_from_request(http, settings)
        if result.problem:
            raise HTTPException(422, result.problem)
        if result.duplicate_of:
            raise HTTPException(409, f"Same text as article {result.duplicate_of!r}: not added again (a duplicate).")
        report = await anyio.to_thread.run_sync(_reindex, engine, settings)
        row, _ = await anyio.to_thread.run_sync(lib.get_article, store, settings.corpus_dir, result.article_id)
        return {"article": row, "file": result.file, "ingest": report.summary()}

    @app.delete("/api/articles/{article_id}", summary="Remove an article (its file moves to corpus/.removed/)")
    async def remove(article_id: str, http: Request) -> dict[str, Any]:
        require_editor(http)
        try:
            name = await anyio.to_thread.run_sync(lib.remove_article, store, settings, article_id)
        except lib.ArticleNotFound as e:
            raise HTTPException(404, str(e)) from e
        engine.retriever.refresh(force=True)
        return {"removed": article_id, "file": name}


async def _added_from_request(http: Request, settings: Settings) -> Any:
    """The body as a file upload, a link or pasted text -> rag.articles.Added."""
    from starlette.datastructures import UploadFile

    from rag import articles as lib

    kind = http.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await http.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise HTTPException(422, "Send the article as a multipart field named 'file' (with its file name).")
        raw = await upload.read()
        return await anyio.to_thread.run_sync(lib.add_bytes, settings, raw, upload.filename)
    try:
        body = ArticleText.model_validate_json(await http.body())
    except ValueError as e:
        raise HTTPException(422, 'Send JSON {"url": ...} or {"text": ..., "title": ...}, or a file upload.') from e
    if bool(body.url) == bool(body.text):
        raise HTTPException(422, "Give exactly one of 'url' and 'text'.")
    if body.url:
        results = await anyio.to_thread.run_sync(lib.add_inputs, settings, [body.url])
        return results[0]
    return await anyio.to_thread.run_sync(
        lambda: lib.add_text(
            settings, body.text or "", body.title, body.author, body.outlet, body.published, body.article_url
        )
    )


def _reindex(engine: Any, settings: Settings) -> Any:
    from rag.articles import index_now

    report = index_now(settings, engine.retriever.embed_model)
    engine.retriever.refresh(force=True)
    return report
