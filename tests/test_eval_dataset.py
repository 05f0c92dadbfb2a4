"""eval/dataset.jsonl is well formed and grounded in corpus/ (the rules of eval/DATASET.md).

Checks parsing, fields, ids, tags and their agreement with the other fields, that every evidence
quote and reference context is verbatim article text, and that each required fact is in the
evidence. It does not run the system (python -m eval.run does).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from rag.config import PROJECT_ROOT
from rag.corpus import load_corpus

DATASET = PROJECT_ROOT / "eval" / "dataset.jsonl"
FIELDS = [
    "id",
    "user_input",
    "history",
    "answerable",
    "reference",
    "reference_contexts",
    "required_facts",
    "forbidden_facts",
    "evidence",
    "false_premise",
    "tags",
]
TAGS = {
    "single-fact", "article-000", "article-002", "cross-article", "list", "number", "date",
    "paraphrase", "unanswerable", "false-premise", "prompt-injection", "multi-turn", "who", "why",
    "quote",
}  # fmt: skip
PREFIXES = ("a0-", "b-", "p-", "x-", "u-", "f-", "i-", "m-")
MIN_ITEMS = 80

LINES = [line for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
ITEMS: list[dict[str, Any]] = [json.loads(line) for line in LINES]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {a.id: a.text for a in load_corpus(PROJECT_ROOT / "corpus").articles}


def by_id(items: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(it, id=it["id"]) for it in items]


@pytest.mark.parametrize("line", LINES)
def test_every_line_is_an_object_with_the_documented_fields_in_order(line: str) -> None:
    assert list(json.loads(line)) == FIELDS


def test_ids_are_unique_and_prefixed() -> None:
    ids = [it["id"] for it in ITEMS]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if not i.startswith(PREFIXES)] == []


def test_tags_come_from_the_allowed_set_and_agree_with_the_fields() -> None:
    for it in ITEMS:
        assert set(it["tags"]) <= TAGS, it["id"]
        assert ("unanswerable" in it["tags"]) == (not it["answerable"]), it["id"]
        assert ("false-premise" in it["tags"]) == it["false_premise"], it["id"]
        assert ("multi-turn" in it["tags"]) == bool(it["history"]), it["id"]


def test_history_turns_are_user_or_assistant_text() -> None:
    for it in ITEMS:
        for turn in it["history"]:
            assert set(turn) == {"role", "content"} and turn["role"] in ("user", "assistant"), it["id"]
            assert turn["content"].strip(), it["id"]


@pytest.mark.parametrize("item", by_id(ITEMS))
def test_evidence_and_contexts_are_verbatim_article_text(item: dict[str, Any], texts: dict[str, str]) -> None:
    for e in item["evidence"]:
        assert e["article_id"] in texts, f"unknown article {e['article_id']}"
        assert e["quote"] in texts[e["article_id"]], e["quote"]
    corpus_text = "\n".join(texts.values())
    for context in item["reference_contexts"]:
        assert context in corpus_text, context


ANSWERABLE = [it for it in ITEMS if it["answerable"]]


@pytest.mark.parametrize("item", by_id(ANSWERABLE))
def test_answerable_items_have_evidence_that_holds_every_required_fact(item: dict[str, Any]) -> None:
    evidence = " ".join(e["quote"] for e in item["evidence"]).lower()
    assert item["evidence"] and item["required_facts"]
    missing = [f for f in item["required_facts"] if not any(s.lower() in evidence for s in f)]
    assert missing == []


def test_unanswerable_items_expect_nothing_from_the_articles() -> None:
    for it in ITEMS:
        if not it["answerable"]:
            assert it["evidence"] == it["required_facts"] == it["reference_contexts"] == [], it["id"]


def test_forbidden_facts_are_not_in_the_reference_or_evidence() -> None:
    for it in ITEMS:
        expected = (it["reference"] + " " + " ".join(e["quote"] for e in it["evidence"])).lower()
        assert [f for f in it["forbidden_facts"] if f.lower() in expected] == [], it["id"]


def test_enough_items_in_every_category() -> None:
    tags = Counter(t for it in ITEMS for t in it["tags"])
    prefixes = Counter(p for it in ITEMS for p in PREFIXES if it["id"].startswith(p))
    assert len(ITEMS) >= MIN_ITEMS
    assert sorted(TAGS - set(tags)) == []
    assert sorted(set(PREFIXES) - set(prefixes)) == []
    assert sum(not it["answerable"] for it in ITEMS) >= 10  # enough to measure abstention
    assert sum(it["false_premise"] for it in ITEMS) >= 5
