"""Adding, listing, showing and removing articles (rag.articles, the CLI, rag.fetch): every bad input
of issue 13 is named, nothing already indexed changes, and the rest of the batch still loads."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _docs import encrypt_pdf, make_blank_pdf, make_docx, make_page, make_pdf

from rag.articles import (
    REMOVED_DIR,
    ArticleNotFound,
    add_bytes,
    add_inputs,
    add_text,
    get_article,
    list_articles,
    remove_article,
)
from rag.config import Settings, load_settings
from rag.errors import CorpusError
from rag.ingest import ingest
from rag.store import open_store

# Two short articles of the tests' own, on two topics (not the product's corpus/)
BEES = (
    "---\nid: bees\ntitle: Bees return to the city\nauthor: Mara Quist\noutlet: The Gazette\n"
    "published: 2024-05-02\n---\n"
    "Beekeepers in the old town counted forty new hives this spring. The council planted clover on six roofs. "
    "Honey sales at the Saturday market doubled, the market's manager said.\n"
)
TRAMS = (
    "The new tram line opened on Monday after three years of work. It links the station with the hospital. "
    "Tickets cost two euros, and the first week is free, the transport office said.\n"
)
STORY = [
    "The harbour authority said on Tuesday that ferries to the island will run every hour from June.",
    "The island's school had asked for an earlier boat, and the first ferry will now leave at six in the morning.",
    "Fares stay the same for residents, while visitors will pay one euro more in the summer months.",
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bees.txt").write_text(BEES)
    (corpus / "trams.txt").write_text(TRAMS)
    return load_settings(corpus_dir=corpus, index_dir=tmp_path / "index", fetch_timeout=1.0)


@pytest.fixture
def indexed(settings: Settings, embed_model: Any) -> Settings:
    ingest(settings, embed_model=embed_model)
    return settings


def snapshot(settings: Settings, embed_model: Any) -> dict[str, Any]:
    """What is indexed now: every article record and every chunk id (to show nothing else changed)."""
    store = open_store(settings, embed_model.model_name)
    records = {}
    for article in store.list_articles():
        found = store.find_article(article.id)
        assert found is not None
        records[article.id] = (article.content_hash, article.meta, hashlib.sha256(found[1].encode()).hexdigest())
    chunks = sorted(store.chunk_ids_of(list(records)))
    return {"records": records, "chunks": chunks}


def corpus_files(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in settings.corpus_dir.iterdir() if p.is_file()}


class Pages(http.server.BaseHTTPRequestHandler):
    """A loopback web server: an article, a 404, a hanging page, an endless 2 GB body, redirects."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/story.html":
            self.reply(200, make_page("Hourly ferries from June", STORY, author="Ola Berg", site="Harbour News"))
        elif self.path == "/slow":
            time.sleep(3)
            self.reply(200, b"<html>late</html>")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(2 * 2**30))
            self.end_headers()
            try:
                for _ in range(2048):
                    self.wfile.write(b"<p>" + b"x" * (2**20 - 3))
            except (BrokenPipeError, ConnectionResetError):
                return
        elif self.path == "/endless":  # no length declared: the cap must stop the reading
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(2048):
                    self.wfile.write(b"<p>" + b"y" * (2**20 - 3))
            except (BrokenPipeError, ConnectionResetError):
                return
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("location", "/story.html")
            self.end_headers()
        elif self.path == "/to-intranet":
            self.send_response(302)
            self.send_header("location", "http://10.20.30.40/secret")
            self.end_headers()
        else:
            self.reply(404, b"not here")

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_file_is_added_to_the_corpus_and_indexed_with_its_metadata(
    indexed: Settings, embed_model: Any, tmp_path: Path
) -> None:
    pdf = tmp_path / "Ferry report.pdf"
    pdf.write_bytes(make_pdf([STORY], title="Hourly ferries", author="Ola Berg"))
    (result,) = add_inputs(indexed, [str(pdf)])
    assert result.ok and result.article_id == "Ferry-report" and result.file == "Ferry-report.pdf"
    assert (indexed.corpus_dir / "Ferry-report.pdf").read_bytes() == pdf.read_bytes()  # the corpus is the record
    ingest(indexed, embed_model=embed_model)
    store = open_store(indexed, embed_model.model_name)
    row, text = get_article(store, indexed.corpus_dir, "Ferry-report")
    assert (row["title"], row["author"], row["outlet"], row["published"]) == ("Hourly ferries", "Ola Berg", "", "")
    assert text == "\n".join(STORY) and row["chars"] == len(text) and row["chunks"] >= 1
    assert row["source"] == "Ferry-report.pdf" and row["added"].endswith("Z")


