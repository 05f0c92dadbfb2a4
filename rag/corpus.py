"""corpus/ files -> Articles. Validates encoding, header and size; never changes the text.

A file is an optional header between two `---` lines (`key: value`, keys in HEADER_KEYS), then
the article text exactly as published. Broken files are reported one by one (CorpusProblem) and
the rest still load. This module does not chunk, embed or index.
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
from rag.types import Article, ArticleMeta

log = logging.getLogger(__name__)

CORPUS_SUFFIXES = (".txt", ".md")
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
        if path.name.startswith(".") or path.suffix not in CORPUS_SUFFIXES or not path.is_file():
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
    raw = path.read_bytes()
    if len(raw) > max_chars * 4:  # UTF-8 is at most 4 bytes a character: refuse before decoding
        raise CorpusError(
            f"{path.name}: file is {len(raw):,} bytes, over RAG_MAX_ARTICLE_CHARS={max_chars:,} "
            "characters; split the article or raise the limit"
        )
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{path.name}: not UTF-8 (byte {e.start}: {raw[e.start : e.start + 1]!r}); re-save the file as UTF-8"
        ) from e
    if content.startswith("\ufeff"):
        content = content[1:]
    fields, text = split_header(content, path.name)
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
