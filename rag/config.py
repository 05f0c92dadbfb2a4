"""Settings: the one place that reads the environment (prefix RAG_, plus OPENAI_API_KEY/BASE_URL).

Input: environment variables and keyword overrides. Output: a validated, frozen Settings object.
It also prepares the process environment for offline use (prepare_offline_env). It does not
open any store, model or network connection.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "RAG_"


class Settings(BaseSettings):
    """Every knob of the product. Pass it explicitly; never read os.environ elsewhere."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # corpus and index
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / ".rag"
    collection: str = Field("articles", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{1,50}[a-zA-Z0-9]$")
    max_article_chars: int = Field(2_000_000, gt=0)

    # a Chroma server instead of the embedded folder (all four unset: embedded)
    chroma_host: str | None = None
    chroma_port: int = Field(8000, gt=0, lt=65536)
    chroma_ssl: bool = False
    chroma_token: SecretStr | None = None

    # chunking, in MiniLM word pieces (the model reads 256 at most)
    chunk_size: int = Field(128, ge=32, le=240)
    chunk_overlap: int = Field(24, ge=0, le=120)

    # embeddings
    embedding: Literal["minilm", "openai"] = "minilm"
    embed_batch_size: int = Field(32, gt=0, le=512)
    openai_embedding_model: str = "text-embedding-3-small"

    # retrieval
    top_k: int = Field(6, gt=0, le=50)
    candidate_k: int = Field(20, gt=0, le=200)

    # answering
    backend: Literal["auto", "offline", "openai"] = "auto"
    max_answer_sentences: int = Field(3, gt=0, le=10)
    # how the offline backend picks sentences and decides to abstain: the hand-written rules
    # (rag/answering/rules.py, the default while the eval gates were set on them) or the model
    # fitted by `make train` (rag/answering/offline.py; see the README for both sets of numbers)
    offline_answerer: Literal["rules", "learned"] = "rules"
    max_question_chars: int = Field(2000, gt=0, le=100_000)
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("RAG_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("RAG_OPENAI_BASE_URL", "OPENAI_BASE_URL"))
    openai_model: str = "gpt-4o-mini"
    openai_context_window: int = Field(128_000, gt=0)
    openai_timeout: float = Field(30.0, gt=0, le=600)
    openai_max_retries: int = Field(2, ge=0, le=10)
    openai_deadline: float = Field(60.0, gt=0, le=1800)  # all attempts of one call, retries included
    openai_max_tokens: int = Field(600, gt=0, le=16_000)
    follow_up_turns: int = Field(6, ge=0, le=50)  # earlier turns read when rewriting a follow-up

    # web app
    host: str = "127.0.0.1"
    port: int = Field(7860, gt=0, lt=65536)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    # CI systems set CI (to "true", "1", "yes", or even ""): not ours to validate, so any value
    # but an empty one, "0", "false" or "no" counts as set. The eval's LLM judge refuses to run in CI.
    ci: bool = Field(False, validation_alias=AliasChoices("CI"))

    # web app (app.py, rag.api): feedback log, login, concurrency
    feedback_log: Path = PROJECT_ROOT / "feedback" / "feedback.jsonl"
    users_file: Path | None = None  # login is on when set; add users with `python -m rag adduser NAME`
    session_secret: SecretStr | None = Field(None, min_length=16)  # signs login cookies; unset: new per process
    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    concurrency_limit: int = Field(4, gt=0, le=64)  # questions answered at once per process (UI and API each)

    # how the offline MiniLM runs: onnxruntime if installed (auto), insist on it, or pure numpy;
    # all three give the same vectors, so an index built with one is read by the others
    minilm_runtime: Literal["auto", "onnx", "numpy"] = "auto"

    # per-client limits (rag.limits): per logged-in user when the login is on, else per client IP
    rate_limit_per_minute: int = Field(30, ge=0, le=100_000)  # questions a minute; 0 turns the limit off
    rate_limit_burst: int = Field(10, gt=0, le=10_000)  # questions at once before the per-minute pace applies
    max_request_bytes: int = Field(1_048_576, ge=4096, le=64 * 1_048_576)  # POST /api/ask body; larger: 413

    # adding articles from a link (rag.fetch): per-request timeout in seconds, and whether a link (or
    # a redirect) may lead to a private, loopback or link-local address (off: no reaching the intranet)
    fetch_timeout: float = Field(15.0, gt=0, le=300)
    fetch_allow_private: bool = False

    @field_validator("ci", mode="before")
    @classmethod
    def _ci_is_set(cls, value: object) -> bool:
        return str(value).strip().lower() not in ("", "0", "false", "no", "none")

    @model_validator(mode="after")
    def _reject_unknown_env(self) -> Settings:
        # pydantic-settings silently ignores unknown RAG_* variables; a typo must fail instead.
        known = set(env_names().values())
        unknown = sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in known)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.index_dir.exists() and not self.index_dir.is_dir():  # --rebuild would not remove it either
            raise ValueError(f"index_dir {self.index_dir} is a file, not a folder: move it away or set RAG_INDEX_DIR")
        return self

    @property
    def uses_chroma_server(self) -> bool:
        return self.chroma_host is not None

    def openai_configured(self) -> bool:
        """True when an OpenAI key or an OpenAI-compatible base URL is set."""
        return self.openai_api_key is not None or self.openai_base_url is not None


def env_names() -> dict[str, str]:
    """field name -> the RAG_* variable that sets it (fields read only from other names, such as
    CI, have none; OPENAI_API_KEY's field is also read from RAG_OPENAI_API_KEY)."""
    names = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [ENV_PREFIX + name.upper()]
        ours = [c for c in choices if isinstance(c, str) and c.startswith(ENV_PREFIX)]
        if ours:
            names[name] = ours[0]
    return names


def _problem(loc: tuple[int | str, ...], msg: str, overrides: dict[str, object]) -> str:
    """One validation error, named as a person set it: the variable (RAG_TOP_K), or the keyword of
    an override (top_k); a check over several settings says which in its message."""
    msg = msg.removeprefix("Value error, ")
    if not loc:
        return msg
    first = str(loc[0])
    if first in overrides or first not in Settings.model_fields:  # a keyword, or an alias such as CI
        return f"{'.'.join(str(p) for p in loc)}: {msg}"
    return f"{env_names().get(first, first)}: {msg}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides; raises ConfigError on bad values."""
    from pydantic import ValidationError

    from rag.errors import ConfigError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        problems = "; ".join(_problem(err["loc"], err["msg"], overrides) for err in e.errors())
        raise ConfigError(f"Bad settings: {problems}. Fix the RAG_* environment variables (see README).") from e


def prepare_offline_env() -> None:
    """Point libraries at files shipped in packages so that nothing tries to download.

    Called by the entry points (CLI, app, tests). Only sets what the user has not set.
    """
    import llama_index.core

    tiktoken_cache = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    defaults = {
        "TIKTOKEN_CACHE_DIR": str(tiktoken_cache),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def read_pinned(path: Path, sha256: str | None, what: str, missing: str, changed: str) -> bytes:
    """The bytes of a file the project ships with its sha256 pinned (a fitted model, a word table),
    checked unless sha256 is None (a freshly built file); a ConfigError saying what to do (missing:
    when it is not there; changed: when it is not the pinned one) otherwise."""
    import hashlib

    from rag.errors import ConfigError

    if not path.exists():
        raise ConfigError(f"The {what} {path} is missing; {missing}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if sha256 is not None and digest != sha256:
        raise ConfigError(f"The {what} {path} is not the pinned one (sha256 {digest[:12]}...); {changed}")
    return data
