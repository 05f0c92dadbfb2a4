"""Login for the web chat and the HTTP API: staff in, everyone else out, on every route.

Input: a users file (one `name:scrypt$n$r$p$salt$hash[:role,...]` line per person, written by
`python -m rag adduser NAME [--editor]`; the editor role may add and remove articles). Output: an
ASGI middleware that lets a request through only with a signed session cookie (set by the /login
form) or HTTP Basic credentials (for API clients), recording the user and their roles.
It guards Gradio's own routes too (page, config, files, queue), which Gradio's `auth=` does not
cover for the rest of the app. It does not do TLS: expose the app through an HTTPS proxy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from rag.errors import ConfigError

COOKIE = "rag_session"
COOKIE_FLAGS = "Path=/; HttpOnly; SameSite=Lax"  # not readable by scripts, not sent by other sites' forms
USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MB and ~50 ms per check: slow for guessers, fine for a login
# Paths anyone may reach: the login form itself and the load balancer's liveness probe (says only "ok").
PUBLIC_PATHS = frozenset({"/login", "/healthz"})
ROLES = ("editor",)  # editor: may add and remove articles (chat and API)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def may_edit(login_on: bool, roles: object) -> bool:
    """Adding and removing articles: anyone when the login is off (loopback), else the editor role."""
    return not login_on or "editor" in (roles or ())  # type: ignore[operator]


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A scrypt hash line part: `scrypt$n$r$p$salt_hex$hash_hex`."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, expected)


def read_users(path: Path) -> dict[str, str]:
    """name -> hash from the users file; raises ConfigError with what to fix."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"Cannot read the users file {path} ({e}). Create it: python -m rag adduser NAME") from e
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, rest = line.strip().partition(":")
        stored, _, roles = rest.partition(":")
        if not sep or not USER_NAME.match(name) or not stored.startswith("scrypt$"):
            raise ConfigError(
                f"{path}, line {number}: expected `name:scrypt$...`; rewrite it with python -m rag adduser"
            )
        unknown = set(filter(None, roles.split(","))) - set(ROLES)
        if unknown:
            raise ConfigError(f"{path}, line {number}: unknown role(s) {', '.join(sorted(unknown))}; known: {ROLES}")
        users[name] = stored
    if not users:
        raise ConfigError(f"The users file {path} has no users. Add one: python -m rag adduser NAME")
    return users


