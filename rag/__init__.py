"""Grounded, cited answers from a corpus of news articles.

Public API: load_settings / Settings, ingest, open_engine (a LlamaIndex query engine with ask()),
Answer / Citation, and the RagError family. Everything else is internal.
"""

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
    "prepare_offline_env",
]
