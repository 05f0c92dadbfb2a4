"""The chat shows what the verifier removed from a draft, with each reason, folded until asked for."""

from __future__ import annotations

from rag.render import render_answer, render_removed

ANSWER = {
    "question": "How many missiles?",
    "answer": "Iran sent missiles to Russia. [1]",
    "abstained": False,
    "citations": [{"n": 1, "article_id": "a", "title": "T", "quote": "Iran sent missiles to Russia.", "start": 0}],
    "removed": [{"sentence": "Iran sent 2,000 <b>missiles</b>.", "reason": "number 2,000 not in source [1]"}],
    "flagged": [],
}


def test_each_removed_sentence_is_listed_with_its_reason_inside_a_closed_details() -> None:
    html = render_answer(ANSWER, 2)
    folded = html.split('<details class="removed">', 1)[1]
    assert "<details open" not in html and folded.startswith("<summary>1 sentence of the draft removed")
    assert "<q>Iran sent 2,000 &lt;b&gt;missiles&lt;/b&gt;.</q>" in folded  # escaped, never markup
    assert '<span class="removed-reason">number 2,000 not in source [1]</span>' in folded


def test_nothing_is_added_when_nothing_was_removed_or_it_is_shown_as_flagged() -> None:
    assert render_removed({**ANSWER, "removed": []}) == ""
    assert render_removed({"removed": None}) == ""
    flagged = {**ANSWER, "flagged": ["Iran sent 2,000 <b>missiles</b>."]}
    assert render_removed(flagged) == "" and "removed" not in render_answer(flagged, 2).split("flagged")[-1]
    two = {**ANSWER, "removed": ANSWER["removed"] * 2}
    assert "<summary>2 sentences of the draft removed" in render_removed(two)
