"""The eval runner: `python -m eval.run` asks every dataset item, scores it, gates the aggregates.

Input: eval/dataset.jsonl, the index (brought up to date by an incremental ingest), eval/gates.toml,
eval/baseline.json. Output: a table on stdout, reports/eval.json and reports/eval.md, exit 1 when a
gate fails. It uses rag's public API (plus engine.retriever for the retrieval metrics). This module is the
command line and the asking; eval/items.py reads the set, eval/aggregate.py (with eval/metrics.py)
scores, eval/gates.py gates, eval/baseline.py compares and eval/report.py shows and writes.
After the first set, the second (eval/other: articles of other topics) and the third (eval/pages:
the real saved pages of ../shared/html) run in temporary indexes (eval/other_set.py), each gated by
its own gates.toml; the saved SQuAD 2.0 score
(`make squad`, eval/squad.py) is shown beside them, never gating.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval import judge, squad
from eval import verifier_check as vc
from eval.aggregate import aggregate, fmt, score_item
from eval.baseline import load_baseline, write_baseline
from eval.gates import gate_failures, load_gates
from eval.items import UsageError, load_items, select_items
from eval.other_set import SHARED_HTML, THIRD, run_other, third_set_available
from eval.report import format_failures, format_markdown, format_table, format_tags, write_reports
from rag.errors import EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent

DATASET = ROOT / "eval" / "dataset.jsonl"

EXIT_GATE = 1  # beside rag.errors' EXIT_OK / EXIT_USAGE / exit_status(), shared with `python -m rag`


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.splitlines()[0])
    p.add_argument(
        "--backend",
        default="",
        help="label for the report only; settings pick the backend",
    )
    p.add_argument("--limit", type=int, default=0, help="run only the first N items")
    p.add_argument("--ids", default="", help="comma-separated item ids to run")
    p.add_argument("--dataset", type=Path, default=DATASET, help=argparse.SUPPRESS)
    p.add_argument("--report-dir", type=Path, default=ROOT / "reports")
    p.add_argument("--gates", type=Path, default=ROOT / "eval" / "gates.toml")
    p.add_argument("--baseline", type=Path, default=ROOT / "eval" / "baseline.json")
    p.add_argument(
        "--update-baseline",
        action="store_true",
        help="write these aggregates as the baseline",
    )
    p.add_argument("--no-gate", action="store_true", help="report only; never exit 1 on a gate")
    p.add_argument(
        "--no-other",
        action="store_true",
        help="skip the second and third sets (eval/other, eval/pages), which run after the first by default",
    )
    p.add_argument(
        "--judge",
        action="store_true",
        help="also score answers with an LLM judge (needs OPENAI_API_KEY or OPENAI_BASE_URL; never in CI; never gates)",
    )
    p.add_argument("--judge-model", default="", help="the judge's model (default: RAG_OPENAI_MODEL)")
    return p.parse_args(argv)


def ask_all(items: Sequence[Mapping[str, Any]], engine: Any, k: int, texts: Mapping[str, str]) -> list[dict[str, Any]]:
    """Ask every item (with its history) and score it; retrieval metrics use the rewritten question."""
    engine.ask(items[0]["user_input"], history=list(items[0]["history"]))  # untimed warm-up: model loading
    results = []
    for item in items:
        answer = engine.ask(item["user_input"], history=list(item["history"])).to_dict()
        query = answer.get("standalone_question") or answer["question"]
        passages = [(p.article_id, p.chunk.start, p.chunk.end) for p in engine.retriever.retrieve(query).passages]
        results.append(score_item(item, answer, passages, k, texts))
    return results


def quiet_libraries() -> None:
    """Keep library chatter off the report; called after the imports, as bm25s sets DEBUG on import."""
    from rag import quiet_libraries as quiet

    quiet()


def evaluate(items: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """Bring the index up to date, open the engine, ask and score every item; also returns top_k
    and the verifier check's results (eval/verifier_check.py)."""
    from rag.config import load_settings, prepare_offline_env

    prepare_offline_env()
    from rag.engine import open_engine
    from rag.ingest import ingest

    quiet_libraries()
    settings = load_settings()
    print(ingest(settings).summary())
    engine = open_engine(settings)
    retriever = engine.retriever
    texts = {aid: retriever.article_text(aid) for aid in retriever.articles}
    checks = vc.check_all(vc.load_set(), engine)
    return ask_all(items, engine, settings.top_k, texts), settings.top_k, checks


