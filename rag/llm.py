"""The chat model behind the generative backend and follow-up rewriting: OpenAI or any server that
speaks its API (vLLM, Ollama, llama.cpp), through LlamaIndex's OpenAILike.

Input: Settings and chat messages. Output: text (whole or streamed) or an LLMError saying what
failed. It owns the one retry loop; it does not build prompts or judge answers.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from llama_index.core.llms import ChatMessage, MessageRole

from rag.config import Settings
from rag.errors import BackendError, ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0  # seconds: 0.5, 1, 2, 4, 8 (jittered), or the server's Retry-After


class LLMError(BackendError):
    """The model server failed after the bounded retries; `short` is a one-line reason."""

    def __init__(self, short: str) -> None:
        super().__init__(f"The OpenAI-compatible server failed: {short}.")
        self.short = short


@dataclass(frozen=True)
class Message:
    role: str  # system | user | assistant
    content: str


def escape(text: str, attr: bool = False) -> str:
    """Text made safe to put inside our prompt tags. A passage, question or turn containing
    "</source>" or "<system>" must not be able to close or open a tag, so &, < and > become
    entities (and " too inside an attribute); the verifier re-anchors on the real article text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attr else text


def build_llm(settings: Settings) -> Any:
    """An OpenAILike client with retries switched off in both LlamaIndex and the SDK.

    LlamaIndex wraps every call in its own tenacity retry *and* passes max_retries to the SDK,
    which retries again inside, so the attempts multiply ((n+1)^2 against a dead server). We set
    max_retries=0 there and retry once, here, in call_with_retries.
    """
    from llama_index.llms.openai_like import OpenAILike

    if not settings.openai_configured():
        raise ConfigError("The OpenAI backend needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server).")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAILike(
        model=settings.openai_model,
        api_base=settings.openai_base_url or "https://api.openai.com/v1",
        api_key=key,
        is_chat_model=True,
        context_window=settings.openai_context_window,
        temperature=0.0,
        max_tokens=settings.openai_max_tokens,
        timeout=settings.openai_timeout,
        max_retries=0,
    )


class ChatModel:
    """A chat model with one bounded retry policy, for whole replies and for streams."""

    def __init__(
        self,
        llm: Any,
        retries: int,
        deadline_s: float,
        sleep: Callable[[float], None] = time.sleep,
        attempt_s: float | None = None,
    ) -> None:
        self.llm = llm
        self.retries = retries
        self.deadline_s = deadline_s
        self._sleep = sleep
        # how long one attempt may take (the client's timeout): no retry starts that could end past the deadline
        self.attempt_s = attempt_s if attempt_s is not None else float(getattr(llm, "timeout", 0.0) or 0.0)

    def complete(self, messages: list[Message]) -> str:
        chat = _chat_messages(messages)
        response = self._with_retries(lambda: self.llm.chat(chat))
        return str(response.message.content or "")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Text deltas. Retries only until the first delta: once text has been seen, a failure
        raises LLMError (the caller decides what to show) rather than repeating the answer."""
        chat = _chat_messages(messages)
        started = time.monotonic()

        gen, delta = self._with_retries(lambda: _first_delta(self.llm.stream_chat(chat)))
        finished = False
        if delta:
            yield delta
        try:
            for chunk in gen:
                finished = finished or _finish_reason(chunk) is not None
                if chunk.delta:
                    yield chunk.delta
                if time.monotonic() - started > self.deadline_s:
                    raise LLMError(f"the answer took longer than {self.deadline_s:g} s")
        except LLMError:
            raise
        except Exception as e:  # the stream broke mid-answer
            raise LLMError(f"the stream broke mid-answer ({describe(e)})") from e
        if not finished:  # the SDK ends quietly when a server closes the stream early or sends junk
            raise LLMError("the stream broke mid-answer (no finish reason)")

    def _with_retries(self, call: Callable[[], T]) -> T:
        return call_with_retries(call, self.retries, self.deadline_s, self._sleep, self.attempt_s)


def _chat_messages(messages: list[Message]) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole(m.role), content=m.content) for m in messages]


def _first_delta(gen: Iterator[Any]) -> tuple[Iterator[Any], str]:
    """Pull the first chunk so that connection and HTTP errors surface inside the retry loop."""
    first = next(gen, None)
    return gen, (first.delta or "") if first is not None else ""


def _finish_reason(chunk: Any) -> str | None:
    choices = getattr(chunk.raw, "choices", None) or []
    return getattr(choices[0], "finish_reason", None) if choices else None


def call_with_retries(
    call: Callable[[], T], retries: int, deadline_s: float, sleep: Callable[[float], None], attempt_s: float = 0.0
) -> T:
    """call() with up to `retries` retries on 429/5xx/timeouts/connection errors, exponential
    backoff with jitter (or the server's Retry-After), never past deadline_s in total: a retry
    that, waiting its backoff and then its whole attempt_s (the timeout), would end later is not made."""
    import httpx
    import openai  # here, not at the top: the SDK costs 0.5 s of import that offline use never needs

    # httpx's own timeout/transport errors: the SDK wraps them when a request is sent, but not while
    # a stream is read, so a server that sends headers and then no first token (llama.cpp on a busy
    # CPU) raises httpx.ReadTimeout here
    retryable = (
        openai.APIConnectionError,
        openai.APITimeoutError,
        openai.RateLimitError,
        openai.InternalServerError,
        httpx.TimeoutException,
        httpx.TransportError,
    )
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except retryable as e:
            wait = backoff(attempt, e)
            spent = time.monotonic() - started
            if attempt > retries or spent + wait + attempt_s > deadline_s:
                raise LLMError(f"{describe(e)} after {attempt} attempt{'s' if attempt > 1 else ''}") from e
            log.warning("model server: %s; retry %d/%d in %.1f s", describe(e), attempt, retries, wait)
            sleep(wait)
        except openai.APIStatusError as e:  # 4xx other than 429: retrying will not help
            raise LLMError(describe(e)) from e
        except (openai.OpenAIError, ValueError, KeyError, TypeError, AttributeError) as e:
            # malformed replies surface as JSON/validation/attribute errors from the SDK or LlamaIndex
            raise LLMError(f"unreadable reply ({describe(e)})") from e


def backoff(attempt: int, error: Exception) -> float:
    response = getattr(error, "response", None)
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after:
        try:
            return min(float(retry_after), BACKOFF_CAP)
        except ValueError:
            pass
    return min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP) * random.uniform(0.8, 1.0)


def describe(e: Exception) -> str:
    """A one-line reason, without secrets (no request bodies, no keys)."""
    import httpx
    import openai

    if isinstance(e, (openai.APITimeoutError, httpx.TimeoutException)):
        return "timed out"
    if isinstance(e, httpx.TransportError):
        return "could not connect"
    if isinstance(e, openai.APIConnectionError):
        return "could not connect"
    if isinstance(e, openai.APIStatusError):
        return f"HTTP {e.status_code}"
    return type(e).__name__
