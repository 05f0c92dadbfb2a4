"""A link -> the page's bytes, safely: http(s) only, timeouts, a size cap, no private addresses.

Input: a URL and settings (fetch_timeout, fetch_allow_private). Output: Fetched (final URL, bytes,
the file name it is saved under in corpus/). Redirects are followed by hand, at most
MAX_REDIRECTS, each hop checked like the first; the body is read in pieces and abandoned past
MAX_FILE_BYTES. Errors are CorpusErrors that say what to do. httpx stops here. This module does
not parse the page (rag.readers does) and does not write to corpus/.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from rag.config import Settings
from rag.corpus import MAX_FILE_BYTES
from rag.errors import CorpusError
from rag.readers import KIND_SUFFIX, sniff

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "rag-news-qa/1 (adds one article a staff member asked for)"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content: bytes
    file_name: str  # where it is saved in corpus/: a slug of the URL + the real format's suffix


def fetch(url: str, settings: Settings, max_bytes: int = MAX_FILE_BYTES) -> Fetched:
    """GET url (following safe redirects) within settings.fetch_timeout per request and max_bytes."""
    current = url.strip()
    deadline = time.monotonic() + settings.fetch_timeout * (MAX_REDIRECTS + 1)
    timeout = httpx.Timeout(settings.fetch_timeout, connect=min(settings.fetch_timeout, 10.0))
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"user-agent": USER_AGENT}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, settings.fetch_allow_private)
            status, location, body = _get(client, current, max_bytes, deadline)
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            if status != 200:
                raise CorpusError(
                    f"{url}: the server answered HTTP {status}; check the link in a browser, "
                    "or save the page there and add the file"
                )
            return Fetched(current, body, file_name_for(current, body))
    raise CorpusError(f"{url}: more than {MAX_REDIRECTS} redirects; open it in a browser and add the final link")


def check_url(url: str, allow_private: bool) -> None:
    """Refuse other schemes and (unless allowed) hosts that resolve to private or loopback addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CorpusError(f"{url}: only http:// and https:// links can be added")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as e:
        raise CorpusError(
            f"{url}: cannot look up {parts.hostname} ({e}); are you offline? "
            "Save the page in the browser and add the file instead"
        ) from e
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise CorpusError(
                f"{url}: {parts.hostname} is a private, loopback or reserved address ({address}); such links are "
                "refused unless RAG_FETCH_ALLOW_PRIVATE=true"
            )


def _get(client: httpx.Client, url: str, max_bytes: int, deadline: float) -> tuple[int, str, bytes]:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                return response.status_code, response.headers.get("location", ""), b""
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise CorpusError(_too_big(url, int(declared), max_bytes))
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > max_bytes:
                    raise CorpusError(_too_big(url, len(body), max_bytes))
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the whole download took too long")
            return 200, "", bytes(body)
    except httpx.TimeoutException as e:
        raise CorpusError(
            f"{url}: the server did not answer in time ({type(e).__name__}); try again later, "
            "or save the page in the browser and add the file"
        ) from e
    except httpx.HTTPError as e:
        raise CorpusError(
            f"{url}: cannot reach the server ({type(e).__name__}: {e}); are you offline? "
            "Save the page in the browser and add the file instead"
        ) from e


def _too_big(url: str, size: int, max_bytes: int) -> str:
    return (
        f"{url}: the page is over {max_bytes // 2**20} MB (at least {size / 2**20:,.1f} MB); "
        "that is not one article: add the article's own page"
    )


def file_name_for(url: str, content: bytes) -> str:
    """A corpus file name from the URL's host and path, ending as the content really is."""
    parts = urlsplit(url)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or ''}{parts.path}").strip("-")[:100] or "page"
    stem = re.sub(r"-(html?|pdf|docx|txt)$", "", stem)
    kind = sniff(content)
    return stem + KIND_SUFFIX.get(kind, ".html")