def read_roles(path: Path) -> dict[str, frozenset[str]]:
    """name -> roles from the users file (read_users has checked its lines)."""
    roles: dict[str, frozenset[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, rest = line.strip().partition(":")
            roles[name] = frozenset(filter(None, rest.partition(":")[2].split(",")))
    return roles


def add_user(path: Path, name: str, password: str, roles: tuple[str, ...] = ()) -> None:
    """Add or replace one user in the users file (written atomically, readable by the owner only)."""
    if not USER_NAME.match(name):
        raise ConfigError(f"User name {name!r}: use 1-64 letters, digits, or . _ @ -")
    if not password:
        raise ConfigError("The password is empty.")
    path = Path(path)
    kept = []
    if path.exists():
        kept = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.partition(":")[0].strip() != name]
    kept.append(f"{name}:{hash_password(password)}" + (f":{','.join(roles)}" if roles else ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(kept) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Authenticator:
    """Checks passwords and signs/reads session cookies (`user.expiry.signature`, HMAC-SHA256)."""

    def __init__(
        self,
        users: dict[str, str],
        secret: bytes | None = None,
        session_hours: float = 12.0,
        roles: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.users = users
        self.roles = roles or {}
        # a per-process secret logs everyone out on restart; set RAG_SESSION_SECRET to share one between replicas
        self.secret = secret or secrets.token_bytes(32)
        self.session_seconds = int(session_hours * 3600)
        self._dummy = hash_password(secrets.token_hex(8))

    def check(self, name: str, password: str) -> bool:
        stored = self.users.get(name)
        if stored is None:
            verify_password(password, self._dummy)  # same cost as a real check: do not reveal who exists
            return False
        return verify_password(password, stored)

    def make_cookie(self, name: str, now: float | None = None) -> str:
        expiry = int((now or time.time()) + self.session_seconds)
        payload = f"{base64.urlsafe_b64encode(name.encode()).decode()}.{expiry}"
        return f"{payload}.{self._sign(payload)}"

    def user_from_cookie(self, value: str, now: float | None = None) -> str | None:
        payload, _, signature = value.rpartition(".")
        if not payload or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        name_b64, _, expiry = payload.partition(".")
        try:
            name = base64.urlsafe_b64decode(name_b64.encode()).decode()
            expired = int(expiry) < (now or time.time())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return None if expired or name not in self.users else name

    def user_from_basic(self, header: str) -> str | None:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            name, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return name if self.check(name, password) else None

    def user_from_scope(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        for part in headers.get("cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == COOKIE and (user := self.user_from_cookie(value)):
                return user
        if "authorization" in headers:
            return self.user_from_basic(headers["authorization"])
        return None

    def _sign(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()


class LoginMiddleware:
    """ASGI middleware: every request except PUBLIC_PATHS needs a logged-in user, else 401 / the login page."""

    def __init__(self, app: ASGIApp, auth: Authenticator) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == "/login":
            await self.login(scope, receive, send)
            return
        if path == "/logout" and scope["type"] == "http":
            expired = f"{COOKIE}=; {COOKIE_FLAGS}; Max-Age=0".encode()
            await respond(send, 303, b"", [(b"set-cookie", expired), (b"location", b"/login")])
            return
        if path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        user = self.auth.user_from_scope(scope)
        if user is not None:
            scope.setdefault("state", {})["user"] = user
            scope["state"]["roles"] = self.auth.roles.get(user, frozenset())
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await refuse_websocket(receive, send)
        else:
            await self.refuse(scope, send)

    async def refuse(self, scope: Scope, send: Send) -> None:
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        if scope.get("method") == "GET" and "text/html" in accept:  # a person with a browser: show the form
            target = scope.get("path", "/") + (
                "?" + scope["query_string"].decode() if scope.get("query_string") else ""
            )
            await respond(send, 303, b"", [(b"location", f"/login?next={quote(target)}".encode())])
            return
        body = json.dumps({"detail": "Log in first: POST /login (username, password) or send HTTP Basic credentials."})
        await respond(send, 401, body.encode(), [(b"content-type", b"application/json"), BASIC_CHALLENGE])

    async def login(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await refuse_websocket(receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode())
        target = safe_next(query.get("next", ["/"])[0])
        if scope.get("method") != "POST":
            await respond(send, 200, login_page(target, ""), [(b"content-type", b"text/html; charset=utf-8")])
            return
        form = parse_qs((await read_body(receive, limit=16_384)).decode("utf-8", "replace"))
        name, password = form.get("username", [""])[0], form.get("password", [""])[0]
        target = safe_next(form.get("next", [target])[0])
        if not self.auth.check(name, password):
            page = login_page(target, "Wrong user name or password.")
            await respond(send, 401, page, [(b"content-type", b"text/html; charset=utf-8")])
            return
        cookie = f"{COOKIE}={self.auth.make_cookie(name)}; {COOKIE_FLAGS}; Max-Age={self.auth.session_seconds}"
        headers = [(b"set-cookie", cookie.encode())]
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        if "text/html" in accept:  # the browser form: go where the person was going
            await respond(send, 303, b"", [*headers, (b"location", target.encode())])
        else:  # API clients (gradio_client posts here too) want a 2xx and the cookie
            await respond(send, 200, b'{"success":true}', [*headers, (b"content-type", b"application/json")])


BASIC_CHALLENGE = (b"www-authenticate", b'Basic realm="rag", charset="UTF-8"')


async def refuse_websocket(receive: Receive, send: Send) -> None:
    await receive()  # websocket.connect; closing before accepting makes the server answer 403
    await send({"type": "websocket.close", "code": 1008})


def safe_next(target: str) -> str:
    """Only same-site paths after login (no open redirect to another host)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


async def read_body(receive: Receive, limit: int) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit or not message.get("more_body"):
            return body[:limit]


async def respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def login_page(target: str, error: str) -> bytes:
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return LOGIN_HTML.format(next=html.escape(target, quote=True), message=message).encode()


LOGIN_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in - news Q&amp;A</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; }}
form {{ display: grid; gap: .6rem; width: 18rem; }} input, button {{ font-size: 1rem; padding: .4rem; }}
.error {{ color: #b00020; }}
</style></head>
<body><form method="post" action="/login">
<h1>News Q&amp;A</h1>{message}
<label>User name <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="{next}">
<button type="submit">Log in</button>
</form></body></html>
"""
