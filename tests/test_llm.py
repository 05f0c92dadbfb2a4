"""The retry policy's arithmetic (the HTTP behaviour is in test_answering_openai, against a stub)."""

import httpx
import openai
import pytest

from rag.errors import ConfigError
from rag.llm import BACKOFF_CAP, LLMError, backoff, build_llm, call_with_retries, describe


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(code, headers=headers or {}, request=request)
    cls = {429: openai.RateLimitError, 500: openai.InternalServerError}.get(code, openai.APIStatusError)
    return cls(f"scripted {code}", response=response, body=None)


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert backoff(1, status_error(429, {"retry-after": "3"})) == 3.0
    assert backoff(1, status_error(429, {"retry-after": "600"})) == BACKOFF_CAP


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    e = status_error(500)
    assert 0.4 <= backoff(1, e) <= 0.5 and 0.8 <= backoff(2, e) <= 1.0 and backoff(9, e) <= BACKOFF_CAP


def test_retries_are_bounded_and_sleeps_recorded() -> None:
    calls, sleeps = [], []

    def always_500() -> str:
        calls.append(1)
        raise status_error(500)

    with pytest.raises(LLMError, match=r"HTTP 500 after 3 attempts"):
        call_with_retries(always_500, retries=2, deadline_s=60, sleep=sleeps.append)
    assert len(calls) == 3 and len(sleeps) == 2


def test_the_deadline_stops_retries_before_the_count_does() -> None:
    calls = []

    def slow_429() -> str:
        calls.append(1)
        raise status_error(429, {"retry-after": "5"})

    with pytest.raises(LLMError):
        call_with_retries(slow_429, retries=5, deadline_s=1.0, sleep=lambda s: None)
    assert len(calls) == 1  # waiting 5 s would pass the 1 s deadline


def test_client_errors_are_not_retried() -> None:
    calls = []

    def bad_request() -> str:
        calls.append(1)
        raise status_error(400)

    with pytest.raises(LLMError, match="HTTP 400"):
        call_with_retries(bad_request, retries=5, deadline_s=60, sleep=lambda s: None)
    assert calls == [1]


def test_descriptions_are_one_line_and_carry_no_request_data() -> None:
    assert describe(status_error(503)) == "HTTP 503"
    assert describe(ValueError("secret body sk-123")) == "ValueError"


def test_the_openai_backend_without_key_or_url_is_a_config_error(make_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        build_llm(make_settings(backend="openai"))


def test_both_retry_layers_of_llamaindex_are_off(make_settings) -> None:  # type: ignore[no-untyped-def]
    llm = build_llm(make_settings(openai_base_url="http://127.0.0.1:9/v1"))
    assert llm.max_retries == 0 and llm._get_credential_kwargs()["max_retries"] == 0
