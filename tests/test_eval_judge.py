"""The optional LLM judge: reply parsing and scores by hand, and a run against the OpenAI stub."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from eval import judge, run
from tests.openai_stub import Status, running


def result(id_: str, passed: bool, answer: str, citations: int = 1) -> dict[str, Any]:
    cites = [{"n": i + 1, "passage": f"Passage {i + 1} <b>."} for i in range(citations)]
    return {
        "id": id_,
        "question": "What does Iran get?",
        "reference": "Wheat and soy.",
        "answer": answer,
        "passed": passed,
        "why": [] if passed else ["missing facts: soy"],
        "full_answer": {"answer": answer, "citations": cites},
    }


def test_reply_parsing_takes_the_json_out_of_prose_and_fences() -> None:
    assert judge.parse_reply('Sure!\n```json\n{"score": 0.5}\n```') == {"score": 0.5}
    with pytest.raises(judge.JudgeReplyError):
        judge.parse_reply("no json here")
    with pytest.raises(judge.JudgeReplyError):
        judge.parse_reply('{"score": 0.5')


def test_scores_by_hand() -> None:
    reply = {"statements": [{"supported": True}, {"supported": False}, {"supported": True}, {"supported": True}]}
    assert judge.faithfulness(reply) == 0.75
    assert judge.faithfulness({"statements": []}) is None
    assert judge.correctness({"score": 1}) == 1.0
    with pytest.raises(judge.JudgeReplyError):
        judge.correctness({"score": 7})


def test_disagreements_name_the_items_both_ways() -> None:
    results = [result("a", True, "x [1]"), result("b", False, "y [1]"), result("c", True, "z [1]")]
    judged = [
        {"id": "a", "faithfulness": 1.0, "correctness": 0.2, "error": ""},
        {"id": "b", "faithfulness": 1.0, "correctness": 0.9, "error": ""},
        {"id": "c", "faithfulness": 0.5, "correctness": 1.0, "error": ""},
    ]
    assert judge.disagreements(results, judged) == [
        "a: passed the deterministic checks, judge correctness 0.20",
        "b: failed the deterministic checks (missing facts: soy), judge correctness 0.90",
        "c: every sentence passed the verifier, judge faithfulness 0.50",
    ]


def scripted_judge(request: dict[str, Any]) -> str:
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "&lt;b&gt;" in user or "<passage" not in user  # texts go in escaped
    if "statement" in system:
        return json.dumps({"statements": [{"statement": "s", "supported": "gold" not in user.lower()}]})
    return json.dumps({"score": 0.0 if "gold" in user.lower() else 1.0, "reason": "r"})


def test_the_judge_runs_against_an_openai_compatible_server_and_records_failures(
    make_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = [
        result("good", True, "Wheat and soy [1]."),
        result("bad", True, "Gold bars [1]."),
        result("none", True, "", 0),
    ]
    monkeypatch.delenv("CI", raising=False)
    with running([scripted_judge]) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
        model = run.judge_model(argparse.Namespace(judge_model="judge-1"))
        section, text = run.run_judge(model, results)
    assert stub.requests[0]["model"] == "judge-1"
    scores = {j["id"]: (j["faithfulness"], j["correctness"]) for j in section["items"]}
    assert scores == {"good": (1.0, 1.0), "bad": (0.0, 0.0), "none": (None, 1.0)}
    assert "bad: passed the deterministic checks, judge correctness 0.00" in text
    assert "never gating" in text
    with running([Status(400)]) as stub:
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
        section, text = run.run_judge(run.judge_model(argparse.Namespace(judge_model="")), results[:1])
    assert section["items"][0]["error"].startswith("LLMError") and "judge errors:" in text


def test_the_judge_refuses_to_run_in_ci_or_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(run.UsageError, match="never runs in CI"):
        run.judge_model(argparse.Namespace(judge_model=""))
    monkeypatch.setenv("CI", "false")
    monkeypatch.delenv("OPENAI_BASE_URL")
    with pytest.raises(run.UsageError, match="OPENAI_API_KEY"):
        run.judge_model(argparse.Namespace(judge_model=""))
