"""What rag.spelling changes in real questions: SQuAD 2.0 dev questions (written by crowd workers,
typos kept) read against their own articles' first 8 paragraphs, as score_squad2.py builds them.
Prints how many questions change and every change (A = answerable, U = unanswerable).

    .venv/bin/python scripts/measure_spelling.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from llama_index.core.schema import TextNode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.retrieval import KeywordIndex  # noqa: E402
from rag.spelling import correct_spelling  # noqa: E402
from rag.types import ArticleMeta  # noqa: E402

SQUAD = ROOT.parent / "shared" / "external" / "squad2_dev.jsonl"
PARAS = 8  # score_squad2.py's default: the first 8 paragraphs of each article


class Articles:
    """The library rag.spelling reads (articles, their text, the keyword index), from paragraphs."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.articles = {t: ArticleMeta(t) for t in texts}
        self.keywords = KeywordIndex([TextNode(text=v) for v in texts.values()], 1)

    def article_text(self, article_id: str) -> str:
        return self.texts[article_id]


def main() -> None:
    paras = [json.loads(line) for line in SQUAD.open(encoding="utf-8") if line.strip()]
    kept = [p for p in paras if p["para"] < PARAS]
    texts: dict[str, list[str]] = {}
    for p in kept:
        texts.setdefault(p["title"], []).append(p["context"])
    library = Articles({t: "\n".join(v) for t, v in texts.items()})
    questions = [q for p in kept for q in p["qas"]]
    changed = [(q, correct_spelling(q["question"], library)) for q in questions]
    changed = [(q, new) for q, new in changed if new != q["question"]]
    print(f"{len(questions)} questions, {len(changed)} changed")
    for q, new in changed:
        print(f"{'U' if q['is_impossible'] else 'A'} {q['question']} -> {new}")


if __name__ == "__main__":
    main()
