"""SQuAD 2.0 numbers for the eval report, read from the JSON that score_squad2.py saved.

`make squad` runs ../shared/external/score_squad2.py (600 questions, seed 0; about 70 s on this
machine, too slow for every CI run) and writes reports/squad2.json; `python -m eval.run` then
shows its headline numbers beside the gated sets, with the file's age. Nothing here runs SQuAD.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAVED = ROOT / "reports" / "squad2.json"
# score_squad2.py's keys, in the order shown
HEADLINE = {
    "HasAns_acc (answered, gold in answer text)": "gold in answer (answerable)",
    "NoAns_acc (abstained)": "abstained (unanswerable)",
    "HasAns false abstention rate": "false abstentions (answerable)",
    "overall_acc": "overall",
}


def load(path: Path = SAVED) -> dict[str, Any] | None:
    """The saved score, or None when `make squad` has not been run (or the file is not its output)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pipeline = data.get("project_pipeline") if isinstance(data, dict) else None
    if not isinstance(pipeline, dict):
        return None
    return {
        "file": str(path),
        "saved": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(path.stat().st_mtime)),
        "dataset": data.get("dataset", ""),
        "metrics": {label: pipeline.get(key) for key, label in HEADLINE.items()},
        "bert_same_questions": _bert(data),
    }


def _bert(data: dict[str, Any]) -> dict[str, Any]:
    models = data.get("explorer_model_predictions_same_questions") or {}
    bert = next((v for k, v in models.items() if k.startswith("BERT")), {})
    return {
        "gold in answer (answerable)": bert.get("HasAns_acc (answered, gold contained in the prediction)"),
        "abstained (unanswerable)": bert.get("NoAns_acc (empty prediction)"),
    }


def format_section(saved: dict[str, Any] | None) -> str:
    """The report's SQuAD lines (what to run when there is no saved score)."""
    if saved is None:
        return "SQuAD 2.0: no saved score; run `make squad` (about 70 s) to add it to this report"
    lines = [f"SQuAD 2.0 (score_squad2.py, saved {saved['saved']}; {saved['dataset']}):"]
    for label, value in saved["metrics"].items():
        bert = saved["bert_same_questions"].get(label)
        shown = "n/a" if value is None else f"{value:.3f}"
        lines.append(f"  {label:32s} {shown}" + ("" if bert is None else f"   (BERT-base {bert:.3f})"))
    return "\n".join(lines)
