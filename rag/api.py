"""The one web server: a FastAPI app with the JSON API (POST /api/ask, GET /healthz, /openapi.json)
onto which app.py mounts the Gradio chat, all behind the login when settings.users_file is set.

Input: an open engine and settings. Output: an ASGI app. Thin, like app.py: it validates requests,
calls engine.ask and maps library errors to HTTP statuses. It neither opens the index nor builds
the UI.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import anyio
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from rag.auth import Authenticator, LoginMiddleware, read_users
from rag.config import Settings
from rag.errors import IndexCorruptError, IndexMissingError, QuestionError, RagError

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


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    article_id: str
    title: str
    title_is_editorial: bool
    author: str
    outlet: str
    published: str
    url: str
    quote: str = Field(description="== article_text[start:end]")
    start: int
    end: int
    passage: str
    passage_start: int
    passage_end: int
    support: float


class AnswerOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # new Answer fields pass through
    question: str
    answer: str = Field(description="Text with [n] markers, one per cited claim.")
    abstained: bool
    reason: str
    citations: list[CitationOut]
    backend: str
    notice: str
    standalone_question: str
    dropped: list[str]
    flagged: list[str]
    timings: dict[str, float]


class Problem(BaseModel):
    detail: str


def create_app(engine: Any, settings: Settings) -> FastAPI:
    """The API app; mount the Gradio UI on it at '/' (gr.mount_gradio_app) before serving."""
    app = FastAPI(
        title="Grounded news Q&A",
        summary="Answers about the news articles, every claim cited to a verbatim quote.",
        version="1",
        # the docs page would fetch Swagger UI from a CDN; the schema itself is served locally
        docs_url=None,
        redoc_url=None,
    )
    limiter = anyio.CapacityLimiter(settings.concurrency_limit)

    @app.get("/healthz", summary="200 once the index is open and the server answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(
        "/api/ask",
        response_model=AnswerOut,
        summary="Answer one question (a follow-up in the light of the history)",
        responses={422: {"model": Problem, "description": "Unusable question"}, 503: {"model": Problem}},
    )
    async def ask(request: AskRequest) -> dict[str, Any]:
        history = [t.model_dump() for t in request.history]
        try:
            answer = await anyio.to_thread.run_sync(engine.ask, request.question, history, limiter=limiter)
        except QuestionError as e:
            raise HTTPException(status_code=422, detail=str(e)) from e
        except (IndexMissingError, IndexCorruptError) as e:
            raise HTTPException(status_code=503, detail=str(e)) from e
        except RagError as e:
            log.exception("ask failed")
            raise HTTPException(status_code=500, detail=str(e)) from e
        return answer.to_dict()  # type: ignore[no-any-return]

    if settings.users_file is not None:
        secret = settings.session_secret.get_secret_value().encode() if settings.session_secret else None
        auth = Authenticator(read_users(settings.users_file), secret, settings.session_hours)
        app.add_middleware(LoginMiddleware, auth=auth)  # type: ignore[arg-type]
    return app
