"""Where rag.answering.intent.FUNCTION_MIN_SHARE and ENGLISH_MIN_SHARE come from: the English share of English questions
(eval/dataset.jsonl against the seed corpus; SQuAD 2.0 dev questions against their own paragraphs)
and of questions in other languages (written for this script: the seed's and SQuAD's topics asked
in French, Spanish, German, Italian, Portuguese, Dutch, and other scripts). Prints, for a grid of
the two thresholds, how many questions of each set are taken for another language.

    .venv/bin/python scripts/measure_language.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from llama_index.core.schema import TextNode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.answering import intent  # noqa: E402
from rag.corpus import load_corpus  # noqa: E402
from rag.retrieval import KeywordIndex  # noqa: E402

OTHER = [
    "Combien de missiles l'Iran a-t-il envoyés à la Russie ?",
    "Qui a confirmé que l'Iran exportait des missiles vers la Russie ?",
    "Pourquoi l'Iran vend-il des missiles à la Russie ?",
    "Résumez les articles, s'il vous plaît.",
    "¿Cuántos misiles envió Irán a Rusia?",
    "¿Quién es el nuevo presidente de Irán?",
    "¿Qué recibe Irán a cambio de sus misiles?",
    "Wie viele Raketen hat der Iran nach Russland geschickt?",
    "Was erhält der Iran von Russland für seine Raketen?",
    "Wer hat bestätigt, dass der Iran Raketen exportiert?",
    "Quanti missili ha inviato l'Iran alla Russia?",
    "Chi è il nuovo presidente dell'Iran?",
    "Quantos mísseis o Irã enviou para a Rússia?",
    "Quem é o novo presidente do Irã?",
    "Hoeveel raketten heeft Iran naar Rusland gestuurd?",
    "Wie is de nieuwe president van Iran?",
    "Quand la peste noire a-t-elle atteint l'Europe ?",
    "¿Cuándo llegó la peste negra a Europa?",
    "Wann erreichte der Schwarze Tod Europa?",
    "Сколько ракет Иран отправил в Россию?",
    "ایران چند موشک به روسیه فرستاده است؟",
    "كم عدد الصواريخ التي أرسلتها إيران إلى روسيا؟",
    "イランはロシアに何発のミサイルを送りましたか？",
    "Iran 🚀➡️🇷🇺 ¿cuántos? combien? сколько?",
]


def flagged(questions: list[str], keywords: KeywordIndex, function_min: float, english_min: float) -> int:
    return sum(
        intent.english_share(q, keywords, function_only=True) < function_min
        and intent.english_share(q, keywords) < english_min
        for q in questions
    )


def main() -> None:
    seed = load_corpus(ROOT / "corpus").articles
    seed_index = KeywordIndex([TextNode(text=a.text) for a in seed], 1)
    items = [json.loads(line) for line in (ROOT / "eval" / "dataset.jsonl").open(encoding="utf-8")]
    sets = [("eval (seed corpus)", [it["user_input"] for it in items], seed_index)]
    sets.append(("other languages (seed corpus)", OTHER, seed_index))
    squad = ROOT.parent / "shared" / "external" / "squad2_dev.jsonl"
    if squad.exists():
        paras = [json.loads(line) for line in squad.open(encoding="utf-8")]
        index = KeywordIndex([TextNode(text=p["context"]) for p in paras], 1)
        sets.append(("SQuAD 2.0 dev questions", [q["question"] for p in paras for q in p["qas"]], index))
        sets.append(("other languages (SQuAD corpus)", OTHER, index))
    print("taken for another language, per set (function-word min, English min):")
    for function_min in (0.15, 0.2, 0.25, 0.3):
        for english_min in (0.5, 0.6, 0.7):
            chosen = (function_min, english_min) == (intent.FUNCTION_MIN_SHARE, intent.ENGLISH_MIN_SHARE)
            row = ", ".join(f"{name} {flagged(qs, kw, function_min, english_min)}/{len(qs)}" for name, qs, kw in sets)
            print(f"{function_min:.2f} {english_min:.2f}{' *' if chosen else '  '} {row}")


if __name__ == "__main__":
    main()
