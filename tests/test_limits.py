"""Per-client token buckets (rag.limits) on a fake clock: burst, steady pace, refill, separate
clients, 0 = off, bounded memory, and many threads never getting more than the budget."""

from __future__ import annotations

import threading

import pytest

from rag import limits
from rag.limits import RateLimiter, retry_after, too_fast_message


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_per_minute_pace() -> None:
    clock = Clock()
    rl = RateLimiter(per_minute=6, burst=3, clock=clock)  # one token every 10 s
    assert [rl.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.acquire("a") == pytest.approx(10.0)  # empty: the next token in 10 s
    clock.now += 4
    assert rl.acquire("a") == pytest.approx(6.0)  # a refused try takes nothing
    clock.now += 6
    assert rl.acquire("a") == 0.0
    assert rl.acquire("a") == pytest.approx(10.0)


def test_a_quiet_client_refills_up_to_the_burst_only() -> None:
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=2, clock=clock)
    rl.acquire("a"), rl.acquire("a")
    clock.now += 3600  # an hour idle gives back the burst, not 3600 questions
    assert [rl.acquire("a") for _ in range(3)][:2] == [0.0, 0.0]
    assert rl.acquire("a") > 0


def test_clients_have_their_own_buckets() -> None:
    rl = RateLimiter(per_minute=1, burst=1, clock=Clock())
    assert rl.acquire("user:alice") == 0.0 and rl.acquire("user:alice") > 0
    assert rl.acquire("user:bob") == 0.0 and rl.acquire("ip:10.0.0.1") == 0.0


def test_zero_per_minute_turns_the_limit_off() -> None:
    rl = RateLimiter(per_minute=0, burst=1, clock=Clock())
    assert not rl.enabled and all(rl.acquire("a") == 0.0 for _ in range(1000))
    assert rl.tracked() == 0


def test_refilled_clients_are_forgotten_when_many_are_tracked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TRACKED", 100)
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=1, clock=clock)
    for i in range(100):
        rl.acquire(f"ip:{i}")
    clock.now += 5  # everyone has refilled: a full bucket is the same as none
    rl.acquire("ip:new")
    assert rl.tracked() == 1


def test_threads_together_get_exactly_the_burst() -> None:
    rl = RateLimiter(per_minute=1, burst=25, clock=Clock())  # the clock stands still: no refill
    granted = []
    lock = threading.Lock()

    def ask() -> None:
        for _ in range(10):
            if rl.acquire("shared") == 0.0:
                with lock:
                    granted.append(1)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 25


def test_the_message_says_the_limit_the_settings_and_when_to_retry() -> None:
    rl = RateLimiter(per_minute=30, burst=10)
    message = too_fast_message(2.2, rl)
    assert "30 a minute" in message and "RAG_RATE_LIMIT_PER_MINUTE" in message and "in 3 s" in message
    assert retry_after(0.01) == 1 and retry_after(2.0) == 2 and retry_after(2.5) == 3


def test_settings_bound_the_limits(make_settings) -> None:  # type: ignore[no-untyped-def]
    from rag.errors import ConfigError

    s = make_settings()
    assert (s.rate_limit_per_minute, s.rate_limit_burst, s.max_request_bytes) == (30, 10, 1_048_576)
    for bad in ({"rate_limit_per_minute": -1}, {"rate_limit_burst": 0}, {"max_request_bytes": 10}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            make_settings(**bad)
