"""What a run shows and writes: the metrics table (with baseline deltas and gates), passes per tag,
the failing items, reports/eval.md and reports/eval.json. It computes nothing it shows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.aggregate import METRICS, fmt
from eval.gates import check_gate, gate_text


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


def write_reports(report_dir: Path, report: Mapping[str, Any], markdown: str) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (report_dir / "eval.json").write_text(text, encoding="utf-8")
    (report_dir / "eval.md").write_text(markdown, encoding="utf-8")
    print(f"\nwrote {report_dir / 'eval.json'} and {report_dir / 'eval.md'}")
