"""How rag.chunking.sentence_spans splits public texts, compared with the splitter it replaced
(LlamaIndex's untrained punkt, which knows no abbreviation), on the SQuAD 2.0 paragraphs and the
news texts in ../shared (the seed articles, FaithBench's news sources, the saved web pages as
trafilatura extracts them). Prints, per source: texts, sentences before and after, splits removed
and added, and a few examples of each. Nothing is asserted; nothing is written.

    .venv/bin/python -m scripts.sentence_splits [--examples 4]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

from rag.chunking import line_spans, sentence_spans
from rag.config import PROJECT_ROOT, prepare_offline_env
from rag.types import Span

SHARED = PROJECT_ROOT.parent / "shared"


def old_spans(text: str) -> list[Span]:
    """The splitter before: LlamaIndex's untrained globals_helper.punkt_tokenizer within each line."""
    from llama_index.core.utils import globals_helper

    return line_spans(text, globals_helper.punkt_tokenizer)


def sources() -> Iterator[tuple[str, list[str]]]:
    squad = SHARED / "external" / "squad2_dev.jsonl"
    yield "SQuAD 2.0 dev paragraphs", [json.loads(line)["context"] for line in squad.open(encoding="utf-8")]
    faith = SHARED / "external" / "faithbench_dev.jsonl"
    seen: dict[str, None] = {}
    for line in faith.open(encoding="utf-8"):
        seen.setdefault(json.loads(line)["source"], None)
    yield "FaithBench news sources", list(seen)
    yield "seed articles", [p.read_text(encoding="utf-8") for p in sorted((SHARED / "articles").glob("*.txt"))]
    import trafilatura

    pages = [trafilatura.extract(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "html").glob("*.html"))]
    yield "saved web pages (trafilatura text)", [p for p in pages if p]


def ends(spans: list[Span]) -> set[int]:
    return {e for _, e in spans[:-1]}


def context(text: str, at: int, width: int = 45) -> str:
    return (text[max(0, at - width) : at] + " | " + text[at : at + width]).replace("\n", "\\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=4)
    args = parser.parse_args()
    prepare_offline_env()
    for name, texts in sources():
        before = after = 0
        removed: list[str] = []
        added: list[str] = []
        changed_texts = 0
        for text in texts:
            old, new = old_spans(text), sentence_spans(text)
            before, after = before + len(old), after + len(new)
            gone, came = ends(old) - ends(new), ends(new) - ends(old)
            changed_texts += bool(gone or came)
            removed += [context(text, e) for e in sorted(gone)]
            added += [context(text, e) for e in sorted(came)]
        print(f"\n## {name}: {len(texts)} texts, {changed_texts} split differently")
        print(f"sentences: {before} before, {after} after; splits removed {len(removed)}, added {len(added)}")
        for label, found in (("removed", removed), ("added", added)):
            for example in found[: args.examples]:
                print(f"  {label}: ...{example}...")


if __name__ == "__main__":
    main()
