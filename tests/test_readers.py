"""rag.readers and rag.corpus on every format: the five real saved pages in ../shared/html (read from
there, never copied), PDF and Word files written by the tests, and the bad inputs of issue 13."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _docs import encrypt_pdf, make_blank_pdf, make_docx, make_page, make_pdf

from rag.config import PROJECT_ROOT
from rag.corpus import MAX_FILE_BYTES, load_corpus, read_article
from rag.errors import CorpusError
from rag.readers import read_bytes, sniff

HTML = PROJECT_ROOT.parent / "shared" / "html"

# What ../shared/html/README.md lists (from trafilatura's own tests); the DW page's byline is Ben Knight
# and its meta author is the broadcaster itself, which is the outlet, not a byline.
PAGES = {
    "dw.com.colonial": {
        "title": "Berlin confronts Germany's colonial past with new initiative",
        "outlet": "DW.COM",
        "author": "Ben Knight",
        "url": "https://www.dw.com/en/berlin-confronts-germanys-colonial-past-with-new-initiative/a-52060881",
    },
    "boingboing.net.millenials": {
        "title": "Hating Millennials - the prejudice you're allowed to boast about",
        "author": "Cory Doctorow",
        "outlet": "Boing Boing",
        "url": "https://boingboing.net/2013/07/19/hating-millennials-the-preju.html",
        "has": ["Click through for the whole thing.", "The generation we love to dump on"],
        "lacks": ["GET THE BOING BOING NEWSLETTER"],
    },
    "github.blog.spiceland": {
        "title": "Leader spotlight: Erin Spiceland",
        "author": "Jessica Rudder",
        "outlet": "The GitHub Blog",
        "url": "https://github.blog/2019-03-29-leader-spotlight-erin-spiceland/",
        "has": ["Erin Spiceland is a Software Engineer for SpaceX.", "looking forward to next?"],
        "lacks": ["Related posts", "Missed the main event?"],
    },
    "theverge.com.ios13": {
        "url": "https://www.theverge.com/2019/7/3/20680681/ios-13-beta-3-facetime-attention-correction-eye-contact",
        "has": ["Normally, video calls tend to", "across both the eyes and nose."],
        "lacks": ["Singapore’s public health program", "Command Line delivers daily updates"],
    },
    "phys.org.tool": {"url": "https://phys.org/news/2019-10-flint-flake-tool-partially-birch.html"},
}

if not HTML.is_dir() and os.environ.get("CI") == "true":  # CI always has ../shared beside the clone
    raise RuntimeError(f"{HTML} (the shared saved pages) is missing in CI")
needs_pages = pytest.mark.skipif(not HTML.is_dir(), reason=f"{HTML} (the shared saved pages) is not here")


@needs_pages
@pytest.mark.parametrize("page", PAGES)
def test_a_saved_page_gives_its_text_without_boilerplate_and_its_metadata(page: str) -> None:
    article = read_article(HTML / f"{page}.html")
    expected = PAGES[page]
    meta = article.meta
    assert article.id == page and not meta.title_is_editorial
    assert str(expected.get("title", "")) in meta.title
    for key in ("author", "outlet", "url"):
        if key in expected:
            assert getattr(meta, key) == expected[key], key
    assert len(meta.published) == 10 and meta.published[:2] in ("20", "19")  # an ISO day the page states
    for piece in expected.get("has", []):
        assert piece in article.text
    for piece in expected.get("lacks", []):
        assert piece not in article.text
    assert "\r" not in article.text and "\n\n\n" not in article.text


@needs_pages
def test_the_five_pages_load_as_a_corpus_next_to_text_files(tmp_path: Path) -> None:
    for page in PAGES:
        (tmp_path / f"{page}.html").write_bytes((HTML / f"{page}.html").read_bytes())
    (tmp_path / "note.txt").write_text("A plain text article about birch tar and flint tools.")
    load = load_corpus(tmp_path)
    assert not load.problems
    assert sorted(a.id for a in load.articles) == sorted([*PAGES, "note"])


def test_a_pdf_gives_its_text_in_reading_order_and_its_stated_title_and_author() -> None:
    pdf = make_pdf([["Iran sent missiles.", "Russia sent wheat."], ["Page two ends it."]], "The deal", "Jane Roe")
    extracted = read_bytes(pdf, "deal.pdf")
    assert extracted.text == "Iran sent missiles.\nRussia sent wheat.\n\nPage two ends it."
    assert extracted.fields == {"title": "The deal", "author": "Jane Roe"}


def test_a_pdf_that_states_nothing_has_empty_metadata(tmp_path: Path) -> None:
    (tmp_path / "plain.pdf").write_bytes(make_pdf([["Only text, no properties."]]))
    meta = read_article(tmp_path / "plain.pdf").meta
    assert (meta.id, meta.title, meta.author, meta.outlet, meta.published) == ("plain", "", "", "", "")


def test_a_word_file_gives_its_paragraphs_and_properties() -> None:
    extracted = read_bytes(make_docx(["First paragraph.", "", "Second one."], "Word story", "Ann Lee"), "w.docx")
    assert extracted.text == "First paragraph.\n\nSecond one."
    assert extracted.fields == {"title": "Word story", "author": "Ann Lee"}


def test_markdown_and_text_without_a_header_keep_their_text_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Heading\n\nA *markdown* article.\n")
    article = read_article(tmp_path / "notes.md")
    assert article.text == "# Heading\n\nA *markdown* article.\n" and article.meta.title == ""


BAD = {
    "a cookie wall": (
        "wall.html",
        b"<html><body><div>We value your privacy. Accept all cookies to continue.</div></body></html>",
        "no article text found in the page",
    ),
    "a page of links": (
        "links.html",
        b"<html><body><ul>" + b"".join(b'<li><a href="/%d">Story %d</a></li>' % (i, i) for i in range(40)) + b"</ul>",
        "no article text found in the page",
    ),
    "a scanned PDF without text": ("scan.pdf", make_blank_pdf(), "no text layer (a scan?); run OCR"),
    "a password-protected PDF": ("locked.pdf", encrypt_pdf(make_pdf([["Secret text."]]), "pw"), "password-protected"),
    "a PDF cut short": ("cut.pdf", make_pdf([["Some text here."] * 20])[:300], "damaged or cut short"),
    "a Word file cut short": ("cut.docx", make_docx(["Text."] * 50)[:2000], "damaged or cut short"),
    "a PDF named .docx": ("lie.docx", make_pdf([["x"]]), "named as a Word (.docx) file but it is a PDF; rename"),
    "a page named .pdf": ("lie.pdf", make_page("T", ["x"]), "named as a PDF but it is an HTML page; rename"),
    "a Word file named .txt": ("lie.txt", make_docx(["x"]), "named as a text file but it is a Word (.docx) file"),
    "a zip named .docx": ("zip.docx", b"PK\x03\x04" + b"\x00" * 100, "damaged or cut short"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_named_with_what_to_do_and_the_rest_still_load(tmp_path: Path, case: str) -> None:
    name, data, message = BAD[case]
    (tmp_path / "good.txt").write_text("Iran sent missiles. Russia sent wheat.")
    (tmp_path / name).write_bytes(data)
    load = load_corpus(tmp_path)
    assert [a.id for a in load.articles] == ["good"]
    (problem,) = load.problems
    assert str(problem).startswith(f"{name}: ") and message in str(problem), str(problem)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.pdf"
    with open(big, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(50 * 2**20)
    assert big.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(CorpusError, match=r"huge.pdf: file is 50.0 MB, over the 25 MB a single article may be"):
        read_article(big)


def test_the_format_is_told_by_the_bytes() -> None:
    assert sniff(make_pdf([["x"]])) == "pdf"
    assert sniff(make_docx(["x"])) == "docx"
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>") == "html"
    assert sniff("Plain words, “quoted”.".encode()) == "text"
    assert sniff(b"\x00\x01\x02") == "binary"
