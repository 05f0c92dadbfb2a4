"""The web contract (docs/CONTRACTS.md): `python app.py` serves the chat, GET /healthz and POST /api/ask from one
server; gradio_client and plain HTTP clients get cited answers; with login on, nothing gets through
without credentials, on any route."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from _web import free_port, load_app_module, serve, wait_for
from fastapi.testclient import TestClient

from rag.auth import add_user
from rag.config import PROJECT_ROOT, Settings, load_settings

QUESTION = "What does Iran receive in return for the missiles it sends to Russia?"
KEYS = {"question", "answer", "abstained", "reason", "citations", "backend", "standalone_question", "timings"}
CITATION_KEYS = {"n", "article_id", "title", "author", "outlet", "published", "quote", "start", "end", "passage"}


def check_answer(data: dict[str, Any], article_texts: dict[str, str]) -> None:
    assert KEYS <= set(data) and data["question"] == QUESTION and not data["abstained"]
    assert data["citations"] and data["backend"] == "offline"
    for c in data["citations"]:
        assert CITATION_KEYS <= set(c) and f"[{c['n']}]" in data["answer"]
        assert article_texts[c["article_id"]][c["start"] : c["end"]] == c["quote"]


# --- the real entry point: `python app.py` in its own process, with no index yet ---------------------


@pytest.fixture(scope="module")
def app_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("app")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(
        RAG_PORT=str(port),
        RAG_INDEX_DIR=str(tmp / "index"),  # empty: app.py must build the index first
        RAG_FEEDBACK_LOG=str(tmp / "feedback.jsonl"),
        RAG_RATE_LIMIT_PER_MINUTE="0",  # these tests ask more than one person would; test_web_limits tests the limit
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
    )
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", 180, alive=lambda: proc.poll() is None)
        yield f"http://127.0.0.1:{port}", tmp / "server.log"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_app_builds_the_index_on_first_run_and_serves_healthz_and_the_chat(app_process) -> None:  # type: ignore[no-untyped-def]
    url, log = app_process
    assert "No index yet: building it" in log.read_text()
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    page = httpx.get(url + "/")
    assert page.status_code == 200 and "gradio" in page.text.lower()
    assert "127.0.0.1" in url  # loopback by default: RAG_HOST was not set


def test_plain_http_client_gets_a_cited_answer(app_process, article_texts) -> None:  # type: ignore[no-untyped-def]
    url, _ = app_process
    r = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    check_answer(r.json(), article_texts)
    follow_up = httpx.post(
        f"{url}/api/ask",
        json={
            "question": "And what does Russia get?",
            "history": [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": r.json()["answer"]}],
        },
        timeout=60,
    )
    assert follow_up.status_code == 200 and "abstained" in follow_up.json()


def test_several_staff_asking_at_once_all_get_the_same_answer_as_one_alone(app_process) -> None:  # type: ignore[no-untyped-def]
    url, _ = app_process
    questions = [QUESTION, "How many Shahed drones has Iran sold to Russia?"] * 3

    def ask(question: str) -> dict[str, Any]:
        r = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=120)
        assert r.status_code == 200
        return {k: v for k, v in r.json().items() if k != "timings"}

    alone = {q: ask(q) for q in set(questions)}
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        together = list(pool.map(ask, questions))
    assert together == [alone[q] for q in questions]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"question": "   "}, "The question is empty"),
        ({"question": "why? " * 2000}, "RAG_MAX_QUESTION_CHARS"),
        ({}, "question"),
        ({"question": 42}, "question"),
        ({"question": "q", "history": [{"role": "system", "content": "x"}]}, "role"),
        ({"question": "q", "histroy": []}, "histroy"),
    ],
)
def test_bad_requests_get_a_4xx_that_says_what_is_wrong(app_process, body, says) -> None:  # type: ignore[no-untyped-def]
    url, _ = app_process
    r = httpx.post(f"{url}/api/ask", json=body, timeout=60)
    assert r.status_code == 422 and says in r.text


def test_the_api_has_an_openapi_schema(app_process) -> None:  # type: ignore[no-untyped-def]
    url, _ = app_process
    schema = httpx.get(f"{url}/openapi.json").json()
    assert {"/api/ask", "/healthz"} <= set(schema["paths"])
    answer = schema["components"]["schemas"]["Answer"]
    assert {"question", "answer", "abstained", "citations", "backend"} <= set(answer["properties"])
    assert "Citation" in schema["components"]["schemas"]


def test_gradio_client_gets_a_cited_answer_from_the_named_endpoint(app_process, article_texts) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    url, _ = app_process
    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    check_answer(client.predict(QUESTION, [], api_name="/ask"), article_texts)
    client.close()


# --- login on: the same server in-process, over the session's engine ---------------------------------

USER, PASSWORD = "alice", "correct horse battery staple"


@pytest.fixture(scope="module")
def login_settings(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("login")
    add_user(tmp / "users", USER, PASSWORD)
    return load_settings(
        corpus_dir=real_settings.corpus_dir,
        index_dir=real_settings.index_dir,
        users_file=tmp / "users",
        feedback_log=tmp / "feedback.jsonl",
    )


@pytest.fixture(scope="module")
def login_server(engine, login_settings: Settings):  # type: ignore[no-untyped-def]
    return load_app_module().create_server(engine, login_settings)


@pytest.fixture(scope="module")
def client(login_server) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(login_server, follow_redirects=False) as c:
        yield c


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def every_route(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, concrete path) for each route of the app, of the mounted Gradio app and of its routers."""
    for route in app.routes:
        if hasattr(route, "original_router"):  # a FastAPI router included with a prefix (Gradio's /gradio_api)
            yield from every_route(route.original_router, prefix + route.include_context.prefix)
            continue
        if getattr(route, "routes", None):  # a Mount
            yield from every_route(route, prefix + getattr(route, "path", ""))
            continue
        path = prefix + re.sub(r"\{[^}]+\}", "x", getattr(route, "path", ""))
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD" and path:
                yield method, path


