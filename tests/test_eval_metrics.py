"""eval.metrics (and the runner's pure helpers): each metric on tiny hand-computed cases.

Article "a" = "Iran sold missiles. Russia paid in wheat. It was 2024."
  sentence spans: [0, 19) "Iran sold missiles."  [20, 41) "Russia paid in wheat."  [42, 54)
Article "b" = "Blinken spoke in London."  [0, 24)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import gates as g
from eval import items as it
from eval import metrics as m
from eval import run

TEXTS = {"a": "Iran sold missiles. Russia paid in wheat. It was 2024.", "b": "Blinken spoke in London."}
WHEAT = {"article_id": "a", "quote": "Russia paid in wheat."}  # a[20:41]
LONDON = {"article_id": "b", "quote": "Blinken spoke in London."}  # b[0:24]


def cite(article_id: str, start: int, end: int, support: float = 1.0, n: int = 1) -> dict:
    return {
        "n": n,
        "article_id": article_id,
        "start": start,
        "end": end,
        "quote": TEXTS.get(article_id, "")[start:end],
        "support": support,
    }


def test_offsets_in_the_docstring_are_right() -> None:
    assert TEXTS["a"][20:41] == WHEAT["quote"] and TEXTS["a"][42:54] == "It was 2024."


def test_strip_markers_removes_single_and_grouped_markers() -> None:
    assert m.strip_markers("Wheat [1] and soy [2, 3].") == "Wheat and soy."


def test_overlaps_needs_a_shared_character_in_the_same_article() -> None:
    assert m.overlaps(("a", 0, 5), ("a", 4, 9))
    assert not m.overlaps(("a", 0, 5), ("a", 5, 9))  # end-exclusive: touching is not overlapping
    assert not m.overlaps(("a", 0, 5), ("b", 0, 5))


def test_locate_evidence_skips_quotes_not_in_their_article() -> None:
    evidence = [WHEAT, {"article_id": "b", "quote": "Russia paid"}, {"article_id": "z", "quote": "x"}]
    assert m.locate_evidence(evidence, TEXTS) == [("a", 20, 41)]


PASSAGES = [("a", 0, 19), ("b", 0, 24), ("a", 20, 54)]  # evidence WHEAT is in the 3rd


def test_hit_at_k_counts_only_the_first_k_passages() -> None:
    assert m.hit_at_k([WHEAT], PASSAGES, 2, TEXTS) is False
    assert m.hit_at_k([WHEAT], PASSAGES, 3, TEXTS) is True
    assert m.hit_at_k([WHEAT, LONDON], PASSAGES, 2, TEXTS) is True  # any quote is enough


def test_hit_at_k_is_undefined_without_evidence() -> None:
    assert m.hit_at_k([], PASSAGES, 6, TEXTS) is None


def test_reciprocal_rank() -> None:
    assert m.reciprocal_rank([WHEAT], PASSAGES, TEXTS) == pytest.approx(1 / 3)
    assert m.reciprocal_rank([WHEAT, LONDON], PASSAGES, TEXTS) == 0.5
    assert m.reciprocal_rank([WHEAT], [("a", 0, 19)], TEXTS) == 0.0
    assert m.reciprocal_rank([], PASSAGES, TEXTS) is None


def test_required_facts_any_spelling_case_insensitive() -> None:
    facts = [["wheat"], ["soy", "soya"], ["2024"]]
    answer = "Russia paid in Wheat [1]."
    assert m.missing_facts(facts, answer) == [["soy", "soya"], ["2024"]]
    assert m.required_fact_accuracy(facts, answer) == pytest.approx(1 / 3)
    assert m.required_fact_accuracy(facts, "WHEAT and Soya, 2024 [2]") == 1.0


def test_required_facts_do_not_match_citation_markers() -> None:
    assert m.missing_facts([["1"]], "Russia paid in wheat [1].") == [["1"]]


def test_required_fact_accuracy_with_no_facts_is_one() -> None:
    assert m.required_fact_accuracy([], "anything") == 1.0


def test_forbidden_facts_found() -> None:
    forbidden = ["Bandar Abbas", "Jask"]
    assert m.forbidden_facts_found(forbidden, "The port is bandar abbas [1].") == ["Bandar Abbas"]
    assert m.forbidden_facts_found(forbidden, "The articles do not name the port.") == []


def test_repeated_quotes_are_the_cited_sentences_an_answer_quotes_twice() -> None:
    a = {"article_id": "a", "start": 0, "end": 14, "quote": "He added more."}
    b = {"article_id": "a", "start": 15, "end": 29, "quote": "He said again."}
    assert m.repeated_quotes("He added more. [1] He said again. [1] He added more. [1]", [a, b]) == ["He added more."]
    assert m.repeated_quotes("He added more. [1] He said again. [1]", [a, b, a]) == []
    assert m.repeated_quotes("The articles do not say.", []) == []


def test_citation_valid_rejects_wrong_offsets_and_unknown_articles() -> None:
    good = cite("a", 20, 41)
    shifted = {**good, "start": 21, "end": 42}  # same quote, offsets off by one
    assert m.citation_valid(good, TEXTS)
    assert not m.citation_valid(shifted, TEXTS)
    assert not m.citation_valid({**good, "article_id": "z"}, TEXTS)
    assert not m.citation_valid({**good, "end": 99}, TEXTS)  # past the end of the article
    assert not m.citation_valid({**cite("a", 5, 5)}, TEXTS)  # empty quote


def test_citation_validity_share() -> None:
    good = cite("a", 20, 41)
    assert m.citation_validity([good, {**good, "start": 21, "end": 42}], TEXTS) == 0.5
    assert m.citation_validity([], TEXTS) == 1.0  # nothing cited, nothing invalid


def test_evidence_recall() -> None:
    assert m.evidence_recall([WHEAT, LONDON], [cite("a", 25, 30)], TEXTS) == 0.5
    assert m.evidence_recall([WHEAT, LONDON], [cite("a", 25, 30), cite("b", 0, 7)], TEXTS) == 1.0
    assert m.evidence_recall([WHEAT], [cite("b", 20, 24)], TEXTS) == 0.0  # right offsets, wrong article
    assert m.evidence_recall([WHEAT], [], TEXTS) == 0.0
    assert m.evidence_recall([], [cite("a", 0, 19)], TEXTS) is None


def test_citation_precision_on_evidence_or_well_supported() -> None:
    on = cite("a", 20, 41, support=0.2)
    off_supported = cite("a", 0, 19, support=0.9)
    off_weak = cite("a", 42, 54, support=0.5)
    assert m.citation_precision([on, off_supported, off_weak], [WHEAT], TEXTS) == pytest.approx(2 / 3)
    assert m.citation_precision([cite("a", 0, 19, support=0.75)], [], TEXTS) == 1.0  # threshold counts
    assert m.citation_precision([], [WHEAT], TEXTS) is None


def test_on_evidence_ignores_support() -> None:
    spans = m.locate_evidence([WHEAT], TEXTS)
    assert m.on_evidence(cite("a", 30, 50), spans)
    assert not m.on_evidence(cite("a", 0, 19, support=1.0), spans)


def test_abstention_precision_recall() -> None:
    # should: T T F F ; abstained: T F T F -> tp 1, predicted 2, actual 2
    assert m.abstention_precision_recall([True, True, False, False], [True, False, True, False]) == (
        0.5,
        0.5,
    )
    assert m.abstention_precision_recall([True, False], [False, False]) == (None, 0.0)
    assert m.abstention_precision_recall([False], [False]) == (None, None)


def test_false_premise_correction() -> None:
    facts = [["wheat"]]
    assert m.false_premise_correction(False, facts, "Not oil: wheat [1].")
    assert not m.false_premise_correction(True, facts, "Not answered. It was wheat [1].")
    assert not m.false_premise_correction(False, facts, "Iran trades for oil [1].")


def test_percentile_interpolates_linearly() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert m.percentile(values, 50) == 2.5  # between 2 and 3
    assert m.percentile(values, 95) == pytest.approx(3.85)  # rank 2.85: 3 + 0.85 * (4 - 3)
    assert m.percentile(values, 0) == 1.0 and m.percentile(values, 100) == 4.0
    assert m.percentile([0.7], 95) == 0.7
    with pytest.raises(ValueError):
        m.percentile([], 50)


def item(**fields: object) -> dict:
    base = {"answerable": True, "false_premise": False, "required_facts": [["wheat"]], "forbidden_facts": []}
    return {**base, **fields}


def answer(text: str, abstained: bool = False, citations: list | None = None) -> dict:
    return {"answer": text, "abstained": abstained, "citations": citations or []}


def test_failure_reasons_answerable() -> None:
    good = [cite("a", 20, 41)]
    assert m.failure_reasons(item(), answer("Russia paid in wheat. [1]", citations=good), TEXTS) == []
    assert m.failure_reasons(item(), answer("No.", abstained=True), TEXTS) == ["abstained on an answerable question"]
    assert m.failure_reasons(item(), answer("Iran sold missiles. [1]"), TEXTS) == ["missing facts: wheat"]


def test_failure_reasons_unanswerable_and_forbidden() -> None:
    q = item(answerable=False, required_facts=[], forbidden_facts=["Jask"])
    assert m.failure_reasons(q, answer("The articles do not say.", abstained=True), TEXTS) == []
    assert m.failure_reasons(q, answer("It is Jask."), TEXTS) == [
        "answered an unanswerable question",
        "forbidden facts: Jask",
    ]


def test_failure_reasons_invalid_citation_fails_even_a_correct_answer() -> None:
    bad = [{**cite("a", 20, 41), "start": 21, "end": 42, "n": 2}]
    assert m.failure_reasons(item(), answer("Wheat. [2]", citations=bad), TEXTS) == ["invalid citations: [2]"]


def test_failure_reasons_false_premise_needs_the_correction() -> None:
    q = item(false_premise=True)
    assert m.failure_reasons(q, answer("Not oil but wheat. [1]", citations=[cite("a", 20, 41)]), TEXTS) == []
    assert m.failure_reasons(q, answer("Wheat.", abstained=True), TEXTS) == [
        "abstained on a false premise instead of correcting it"
    ]
    assert m.failure_reasons(q, answer("Iran trades for oil."), TEXTS) == ["missing facts: wheat"]


# runner helpers (eval/items.py, eval/gates.py): pure parts only; the run itself needs the index


def test_check_gate() -> None:
    assert g.check_gate(0.9, {"min": 0.9}) is True
    assert g.check_gate(0.89, {"min": 0.9}) is False
    assert g.check_gate(1.0, {"max": 0.0}) is False
    assert g.check_gate(None, {"min": 0.9}) is None  # undefined on this run: not judged


def test_select_items_by_id_and_limit() -> None:
    items = [{"id": "x"}, {"id": "y"}, {"id": "z"}]
    assert it.select_items(items, "z,x", 0) == [{"id": "x"}, {"id": "z"}]
    assert it.select_items(items, "", 2) == [{"id": "x"}, {"id": "y"}]
    with pytest.raises(it.UsageError, match="unknown item id"):
        it.select_items(items, "w", 0)


def test_gates_file_names_only_known_metrics() -> None:
    gates = g.load_gates(Path(run.ROOT / "eval" / "gates.toml"))
    assert gates["citation_validity"] == {"min": 1.0}
    assert gates["forbidden_facts"] == {"max": 0}


def test_bad_gate_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text("[hit_at_kk]\nmin = 0.5\n")
    with pytest.raises(it.UsageError, match="hit_at_kk"):
        g.load_gates(path)


def test_verifier_check_metrics_and_citation_resolution_by_hand() -> None:
    from eval.verifier_check import VerifierSetError, resolve, verifier_metrics

    results = [
        {"expect": "drop", "ok": True},
        {"expect": "drop", "ok": False},
        {"expect": "drop", "ok": True},
        {"expect": "keep", "ok": True},
    ]
    assert verifier_metrics(results) == {"verifier_bad_dropped": (2 / 3, 3), "verifier_good_kept": (1.0, 1)}
    item = {"id": "x", "sentence": "Iran barters {cite:wheat} and sells {cite:oil}."}
    assert resolve(item, ["no", "wheat and soy", "oil to China"]) == "Iran barters [2] and sells [3]."
    with pytest.raises(VerifierSetError, match="'gold'"):
        resolve({"id": "y", "sentence": "Gold {cite:gold}."}, ["wheat"])


def test_the_verifier_set_exercises_every_rule() -> None:
    from eval.verifier_check import load_set

    rules = {item["rule"] for item in load_set() if item["expect"] == "drop"}
    assert {"number", "negation", "roles", "name", "wrong article", "coverage", "no citation", "out of range"} <= rules
