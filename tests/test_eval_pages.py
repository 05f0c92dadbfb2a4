"""eval/pages/dataset.jsonl (the third eval set, on the real saved pages of ../shared/html) is well
formed and grounded: the rules of eval/DATASET.md, checked against the text the product's own import
extracts from each page (rag.articles.add_inputs, as eval/other_set.py builds the set's corpus). It
does not run the system (python -m eval.run does)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rag.config import PROJECT_ROOT
from rag.corpus import load_corpus
from tests.test_eval_other import FIELDS, KINDS, assert_grounded

PAGES = PROJECT_ROOT / "eval" / "pages"
HTML = PROJECT_ROOT.parent / "shared" / "html"
ITEMS: list[dict[str, Any]] = [
    json.loads(line) for line in (PAGES / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
]

if not HTML.is_dir() and os.environ.get("CI") == "true":  # CI always has ../shared beside the clone
    raise RuntimeError(f"{HTML} (the shared saved pages) is missing in CI")


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not HTML.is_dir():
        pytest.skip(f"{HTML} (the shared saved pages) is not here")
    from eval.other_set import THIRD

    corpus = THIRD.corpus(Path(tmp_path_factory.mktemp("pages")))
    return {a.id: a.text for a in load_corpus(corpus).articles}


def test_fields_ids_and_tags() -> None:
    assert [i for i, n in Counter(it["id"] for it in ITEMS).items() if n > 1] == []
    for it in ITEMS:
        assert list(it) == FIELDS, it["id"]
        assert it["id"].startswith("pg-"), it["id"]
        assert {t for t in it["tags"] if not t.startswith("article-")} <= KINDS, it["id"]
        assert ("unanswerable" in it["tags"]) == (not it["answerable"]), it["id"]
        assert ("false-premise" in it["tags"]) == it["false_premise"], it["id"]
        assert ("multi-turn" in it["tags"]) == bool(it["history"]), it["id"]


def test_every_page_is_asked_about(texts: dict[str, str]) -> None:
    assert sorted(texts) == sorted(p.stem for p in HTML.glob("*.html"))
    asked = {t.removeprefix("article-") for it in ITEMS for t in it["tags"] if t.startswith("article-")}
    assert asked == set(texts)


@pytest.mark.parametrize("item", ITEMS, ids=[it["id"] for it in ITEMS])
def test_evidence_is_verbatim_and_holds_every_required_fact(item: dict[str, Any], texts: dict[str, str]) -> None:
    assert_grounded(item, texts)
    assert item["reference_contexts"] == [e["quote"] for e in item["evidence"]]


def test_the_kinds_staff_ask_are_asked() -> None:
    tags = Counter(t for it in ITEMS for t in it["tags"])
    assert len(ITEMS) >= 80
    # cross-article comparisons need articles on one topic, which five unrelated pages are not
    assert sorted(KINDS - set(tags) - {"cross-article"}) == []
    assert tags["unanswerable"] >= 10 and tags["paraphrase"] >= 8 and tags["false-premise"] >= 4
