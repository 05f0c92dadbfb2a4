from rag.chunking import chunk_article, make_splitter, sentence_spans
from rag.corpus import load_corpus
from rag.embeddings import MINILM_MAX_TOKENS
from tests.conftest import CORPUS


def _chunks(embed_model, size=128, overlap=24):  # type: ignore[no-untyped-def]
    splitter = make_splitter(size, overlap, embed_model.encoder.count_tokens)
    return [(a, chunk_article(a, splitter)) for a in load_corpus(CORPUS).articles]


def test_every_chunk_and_sentence_round_trips(embed_model) -> None:  # type: ignore[no-untyped-def]
    for article, chunks in _chunks(embed_model):
        assert chunks
        for c in chunks:
            assert article.text[c.start : c.end] == c.text
            for s, e in c.sentences:
                assert c.start <= s < e <= c.end
                assert article.text[s:e].strip() == article.text[s:e]


def test_chunks_fit_the_model_and_cover_the_article(embed_model) -> None:  # type: ignore[no-untyped-def]
    for article, chunks in _chunks(embed_model, size=64, overlap=16):
        for c in chunks:
            assert len(embed_model.encoder.count_tokens(c.text)) + 2 <= MINILM_MAX_TOKENS
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        missing = [i for i in range(len(article.text)) if i not in covered and not article.text[i].isspace()]
        assert missing == []


def test_ids_are_stable_and_content_derived(embed_model) -> None:  # type: ignore[no-untyped-def]
    first = [c.id for _, cs in _chunks(embed_model) for c in cs]
    again = [c.id for _, cs in _chunks(embed_model) for c in cs]
    assert first == again and len(set(first)) == len(first)


def test_sentence_spans_split_paragraphs_and_sentences() -> None:
    text = "Iran sent missiles. Russia sent wheat.\nA new paragraph here"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Iran sent missiles.",
        "Russia sent wheat.",
        "A new paragraph here",
    ]
