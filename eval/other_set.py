"""The second eval set: eval/other/ (articles of other topics, see eval/other/DATASET.md).

`python -m eval.run` runs it after the first set: it ingests eval/other/corpus/ into a temporary
index, asks eval/other/dataset.jsonl through a fresh engine, prints and writes its own table
(reports/other/eval.json, eval.md) and gates it with eval/other/gates.toml. The verifier check
(eval/verifier_check.py) belongs to the first set's corpus and is not repeated here.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from eval.aggregate import aggregate
from eval.baseline import load_baseline, write_baseline
from eval.gates import gate_failures, load_gates
from eval.items import load_items
from eval.report import format_failures, format_markdown, format_table, format_tags, write_reports

ROOT = Path(__file__).resolve().parent.parent
OTHER = ROOT / "eval" / "other"
NOT_MEASURED = ("verifier_bad_dropped", "verifier_good_kept")  # the first set's verifier check


def run_other(args: argparse.Namespace) -> list[str]:
    """Ask, score, show and gate the second set; returns its gate failures (prefixed 'other:')."""
    from eval.run import ask_all, quiet_libraries
    from rag.config import load_settings
    from rag.engine import open_engine
    from rag.ingest import ingest

    items = load_items(OTHER / "dataset.jsonl")
    gates = load_gates(OTHER / "gates.toml")
    with tempfile.TemporaryDirectory(prefix="rag-eval-other-") as index:
        settings = load_settings(corpus_dir=OTHER / "corpus", index_dir=Path(index))
        quiet_libraries()
        print(f"\nsecond set ({OTHER.relative_to(ROOT)}): {ingest(settings).summary()}")
        engine = open_engine(settings)
        texts = {aid: engine.retriever.article_text(aid) for aid in engine.retriever.articles}
        results = ask_all(items, engine, settings.top_k, texts)
    agg = aggregate(results)
    agg.update({name: (None, 0) for name in NOT_MEASURED})
    backends = sorted({r["full_answer"]["backend"] for r in results})
    header = f"second set: {len(results)} items, {len(texts)} articles of other topics; backend: {', '.join(backends)}"
    table = format_table(agg, gates, load_baseline(OTHER / "baseline.json"))
    tags = format_tags(results)
    print(f"\n{header}\n\n{table}\n\npassed per tag:\n{tags}")
    if not all(r["passed"] for r in results):
        print(f"\nfailing items:\n{format_failures(results)}")
    report: dict[str, Any] = {
        "run": {"backends": backends, "items": len(results), "top_k": settings.top_k},
        "metrics": {k: {"value": v, "n": n} for k, (v, n) in agg.items()},
        "gates": gates,
        "items": results,
    }
    write_reports(args.report_dir / "other", report, format_markdown(table, tags, results, header))
    if args.update_baseline:
        write_baseline(OTHER / "baseline.json", agg, ",".join(backends), len(results))
    failures = [] if args.no_gate else gate_failures(agg, gates)
    passed = sum(r["passed"] for r in results)
    print(f"second set: {passed} passed, {len(results) - passed} failed")
    return [f"other: {f}" for f in failures]
