import pytest

from rag.config import load_settings
from rag.errors import ConfigError


def test_defaults_are_offline_and_loopback() -> None:
    s = load_settings()
    assert s.host == "127.0.0.1" and s.port == 7860
    assert s.backend == "auto" and not s.openai_configured()


def test_env_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "9")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    s = load_settings()
    assert s.top_k == 9
    assert s.openai_configured()
    assert "sk-test" not in repr(s)  # secrets never print


def test_unknown_env_key_fails_with_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOPK", "9")
    with pytest.raises(ConfigError, match="RAG_TOPK.*RAG_TOP_K"):
        load_settings()


@pytest.mark.parametrize(
    ("key", "value"),
    [("RAG_TOP_K", "many"), ("RAG_TOP_K", "0"), ("RAG_PORT", "70000"), ("RAG_BACKEND", "gpt")],
)
def test_bad_values_fail_with_the_setting_named(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=key.removeprefix("RAG_").lower()):
        load_settings()


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(ConfigError):
        load_settings(top_kk=3)


def test_overlap_must_be_smaller_than_chunk() -> None:
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_settings(chunk_size=64, chunk_overlap=64)
