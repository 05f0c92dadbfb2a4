"""The eval runner: `python -m eval.run` asks every dataset item, scores it, gates the aggregates.

Input: eval/dataset.jsonl, the index (brought up to date by an incremental ingest), eval/gates.toml,
eval/baseline.json. Output: a table on stdout, reports/eval.json and reports/eval.md, exit 1 when a
gate fails. It uses rag's public API (plus engine.retriever for the retrieval metrics); the
scoring itself lives in eval/metrics.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval import judge
from eval import metrics as m
from eval import verifier_check as vc
from rag.errors import EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "eval" / "dataset.jsonl"
EXIT_GATE = 1  # beside rag.errors' EXIT_OK / EXIT_USAGE / exit_status(), shared with `python -m rag`


class UsageError(Exception):
    """A mistake in the command line or in an eval file; the message says what to fix."""


# name -> (what it measures, True when higher is better); also the order of the table
METRICS: dict[str, tuple[str, bool]] = {
    "item_pass_rate": ("items passing their verdict", True),
    "hit_at_k": ("evidence in the top-k retrieved passages", True),
    "mrr": ("mean reciprocal rank of the first evidence passage", True),
    "required_fact_accuracy": (
        "answerable items answered with every required fact",
        True,
    ),
    "forbidden_facts": ("forbidden strings produced (count)", False),
    "citation_validity": ("citations whose quote == article[start:end]", True),
    "evidence_recall": ("evidence quotes overlapped by a citation", True),
    "citation_precision": ("citations on evidence or with support >= 0.75", True),
    "citations_on_evidence": (
        "citations of answerable items that overlap the evidence",
        True,
    ),
    "abstention_precision": ("abstentions that were right", True),
    "abstention_recall": ("unanswerable items abstained on", True),
    "false_premise_correction": ("false premises corrected", True),
    "verifier_bad_dropped": ("scripted wrong sentences the verifier dropped", True),
    "verifier_good_kept": ("scripted faithful sentences the verifier kept", True),
    "latency_p50_s": ("answer latency, median (s)", False),
    "latency_p95_s": ("answer latency, 95th percentile (s)", False),
}


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
        "--judge",
        action="store_true",
        help="also score answers with an LLM judge (needs OPENAI_API_KEY or OPENAI_BASE_URL; never in CI; never gates)",
    )
    p.add_argument("--judge-model", default="", help="the judge's model (default: RAG_OPENAI_MODEL)")
    return p.parse_args(argv)


def load_items(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def select_items(items: list[dict[str, Any]], ids: str, limit: int) -> list[dict[str, Any]]:
    """Items named in ids (all when empty), then the first limit of them; unknown ids raise UsageError."""
    wanted = {i.strip() for i in ids.split(",") if i.strip()}
    if wanted:
        unknown = sorted(wanted - {it["id"] for it in items})
        if unknown:
            raise UsageError(f"unknown item id(s): {', '.join(unknown)}; see eval/dataset.jsonl")
        items = [it for it in items if it["id"] in wanted]
    return items[:limit] if limit > 0 else items


def score_item(
    item: Mapping[str, Any],
    answer: dict[str, Any],
    passages: Sequence[m.Located],
    k: int,
    texts: Mapping[str, str],
) -> dict[str, Any]:
    """One item's result row: the answer, the per-item metrics and the verdict."""
    text, cites, evidence = answer["answer"], answer["citations"], item["evidence"]
    spans = m.locate_evidence(evidence, texts)
    missing = m.missing_facts(item["required_facts"], text)
    why = m.failure_reasons(item, answer, texts)
    return {
        "id": item["id"],
        "tags": item["tags"],
        "question": item["user_input"],
        "history": item["history"],
        "answerable": item["answerable"],
        "false_premise": item["false_premise"],
        "reference": item["reference"],
        "required_facts": item["required_facts"],
        "passed": not why,
        "why": why,
        "abstained": answer["abstained"],
        "answer": text,
        "missing_facts": missing,
        "forbidden_found": m.forbidden_facts_found(item["forbidden_facts"], text),
        "facts_ok": not answer["abstained"] and not missing,
        "corrected": m.false_premise_correction(answer["abstained"], item["required_facts"], text),
        "hit": m.hit_at_k(evidence, passages, k, texts),
        "rr": m.reciprocal_rank(evidence, passages, texts),
        "retrieved": [list(p) for p in passages],
        "citations_total": len(cites),
        "citations_valid": sum(m.citation_valid(c, texts) for c in cites),
        "citations_precise": sum(m.citation_precise(c, spans) for c in cites),
        "citations_on_evidence": sum(m.on_evidence(c, spans) for c in cites),
        "evidence_recall": m.evidence_recall(evidence, cites, texts),
        "latency_s": float(answer.get("timings", {}).get("total_s", 0.0)),
        "full_answer": answer,
    }


def mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    """Mean of the defined values and how many there were."""
    got = [float(v) for v in values if v is not None]
    return (sum(got) / len(got) if got else None), len(got)


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def aggregate(
    results: Sequence[Mapping[str, Any]],
) -> dict[str, tuple[float | None, int]]:
    """Every metric as (value, n): n is the number of items (or citations) it is computed over."""
    plain = [r for r in results if r["answerable"] and not r["false_premise"]]
    premise = [r for r in results if r["false_premise"]]
    cites = sum(r["citations_total"] for r in results)
    grounded = sum(r["citations_total"] for r in results if r["evidence_recall"] is not None)
    precision, recall = m.abstention_precision_recall(
        [not r["answerable"] for r in results], [r["abstained"] for r in results]
    )
    latencies = [r["latency_s"] for r in results]
    return {
        "item_pass_rate": (
            share(sum(r["passed"] for r in results), len(results)),
            len(results),
        ),
        "hit_at_k": mean([None if r["hit"] is None else float(r["hit"]) for r in results]),
        "mrr": mean([r["rr"] for r in results]),
        "required_fact_accuracy": (
            share(sum(r["facts_ok"] for r in plain), len(plain)),
            len(plain),
        ),
        "forbidden_facts": (
            float(sum(len(r["forbidden_found"]) for r in results)),
            len(results),
        ),
        "citation_validity": (
            share(sum(r["citations_valid"] for r in results), cites) if cites else 1.0,
            cites,
        ),
        "evidence_recall": mean([r["evidence_recall"] for r in results]),
        "citation_precision": (
            share(sum(r["citations_precise"] for r in results), cites),
            cites,
        ),
        "citations_on_evidence": (
            share(sum(r["citations_on_evidence"] for r in results), grounded),
            grounded,
        ),
        "abstention_precision": (precision, sum(r["abstained"] for r in results)),
        "abstention_recall": (recall, sum(not r["answerable"] for r in results)),
        "false_premise_correction": (
            share(sum(r["corrected"] for r in premise), len(premise)),
            len(premise),
        ),
        "latency_p50_s": (m.percentile(latencies, 50), len(latencies)),
        "latency_p95_s": (m.percentile(latencies, 95), len(latencies)),
    }


def load_gates(path: Path) -> dict[str, dict[str, float]]:
    """{metric: {"min": x} or {"max": x}}; a missing file, bad TOML or unknown metric raises UsageError."""
    try:
        with path.open("rb") as f:
            gates = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"cannot read gates {path}: {e}; pass --gates FILE or --no-gate") from e
    for name, gate in gates.items():
        if name not in METRICS or not isinstance(gate, dict) or set(gate) - {"min", "max"}:
            raise UsageError(f"{path}: bad gate [{name}]; use a metric of {', '.join(METRICS)} with min or max")
    return gates


def check_gate(value: float | None, gate: Mapping[str, float]) -> bool | None:
    """True/False for pass/fail; None when the metric is undefined on this run (e.g. no such items)."""
    if value is None:
        return None
    return value >= gate.get("min", float("-inf")) and value <= gate.get("max", float("inf"))


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name == "forbidden_facts":
        return str(int(value))
    return f"{value:.3f}"


def gate_text(name: str, gates: Mapping[str, Mapping[str, float]]) -> str:
    gate = gates.get(name, {})
    if "min" in gate:
        return ">= " + fmt(name, gate["min"])
    return "<= " + fmt(name, gate["max"]) if "max" in gate else ""


