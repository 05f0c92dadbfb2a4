"""The embedding seam: the model that settings select, as a LlamaIndex BaseEmbedding.

all-MiniLM-L6-v2 run offline (the default; rag.minilm holds the model itself, no torch, nothing
downloaded) or OpenAI's embeddings API. Output: L2-normalised float32 vectors. The offline model
can also pool sub-spans of a text (one vector per sentence from the same forward pass): see
MiniLMEncoder.encode_with_spans, which ingest calls through MiniLMEmbedding.encoder.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.config import Settings
from rag.errors import ConfigError
from rag.minilm import MINILM_MAX_TOKENS, MINILM_MODEL_NAME, MiniLMEncoder

__all__ = ["MINILM_MAX_TOKENS", "MiniLMEmbedding", "MiniLMEncoder", "build_embedding", "embedding_model_name"]


class MiniLMEmbedding(BaseEmbedding):
    """LlamaIndex wrapper around MiniLMEncoder (offline, no torch, no download)."""

    _encoder: MiniLMEncoder = PrivateAttr()

    def __init__(self, encoder: MiniLMEncoder | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", MINILM_MODEL_NAME)
        super().__init__(**kwargs)
        self._encoder = encoder or MiniLMEncoder()

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def encoder(self) -> MiniLMEncoder:
        return self._encoder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.encode([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts, self.embed_batch_size).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def embedding_model_name(settings: Settings) -> str:
    """The name build_embedding(settings).model_name will have, without loading the model."""
    return MINILM_MODEL_NAME if settings.embedding == "minilm" else settings.openai_embedding_model


def build_embedding(settings: Settings) -> BaseEmbedding:
    """The embedding model that settings select."""
    if settings.embedding == "minilm":
        encoder = MiniLMEncoder(runtime=settings.minilm_runtime)
        return MiniLMEmbedding(encoder, embed_batch_size=settings.embed_batch_size)
    if not settings.openai_configured():
        raise ConfigError("RAG_EMBEDDING=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server).")
    from llama_index.embeddings.openai import OpenAIEmbedding

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
    return OpenAIEmbedding(
        model=settings.openai_embedding_model,
        api_key=key,
        api_base=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        embed_batch_size=settings.embed_batch_size,
    )
