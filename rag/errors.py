"""Errors the library raises. Each message says what the user should do next.

Entry points (CLI, app, API) turn these into what a person sees; the library never prints.
"The articles do not say" is not an error: it is an Answer that abstains.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class for every error the library raises on purpose."""


class ConfigError(RagError):
    """Settings are invalid (bad type, unknown key, impossible combination)."""


class CorpusError(RagError):
    """A corpus file cannot be used; the message names the file and the problem."""


class CorpusMissingError(CorpusError):
    """The corpus folder does not exist (RAG_CORPUS_DIR points nowhere): a settings mistake."""


class IndexMissingError(RagError):
    """There is no index yet."""


class IndexCorruptError(RagError):
    """The index folder exists but cannot be read."""


class EmbeddingError(RagError):
    """The embedding model cannot be loaded or run."""


class QuestionError(RagError):
    """The question itself is unusable (empty, too long, not text). A caller's mistake."""


class BackendError(RagError):
    """An answering backend failed at run time (timeout, server error, bad reply)."""


# Exit statuses of the command-line entry points (python -m rag, python -m eval.run, app.py):
# 0 done, 2 bad usage or settings (a missing corpus folder included), 3 no usable index,
# 1 anything else (the model or a backend failed; the message says what). README lists them.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3


def exit_status(error: RagError) -> int:
    """The exit status an entry point returns for a library error."""
    if isinstance(error, (IndexMissingError, IndexCorruptError)):
        return EXIT_INDEX
    if isinstance(error, (ConfigError, QuestionError, CorpusMissingError)):
        return EXIT_USAGE
    return EXIT_ERROR