def judge_model(args: argparse.Namespace) -> Any:
    """The judge's chat model, or UsageError when the judge may not or cannot run."""
    from rag.config import load_settings
    from rag.llm import ChatModel, build_llm

    settings = load_settings()
    if settings.ci:
        raise UsageError("--judge never runs in CI (CI is set): an LLM judge is slow, paid and not reproducible")
    if not settings.openai_configured():
        raise UsageError("--judge needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)")
    if args.judge_model:
        settings = settings.model_copy(update={"openai_model": args.judge_model})
    return ChatModel(build_llm(settings), settings.openai_max_retries, settings.openai_deadline)


def run_judge(model: Any, results: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], str]:
    """Judge every item; returns the report section and its text (a table and the disagreements)."""
    from rag.llm import Message

    def complete(messages: list[tuple[str, str]]) -> str:
        return str(model.complete([Message(role, content) for role, content in messages]))

    judged = [judge.judge_item(r, complete) for r in results]
    summary = judge.summary(judged)
    lines = ["LLM judge (RAGAS-style; reported, never gating):"]
    lines += [f"  {name:20s} {fmt(name, value):>6s}  n={n}" for name, (value, n) in summary.items()]
    found = judge.disagreements(results, judged)
    lines.append("where the judge and the deterministic checks disagree:" if found else "no disagreements")
    lines += [f"  {d}" for d in found]
    errors = [f"  {j['id']}: {j['error']}" for j in judged if j["error"]]
    if errors:
        lines += ["judge errors:", *errors]
    section = {"summary": {k: {"value": v, "n": n} for k, (v, n) in summary.items()}, "items": judged}
    return section | {"disagreements": found}, "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    subset = bool(args.ids or args.limit)
    model = judge_model(args) if args.judge else None  # refuse before the long run, not after
    if args.update_baseline and subset:
        raise UsageError("--update-baseline needs the full dataset; drop --ids and --limit")
    items = select_items(load_items(args.dataset), args.ids, args.limit)
    if not items:
        raise UsageError("no items selected; check --ids and --limit")
    gates = load_gates(args.gates)
    results, top_k, checks = evaluate(items)
    agg = aggregate(results)
    agg.update(vc.verifier_metrics(checks))
    backends = sorted({r["full_answer"]["backend"] for r in results})
    label = args.backend or ",".join(backends)
    header = f"backend: {label} (answers from: {', '.join(backends)}); items: {len(results)}; top_k: {top_k}"
    if subset:
        header += "\nsubset run: baseline deltas and gates compare a subset with the full set"
    table = format_table(agg, gates, load_baseline(args.baseline))
    tags = format_tags(results)
    print(f"\n{header}\n\n{table}\n\npassed per tag:\n{tags}")
    if not all(r["passed"] for r in results):
        print(f"\nfailing items:\n{format_failures(results)}")
    if misses := vc.format_misses(checks):
        print(f"\nverifier check misses:\n{misses}")
    run_info = {"backend": label, "backends": backends, "items": len(results), "top_k": top_k}
    metrics = {k: {"value": v, "n": n} for k, (v, n) in agg.items()}
    report = {"run": run_info, "metrics": metrics, "gates": gates, "items": results, "verifier_check": checks}
    markdown = format_markdown(table, tags, results, header)
    if model is not None:
        report["judge"], judge_text = run_judge(model, results)
        print(f"\n{judge_text}")
        markdown += f"\n## LLM judge\n\n```\n{judge_text}\n```\n"
    report["squad2"] = squad.load()  # saved by `make squad`; reported, never gating
    print(f"\n{squad.format_section(report['squad2'])}")
    markdown += f"\n## SQuAD 2.0 (saved score, not gated)\n\n```\n{squad.format_section(report['squad2'])}\n```\n"
    write_reports(args.report_dir, report, markdown)
    if args.update_baseline:
        write_baseline(args.baseline, agg, label, len(results))
        print(f"wrote baseline {args.baseline}")
    other = not (subset or args.no_other or args.dataset != DATASET)  # the other sets run with the full first
    failures = ([] if args.no_gate else gate_failures(agg, gates)) + (run_other(args) if other else [])
    if other and third_set_available():
        failures += run_other(args, THIRD)
    elif other:
        print(f"\nthird set (eval/pages): not run, {SHARED_HTML} is not here (CI always has it)")
    if args.no_gate:
        print("gates: not checked (--no-gate)")
    else:
        print("\n".join(failures) if failures else "gates: all passed")
    passed = sum(r["passed"] for r in results)
    print(f"eval: {passed} passed, {len(results) - passed} failed")
    return EXIT_GATE if failures else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from rag.errors import RagError, exit_status

    try:
        return run(args)
    except (UsageError, vc.VerifierSetError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return exit_status(e)


if __name__ == "__main__":
    sys.exit(main())
