import pytest

from rag.chunking import chunk_article, make_splitter, sentence_spans, split_sentences
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


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "The images were released at 10 a.m. Eastern time. The U.S. Congress approved it in 2017.",
            ["The images were released at 10 a.m. Eastern time.", "The U.S. Congress approved it in 2017."],
        ),
        (
            "Dr. Lena Okafor spoke. Observations begin in Sept. 2026.",
            ["Dr. Lena Okafor spoke.", "Observations begin in Sept. 2026."],
        ),
        ("He left at 5 p.m. The next day was calm.", ["He left at 5 p.m.", "The next day was calm."]),
        (  # a caption line without a full stop ends at its line break
            "Image: the Larkspur deep field\nThe telescope cost $6.1 billion.",
            ["Image: the Larkspur deep field", "The telescope cost $6.1 billion."],
        ),
    ],
)
def test_sentences_know_abbreviations_and_line_breaks(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_the_splitter_cuts_where_the_sentences_end(embed_model) -> None:  # type: ignore[no-untyped-def]
    cuts = 0
    for article, chunks in _chunks(embed_model, size=48, overlap=0):
        spans = sentence_spans(article.text)
        for c in chunks[:-1]:
            cut = [(s, e) for s, e in spans if s < c.end < e]  # the sentence this chunk ends inside
            # only a sentence longer than a whole chunk may be cut (SentenceSplitter then uses commas)
            assert not cut or len(embed_model.encoder.count_tokens(article.text[cut[0][0] : cut[0][1]])) > 48
            cuts += not cut
    assert cuts > 10  # most chunks end with a sentence


def test_split_sentences_gives_pieces_that_join_back_to_the_text() -> None:
    text = "  Lead in. The U.S. said so.\nPhoto: a caption\n\nLast one  "
    pieces = split_sentences(text)
    assert "".join(pieces) == text and len(pieces) == 4


def test_a_chunk_ending_on_a_printed_question_keeps_the_first_sentence_of_its_answer(embed_model) -> None:  # type: ignore[no-untyped-def]
    """An interview: the question heading and its answer must be retrievable together, wherever the
    splitter would cut."""
    from llama_index.core import Document

    from rag.chunking import chunk_article, make_splitter
    from rag.types import Article, ArticleMeta

    splitter = make_splitter(64, 8, embed_model.encoder.count_tokens)
    ended_on_question = 0
    for n in range(1, 12):  # fillers of every length move the question across the splitter's cuts
        filler = " ".join(f"She spoke about topic number {i} at some length." for i in range(n))
        text = (
            f"{filler}\nWhat's the biggest career risk you've ever taken?\n"
            "Last year I took a pay cut to move to a harder job. It paid off in the end.\n"
            f"{filler}"
        )
        question_end = text.index("taken?") + len("taken?")
        raw = splitter.get_nodes_from_documents([Document(text=text)])
        ended_on_question += any(node.end_char_idx == question_end for node in raw)
        for c in chunk_article(Article(ArticleMeta(id="iv"), text, "h"), splitter):
            assert text[c.start : c.end] == c.text
            if "biggest career risk" in c.text:
                assert "Last year I took a pay cut" in c.text, (n, c.text)
    assert ended_on_question  # the splitter alone did cut right after the question, at least once


def test_a_chunk_takes_in_the_answer_only_while_the_embedding_model_reads_it_whole() -> None:
    from rag.chunking import MAX_CHUNK_TOKENS, _with_answer

    text = "Intro sentence here.\nWhat did you learn?\nI learned to ask. Then more.\n"
    spans = sentence_spans(text)
    end = text.index("learn?") + len("learn?")
    answered = text.index("ask.") + len("ask.")
    assert _with_answer(text, spans, 0, end) == answered
    words = str.split  # a tokenizer of one piece per word

    def short(piece: str) -> bool:
        return len(words(piece)) <= MAX_CHUNK_TOKENS

    assert _with_answer(text, spans, 0, end, short) == answered
    assert _with_answer(text, spans, 0, end, lambda piece: len(words(piece)) <= 5) == end  # over: the cut stays
    # a question inside a paragraph, or a chunk not ending on one, is left alone
    assert _with_answer("Why? Because.\nNext.", sentence_spans("Why? Because.\nNext."), 0, 4) == 4
    assert _with_answer(text, spans, 0, len("Intro sentence here.")) == len("Intro sentence here.")
