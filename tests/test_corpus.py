import hashlib
from pathlib import Path

import pytest

from rag.corpus import load_corpus, read_article
from rag.errors import CorpusError
from tests.conftest import PRODUCT_CORPUS, SHARED

SHARED_ARTICLES = SHARED / "articles"
# sha256 of the two source files as delivered (../shared/articles), so the check also runs
# where ../shared is absent.
SOURCE_SHA256 = {
    "000_15236a54c3d0a701": "6d83140bd45e86d30dd80ec73e1568d85dbd5cbf1a51fb32d0e0af76b96d5065",
    "002_20c69bec0f205d41": "c47dae7d36d334a3cc9240721044b653818f0879ef313c7962383df59b9d3abd",
}


def test_both_articles_load_with_truthful_metadata() -> None:
    load = load_corpus(PRODUCT_CORPUS)
    assert not load.problems
    by_id = {a.id: a for a in load.articles}
    assert set(by_id) == {"000_15236a54c3d0a701", "002_20c69bec0f205d41"}
    first, second = by_id["000_15236a54c3d0a701"], by_id["002_20c69bec0f205d41"]
    assert first.meta.author == "Shay Khatiri"  # named in its last line
    assert first.text.rstrip().endswith("senior fellow at the Yorktown Institute.")
    assert second.meta.author == ""  # the second article names no author
    for a in load.articles:
        assert a.meta.title and a.meta.title_is_editorial  # titles are ours, and say so
        assert (a.meta.outlet, a.meta.published, a.meta.url) == ("", "", "")  # not stated


def test_text_is_unchanged_from_the_source() -> None:
    for a in load_corpus(PRODUCT_CORPUS).articles:
        digest = hashlib.sha256(a.text.encode("utf-8")).hexdigest()
        assert digest == SOURCE_SHA256[a.id]
        if SHARED_ARTICLES.is_dir():
            assert a.text == (SHARED_ARTICLES / f"{a.id}.txt").read_bytes().decode("utf-8")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


GOOD = b"---\nid: good\ntitle: A title\n---\nIran sent missiles. Russia sent wheat."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"---\nid: x\ntitle: t\nno closing fence", "never closed"),
        (b"---\nid: x\ncolour: red\n---\ntext", "unknown key 'colour'"),
        (b"---\nid: x\njust words\n---\ntext", "not 'key: value'"),
        (b"---\nid: x\npublished: last week\n---\ntext", "not a date"),
        (b"---\nid: x\nurl: ftp://x\n---\ntext", "http"),
        (b"---\nid: bad id!\n---\ntext", "must be letters"),
        (b"---\nid: x\ntitle_is_editorial: maybe\n---\ntext", "true or false"),
        (b"text with \x00 nul", "NUL"),
    ],
)
def test_broken_file_is_named_and_the_rest_still_load(tmp_path: Path, data: bytes, message: str) -> None:
    write(tmp_path, "good.txt", GOOD)
    write(tmp_path, "broken.txt", data)
    load = load_corpus(tmp_path)
    assert [a.id for a in load.articles] == ["good"]
    assert len(load.problems) == 1
    assert load.problems[0].path.name == "broken.txt"
    assert message in str(load.problems[0])
    assert str(load.problems[0]).startswith("broken.txt:")


def test_header_is_optional_and_text_is_kept_byte_for_byte(tmp_path: Path) -> None:
    text = "  Leading spaces stay.\nSecond line “quoted”.\n"
    article = read_article(write(tmp_path, "plain-article.txt", text.encode()))
    assert article.id == "plain-article" and article.text == text and article.meta.title == ""


def test_duplicate_id_and_duplicate_text_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", GOOD)
    write(tmp_path, "b.txt", GOOD)  # same id
    write(tmp_path, "c.txt", GOOD.replace(b"id: good", b"id: other"))  # same text
    load = load_corpus(tmp_path)
    assert [a.id for a in load.articles] == ["good"]
    messages = sorted(str(p) for p in load.problems)
    assert "already used by a.txt" in messages[0] and "same text" in messages[1]


def test_huge_article_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", b"word " * 1000)  # 5,000 characters
    load = load_corpus(tmp_path, max_chars=1000)
    assert not load.articles and "over RAG_MAX_ARTICLE_CHARS" in str(load.problems[0])


def test_metadata_change_changes_the_hash(tmp_path: Path) -> None:
    a = read_article(write(tmp_path, "a.txt", GOOD))
    b = read_article(write(tmp_path, "a.txt", GOOD.replace(b"A title", b"B title")))
    assert a.text == b.text and a.content_hash != b.content_hash


def test_missing_corpus_folder_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="RAG_CORPUS_DIR"):
        load_corpus(tmp_path / "nope")
