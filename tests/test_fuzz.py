"""Property-based tests (hypothesis): any text at `ask` and any body at POST /api/ask give a well-formed
answer (every citation verbatim in its article) or a clean refusal: QuestionError from the library,
a 4xx with a JSON `detail` from the API. Never a crash, never a 5xx. Examples are kept few enough for
CI; each failure prints the input that caused it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.api import create_app
from rag.errors import QuestionError

FUZZ = settings(max_examples=100, deadline=None, database=None)
DESIGN_KEYS = {"question", "answer", "abstained", "reason", "citations", "backend", "notice", "timings"}
CITATION_KEYS = {"n", "article_id", "title", "quote", "start", "end", "passage"}
REAL = [
    "What does Iran receive in return for the missiles it sends to Russia?",
    "How many Shahed drones has Iran sold to Russia?",
    "Who is Salal Sadatian?",
]

# Any text (control characters, NUL, emoji, right-to-left scripts, combining marks ...), and real
# questions with arbitrary text around them, so that the fuzz reaches retrieval and the verifier.
questions = st.one_of(
    st.text(max_size=300),
    st.builds(lambda q, tail: q + tail, st.sampled_from(REAL), st.text(max_size=60)),
    st.builds(lambda head, q: head + q, st.text(max_size=60), st.sampled_from(REAL)),
)
turns = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": st.text(max_size=200)}),
    max_size=4,
)


class Texts(dict):  # type: ignore[type-arg]
    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example: keep it short
        return f"<{len(self)} article texts>"


@pytest.fixture(scope="module")
def texts(article_texts: dict[str, str]) -> Texts:
    return Texts(article_texts)


def check_answer(data: dict[str, Any], article_texts: dict[str, str]) -> None:
    """The answer structure of docs/CONTRACTS.md, with every [n] a citation quoted verbatim from its article."""
    assert DESIGN_KEYS <= set(data), set(data)
    assert isinstance(data["answer"], str) and data["answer"].strip()
    assert isinstance(data["abstained"], bool) and data["backend"] == "offline"
    if data["abstained"]:
        assert data["reason"]
    numbers = sorted(c["n"] for c in data["citations"])
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])} <= set(numbers)
    for c in data["citations"]:
        assert CITATION_KEYS <= set(c)
        assert article_texts[c["article_id"]][c["start"] : c["end"]] == c["quote"]
    json.dumps(data)  # serialisable as it stands


@FUZZ
@given(question=questions, history=turns)
def test_ask_with_any_text_answers_or_says_what_is_wrong_with_the_question(
    engine, texts, question: str, history: list[dict[str, str]]
) -> None:  # type: ignore[no-untyped-def]
    try:
        answer = engine.ask(question, history)
    except QuestionError as e:
        assert str(e).startswith("The question ") and len(str(e)) < 300
        return
    check_answer(answer.to_dict(), texts)


@pytest.fixture(scope="module")
def api(engine, real_settings) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = real_settings.model_copy(update={"rate_limit_per_minute": 0, "max_request_bytes": 65_536})
    # a 5xx must show as a status here, not as an exception inside the test client
    with TestClient(create_app(engine, settings), raise_server_exceptions=False) as client:
        yield client


def check_response(r: Any, article_texts: dict[str, str]) -> None:
    assert r.status_code == 200 or 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    if r.status_code == 200:
        check_answer(body, article_texts)
    else:
        assert body["detail"], body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Bodies that look like requests (so that some get past validation) and bodies that do not.
request_like = st.fixed_dictionaries(
    {"question": st.one_of(questions, json_values)},
    optional={"history": st.one_of(turns, json_values), "extra": json_values},
)


@FUZZ
@given(body=st.one_of(request_like, json_values))
def test_any_json_body_gets_an_answer_or_a_4xx(api, texts, body: Any) -> None:  # type: ignore[no-untyped-def]
    # json.dumps writes NaN and Infinity, which are not JSON: those bodies test the parser's refusal
    r = api.post("/api/ask", content=json.dumps(body), headers={"content-type": "application/json"})
    check_response(r, texts)


@FUZZ
@given(body=st.binary(max_size=3000), content_type=st.sampled_from(["application/json", "text/plain", None]))
def test_any_bytes_get_a_4xx_or_an_answer(api, texts, body: bytes, content_type: str | None) -> None:  # type: ignore[no-untyped-def]
    headers = {"content-type": content_type} if content_type else {}
    check_response(api.post("/api/ask", content=body, headers=headers), texts)
