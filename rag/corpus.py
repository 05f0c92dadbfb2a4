"""corpus/ files -> Articles. Validates format, header and size; never changes a text file's text.

A .txt/.md file is an optional header between two `---` lines (`key: value`, keys in HEADER_KEYS),
then the article text exactly as published. A saved page (.html/.htm), a PDF or a Word file is
read by rag.readers: its Article.text is the extracted text (what citations' offsets refer to) and
its metadata is what the file states. Broken files are reported one by one (CorpusProblem) and the
rest still load. This module does not chunk, embed or index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rag.errors import CorpusError, CorpusMissingError
from rag.readers import SUFFIXES, Extracted, read_bytes
from rag.types import Article, ArticleMeta

log = logging.getLogger(__name__)

CORPUS_SUFFIXES = tuple(SUFFIXES)
# Largest file read at all: a text-only article PDF or Word file is well under 1 MB and a saved page
# under 2 MB; 25 MB leaves room for embedded images and fonts while refusing archives and videos.
MAX_FILE_BYTES = 25 * 2**20
HEADER_FENCE = "---"
HEADER_KEYS = ("id", "title", "title_is_editorial", "author", "outlet", "published", "url")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class CorpusProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        if self.message.startswith(self.path.name + ":"):
            return self.message
        return f"{self.path.name}: {self.message}"


@dataclass(frozen=True)
class CorpusLoad:
    articles: tuple[Article, ...]
    problems: tuple[CorpusProblem, ...]


def load_corpus(corpus_dir: Path, max_chars: int = 2_000_000) -> CorpusLoad:
    """Read every article file in corpus_dir; broken files become problems, not exceptions."""
    if not corpus_dir.is_dir():
        raise CorpusMissingError(
            f"Corpus folder {corpus_dir} does not exist. Create it and put one .txt file per "
            "article in it, or set RAG_CORPUS_DIR."
        )
    articles: list[Article] = []
    problems: list[CorpusProblem] = []
    seen_ids: dict[str, Path] = {}
    seen_texts: dict[str, str] = {}
    for path in sorted(corpus_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in CORPUS_SUFFIXES or not path.is_file():
            continue
        try:
            article = read_article(path, max_chars)
        except CorpusError as e:
            problems.append(CorpusProblem(path, str(e)))
            continue
        text_key = hashlib.sha256(article.text.encode()).hexdigest()
        if article.id in seen_ids:
            problems.append(CorpusProblem(path, f"id {article.id!r} is already used by {seen_ids[article.id].name}"))
        elif text_key in seen_texts:
            problems.append(CorpusProblem(path, f"same text as article {seen_texts[text_key]!r}; skipped"))
        else:
            seen_ids[article.id] = path
            seen_texts[text_key] = article.id
            articles.append(article)
    for problem in problems:
        log.warning("corpus: %s", problem)
    return CorpusLoad(tuple(articles), tuple(problems))


def read_article(path: Path, max_chars: int = 2_000_000) -> Article:
    """One file -> Article, or CorpusError naming the file and what to fix."""
    size = path.stat().st_size
    check_size(path.name, size, max_chars, text=path.suffix.lower() in (".txt", ".md"))
    return article_from_bytes(path.read_bytes(), path, max_chars)


def check_size(name: str, size: int, max_chars: int, text: bool) -> None:
    """Refuse a file before reading it when it cannot be one article."""
    if text and size > max_chars * 4:  # UTF-8 is at most 4 bytes a character: refuse before decoding
        raise CorpusError(
            f"{name}: file is {size:,} bytes, over RAG_MAX_ARTICLE_CHARS={max_chars:,} "
            "characters; split the article or raise the limit"
        )
    if size > MAX_FILE_BYTES:
        raise CorpusError(
            f"{name}: file is {size / 2**20:,.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB a single article may be; "
            "add the article's own page or text, not a whole publication"
        )


def article_from_bytes(raw: bytes, path: Path, max_chars: int = 2_000_000) -> Article:
    """The bytes of a file (read or about to be saved as `path`) -> Article."""
    check_size(path.name, len(raw), max_chars, text=path.suffix.lower() in (".txt", ".md"))
    extracted: Extracted = read_bytes(raw, path.name)
    if extracted.kind == "text":
        fields, text = split_header(extracted.text, path.name)
    else:
        fields, text = dict(extracted.fields), extracted.text
        fields.setdefault("title_is_editorial", "false")
        if not _valid_date(fields.get("published", "")):
            fields.pop("published", None)  # a page's date we cannot read as a day is left out, not guessed
    if "\x00" in text:
        raise CorpusError(f"{path.name}: contains NUL bytes; this is not a text file")
    if not text.strip():
        raise CorpusError(f"{path.name}: the article text is empty")
    if len(text) > max_chars:
        raise CorpusError(
            f"{path.name}: {len(text):,} characters, over RAG_MAX_ARTICLE_CHARS={max_chars:,}; "
            "split the article or raise the limit"
        )
    meta = build_meta(fields, path)
    return Article(meta=meta, text=text, content_hash=hash_article(meta, text), source=str(path))


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return not value
    return True


def split_header(content: str, name: str) -> tuple[dict[str, str], str]:
    """Parse the optional `---` header; the text after it is returned untouched."""
    if not content.startswith(HEADER_FENCE + "\n"):
        return {}, content
    end = content.find("\n" + HEADER_FENCE + "\n", len(HEADER_FENCE))
    if end < 0:
        raise CorpusError(f"{name}: header opened with '---' but never closed by a '---' line")
    fields: dict[str, str] = {}
    for lineno, line in enumerate(content[len(HEADER_FENCE) + 1 : end].split("\n"), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep:
            raise CorpusError(f"{name}: header line {lineno} is not 'key: value': {line!r}")
        if key not in HEADER_KEYS:
            raise CorpusError(f"{name}: header line {lineno}: unknown key {key!r}; use {', '.join(HEADER_KEYS)}")
        if key in fields:
            raise CorpusError(f"{name}: header line {lineno}: {key!r} is given twice")
        fields[key] = value.strip()
    return fields, content[end + len(HEADER_FENCE) + 2 :]


def build_meta(fields: dict[str, str], path: Path) -> ArticleMeta:
    article_id = fields.get("id") or path.stem
    if not ID_PATTERN.match(article_id):
        raise CorpusError(
            f"{path.name}: id {article_id!r} must be letters, digits, '_', '-' or '.' (at most 128 characters)"
        )
    published = fields.get("published", "")
    if published:
        try:
            date.fromisoformat(published)
        except ValueError as e:
            raise CorpusError(
                f"{path.name}: published {published!r} is not a date like 2024-09-14; "
                "leave it empty if the article does not say"
            ) from e
    url = fields.get("url", "")
    if url and not re.match(r"^https?://\S+$", url):
        raise CorpusError(f"{path.name}: url {url!r} must start with http:// or https://")
    editorial = fields.get("title_is_editorial", "false").lower()
    if editorial not in ("true", "false"):
        raise CorpusError(f"{path.name}: title_is_editorial must be true or false, not {editorial!r}")
    return ArticleMeta(
        id=article_id,
        title=fields.get("title", ""),
        title_is_editorial=editorial == "true",
        author=fields.get("author", ""),
        outlet=fields.get("outlet", ""),
        published=published,
        url=url,
    )


def hash_article(meta: ArticleMeta, text: str) -> str:
    payload = json.dumps([meta.as_metadata(), text], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