def test_with_login_on_no_route_answers_without_credentials(client: TestClient, login_server) -> None:  # type: ignore[no-untyped-def]
    routes = sorted(set(every_route(login_server)))
    paths = {p for _, p in routes}
    assert {"/api/ask", "/config", "/gradio_api/info", "/openapi.json"} <= paths and len(routes) > 40
    extra = [("GET", "/"), ("GET", "/gradio_api/file=/etc/passwd"), ("GET", "/assets/index.js"), ("GET", "/x/y")]
    for method, path in routes + extra:
        if path in ("/login", "/logout", "/healthz"):
            continue
        for accept in ("application/json", "text/html"):
            r = client.request(method, path, headers={"Accept": accept})
            assert r.status_code in (401, 303), (method, path, r.status_code)
            if r.status_code == 303:
                assert method == "GET" and r.headers["location"].startswith("/login?next=")
            else:
                assert "Log in first" in r.text and r.headers["www-authenticate"].startswith("Basic")


def test_with_login_on_basic_credentials_and_the_login_form_let_staff_in(client: TestClient, article_texts) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").status_code == 200  # the load balancer's probe stays open
    r = client.post("/api/ask", json={"question": QUESTION}, headers=basic(USER, PASSWORD))
    assert r.status_code == 200
    check_answer(r.json(), article_texts)
    assert client.post("/api/ask", json={"question": QUESTION}, headers=basic(USER, "wrong")).status_code == 401
    assert client.get("/login").status_code == 200 and 'name="password"' in client.get("/login").text
    bad = client.post("/login", data={"username": USER, "password": "wrong"}, headers={"Accept": "text/html"})
    assert bad.status_code == 401 and "Wrong user name or password" in bad.text and "rag_session" not in client.cookies
    form = {"username": USER, "password": PASSWORD, "next": "//evil.example/"}
    ok = client.post("/login", data=form, headers={"Accept": "text/html"})
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # no redirect to another site
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/config").status_code == 200
    good = client.cookies["rag_session"]
    client.cookies.clear()
    assert client.get("/config").status_code == 401
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert client.get("/config", headers={"Cookie": f"rag_session={forged}"}).status_code == 401
    assert client.get("/config", headers={"Cookie": f"rag_session={good}"}).status_code == 200


def test_with_login_on_gradio_client_needs_credentials(login_server, article_texts) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    with serve(login_server) as url:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a bare ValueError here
            Client(url, verbose=False, analytics_enabled=False, download_files=False)
        client = Client(url, auth=(USER, PASSWORD), verbose=False, analytics_enabled=False, download_files=False)
        check_answer(client.predict(QUESTION, [], api_name="/ask"), article_texts)
        client.close()
        assert httpx.post(f"{url}/api/ask", json={"question": QUESTION}).status_code == 401
