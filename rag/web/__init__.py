"""The web chat (Gradio): layout (rag.web.layout), event handlers (rag.web.handlers) and the page's
script and styles (rag/web/assets/). app.py mounts build_ui() on rag.api's server."""

from rag.web.layout import build_ui, page_css, page_head

__all__ = ["build_ui", "page_css", "page_head"]