def test_pasted_text_is_saved_with_a_header_and_a_title_we_typed_is_marked_editorial(settings: Settings) -> None:
    result = add_text(settings, " ".join(STORY), title="Ferries every hour", outlet="Harbour News")
    assert result.ok and result.file == "Ferries-every-hour.txt"
    saved = (settings.corpus_dir / result.file).read_text()
    assert saved.startswith("---\ntitle: Ferries every hour\noutlet: Harbour News\ntitle_is_editorial: true\n---\n")
    assert saved.endswith(" ".join(STORY))


def test_the_same_story_added_twice_is_indexed_once_and_named_a_duplicate(settings: Settings) -> None:
    page = make_page("Hourly ferries from June", STORY, author="Ola Berg", site="Harbour News")
    first = add_bytes(settings, page, "ferries.html")
    again = add_bytes(settings, page, "ferries-copy.html")  # same bytes, another name
    pasted = add_text(settings, "Hourly ferries from June\n" + "\n".join(STORY))  # same text, another format
    assert first.ok and not again.ok and again.duplicate_of == first.article_id
    assert pasted.duplicate_of == first.article_id
    assert "a duplicate" in again.describe()
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["bees.txt", "ferries.html", "trams.txt"]


def test_a_name_already_taken_gets_a_new_one_and_the_old_file_is_kept(settings: Settings) -> None:
    result = add_text(settings, " ".join(STORY), title="trams")
    assert result.ok and result.file == "trams-2.txt" and (settings.corpus_dir / "trams.txt").read_text() == TRAMS


