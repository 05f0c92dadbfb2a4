"""Per-client rate limits for the web surfaces: a token bucket per client key, thread-safe.

Input: a client key (the logged-in user, else the client's IP address) and a clock. Output: how
long that client must wait before its next question (0: go ahead). Each client may ask `burst`
questions at once, then `per_minute` a minute. It does not know about HTTP or Gradio: rag.api and
app.py turn a wait into a 429 or a chat message. Limits are per process (each replica its own).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from rag.config import Settings

MAX_TRACKED = 10_000  # past this many clients, forget those whose bucket has refilled (same as absent)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets of `burst` tokens refilled at `per_minute` a minute; per_minute=0 disables."""

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.burst = max(1, burst)
        self._rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(settings.rate_limit_per_minute, settings.rate_limit_burst)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def acquire(self, key: str) -> float:
        """Take one token for key: 0.0 when allowed, else the seconds to wait (nothing is taken)."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_TRACKED:
                    self._forget_refilled(now)
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def _forget_refilled(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self._rate >= self.burst]
        for key in full:
            del self._buckets[key]

    def tracked(self) -> int:
        """How many clients have a bucket (for tests and monitoring)."""
        with self._lock:
            return len(self._buckets)


def too_fast_message(wait_s: float, limiter: RateLimiter) -> str:
    """What a client that asked too fast is told (API detail and chat message alike)."""
    return (
        f"Too many questions from you: at most {limiter.per_minute} a minute "
        f"(bursts of {limiter.burst}; RAG_RATE_LIMIT_PER_MINUTE, RAG_RATE_LIMIT_BURST). "
        f"Try again in {retry_after(wait_s)} s."
    )


def retry_after(wait_s: float) -> int:
    """Whole seconds for a Retry-After header (never 0: the client would retry at once)."""
    return max(1, math.ceil(wait_s))
