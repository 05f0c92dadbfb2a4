"""Grounded, cited answers from a corpus of news articles.

Public API: load_settings / Settings, ingest, open_engine (a LlamaIndex query engine with ask()),
Answer / Citation, and the RagError family. Everything else is internal.
"""

import logging
from collections.abc import Callable

from rag.config import Settings, load_settings, prepare_offline_env
from rag.engine import GroundedQueryEngine, open_engine
from rag.errors import (
    BackendError,
    ConfigError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    QuestionError,
    RagError,
)
from rag.ingest import IngestReport, ingest
from rag.store import LIBRARY_LOGGERS as STORE_LOGGERS
from rag.types import Answer, Citation

__all__ = [
    "Answer",
    "BackendError",
    "Citation",
    "ConfigError",
    "CorpusError",
    "GroundedQueryEngine",
    "IndexCorruptError",
    "IndexMissingError",
    "IngestReport",
    "QuestionError",
    "RagError",
    "Settings",
    "ingest",
    "load_settings",
    "open_engine",
    "open_or_build",
    "prepare_offline_env",
    "quiet_libraries",
]

# Loggers of the libraries behind rag's wrappers (the store's come from rag.store).
LIBRARY_LOGGERS = (*STORE_LOGGERS, "httpx", "bm25s", "llama_index")


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Keep library chatter below `level` (entry points call it unless asked for DEBUG; after the
    imports, as bm25s sets DEBUG on import)."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)


def open_or_build(
    settings: Settings, on_build: Callable[[str], None] | None = None, update: bool = False
) -> GroundedQueryEngine:
    """Open the engine; with no index yet (embedded store only), build it from corpus/ first.
    update=True (the web app) first brings the embedded index up to date with the corpus: an
    incremental ingest, which for an unchanged corpus reads the files and loads no model.

    on_build receives one line before and one after a build or an update that changed something,
    and a warning when the corpus folder is missing but an index exists (the entry point shows them)."""
    say = on_build or logging.getLogger(__name__).warning
    if update and not settings.uses_chroma_server and settings.corpus_dir.is_dir():
        if not settings.index_dir.exists():
            say(f"No index yet: building it from {settings.corpus_dir} (python -m rag ingest) ...")
        report = ingest(settings)
        if report.added or report.updated or report.removed or report.problems:
            say(report.summary())
        return open_engine(settings)
    if not settings.uses_chroma_server and not settings.corpus_dir.is_dir() and settings.index_dir.is_dir():
        say(
            f"Warning: the corpus folder {settings.corpus_dir} does not exist; answering from the index "
            f"at {settings.index_dir}, built earlier. Set RAG_CORPUS_DIR to the corpus folder, or create "
            "it and run `python -m rag ingest`."
        )
    try:
        return open_engine(settings)
    except IndexMissingError:
        if settings.uses_chroma_server:
            raise
        say(f"No index yet: building it from {settings.corpus_dir} (python -m rag ingest) ...")
        say(ingest(settings).summary())
        return open_engine(settings)