def test_every_bad_input_is_named_nothing_indexed_changes_and_the_rest_of_the_batch_loads(
    indexed: Settings, embed_model: Any, tmp_path: Path, site: str
) -> None:
    settings = indexed.model_copy(update={"fetch_allow_private": True})  # the test's web server is on loopback
    before = snapshot(settings, embed_model)
    files_before = corpus_files(settings)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    bad = {
        "wall.html": b"<html><body><p>We value your privacy. Accept all cookies to read on.</p></body></html>",
        "scan.pdf": make_blank_pdf(),
        "locked.pdf": encrypt_pdf(make_pdf([STORY]), "secret"),
        "half.docx": make_docx(STORY * 20)[:3000],  # an upload interrupted half-way
        "lies.pdf": make_docx(STORY),
        "copy-of-bees.txt": BEES.replace("id: bees\n", "").encode(),  # the same story as 'bees'
    }
    for name, data in bad.items():
        (inputs / name).write_bytes(data)
    huge = inputs / "huge.pdf"
    with open(huge, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(50 * 2**20)
    good = inputs / "ferries.docx"
    good.write_bytes(make_docx(STORY, title="Hourly ferries"))
    links = [f"{site}/missing", f"{site}/slow", f"{site}/huge", f"{site}/endless", "ftp://example.org/a.txt"]
    paths = [str(inputs / n) for n in bad] + [str(huge), str(good)]
    results = {Path(r.input).name if "://" not in r.input else r.input: r for r in add_inputs(settings, paths + links)}

    expected = {
        "wall.html": "no article text found in the page",
        "scan.pdf": "no text layer (a scan?); run OCR",
        "locked.pdf": "password-protected",
        "half.docx": "damaged or cut short",
        "lies.pdf": "named as a PDF but it is a Word (.docx) file; rename it to end in .docx",
        "huge.pdf": "file is 50.0 MB, over the 25 MB",
        f"{site}/missing": "the server answered HTTP 404",
        f"{site}/slow": "did not answer in time",
        f"{site}/huge": "the page is over 25 MB",
        f"{site}/endless": "the page is over 25 MB",
        "ftp://example.org/a.txt": "only http:// and https:// links",
    }
    for name, message in expected.items():
        assert message in results[name].problem, (name, results[name])
    assert results["copy-of-bees.txt"].duplicate_of == "bees"
    assert results["ferries.docx"].ok

    report = ingest(settings, embed_model=embed_model)
    assert report.added == ["ferries"] and not report.problems and not report.updated and not report.removed
    after = snapshot(settings, embed_model)
    assert {k: v for k, v in after["records"].items() if k != "ferries"} == before["records"]
    assert set(before["chunks"]) <= set(after["chunks"])
    assert {k: v for k, v in corpus_files(settings).items() if k != "ferries.docx"} == files_before


def test_a_link_is_fetched_saved_as_a_page_in_the_corpus_and_redirects_are_followed(
    settings: Settings, site: str
) -> None:
    allowed = settings.model_copy(update={"fetch_allow_private": True})
    (result,) = add_inputs(allowed, [f"{site}/moved"])
    assert result.ok and result.file == "127-0-0-1-story.html", result
    assert b"Hourly ferries from June" in (settings.corpus_dir / result.file).read_bytes()


def test_links_to_loopback_or_private_addresses_are_refused_unless_a_setting_allows_them(
    settings: Settings, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (result,) = add_inputs(settings, [f"{site}/story.html"])
    assert "private, loopback or reserved address (127.0.0.1)" in result.problem
    assert "RAG_FETCH_ALLOW_PRIVATE=true" in result.problem
    import rag.fetch

    real = rag.fetch.check_url
    seen: list[str] = []

    def first_hop_is_public(url: str, allow_private: bool) -> None:  # as if the site were on the internet
        seen.append(url)
        if len(seen) > 1:
            real(url, allow_private)

    monkeypatch.setattr(rag.fetch, "check_url", first_hop_is_public)
    (result,) = add_inputs(settings, [f"{site}/to-intranet"])
    assert seen == [f"{site}/to-intranet", "http://10.20.30.40/secret"]
    assert "10.20.30.40" in result.problem and "private" in result.problem
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["bees.txt", "trams.txt"]


def test_offline_a_link_says_so_and_what_to_do_instead(settings: Settings) -> None:
    (result,) = add_inputs(settings, ["https://news.invalid/story"])
    assert "are you offline? Save the page in the browser and add the file instead" in result.problem


def test_remove_moves_the_file_aside_and_deletes_the_article_from_the_index(
    indexed: Settings, embed_model: Any
) -> None:
    store = open_store(indexed, embed_model.model_name)
    assert remove_article(store, indexed, "trams") == "trams.txt"
    assert [r["id"] for r in list_articles(store, indexed.corpus_dir)] == ["bees"]
    assert not store.chunk_ids("trams")
    (moved,) = (indexed.corpus_dir / REMOVED_DIR).glob("*/trams.txt")
    assert moved.read_text() == TRAMS
    assert ingest(indexed, embed_model=embed_model).added == []  # it does not come back
    with pytest.raises(ArticleNotFound, match="python -m rag articles"):
        remove_article(store, indexed, "trams")


def test_the_cli_lists_shows_and_removes(indexed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from rag.__main__ import main

    monkeypatch.setenv("RAG_CORPUS_DIR", str(indexed.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(indexed.index_dir))
    assert main(["articles", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    keys = ["id", "title", "title_is_editorial", "author", "outlet", "published", "url", "source", "chars", "chunks"]
    assert [r["id"] for r in rows] == ["bees", "trams"] and all(k in rows[0] for k in [*keys, "content_hash"])
    assert rows[0]["author"] == "Mara Quist" and rows[1]["title"] == "" and rows[1]["source"] == "trams.txt"
    assert main(["show", "trams"]) == 0
    assert capsys.readouterr().out == TRAMS
    assert main(["remove", "trams"]) == 0 and "removed article 'trams'" in capsys.readouterr().out
    assert main(["show", "trams"]) == 1 and "python -m rag articles" in capsys.readouterr().err


def test_cli_ingest_adds_paths_reports_each_and_exits_1_when_one_was_refused(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    from rag.__main__ import main

    monkeypatch.setenv("RAG_CORPUS_DIR", str(indexed.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(indexed.index_dir))
    (tmp_path / "ferries.docx").write_bytes(make_docx(STORY))
    assert main(["ingest", str(tmp_path / "ferries.docx"), str(tmp_path / "missing.pdf")]) == 1
    out, err = capsys.readouterr()
    assert "added" in out and "as article 'ferries'" in out and "indexed 1 new" in out
    assert "refused" in err and "missing.pdf: no such file" in err


def test_a_missing_article_is_named_with_what_to_run(indexed: Settings, embed_model: Any) -> None:
    store = open_store(indexed, embed_model.model_name)
    with pytest.raises(CorpusError, match="No indexed article 'nope'; `python -m rag articles` lists the ids"):
        get_article(store, indexed.corpus_dir, "nope")


def test_the_first_article_added_creates_the_corpus_folder(tmp_path: Path) -> None:
    settings = load_settings(corpus_dir=tmp_path / "new-corpus", index_dir=tmp_path / "index")
    (result,) = add_inputs(settings, [str(write_docx(tmp_path / "first.docx"))])
    assert result.ok and (tmp_path / "new-corpus" / "first.docx").is_file()


def write_docx(path: Path) -> Path:
    path.write_bytes(make_docx(STORY))
    return path