def delta_text(name: str, value: float | None, baseline: Mapping[str, float | None]) -> tuple[str, str]:
    """(baseline value, signed delta with 'better'/'worse') for the table."""
    old = baseline.get(name)
    if old is None or value is None:
        return fmt(name, old), ""
    d = value - old
    if abs(d) < 5e-4:
        return fmt(name, old), "="
    better = (d > 0) == METRICS[name][1]
    return fmt(name, old), f"{d:+.3f} {'better' if better else 'worse'}"


def format_table(
    agg: Mapping[str, tuple[float | None, int]],
    gates: Mapping[str, Mapping[str, float]],
    baseline: Mapping[str, float | None],
) -> str:
    header = ("metric", "value", "n", "baseline", "delta", "gate", "ok")
    rows = [header]
    for name in METRICS:
        value, n = agg[name]
        ok = check_gate(value, gates[name]) if name in gates else None
        status = "" if name not in gates else {True: "ok", False: "FAIL", None: "n/a"}[ok]
        rows.append(
            (
                name,
                fmt(name, value),
                str(n),
                *delta_text(name, value, baseline),
                gate_text(name, gates),
                status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_tags(results: Sequence[Mapping[str, Any]]) -> str:
    """Passed/total per tag, most items first."""
    total = Counter(t for r in results for t in r["tags"])
    passed = Counter(t for r in results if r["passed"] for t in r["tags"])
    width = max((len(t) for t in total), default=3)
    return "\n".join(f"{t.ljust(width)}  {passed[t]:>3}/{n}" for t, n in total.most_common())


def gate_failures(
    agg: Mapping[str, tuple[float | None, int]],
    gates: Mapping[str, Mapping[str, float]],
) -> list[str]:
    """One line per failed gate: the metric, its threshold and its value."""
    return [
        f"gate failed: {name} = {fmt(name, agg[name][0])}, threshold {gate_text(name, gates)}"
        for name, gate in gates.items()
        if check_gate(agg[name][0], gate) is False
    ]


def format_failures(results: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(f"  {r['id']}: {'; '.join(r['why'])}" for r in results if not r["passed"])


def format_markdown(table: str, tags: str, results: Sequence[Mapping[str, Any]], header: str) -> str:
    """reports/eval.md: the tables, then every failing item with what was expected and what came back."""
    parts = [
        f"# Eval report\n\n{header}\n",
        f"```\n{table}\n```\n",
        f"## Passed per tag\n\n```\n{tags}\n```\n",
    ]
    failing = [r for r in results if not r["passed"]]
    parts.append(f"## Failing items ({len(failing)})\n")
    for r in failing:
        facts = "; ".join(" | ".join(f) for f in r["required_facts"]) or "(none: should abstain)"
        turns = "".join(f"> {t['role']}: {t['content']}\n>\n" for t in r["history"])
        answer = r["answer"].replace("\n", " ")
        parts.append(
            f"### {r['id']}\n\n{turns}> **Q:** {r['question']}\n\n- why: {'; '.join(r['why'])}\n"
            f"- expected facts: {facts}\n- reference: {r['reference']}\n"
            f"- abstained: {r['abstained']}\n- answer: {answer}\n"
        )
    return "\n".join(parts)


def load_baseline(path: Path) -> dict[str, float | None]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("metrics", {}))


def write_baseline(path: Path, agg: Mapping[str, tuple[float | None, int]], label: str, items: int) -> None:
    data = {
        "backend": label,
        "items": items,
        "metrics": {k: (None if v is None else round(v, 4)) for k, (v, _) in agg.items()},
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


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


def write_reports(report_dir: Path, report: Mapping[str, Any], markdown: str) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (report_dir / "eval.json").write_text(text, encoding="utf-8")
    (report_dir / "eval.md").write_text(markdown, encoding="utf-8")
    print(f"\nwrote {report_dir / 'eval.json'} and {report_dir / 'eval.md'}")


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
    write_reports(args.report_dir, report, markdown)
    if args.update_baseline:
        write_baseline(args.baseline, agg, label, len(results))
        print(f"wrote baseline {args.baseline}")
    failures = [] if args.no_gate else gate_failures(agg, gates)
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
