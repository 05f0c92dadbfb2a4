"""Adding, listing, showing and removing articles: corpus/ (the record) and the index kept together.

Input: files, links or pasted text, and settings. An input is read and checked (rag.corpus,
rag.readers) before anything is written; a good one is saved into corpus/ atomically (a hidden
temporary file renamed into place), then ingest brings the index in line. A refused input or a
duplicate (same text as an article already there) changes nothing. Removing moves the corpus file
to corpus/.removed/ and deletes the article from the index. The CLI, the API and the web chat
all call these functions; this module does not parse pages itself nor answer questions.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.corpus import CORPUS_SUFFIXES, ID_PATTERN, article_from_bytes, check_size, load_corpus, split_header
from rag.errors import CorpusError
from rag.store import IndexedArticle, Store

log = logging.getLogger(__name__)

REMOVED_DIR = ".removed"  # inside corpus/, one folder per removal time; hidden from ingest
# One add or remove at a time per process: two uploads at once would both pass the duplicate check.
_LOCK = threading.RLock()


class ArticleNotFound(CorpusError):
    """No article with that id is indexed or in corpus/."""


@dataclass(frozen=True)
class Added:
    """What became of one input: added (article_id, file), a duplicate, or refused (problem)."""

    input: str
    article_id: str = ""
    file: str = ""
    duplicate_of: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.article_id) and not self.duplicate_of

    def describe(self) -> str:
        if self.problem:
            return f"refused {self.input}: {self.problem}"
        if self.duplicate_of:
            return f"not added {self.input}: same text as article {self.duplicate_of!r} (a duplicate)"
        return f"added {self.input} as article {self.article_id!r} (corpus/{self.file})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Candidates:
    """What corpus/ holds now: ids, file names and text hashes, to tell a new article from a duplicate."""

    ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)  # sha256 of the text -> article id

    @classmethod
    def of(cls, settings: Settings) -> Candidates:
        if not settings.corpus_dir.exists():  # the first article added creates the folder
            return cls()
        corpus = load_corpus(settings.corpus_dir, settings.max_article_chars)
        names = {p.name.lower() for p in settings.corpus_dir.iterdir()}
        return cls({a.id for a in corpus.articles}, names, {text_key(a.text): a.id for a in corpus.articles})


def text_key(text: str) -> str:
    """Two articles are the same story when their texts are equal up to spacing and case."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def add_inputs(settings: Settings, inputs: Iterable[str]) -> list[Added]:
    """Paths and http(s) links -> corpus/ (each checked first; one refused input never stops the rest)."""
    results = []
    with _LOCK:
        known = Candidates.of(settings)
        for item in inputs:
            try:
                raw, name = _read_input(item, settings)
            except CorpusError as e:
                results.append(Added(item, problem=_without_name(str(e), item)))
                continue
            if Path(item).resolve().parent == settings.corpus_dir.resolve():
                results.append(_already_in_corpus(item, raw, settings))
                continue
            results.append(_save(raw, name, item, settings, known))
    return results


def add_bytes(settings: Settings, raw: bytes, name: str, label: str | None = None) -> Added:
    """An uploaded file -> corpus/ (checked first)."""
    with _LOCK:
        return _save(raw, Path(name).name, label or Path(name).name, settings, Candidates.of(settings))


def add_text(
    settings: Settings,
    text: str,
    title: str = "",
    author: str = "",
    outlet: str = "",
    published: str = "",
    url: str = "",
) -> Added:
    """Pasted text -> a .txt file with a header. A title typed here is marked editorial (ours)."""
    fields = {"title": title, "author": author, "outlet": outlet, "published": published, "url": url}
    fields = {k: " ".join(v.split()) for k, v in fields.items() if v and v.strip()}
    if title.strip():
        fields["title_is_editorial"] = "true"
    header = "".join(f"{k}: {v}\n" for k, v in fields.items())
    content = (f"---\n{header}---\n" if header else "") + text.replace("\r\n", "\n")
    stem = slug(title) or "pasted-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    with _LOCK:
        return _save(content.encode(), stem + ".txt", "pasted text", settings, Candidates.of(settings))


def _read_input(item: str, settings: Settings) -> tuple[bytes, str]:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", item):
        from rag.fetch import fetch

        fetched = fetch(item, settings)
        return fetched.content, fetched.file_name
    path = Path(item)
    if not path.is_file():
        raise CorpusError(f"{item}: no such file; give a path to a .txt, .md, .html, .pdf or .docx file, or a link")
    check_size(path.name, path.stat().st_size, settings.max_article_chars, text=False)
    return path.read_bytes(), path.name


def _already_in_corpus(item: str, raw: bytes, settings: Settings) -> Added:
    try:
        article = article_from_bytes(raw, Path(item), settings.max_article_chars)
    except CorpusError as e:
        return Added(item, problem=_without_name(str(e), item))
    return Added(item, article_id=article.id, file=Path(item).name)


