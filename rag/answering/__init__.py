"""Answering backends: numbered Passages in, a Draft (text with [n] markers) out.

A draft is never shown as is: rag.grounding verifies it first. Backends do not retrieve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rag.retrieval import Retrieval


@dataclass(frozen=True)
class Draft:
    """What a backend wrote. [n] markers refer to Retrieval.passages[n-1]."""

    text: str
    abstained: bool = False
    reason: str = ""
    notice: str = ""  # e.g. "The OpenAI server failed; this is the offline answer."
    backend: str = ""


class Backend(Protocol):
    name: str

    def draft(self, question: str, retrieval: Retrieval) -> Draft: ...
