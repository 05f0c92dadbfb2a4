import pytest

from rag.config import Settings, load_settings
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
def test_bad_values_fail_with_the_variable_named(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=rf"Bad settings: {key}: "):  # the name the user set, not "top_k"
        load_settings()


def test_a_bad_override_is_named_as_the_keyword() -> None:
    with pytest.raises(ConfigError, match=r"Bad settings: top_k: "):
        load_settings(top_k=0)


def test_unknown_key_lists_only_real_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_FOO", "1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    known = info.value.args[0].split("known: ")[1].split(". Fix")[0].split(", ")
    assert "RAG_CI" not in known and "RAG_TOP_K" in known and "RAG_OPENAI_API_KEY" in known
    for name in known:  # every listed name is read: setting it to a bad value fails on that name
        assert name.startswith("RAG_") and name.removeprefix("RAG_").lower() in Settings.model_fields
    monkeypatch.setenv("RAG_CI", "1")  # CI is read from CI only: RAG_CI is a typo like any other
    with pytest.raises(ConfigError, match="unknown setting.*RAG_CI"):
        load_settings()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", False), ("0", False), ("false", False), ("true", True), ("1", True), ("yes", True), ("woodpecker", True)],
)
def test_ci_is_read_as_ci_systems_set_it(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CI", value)  # CI= (set but empty) must not make every command fail
    assert load_settings().ci is expected


def test_unknown_override_is_rejected() -> None:
    with pytest.raises(ConfigError):
        load_settings(top_kk=3)


def test_overlap_must_be_smaller_than_chunk() -> None:
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_settings(chunk_size=64, chunk_overlap=64)
