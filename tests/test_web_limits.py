"""Per-client limits on the web surfaces: POST /api/ask answers 429 with Retry-After, the chat says so
in the conversation and keeps the question, Gradio's /ask raises a readable error; one budget per
client across all three, per logged-in user when the login is on; a body over the size limit is 413."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _web import load_app_module, serve
from fastapi.testclient import TestClient

from rag.auth import add_user
from rag.config import Settings

QUESTION = "What is Iran bartering its missiles and drones for?"


@pytest.fixture(scope="module")
def app_module():  # type: ignore[no-untyped-def]
    return load_app_module()


def settings_for(real_settings: Settings, tmp_path: Any, **values: Any) -> Settings:
    return real_settings.model_copy(update={"feedback_log": tmp_path / "feedback.jsonl", **values})


def test_the_api_answers_429_with_retry_after_once_a_client_is_over_its_budget(
    engine, real_settings, tmp_path, app_module
) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(real_settings, tmp_path, rate_limit_per_minute=2, rate_limit_burst=2)
    server = app_module.create_server(engine, settings)
    with TestClient(server, client=("10.0.0.1", 5000)) as one, TestClient(server, client=("10.0.0.2", 5000)) as two:
        assert [one.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(2)] == [200, 200]
        r = one.post("/api/ask", json={"question": QUESTION})
        assert r.status_code == 429 and r.headers["retry-after"] == "30"
        assert r.json()["detail"].startswith("Too many questions from you: at most 2 a minute")
        assert "RAG_RATE_LIMIT_PER_MINUTE" in r.json()["detail"]
        assert two.post("/api/ask", json={"question": QUESTION}).status_code == 200  # another client is not slowed
        assert one.get("/healthz").status_code == 200  # the probe is never limited


def test_with_login_on_the_budget_follows_the_user_not_the_address(engine, real_settings, tmp_path, app_module) -> None:  # type: ignore[no-untyped-def]
    add_user(tmp_path / "users", "alice", "pw-a")
    add_user(tmp_path / "users", "bob", "pw-b")
    settings = settings_for(
        real_settings, tmp_path, users_file=tmp_path / "users", rate_limit_per_minute=1, rate_limit_burst=1
    )
    server = app_module.create_server(engine, settings)

    def auth(user: str, pw: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}

    with TestClient(server, client=("10.0.0.1", 1)) as first, TestClient(server, client=("10.0.0.9", 1)) as second:
        assert first.post("/api/ask", json={"question": QUESTION}, headers=auth("alice", "pw-a")).status_code == 200
        # alice from another address: same person, same budget
        assert second.post("/api/ask", json={"question": QUESTION}, headers=auth("alice", "pw-a")).status_code == 429
        # bob behind the same address as alice (one office, one NAT): his own budget
        assert first.post("/api/ask", json={"question": QUESTION}, headers=auth("bob", "pw-b")).status_code == 200
        # strangers are refused by the login before they can spend anyone's budget
        assert first.post("/api/ask", json={"question": QUESTION}).status_code == 401


def test_zero_turns_the_rate_limit_off(engine, real_settings, tmp_path, app_module) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(real_settings, tmp_path, rate_limit_per_minute=0, rate_limit_burst=1)
    with TestClient(app_module.create_server(engine, settings)) as client:
        codes = {client.post("/api/ask", json={"question": "Who is Salal Sadatian?"}).status_code for _ in range(12)}
        assert codes == {200}


def test_a_body_over_the_size_limit_is_413_before_it_is_read(engine, real_settings, tmp_path, app_module) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(real_settings, tmp_path, max_request_bytes=8192)
    with TestClient(app_module.create_server(engine, settings)) as client:
        big = json.dumps({"question": "x" * 9000})
        r = client.post("/api/ask", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "RAG_MAX_REQUEST_BYTES" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts the bytes as they come
            yield b'{"question": "'
            for _ in range(20):
                yield b"y" * 1000
            yield b'"}'

        r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and "8,192 bytes" in r.json()["detail"]
        # under the limit, the body reaches the API intact (a long question is still a 422, with its reason)
        r = client.post("/api/ask", json={"question": "z" * 5000})
        assert r.status_code == 422 and "RAG_MAX_QUESTION_CHARS" in r.json()["detail"]


def chat(url: str, fn_index: int, question: str, session_hash: str) -> list[Any]:
    """Send one question through the chat's queue, as the browser does; the final outputs."""
    join = {
        "data": [question, [], {"turns": [], "answers": {}}],
        "fn_index": fn_index,
        "session_hash": session_hash,
        "event_data": None,
        "trigger_id": None,
    }
    assert httpx.post(f"{url}/gradio_api/queue/join", json=join).status_code == 200
    with httpx.stream("GET", f"{url}/gradio_api/queue/data?session_hash={session_hash}", timeout=60) as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    assert message["success"], message
                    return list(message["output"]["data"])
    raise AssertionError("the chat never completed")


def test_the_chat_says_too_many_questions_in_the_conversation_and_keeps_the_question(
    engine, real_settings, tmp_path, app_module
) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    settings = settings_for(real_settings, tmp_path, rate_limit_per_minute=1, rate_limit_burst=2)
    with serve(app_module.create_server(engine, settings)) as url:
        config = httpx.get(f"{url}/config").json()
        fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "chat")
        box, messages, _ = chat(url, fn_index, QUESTION, "s1")
        assert box == "" and "wheat and soy" in json.dumps(messages)
        box, messages, _ = chat(url, fn_index, QUESTION, "s2")
        assert box == "" and "wheat and soy" in json.dumps(messages)
        box, messages, _ = chat(url, fn_index, QUESTION, "s3")  # a new tab does not reset the budget
        assert box == QUESTION  # kept, to send again
        reply = messages[-1]["content"][0]["text"]
        assert "Too many questions from you: at most 1 a minute (bursts of 2)" in reply and "Try again in" in reply
        assert "RAG_" not in reply  # setting names are for whoever runs the app, not for the chat
        assert "Traceback" not in json.dumps(messages)
        # the same budget covers Gradio's API and the JSON API
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        with pytest.raises(Exception, match="Too many questions from you"):
            client.predict(QUESTION, [], api_name="/ask")
        client.close()
        r = httpx.post(f"{url}/api/ask", json={"question": QUESTION})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
