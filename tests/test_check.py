"""Checking a pasted draft: each sentence supported with its quotes, or not with the reason;
against given passages or, without them, against what retrieval finds in the corpus."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from rag.check import DraftPassage, check_draft, parse_request
from rag.errors import QuestionError
from rag.grounding import Verifier

PORT = DraftPassage(
    text="The port of Velmora reopened on Monday after six weeks of repairs. The harbour master, Tomas Reyes, "
    "said the repairs cost 4.2 million euros. He added that the ferry would not run again until April.",
    title="Port of Velmora reopens",
    author="Lena Marsh",
    outlet="Coastal Ledger",
    published="2025-03-14",
)


class NoRetrieval:
    def retrieve(self, question: str):  # type: ignore[no-untyped-def]
        raise AssertionError("with passages given, nothing is retrieved")


def check(text: str):  # type: ignore[no-untyped-def]
    return check_draft(text, NoRetrieval(), Verifier(lambda _id: "", embed=None), [PORT])


def test_each_sentence_is_marked_with_its_quote_or_its_reason() -> None:
    result = check(
        "The port reopened on Monday after six weeks of repairs. Tomas Reyes said the repairs cost 5 million euros. "
        "Reyes said the ferry would run again in April."
    )
    first, second, third = result.sentences
    assert first.supported and first.reason == ""
    (c,) = first.citations
    assert PORT.text[c.start : c.end] == c.quote == "The port of Velmora reopened on Monday after six weeks of repairs."
    assert not second.supported and second.reason == "number 5 million not in the articles" and not second.citations
    assert not third.supported and "negation" in third.reason  # "would not run again until April"
    assert result.to_dict()["supported"] == 1 and result.against == "passages"


def test_the_metadata_of_a_given_passage_can_support_a_sentence() -> None:
    (s,) = check("The report was written by Lena Marsh for the Coastal Ledger.").sentences
    assert s.supported, s.reason


def test_a_sentence_may_name_the_passage_it_rests_on() -> None:
    other = DraftPassage(text="The fish market will open again on Saturday.")
    v = Verifier(lambda _id: "", embed=None)
    result = check_draft("The fish market opens on Saturday [1].", NoRetrieval(), v, [PORT, other])
    assert not result.sentences[0].supported and "source [1]" in result.sentences[0].reason
    result = check_draft("The fish market opens on Saturday [2].", NoRetrieval(), v, [PORT, other])
    assert result.sentences[0].supported


def test_bad_input_says_what_to_change() -> None:
    with pytest.raises(QuestionError, match="empty"):
        check("   ")
    with pytest.raises(QuestionError, match="limit"):
        check("Word. " * 5000)
    with pytest.raises(QuestionError, match="only the keys"):
        parse_request({"text": "x", "passages": [{"text": "y", "url": "z"}]})
    assert parse_request({"text": "x", "passages": [{"text": "y"}]}) == ("x", [DraftPassage(text="y")])


def test_without_passages_each_sentence_is_checked_against_the_corpus(engine, article_texts) -> None:  # type: ignore[no-untyped-def]
    result = engine.check(
        "Iran has signed a 25-year security agreement with China. "
        "Iran has signed a 30-year security agreement with China."
    )
    good, bad = result.sentences
    assert result.against == "corpus"
    assert good.supported and all(article_texts[c.article_id][c.start : c.end] == c.quote for c in good.citations)
    assert not bad.supported and bad.reason == "number 30 not in the articles"


def test_the_api_checks_a_draft(engine, real_settings) -> None:  # type: ignore[no-untyped-def]
    from rag.api import create_app

    with TestClient(create_app(engine, real_settings)) as client:
        draft = {"text": "The repairs cost 4.2 million euros.", "passages": [PORT.__dict__]}
        r = client.post("/api/verify", json=draft)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == 1 and body["sentences"][0]["supported"]
        assert body["sentences"][0]["citations"][0]["quote"].endswith("cost 4.2 million euros.")
        assert client.post("/api/verify", json={"text": ""}).status_code == 422
        assert client.post("/api/verify", json={"text": "x", "extra": 1}).status_code == 422


def test_the_cli_reads_json_from_stdin(real_settings, engine) -> None:  # type: ignore[no-untyped-def]
    import os

    data = {"text": "The repairs cost 5 million euros.", "passages": [PORT.__dict__]}
    env = {**os.environ, "RAG_INDEX_DIR": str(real_settings.index_dir), "RAG_CORPUS_DIR": str(real_settings.corpus_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "rag", "verify", "--json", "-"],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["sentences"][0]["supported"] is False
    assert result["sentences"][0]["reason"] == "number 5 million not in the articles"
