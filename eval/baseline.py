"""The baseline: the aggregates of an earlier full run (eval/baseline.json), for the deltas column."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


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
