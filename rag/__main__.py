"""The command line: `python -m rag ingest | ask | chat | articles | show | remove | adduser`. Thin:
parses arguments, calls rag.

Exit status: 0 answered or abstained; 2 bad usage or settings; 3 no usable index; 1 other errors.
Errors are printed as one line that says what to do; never a stack trace (use --debug for one).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator

from rag import quiet_libraries
from rag.config import Settings, load_settings, prepare_offline_env
from rag.errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE, ConfigError, QuestionError, RagError, exit_status
from rag.render import answers_label, speaker_note
from rag.types import Answer


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=logging.DEBUG if args.debug else getattr(logging, settings.log_level),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.debug:  # keep the terminal for answers; library chatter only on --debug
        quiet_libraries()
    prepare_offline_env()
    try:
        return args.func(args, settings)
    except RagError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return exit_status(e)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rag", description="Grounded answers from news articles.")
    parser.add_argument("--debug", action="store_true", help="verbose logs and full tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build or update the index from corpus/ (after adding any files or links given)")
    p.add_argument(
        "inputs", nargs="*", metavar="PATH_OR_URL", help=".txt/.md/.html/.pdf/.docx files or http(s) links to add"
    )
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    p.set_defaults(func=cmd_ingest)
    add_article_commands(sub)

    p = sub.add_parser("ask", help="answer questions ('-' reads one per line from stdin)")
    p.add_argument("questions", nargs="+", metavar="QUESTION")
    p.add_argument("--json", action="store_true", help="one JSON object per question (JSON Lines)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive question loop in the terminal")
    p.set_defaults(func=cmd_chat)

    add_verify_command(sub)

    p = sub.add_parser("adduser", help="add or replace a web login in RAG_USERS_FILE (asks for the password)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    p.add_argument("--editor", action="store_true", help="may add and remove articles (chat and API)")
    p.set_defaults(func=cmd_adduser)
    return parser.parse_args(argv)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ingest import ingest

    added = add_inputs(args.inputs, settings) if args.inputs else EXIT_OK
    report = ingest(settings, rebuild=args.rebuild, progress=args.progress)
    print(report.summary())
    return added


def add_inputs(inputs: list[str], settings: Settings) -> int:
    """Copy (or fetch) each input into corpus/, one line each; 1 when any was refused, else 0."""
    from rag.articles import add_inputs as add_to_corpus

    status = EXIT_OK
    for result in add_to_corpus(settings, inputs):
        print(result.describe(), file=sys.stdout if result.ok else sys.stderr)
        if result.problem:
            status = EXIT_ERROR
    return status


def add_article_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("articles", help="list the indexed articles")
    p.add_argument("--json", action="store_true", help="one JSON object per article (JSON Lines)")
    p.set_defaults(func=cmd_articles)
    p = sub.add_parser("show", help="print the indexed text of one article (what citation offsets refer to)")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("remove", help="remove an article (its file moves to corpus/.removed/)")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=cmd_remove)


def open_index(settings: Settings):  # type: ignore[no-untyped-def]
    """The store alone (no model is loaded to list, show or remove)."""
    from rag.embeddings import embedding_model_name
    from rag.store import open_store

    return open_store(settings, embedding_model_name(settings))


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from rag.articles import list_articles

    rows = list_articles(open_index(settings), settings.corpus_dir)
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            title = (row["title"] or "(no title)") + (" (title ours)" if row["title_is_editorial"] else "")
            byline = ", ".join(x for x in (row["author"], row["outlet"], row["published"]) if x) or "not stated"
            print(f"{row['id']}\t{title}\t{byline}\t{row['chunks']} chunks\t{row['source']}")
    if not rows and not args.json:
        print("No articles are indexed yet: put files in corpus/ or run `python -m rag ingest PATH_OR_URL`.")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from rag.articles import get_article

    _, text = get_article(open_index(settings), settings.corpus_dir, args.id)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from rag.articles import REMOVED_DIR, remove_article

    name = remove_article(open_index(settings), settings, args.id)
    moved = f"; its file moved to {settings.corpus_dir / REMOVED_DIR / ''}" if name else ""
    print(f"removed article {args.id!r} from the index{moved}")
    return EXIT_OK


def open_or_build(settings: Settings):  # type: ignore[no-untyped-def]
    """The engine; with no index yet, rag.open_or_build builds it first and says so on stderr."""
    from rag import open_or_build as open_or_build_engine

    return open_or_build_engine(settings, on_build=lambda line: print(line, file=sys.stderr))


def iter_questions(items: list[str]) -> Iterator[str]:
    for item in items:
        if item == "-":
            for line in sys.stdin:
                if line.strip():
                    yield line.rstrip("\n")
        else:
            yield item


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_or_build(settings)
    status = EXIT_OK
    for question in iter_questions(args.questions):
        try:
            answer = engine.ask(question)
        except QuestionError as e:
            status = EXIT_USAGE
            if args.json:
                print(json.dumps({"question": question[:200], "error": str(e)}, ensure_ascii=False))
            else:
                print(f"error: {e}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(format_answer(answer), flush=True)
    return status


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_or_build(settings)
    print("Ask about the articles; follow-ups are read in the light of earlier turns (empty line or Ctrl-D to quit).")
    history: list[dict[str, str]] = []
    while True:
        try:
            question = input("\n? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if not question.strip():
            return EXIT_OK
        try:
            answer = engine.ask(question, history)
        except QuestionError as e:
            print(f"error: {e}")
            continue
        print(format_answer(answer))
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]


def format_answer(answer: Answer) -> str:
    """The answer for a person: text, then the numbered sources with their quotes."""
    lines = []
    if answer.notice:
        lines.append(f"({answer.notice})")
    if answer.standalone_question:
        lines.append(f"(read as: {answer.standalone_question})")
    if answer.abstained:
        lines.append("[no answer in the articles]")
    lines.append(answer.answer)
    if answer.citations:
        lines.append("\nSources:")
    for c in answer.citations:
        title = c.title or c.article_id
        if c.title_is_editorial:
            title += " (title ours)"
        byline = ", ".join(x for x in (c.author, c.outlet, c.published) if x) or "author not stated"
        lines.append(f"[{c.n}] {title} - {byline}")
        lines.append(f"    “{c.quote}”")
        if note := speaker_note(c.to_dict(), [o.to_dict() for o in answer.citations]):
            lines.append(f"    {note}")
        judged = "" if c.answers is None else f"answers the question {c.answers:.2f} ({answers_label(c.answers)}), "
        where = f"article {c.article_id}, characters {c.start}-{c.end}"
        lines.append(f"    {where}, {judged}quote supports the sentence {c.support:.2f}")
    return "\n".join(lines)


def add_verify_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "verify",
        help="check a draft against the articles, sentence by sentence ('-' or nothing reads stdin)",
        description='TEXT, or stdin: plain text, or JSON {"text": ..., "passages": [{"text", "title", '
        '"author", "outlet", "published"}]} to check against those passages instead of the corpus.',
    )
    p.add_argument("text", nargs="?", default="-", metavar="TEXT")
    p.add_argument("--json", action="store_true", help="the result as one JSON object")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from rag.check import parse_request

    raw = sys.stdin.read() if args.text == "-" else args.text
    data: object = raw
    if raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError as e:
            raise QuestionError(f"The input starts with '{{' but is not JSON ({e}); send plain text or fix it.") from e
        if not isinstance(data, dict):
            raise QuestionError('The JSON input must be an object: {"text": ..., "passages": [...]}.')
    text, passages = parse_request(data)  # type: ignore[arg-type]
    engine = open_or_build(settings)
    result = engine.check(text, passages)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return EXIT_OK
    for s in result.sentences:
        print(f"{'supported' if s.supported else 'NOT SUPPORTED'}: {s.text}")
        for c in s.citations:
            print(f"    “{c.quote}” ({c.title or c.article_id}, characters {c.start}-{c.end})")
        if not s.supported:
            print(f"    why: {s.reason}")
    print(f"{result.supported} of {len(result.sentences)} sentences supported by the {result.against}.")
    return EXIT_OK


def cmd_adduser(args: argparse.Namespace, settings: Settings) -> int:
    """Write NAME's scrypt hash to the users file; the web app's login is on when RAG_USERS_FILE is set."""
    import getpass

    from rag.auth import add_user

    if settings.users_file is None:
        raise ConfigError("Set RAG_USERS_FILE to the users file first (the web login is on when it is set).")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise ConfigError("The two passwords differ; run adduser again.")
    add_user(settings.users_file, args.name, password, roles=("editor",) if args.editor else ())
    role = " and add or remove articles" if args.editor else ""
    print(f"{args.name} can log in{role} (users file {settings.users_file}).", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
