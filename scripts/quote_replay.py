"""Set B rewritten in the quoting format of the prompt ([n: "exact words"]), for the replay runner.

    python3 ../shared/replay/run_replay.py . ../shared/replay/set_B.jsonl /tmp/b.json --keep-log /tmp/b-log.jsonl
    .venv/bin/python -m scripts.quote_replay ../shared/replay/set_B.jsonl /tmp/b-log.jsonl /tmp/set_B_quoted.jsonl
    python3 ../shared/replay/run_replay.py . /tmp/set_B_quoted.jsonl /tmp/bq.json --reasons

The runner remaps only plain [n] markers, so the rewritten set is numbered as the project's current
prompt numbers its sources (read from the replay log of a plain run) and its prompt_sources are those
sources. Each sentence's quote is what a model that follows the rule would copy: the longest run of
words it shares with the source sentence that shares most words with it (at least four words), or
that whole source sentence. Labels are kept as they are. The output goes outside the repo (it is
derived from ../shared data, which the repo never copies).
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from rag.chunking import sentence_spans

SOURCE_RE = re.compile(r"<source\b[^>]*?\bn=\"(\d+)\"[^>]*>\n?(.*?)\n?</source>", re.S)
MARK = re.compile(r"\s*\[(\d+)\]")
WORD = re.compile(r"\w+(?:['’]\w+)?")
MIN_RUN = 4


def sources_of(entry: dict) -> dict[int, str]:
    user = next(m["content"] for m in reversed(entry["messages"]) if m["role"] == "user")
    return {int(m.group(1)): html.unescape(m.group(2)) for m in SOURCE_RE.finditer(user)}


def quote_for(sentence: str, source: str) -> str:
    """Verbatim words of `source` that `sentence` rests on (see the module docstring)."""
    claim = [w.lower() for w in WORD.findall(sentence)]
    best, best_overlap = "", -1
    for s, e in sentence_spans(source):
        piece = source[s:e]
        overlap = len(set(claim) & {w.lower() for w in WORD.findall(piece)})
        if overlap > best_overlap:
            best, best_overlap = piece, overlap
    tokens = list(WORD.finditer(best))
    words = [t.group().lower() for t in tokens]
    run = (0, 0)
    for i in range(len(words)):
        for j in range(len(claim)):
            k = 0
            while i + k < len(words) and j + k < len(claim) and words[i + k] == claim[j + k]:
                k += 1
            if k > run[1] - run[0]:
                run = (i, i + k)
    if run[1] - run[0] >= MIN_RUN:
        return best[tokens[run[0]].start() : tokens[run[1] - 1].end()]
    return best.strip()


def convert(row: dict, entry: dict) -> dict:
    current = sources_of(entry)
    new_of = {old: new for old, new in entry["mapping"]}
    texts, answer = [], []
    for s in row["sentences"]:
        cites = [new_of.get(n, n) for n in s["cites"]]
        bare = MARK.sub("", s["text"]).strip()
        end = bare[-1] if bare and bare[-1] in ".!?" else ""
        body = bare[:-1] if end else bare
        marks = "".join(f'[{n}: "{quote_for(body, current[n])}"]' for n in dict.fromkeys(cites) if n in current)
        answer.append(f"{body} {marks}{end}" if marks else bare)
        texts.append({**s, "text": bare, "cites": cites})
    order = sorted(current)
    return {
        **row,
        "prompt_sources": [current[n] for n in order],
        "answer": " ".join(answer),
        "sentences": texts,
        "note": (row.get("note", "") + " [quoted by scripts/quote_replay.py]").strip(),
    }


def main(set_file: Path, log_file: Path, out: Path) -> None:
    rows = [json.loads(x) for x in set_file.read_text(encoding="utf-8").splitlines() if x.strip()]
    log = {e["id"]: e for e in map(json.loads, log_file.read_text(encoding="utf-8").splitlines()) if e.get("id")}
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(convert(row, log[row["id"]]), ensure_ascii=False) + "\n")
    print(f"{len(rows)} answers written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
