"""The verifier check: scripted draft sentences, each faithful or wrong in one known way, verified
against the passages retrieved for their question (eval/verifier_set.jsonl).

The offline backend quotes verbatim, so its answers alone never exercise the verifier's rules; this
set does, so a broken rule fails the eval gate. `{cite:phrase}` in a sentence becomes [n] for the
first retrieved passage containing phrase (as a well-behaved model would cite).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CITE = re.compile(r"\s*\{cite:([^}]+)\}")
VERIFIER_SET = Path(__file__).resolve().parent / "verifier_set.jsonl"


class VerifierSetError(Exception):
    """An item of verifier_set.jsonl that cannot be run; the message says which and why."""


def load_set(path: Path = VERIFIER_SET) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for item in items:
        if item.get("expect") not in ("keep", "drop") or not item.get("sentence") or not item.get("question"):
            raise VerifierSetError(f"{path.name}: item {item.get('id')!r} needs question, sentence, expect keep|drop")
    return items


def resolve(item: Mapping[str, Any], chunk_texts: Sequence[str]) -> str:
    """The sentence with each {cite:phrase} replaced by the number of the passage holding phrase."""

    def number(m: re.Match[str]) -> str:
        phrase = m.group(1).lower()
        for n, text in enumerate(chunk_texts, start=1):
            if phrase in text.lower():
                return f" [{n}]"
        raise VerifierSetError(f"item {item['id']!r}: no retrieved passage contains {m.group(1)!r}")

    return CITE.sub(number, item["sentence"])


def check_item(item: Mapping[str, Any], engine: Any) -> dict[str, Any]:
    passages = engine.retriever.retrieve(item["question"]).passages
    text = resolve(item, [p.chunk.text for p in passages])
    verified = engine.verifier.verify(text, passages, item["question"])
    kept = bool(verified.text.strip()) and not verified.dropped
    return {
        "id": item["id"],
        "rule": item.get("rule", ""),
        "expect": item["expect"],
        "draft": text,
        "kept": kept,
        "ok": kept == (item["expect"] == "keep"),
    }


def check_all(items: Sequence[Mapping[str, Any]], engine: Any) -> list[dict[str, Any]]:
    return [check_item(item, engine) for item in items]


def verifier_metrics(results: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float | None, int]]:
    bad = [r for r in results if r["expect"] == "drop"]
    good = [r for r in results if r["expect"] == "keep"]
    return {
        "verifier_bad_dropped": (sum(r["ok"] for r in bad) / len(bad) if bad else None, len(bad)),
        "verifier_good_kept": (sum(r["ok"] for r in good) / len(good) if good else None, len(good)),
    }


def format_misses(results: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(
        f"  {r['id']} ({r['rule']}): expected {r['expect']}, was {'kept' if r['kept'] else 'dropped'}: {r['draft']}"
        for r in results
        if not r["ok"]
    )
