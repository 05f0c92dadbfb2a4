"""Article files of every format -> (text, metadata fields): plain text, saved web pages, PDF, Word.

Input: a file's bytes and name. Output: Extracted (the text exactly as it will be indexed, and the
header fields the file itself states: title, author, outlet, published, url). The format is told
by the bytes, not the name: a file whose extension lies is refused, naming what it really is.
What a file does not state stays empty. trafilatura, htmldate, pypdf and python-docx stop here.
This module does not validate ids, chunk or index.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from rag.errors import CorpusError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = {**dict.fromkeys(TEXT_SUFFIXES, "text"), **dict.fromkeys(HTML_SUFFIXES, "html")}
SUFFIXES |= {".pdf": "pdf", ".docx": "docx"}
KIND_SUFFIX = {"text": ".txt", "html": ".html", "pdf": ".pdf", "docx": ".docx"}
KIND_NAMES = {"text": "a text file", "html": "an HTML page", "pdf": "a PDF", "docx": "a Word (.docx) file"}
# Extracting a saved page takes 10-80 ms (trafilatura on the five pages in ../shared/html); a process
# that re-reads its corpus after every added article (the web app) keeps the last results by content.
_CACHE_SIZE = 4096
_cache: OrderedDict[str, Extracted] = OrderedDict()


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str  # "text" | "html" | "pdf" | "docx"
    fields: dict[str, str] = field(default_factory=dict)  # header keys the file states (non-empty only)


def kind_of_name(name: str) -> str | None:
    """The format a file name claims (None: not an article file)."""
    return SUFFIXES.get(name[name.rfind(".") :].lower()) if "." in name else None


def sniff(raw: bytes) -> str:
    """The format the bytes are: pdf, docx, html or text (anything else that decodes)."""
    if raw.startswith(b"%PDF-"):
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(raw) else "zip"
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--")) or b"<html" in head[:1024]:
        return "html"
    if b"\x00" in raw[:4096]:
        return "binary"
    return "text"


def _is_docx(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return True  # cut short (no central directory): the Word reader says it is damaged


def read_bytes(raw: bytes, name: str) -> Extracted:
    """Bytes of a file called name -> Extracted; CorpusError naming the file and what to do."""
    claimed = kind_of_name(name)
    real = sniff(raw)
    if claimed is None:
        raise CorpusError(f"{name}: not an article file; use .txt, .md, .html, .htm, .pdf or .docx")
    if real != claimed:
        raise CorpusError(_lying(name, claimed, real))
    key = hashlib.sha256(raw).hexdigest() + claimed
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    extracted = {"text": _from_text, "html": _from_html, "pdf": _from_pdf, "docx": _from_docx}[claimed](raw, name)
    _cache[key] = extracted
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return extracted


def _lying(name: str, claimed: str, real: str) -> str:
    if claimed == "text" and real == "binary":
        return f"{name}: contains NUL bytes; this is not a text file"
    if real in KIND_SUFFIX:
        return (
            f"{name}: named as {KIND_NAMES[claimed]} but it is {KIND_NAMES[real]}; "
            f"rename it to end in {KIND_SUFFIX[real]} and add it again"
        )
    what = "a ZIP archive that is not a Word document" if real == "zip" else "binary data"
    return f"{name}: named as {KIND_NAMES[claimed]} but it is {what}; add the article's own file instead"


def _from_text(raw: bytes, name: str) -> Extracted:
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{name}: not UTF-8 (byte {e.start}: {raw[e.start : e.start + 1]!r}); re-save the file as UTF-8"
        ) from e
    return Extracted(content.removeprefix("\ufeff"), "text")


def _from_html(raw: bytes, name: str) -> Extracted:
    """The article text of a saved page (no navigation, ads, related links, comments) and its metadata."""
    from trafilatura import bare_extraction

    try:
        doc = bare_extraction(
            raw,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # lxml and trafilatura raise many types on broken markup
        raise CorpusError(
            f"{name}: the page cannot be read ({type(e).__name__}); save it again from the browser"
        ) from e
    data = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    text = _tidy(str(data.get("text") or ""))
    if prose_words(text) < MIN_HTML_WORDS:
        raise CorpusError(
            f"{name}: no article text found in the page (a cookie wall, a login page or a page of links?); "
            "open the article itself in the browser, save that page and add it, or paste its text"
        )
    fields = {
        "title": _one_line(data.get("title")),
        "author": _author(data, raw),
        "outlet": _one_line(data.get("sitename")),
        "published": _iso_date(data.get("date")),
        "url": _one_line(data.get("url")) if str(data.get("url") or "").startswith(("http://", "https://")) else "",
    }
    return Extracted(text, "html", {k: v for k, v in fields.items() if v})


# Fewer words of prose than this is not an article: a consent banner or a menu is what remains of
# such pages (trafilatura keeps 10-40 words of them); the shortest page in ../shared/html has 330.
MIN_HTML_WORDS = 50
PROSE_LINE_WORDS = 8  # a line of prose, not a link or a menu entry (those are 1-6 words)


def prose_words(text: str) -> int:
    """Words in lines long enough to be sentences: a page of links has none."""
    return sum(n for n in (len(line.split()) for line in text.split("\n")) if n >= PROSE_LINE_WORDS)


def _author(data: dict, raw: bytes) -> str:  # type: ignore[type-arg]
    """The byline. A site that names itself as the author (DW: `<meta name="author" content="Deutsche
    Welle (www.dw.com)">`) is the outlet, not a byline: then a labelled byline on the page
    ("Author" / "By" followed by a name) is used, else the author stays empty."""
    author = _one_line(data.get("author"))
    host = str(data.get("hostname") or "").lower().removeprefix("www.")
    site = _squash(data.get("sitename"))
    meta_authors = [_one_line(m).lower() for m in META_AUTHOR.findall(raw[:200_000].decode("utf-8", "replace"))]
    organisation = _squash(author) == site or (host and any(host in m for m in meta_authors))
    if author and not organisation:
        return author
    return _labelled_byline(raw)


META_AUTHOR = re.compile(r"<meta\s+name=[\"']author[\"']\s+content=[\"']([^\"']*)[\"']", re.IGNORECASE)
BYLINE_LABELS = ("author", "author:", "by", "by:", "written by")
# A byline is a name: two to four capitalised words (letters, apostrophes, hyphens, dots).
NAME = re.compile(r"^[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){1,3}$")


def _labelled_byline(raw: bytes) -> str:
    """The name after an element whose whole text is a byline label ("<strong>Author</strong> Ben Knight")."""
    import lxml.etree  # type: ignore[import-untyped]
    import lxml.html  # type: ignore[import-untyped]

    try:
        tree = lxml.html.fromstring(raw)
    except (ValueError, lxml.etree.LxmlError):
        return ""
    for element in tree.iter("strong", "b", "span", "dt", "label", "em"):
        if _one_line(element.text_content()).lower() not in BYLINE_LABELS:
            continue
        following = element.tail or ""
        if not following.strip() and element.getnext() is not None:
            following = element.getnext().text_content()
        candidate = _one_line(following)
        if NAME.match(candidate):
            return candidate
    return ""


def _squash(value: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value or "").lower())


def _from_pdf(raw: bytes, name: str) -> Extracted:
    """Text of every page in reading order (pypdf follows the page's content stream)."""
    from pypdf import PdfReader

    locked = f"{name}: the PDF is password-protected; save an unprotected copy and add that"
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as e:  # pypdf needs the cryptography package for AES; either way it is locked
                raise CorpusError(locked) from e
            if not opened:
                raise CorpusError(locked)
        pages = [page.extract_text() or "" for page in reader.pages]
        info: dict[str, Any] = dict(reader.metadata or {})
    except CorpusError:
        raise
    except Exception as e:  # pypdf raises PdfReadError, ValueError, KeyError ... on broken files
        raise CorpusError(f"{name}: the PDF is damaged or cut short ({e}); export it again and add it") from e
    text = _tidy("\n\n".join(p.strip() for p in pages if p.strip()))
    if not text:
        raise CorpusError(
            f"{name}: the PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf) and add the result"
        )
    fields = {"title": _one_line(info.get("/Title")), "author": _one_line(info.get("/Author"))}
    return Extracted(text, "pdf", {k: v for k, v in fields.items() if v})


def _from_docx(raw: bytes, name: str) -> Extracted:
    """Paragraph text in document order; title and author from the document's properties."""
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as e:  # python-docx raises KeyError, BadZipFile, lxml errors ...
        raise CorpusError(f"{name}: the Word file is damaged or cut short ({type(e).__name__}); save it again") from e
    text = _tidy("\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip()))
    if not text:
        raise CorpusError(f"{name}: the Word file has no text")
    props = document.core_properties
    fields = {"title": _one_line(props.title), "author": _one_line(props.author)}
    return Extracted(text, "docx", {k: v for k, v in fields.items() if v})


def _tidy(text: str) -> str:
    """Line ends normalised, spaces at line ends and runs of blank lines removed; nothing else."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _one_line(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _iso_date(value: object) -> str:
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", str(value or ""))
    return m.group(1) if m else ""
