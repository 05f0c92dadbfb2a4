"""The eval sets beyond the first: articles nobody tuned the answerer on.

- The second set, eval/other/ (news-style articles of other topics written for it, see
  eval/other/DATASET.md): its corpus is eval/other/corpus/.
- The third set, eval/pages/ (the five real saved pages of ../shared/html, by five outlets, see
  eval/pages/DATASET.md): its corpus is made by adding those pages through the product's own import
  (rag.articles.add_inputs: trafilatura reads text and metadata), so the items' quotes are the
  extracted text. The pages are read from ../shared, never copied into the repository.

`python -m eval.run` runs each after the first set: it ingests the set's corpus into a temporary
index, asks the set's dataset.jsonl through a fresh engine, prints and writes its own table
(reports/<folder>/eval.json, eval.md) and gates it with the set's gates.toml. The verifier check
(eval/verifier_check.py) belongs to the first set's corpus and is not repeated here.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.aggregate import aggregate
from eval.baseline import load_baseline, write_baseline
from eval.gates import gate_failures, load_gates
from eval.items import UsageError, load_items
from eval.report import format_failures, format_markdown, format_table, format_tags, write_reports

ROOT = Path(__file__).resolve().parent.parent
OTHER = ROOT / "eval" / "other"
PAGES = ROOT / "eval" / "pages"
SHARED_HTML = ROOT.parent / "shared" / "html"  # the saved pages (read-only, beside the clone)
NOT_MEASURED = ("verifier_bad_dropped", "verifier_good_kept")  # the first set's verifier check


@dataclass(frozen=True)
class ExtraSet:
    name: str  # "second set"
    folder: Path  # holds dataset.jsonl, gates.toml, baseline.json
    about: str  # what its articles are, for the header
    corpus: Callable[[Path], Path]  # scratch folder -> the corpus folder to ingest


def _own_corpus(folder: Path) -> Callable[[Path], Path]:
    return lambda _scratch: folder


def _saved_pages(scratch: Path) -> Path:
    """A corpus of the saved pages, added through the product's import as a user's upload would be."""
    from rag.articles import add_inputs
    from rag.config import load_settings

    if not SHARED_HTML.is_dir():
        raise UsageError(f"{SHARED_HTML} (the shared saved pages) is missing; put ../shared beside the clone")
    corpus = scratch / "corpus"
    corpus.mkdir()
    pages = sorted(str(p) for p in SHARED_HTML.glob("*.html"))
    added = add_inputs(load_settings(corpus_dir=corpus, index_dir=scratch / "index"), pages)
    refused = [r.describe() for r in added if not r.ok]
    if refused or len(list(corpus.iterdir())) != len(pages):
        raise UsageError(f"not every saved page could be added: {refused}")
    return corpus


SECOND = ExtraSet("second set", OTHER, "articles of other topics", _own_corpus(OTHER / "corpus"))
THIRD = ExtraSet("third set", PAGES, "real saved news and blog pages", _saved_pages)


def third_set_available() -> bool:
    """Whether the third set can run here: ../shared/html is beside the clone (always so in CI,
    where its absence is an error rather than a reason to skip)."""
    return SHARED_HTML.is_dir() or os.environ.get("CI") == "true"


def run_other(args: argparse.Namespace, spec: ExtraSet = SECOND) -> list[str]:
    """Ask, score, show and gate one extra set; returns its gate failures (prefixed with its folder)."""
    from eval.run import ask_all, quiet_libraries
    from rag.config import load_settings
    from rag.engine import open_engine
    from rag.ingest import ingest

    items = load_items(spec.folder / "dataset.jsonl")
    gates = load_gates(spec.folder / "gates.toml")
    label = spec.folder.relative_to(ROOT)
    with tempfile.TemporaryDirectory(prefix=f"rag-eval-{spec.folder.name}-") as scratch:
        corpus = spec.corpus(Path(scratch))
        settings = load_settings(corpus_dir=corpus, index_dir=Path(scratch) / "index")
        quiet_libraries()
        print(f"\n{spec.name} ({label}): {ingest(settings).summary()}")
        engine = open_engine(settings)
        texts = {aid: engine.retriever.article_text(aid) for aid in engine.retriever.articles}
        results = ask_all(items, engine, settings.top_k, texts)
    agg = aggregate(results)
    agg.update({name: (None, 0) for name in NOT_MEASURED})
    backends = sorted({r["full_answer"]["backend"] for r in results})
    header = f"{spec.name}: {len(results)} items, {len(texts)} {spec.about}; backend: {', '.join(backends)}"
    table = format_table(agg, gates, load_baseline(spec.folder / "baseline.json"))
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
    write_reports(args.report_dir / spec.folder.name, report, format_markdown(table, tags, results, header))
    if args.update_baseline:
        write_baseline(spec.folder / "baseline.json", agg, ",".join(backends), len(results))
    failures = [] if args.no_gate else gate_failures(agg, gates)
    passed = sum(r["passed"] for r in results)
    print(f"{spec.name}: {passed} passed, {len(results) - passed} failed")
    return [f"{spec.folder.name}: {f}" for f in failures]
