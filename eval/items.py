"""The eval set's items: read a dataset (JSON lines), pick items by id or count.

UsageError is the eval's "the caller made a mistake" (a bad option or eval file); every eval
module raises it with what to fix. This module does not ask or score anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """A mistake in the command line or in an eval file; the message says what to fix."""


def load_items(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def select_items(items: list[dict[str, Any]], ids: str, limit: int) -> list[dict[str, Any]]:
    """Items named in ids (all when empty), then the first limit of them; unknown ids raise UsageError."""
    wanted = {i.strip() for i in ids.split(",") if i.strip()}
    if wanted:
        unknown = sorted(wanted - {it["id"] for it in items})
        if unknown:
            raise UsageError(f"unknown item id(s): {', '.join(unknown)}; see eval/dataset.jsonl")
        items = [it for it in items if it["id"] in wanted]
    return items[:limit] if limit > 0 else items
