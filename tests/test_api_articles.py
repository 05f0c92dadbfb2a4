"""GET/POST/DELETE /api/articles[/{id}]: list, show, add (file, link, pasted text) and remove, with the
editor role when the login is on; a bad upload is a 4xx naming the problem and changes nothing."""

from __future__ import annotations

import base64
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from _docs import make_docx, make_pdf
from _web import serve
from fastapi.testclient import TestClient
from test_articles import BEES, STORY, TRAMS

from rag.api import create_app
from rag.auth import add_user
from rag.config import Settings, load_settings
from rag.engine import open_engine
from rag.ingest import ingest


@pytest.fixture
def settings(tmp_path: Path, embed_model: Any) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bees.txt").write_text(BEES)
    (corpus / "trams.txt").write_text(TRAMS)
    s = load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", rate_limit_per_minute=0)
    ingest(s, embed_model=embed_model)
    return s


def client_for(settings: Settings) -> TestClient:
    return TestClient(create_app(open_engine(settings), settings))


def basic(name: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_list_show_add_ask_and_remove(settings: Settings) -> None:
    client = client_for(settings)
    listed = client.get("/api/articles").json()
    assert [a["id"] for a in listed] == ["bees", "trams"] and listed[0]["outlet"] == "The Gazette"
    shown = client.get("/api/articles/trams").json()
    assert shown["text"] == TRAMS and shown["chars"] == len(TRAMS)

    pdf = make_pdf([STORY], title="Hourly ferries", author="Ola Berg")
    added = client.post("/api/articles", files={"file": ("ferries.pdf", pdf, "application/pdf")})
    assert added.status_code == 201, added.text
    body = added.json()
    assert (
        body["article"]["id"] == "ferries"
        and body["article"]["author"] == "Ola Berg"
        and body["article"]["chunks"] >= 1
    )
    assert "indexed 1 new" in body["ingest"]

    answer = client.post("/api/ask", json={"question": "When will the first ferry leave?"}).json()
    assert not answer["abstained"] and answer["citations"][0]["article_id"] == "ferries"
    text = client.get("/api/articles/ferries").json()["text"]
    c = answer["citations"][0]
    assert text[c["start"] : c["end"]] == c["quote"]

    removed = client.delete("/api/articles/ferries")
    assert removed.status_code == 200 and removed.json() == {"removed": "ferries", "file": "ferries.pdf"}
    assert client.get("/api/articles/ferries").status_code == 404
    assert [a["id"] for a in client.get("/api/articles").json()] == ["bees", "trams"]
    after = client.post("/api/ask", json={"question": "When will the first ferry leave?"}).json()
    assert all(c["article_id"] != "ferries" for c in after["citations"])


def test_pasted_text_and_a_duplicate(settings: Settings) -> None:
    client = client_for(settings)
    added = client.post("/api/articles", json={"text": "\n".join(STORY), "title": "Ferries"})
    assert added.status_code == 201 and added.json()["article"]["title_is_editorial"] is True
    again = client.post("/api/articles", json={"text": "\n\n".join(STORY)})
    assert again.status_code == 409 and "Same text as article 'Ferries'" in again.json()["detail"]


def test_bad_uploads_are_named_and_change_nothing(settings: Settings) -> None:
    client = client_for(settings)
    before = client.get("/api/articles").json()
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    cut = make_docx(STORY * 30)
    cases = {
        "half.docx": (cut[: len(cut) // 2], 422, "damaged or cut short"),
        "lies.pdf": (cut, 422, "named as a PDF but it is a Word (.docx) file"),
        "tool.exe": (b"MZ\x00\x00", 422, "not an article file"),
    }
    for name, (data, status, message) in cases.items():
        r = client.post("/api/articles", files={"file": (name, data)})
        assert r.status_code == status and message in r.json()["detail"], (name, r.text)
    too_big = client.post(
        "/api/articles", content=b"x" * 10, headers={"content-length": str(50 * 2**20), "content-type": "text/plain"}
    )
    assert too_big.status_code == 413 and "more than an article file" in too_big.json()["detail"]
    assert client.post("/api/articles", json={"url": "ftp://x/y"}).status_code == 422
    assert client.post("/api/articles", json={}).status_code == 422
    assert client.get("/api/articles").json() == before
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == files


def test_with_the_login_on_adding_and_removing_take_the_editor_role(settings: Settings, tmp_path: Path) -> None:
    users = tmp_path / "users"
    add_user(users, "reader", "pw-reader")
    add_user(users, "ed", "pw-ed", roles=("editor",))
    s = settings.model_copy(update={"users_file": users})
    client = client_for(s)
    assert client.get("/api/articles").status_code == 401
    assert client.get("/api/articles", headers=basic("reader", "pw-reader")).status_code == 200
    upload = {"file": ("notes.docx", make_docx(STORY))}
    refused = client.post("/api/articles", files=upload, headers=basic("reader", "pw-reader"))
    assert refused.status_code == 403 and "adduser NAME --editor" in refused.json()["detail"]
    assert client.delete("/api/articles/bees", headers=basic("reader", "pw-reader")).status_code == 403
    assert client.post("/api/articles", files=upload, headers=basic("ed", "pw-ed")).status_code == 201
    assert client.delete("/api/articles/bees", headers=basic("ed", "pw-ed")).status_code == 200
    assert client.delete("/api/articles/bees", headers=basic("ed", "pw-ed")).status_code == 404


def test_an_upload_cut_off_half_way_leaves_the_corpus_and_the_index_as_they_were(settings: Settings) -> None:
    docx = make_docx(STORY * 40)
    boundary = "cut-here"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.docx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = head + docx + f"\r\n--{boundary}--\r\n".encode()
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    with serve(create_app(open_engine(settings), settings)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                b"POST /api/articles HTTP/1.1\r\nHost: x\r\n"
                + f"Content-Type: multipart/form-data; boundary={boundary}\r\n".encode()
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            time.sleep(0.5)  # the server is reading the body when the client goes away
        time.sleep(0.5)
        listed = httpx.get(f"{url}/api/articles").json()
    assert [a["id"] for a in listed] == ["bees", "trams"]
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == files  # no half file, no temporary left