def _save(raw: bytes, name: str, label: str, settings: Settings, known: Candidates) -> Added:
    """Check raw as the article file `name`; save it into corpus/ under a free name unless it is a duplicate."""
    suffix = Path(name).suffix.lower()
    if suffix not in CORPUS_SUFFIXES:
        return Added(label, problem=f"{name}: not an article file; use .txt, .md, .html, .htm, .pdf or .docx")
    target = _free_name(slug(Path(name).stem) or "article", suffix, known, raw)
    try:
        article = article_from_bytes(raw, settings.corpus_dir / target, settings.max_article_chars)
    except CorpusError as e:
        return Added(label, problem=str(e))
    if article.id in known.ids:  # a header id already taken
        return Added(label, problem=f"{name}: id {article.id!r} is already used; change the id in its header")
    duplicate = known.texts.get(text_key(article.text))
    if duplicate:
        return Added(label, article_id=article.id, duplicate_of=duplicate)
    _write_atomically(settings.corpus_dir, target, raw)
    known.ids.add(article.id)
    known.names.add(target.lower())
    known.texts[text_key(article.text)] = article.id
    log.info("added %s as %s", label, target)
    return Added(label, article_id=article.id, file=target)


def _free_name(stem: str, suffix: str, known: Candidates, raw: bytes) -> str:
    """stem + suffix, or stem-2, stem-3 ... when that name or id is taken."""
    for n in range(1, 1000):
        candidate = stem if n == 1 else f"{stem}-{n}"
        if f"{candidate}{suffix}".lower() not in known.names and candidate not in known.ids:
            return candidate + suffix
    return f"{stem}-{hashlib.sha256(raw).hexdigest()[:12]}{suffix}"


def _write_atomically(folder: Path, name: str, raw: bytes) -> None:
    """Write a hidden temporary file, fsync, then rename: ingest never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".incoming-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    finally:
        tmp.unlink(missing_ok=True)


def slug(text: str) -> str:
    """A file name stem from a title or file name: letters, digits and '-' (ids allow these)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip("-._")[:80]
    return stem if ID_PATTERN.match(stem or "-") else ""


def _without_name(message: str, item: str) -> str:
    return message.removeprefix(f"{item}: ")


def source_files(corpus_dir: Path) -> dict[str, Path]:
    """article id -> its corpus file, reading only the headers of text files (fast on big corpora)."""
    out: dict[str, Path] = {}
    if not corpus_dir.is_dir():
        return out
    for path in sorted(corpus_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in CORPUS_SUFFIXES or not path.is_file():
            continue
        article_id = path.stem
        if path.suffix.lower() in (".txt", ".md"):
            head = path.read_bytes()[:8192].decode("utf-8", "replace").removeprefix("\ufeff")
            try:
                fields, _ = split_header(head if "\n---\n" in head[3:] else "", path.name)
            except CorpusError:
                fields = {}
            article_id = fields.get("id") or article_id
        out.setdefault(article_id, path)
    return out


def list_articles(store: Store, corpus_dir: Path) -> list[dict[str, Any]]:
    """Every indexed article: metadata, source file, characters, chunks, content hash, when added."""
    chars, files = store.article_chars(), source_files(corpus_dir)
    return [row_of(a, chars.get(a.id, 0), corpus_dir, files) for a in store.list_articles()]


def row_of(
    article: IndexedArticle, chars: int, corpus_dir: Path, files: dict[str, Path] | None = None
) -> dict[str, Any]:
    """One listing row (the keys of `rag articles --json`)."""
    files = source_files(corpus_dir) if files is None else files
    source = files.get(article.id)
    return {
        **article.meta.as_metadata(),
        "source": source.name if source else "",
        "chars": chars,
        "chunks": article.n_chunks,
        "content_hash": article.content_hash,
        "added": _mtime(source),
    }


def _mtime(path: Path | None) -> str:
    if path is None:
        return ""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def get_article(store: Store, corpus_dir: Path, article_id: str) -> tuple[dict[str, Any], str]:
    """(the listing row, the indexed text) of one article; ArticleNotFound says what to run."""
    found = store.find_article(article_id)
    if found is None:
        raise ArticleNotFound(f"No indexed article {article_id!r}; `python -m rag articles` lists the ids.")
    article, text = found
    return row_of(article, len(text), corpus_dir), text


def remove_article(store: Store, settings: Settings, article_id: str) -> str:
    """Move the article's corpus file to corpus/.removed/ and delete it from the index; -> the file's name."""
    with _LOCK:
        source = source_files(settings.corpus_dir).get(article_id)
        indexed = store.find_article(article_id) is not None
        if source is None and not indexed:
            raise ArticleNotFound(
                f"No article {article_id!r} in the index or in corpus/; `python -m rag articles` lists them."
            )
        if source is not None:
            removed = settings.corpus_dir / REMOVED_DIR / time.strftime("%Y%m%dT%H%M%S")
            removed.mkdir(parents=True, exist_ok=True)
            os.replace(source, removed / source.name)  # moving it back to corpus/ restores the article
        if indexed:
            store.delete_article(article_id)
        log.info("removed article %s (%s)", article_id, source.name if source else "no corpus file")
        return source.name if source else ""


def index_now(settings: Settings, embed_model: Any = None) -> Any:
    """Run ingest after adding (the web app passes its open model so nothing loads twice)."""
    from rag.ingest import ingest

    with _LOCK:
        return ingest(settings, embed_model=embed_model)
