"""Login pieces: scrypt hashes, the users file, signed session cookies, safe redirects, `adduser`."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.auth import Authenticator, add_user, hash_password, read_users, safe_next, verify_password
from rag.config import PROJECT_ROOT
from rag.errors import ConfigError


def test_a_password_verifies_against_its_hash_and_nothing_else() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert verify_password("s3cret", stored)
    assert not verify_password("s3cret ", stored) and not verify_password("", stored)
    assert not verify_password("s3cret", "scrypt$garbage") and not verify_password("s3cret", "md5$x$y$z$a$b")
    assert hash_password("s3cret") != stored  # salted


def test_the_users_file_is_written_privately_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "users"
    add_user(path, "alice", "one")
    add_user(path, "bob", "two")
    add_user(path, "alice", "three")  # replaces alice
    users = read_users(path)
    assert sorted(users) == ["alice", "bob"] and verify_password("three", users["alice"])
    assert os.stat(path).st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "adduser"), ("", "has no users"), ("alice:plaintext\n", "line 1"), ("bad name:scrypt$1\n", "line 1")],
)
def test_a_bad_users_file_says_what_to_do(tmp_path: Path, content: str | None, says: str) -> None:
    path = tmp_path / "users"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=says):
        read_users(path)


def test_bad_user_names_and_empty_passwords_are_refused(tmp_path: Path) -> None:
    for name in ("", "a b", "a:b", "x" * 65):
        with pytest.raises(ConfigError):
            add_user(tmp_path / "users", name, "pw")
    with pytest.raises(ConfigError, match="empty"):
        add_user(tmp_path / "users", "alice", "")


def test_session_cookies_are_signed_and_expire() -> None:
    auth = Authenticator({"alice": hash_password("pw")}, secret=b"k" * 32, session_hours=1)
    cookie = auth.make_cookie("alice", now=1000.0)
    assert auth.user_from_cookie(cookie, now=1000.0 + 3599) == "alice"
    assert auth.user_from_cookie(cookie, now=1000.0 + 3601) is None  # expired
    name, expiry, sig = cookie.split(".")
    forged = f"{base64.urlsafe_b64encode(b'bob').decode()}.{expiry}.{sig}"
    assert auth.user_from_cookie(forged, now=1000.0) is None
    assert auth.user_from_cookie(f"{name}.{int(expiry) + 10**6}.{sig}", now=1000.0) is None
    other = Authenticator(auth.users, secret=b"z" * 32)  # another process with its own secret
    assert other.user_from_cookie(cookie, now=1000.0) is None
    removed = Authenticator({}, secret=b"k" * 32)  # a user removed from the file is logged out
    assert removed.user_from_cookie(cookie, now=1000.0) is None


def test_basic_credentials() -> None:
    auth = Authenticator({"alice": hash_password("pw:with:colons")})

    def header(text: str) -> str:
        return "Basic " + base64.b64encode(text.encode()).decode()

    assert auth.user_from_basic(header("alice:pw:with:colons")) == "alice"
    assert auth.user_from_basic(header("alice:pw")) is None
    assert auth.user_from_basic(header("mallory:pw:with:colons")) is None
    assert auth.user_from_basic("Bearer abc") is None and auth.user_from_basic("Basic !!!") is None


def test_after_login_only_same_site_paths() -> None:
    assert safe_next("/?x=1") == "/?x=1"
    for bad in ("//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(bad) == "/"


def test_adduser_writes_the_users_file_named_in_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    run = [sys.executable, "-m", "rag", "adduser", "carol", "--password-stdin"]
    p = subprocess.run(run, input="pw\n", capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60)
    assert p.returncode == 2 and "RAG_USERS_FILE" in p.stderr
    env["RAG_USERS_FILE"] = str(tmp_path / "users")
    p = subprocess.run(run, input="pw\n", capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert verify_password("pw", read_users(tmp_path / "users")["carol"])
