"""How the offline answers hold when staff type a question otherwise than the eval writes it: all in
capitals, all in small letters, or inside a request ("Could you tell me ...", "I'd like to know
..."). Runs the three eval sets (python -m eval.run) with every first-turn question typed so, and
the sets as written. Follow-ups keep their text (their history holds the earlier turns as
written). Prints each run's pass counts, as eval.run prints them; reports go to a temporary folder.

    .venv/bin/python -m scripts.measure_typing            # every typing
    .venv/bin/python -m scripts.measure_typing upper      # some of them
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eval.other_set
import eval.run


def typo(question: str) -> str:
    """The question's longest word of seven letters or more with its two middle letters swapped
    (the commonest slip: a transposition), or the question as it is."""
    longest = max(re.findall(r"[A-Za-z]{7,}", question), key=len, default="")
    if not longest:
        return question
    i = len(longest) // 2
    slip = longest[: i - 1] + longest[i] + longest[i - 1] + longest[i + 1 :]
    return question.replace(longest, slip, 1)


TYPINGS: dict[str, Callable[[str], str]] = {
    "as written": lambda q: q,
    "upper": str.upper,
    "lower": str.lower,
    # a request around the question, its word order kept, as people type it
    "could you": lambda q: "Could you tell me " + q[:1].lower() + q[1:],
    "like to know": lambda q: "I'd like to know " + q[:1].lower() + q[1:].rstrip("?") + ".",
    # the source said, though every answer comes from the articles
    "according to": lambda q: "According to the articles, " + q[:1].lower() + q[1:],
    "according to, after": lambda q: q.rstrip("?").rstrip() + ", according to the articles?",
    "please": lambda q: "Please, " + q[:1].lower() + q[1:],
    "typo": typo,
    "typo, small letters": lambda q: typo(q).lower(),
    "contracted": lambda q: re.sub(r"^(Who|What|Where|When|How) is\b", r"\1's", q),
}
_PASSED = re.compile(r"^(?:eval|second set|third set): \d+ passed, \d+ failed", re.M)


def typed(
    load: Callable[[Path], list[dict[str, Any]]], how: Callable[[str], str]
) -> Callable[[Path], list[dict[str, Any]]]:
    def load_typed(path: Path) -> list[dict[str, Any]]:
        items = load(path)
        for item in items:
            if not item.get("history"):
                item["user_input"] = how(item["user_input"])
        return items

    return load_typed


def run(name: str) -> list[str]:
    """The pass-count lines of one eval run with the questions typed as `name` says."""
    load = eval.run.load_items
    eval.run.load_items = eval.other_set.load_items = typed(load, TYPINGS[name])
    out = io.StringIO()
    try:
        with tempfile.TemporaryDirectory() as reports, contextlib.redirect_stdout(out):
            eval.run.main(["--no-gate", "--report-dir", reports])
    finally:
        eval.run.load_items = eval.other_set.load_items = load
    return sorted(_PASSED.findall(out.getvalue()), key=lambda line: not line.startswith("eval"))


def main(argv: list[str]) -> int:
    names = argv or list(TYPINGS)
    unknown = [n for n in names if n not in TYPINGS]
    if unknown:
        print(f"unknown typing {unknown}: choose from {list(TYPINGS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"{name}: " + "; ".join(run(name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
