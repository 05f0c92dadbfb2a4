"""eval/other/dataset.jsonl (the second eval set, on articles of other topics in eval/other/corpus/)
is well formed and grounded: the rules of eval/DATASET.md, checked as tests/test_eval_dataset.py
checks the first set. It does not run the system (python -m eval.run does)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from rag.config import PROJECT_ROOT
from rag.corpus import load_corpus

OTHER = PROJECT_ROOT / "eval" / "other"
FIELDS = ["id", "user_input", "history", "answerable", "reference", "reference_contexts", "required_facts",
          "forbidden_facts", "evidence", "false_premise", "tags"]  # fmt: skip
KINDS = {"single-fact", "number", "date", "who", "list", "paraphrase", "cross-article", "unanswerable",
         "false-premise", "multi-turn", "summary", "typo", "other-language", "why", "quote"}  # fmt: skip
ITEMS: list[dict[str, Any]] = [
    json.loads(line) for line in (OTHER / "dataset.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {a.id: a.text for a in load_corpus(OTHER / "corpus").articles}


def test_fields_ids_and_tags(texts: dict[str, str]) -> None:
    assert [i for i, n in Counter(it["id"] for it in ITEMS).items() if n > 1] == []
    for it in ITEMS:
        assert list(it) == FIELDS, it["id"]
        kinds = {t for t in it["tags"] if not t.startswith("article-")}
        assert kinds <= KINDS, it["id"]
        assert {t.removeprefix("article-") for t in it["tags"] if t.startswith("article-")} <= set(texts), it["id"]
        assert ("unanswerable" in it["tags"]) == (not it["answerable"]), it["id"]
        assert ("false-premise" in it["tags"]) == it["false_premise"], it["id"]
        assert ("multi-turn" in it["tags"]) == bool(it["history"]), it["id"]


@pytest.mark.parametrize("item", ITEMS, ids=[it["id"] for it in ITEMS])
def test_evidence_is_verbatim_and_holds_every_required_fact(item: dict[str, Any], texts: dict[str, str]) -> None:
    assert_grounded(item, texts)


def assert_grounded(item: dict[str, Any], texts: dict[str, str]) -> None:
    """Every evidence quote is in its article, and the evidence holds every required fact (an
    unanswerable item has neither); shared with tests/test_eval_pages.py."""
    for e in item["evidence"]:
        assert e["quote"] in texts[e["article_id"]], e["quote"]
    evidence = " ".join(e["quote"] for e in item["evidence"]).lower()
    if item["answerable"]:
        assert item["evidence"] and item["required_facts"]
        assert [f for f in item["required_facts"] if not any(s.lower() in evidence for s in f)] == []
    else:
        assert item["evidence"] == item["required_facts"] == item["reference_contexts"] == []


def test_every_kind_of_question_is_asked() -> None:
    tags = Counter(t for it in ITEMS for t in it["tags"])
    assert len(ITEMS) >= 40
    assert sorted(KINDS - set(tags)) == []
    assert tags["unanswerable"] >= 5 and tags["multi-turn"] >= 5 and tags["cross-article"] >= 3


def test_its_gates_name_known_metrics_and_its_baseline_has_every_metric() -> None:
    from eval.aggregate import METRICS
    from eval.gates import load_gates

    gates = load_gates(OTHER / "gates.toml")
    assert {"item_pass_rate", "citation_validity", "forbidden_facts", "abstention_recall"} <= set(gates)
    baseline = json.loads((OTHER / "baseline.json").read_text(encoding="utf-8"))["metrics"]
    assert set(baseline) == set(METRICS)


def test_the_runner_runs_it_unless_told_not_to() -> None:
    from eval.run import parse_args

    assert parse_args([]).no_other is False
    assert parse_args(["--no-other"]).no_other is True


def test_the_saved_squad_score_is_read_or_named_as_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eval import squad

    assert squad.load(tmp_path / "none.json") is None
    assert "make squad" in squad.format_section(None)
    saved = tmp_path / "squad2.json"
    pipeline = {"HasAns_acc (answered, gold in answer text)": 0.7, "NoAns_acc (abstained)": 0.25}
    saved.write_text(json.dumps({"dataset": "d", "project_pipeline": pipeline}), encoding="utf-8")
    loaded = squad.load(saved)
    assert loaded is not None and loaded["metrics"]["gold in answer (answerable)"] == 0.7
    assert "0.250" in squad.format_section(loaded)
