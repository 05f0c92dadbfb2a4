"""Gates: eval/gates.toml read and checked against the aggregates (a failed gate fails CI).

Input: {metric: (value, n)} from eval/aggregate.py. Output: pass/fail per metric, one line per
failure. It does not compute metrics.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from eval.aggregate import METRICS, fmt
from eval.items import UsageError


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


def gate_text(name: str, gates: Mapping[str, Mapping[str, float]]) -> str:
    gate = gates.get(name, {})
    if "min" in gate:
        return ">= " + fmt(name, gate["min"])
    return "<= " + fmt(name, gate["max"]) if "max" in gate else ""


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
