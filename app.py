"""The web chat staff use: `python app.py` serves it on RAG_HOST:RAG_PORT (default 127.0.0.1:7860).

Thin: mounts the Gradio UI (rag.web: layout, handlers, assets) on rag.api's FastAPI app, so one
server answers the chat, POST /api/ask, /api/articles and GET /healthz (behind the login when
RAG_USERS_FILE is set). Answers stream; each [n] opens its article in the side panel with the quote
highlighted; thumbs up/down go to the feedback log; the sources panel lists, adds and removes
articles. It never creates a Gradio share link.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import gradio as gr
from fastapi import FastAPI

from rag import ConfigError, RagError, Settings, load_settings, open_or_build, prepare_offline_env, quiet_libraries
from rag.api import create_app
from rag.corpus import MAX_FILE_BYTES
from rag.errors import EXIT_USAGE, exit_status
from rag.limits import RateLimiter
from rag.web import build_ui, page_css, page_head

log = logging.getLogger("app")


def create_server(engine: Any, settings: Settings) -> FastAPI:
    """rag.api's FastAPI app with the chat mounted at '/'; one rate limit per client across both."""
    limiter = RateLimiter.from_settings(settings)
    app = create_app(engine, settings, limiter)
    return gr.mount_gradio_app(
        app,
        build_ui(engine, settings, limiter),
        path="/",
        # Gradio serves no file of ours (allowed_paths stays empty); these are refused even if
        # Gradio's defaults change: the index, the logins, the feedback log.
        blocked_paths=blocked_paths(settings),
        show_error=False,  # an unexpected exception's text stays in the server log, not the browser
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        max_file_size=MAX_FILE_BYTES,  # an upload over it is refused before it is saved
        css=page_css(),
        head=page_head(),
    )


def blocked_paths(settings: Settings) -> list[str]:
    paths = [settings.index_dir, settings.corpus_dir, settings.feedback_log]
    if settings.users_file is not None:
        paths.append(settings.users_file)
    return [str(p.resolve()) for p in paths]


def main() -> int:
    started = time.perf_counter()
    try:
        settings = load_settings()
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=getattr(logging, settings.log_level), format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    if settings.log_level != "DEBUG":  # as in the CLI: library chatter only on DEBUG
        quiet_libraries()
    prepare_offline_env()
    try:
        engine = open_or_build(settings, on_build=lambda line: print(line, file=sys.stderr), update=True)
        server = create_server(engine, settings)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return exit_status(e)
    import uvicorn

    login = f"login on ({settings.users_file})" if settings.users_file else "no login: keep it on loopback"
    print(
        f"Index open and UI built in {time.perf_counter() - started:.1f} s; serving the chat on "
        f"http://{settings.host}:{settings.port}/ ({login}). Ctrl-C stops it.",
        file=sys.stderr,
    )
    uvicorn.run(server, host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
