"""Freeze the document-level validation split of training_data/ (a data chore; idempotent).

A document goes to validation/ when sha1(doc id) mod 100 < VALIDATION_PERCENT, so the
split never depends on file order and re-running it moves nothing. Usage:
    python scripts/split_validation.py [training_data]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

VALIDATION_PERCENT = 15
# frozen evaluation sets: every document stays in validation (language parity pairs,
# standalone notices); the model never trains on them
VALIDATION_ONLY = ("parity.jsonl", "notices_frozen.jsonl")


def is_validation(doc: str) -> bool:
    return int(hashlib.sha1(doc.encode()).hexdigest(), 16) % 100 < VALIDATION_PERCENT


def split_key(row: dict) -> str:
    """A page's key for the split; a page and its translation (rows with `pair`, ids such
    as ptr-en-007 / ptr-es-007) share one, so a translation never sits in train while its
    original is in validation."""
    doc = str(row["doc"])
    return re.sub(r"-(en|es)-", "-", doc) if "pair" in row else doc


def main(root: Path) -> None:
    files: dict[str, list[str]] = {}
    for sub in ("", "train", "validation"):
        for f in sorted((root / sub).glob("*.jsonl")):
            files.setdefault(f.name, []).extend(f.read_text(encoding="utf-8").splitlines())
            f.unlink()
    for name, lines in files.items():
        parts: dict[str, list[str]] = {"train": [], "validation": []}
        for line in lines:
            if line.strip():
                held = name in VALIDATION_ONLY or is_validation(split_key(json.loads(line)))
                parts["validation" if held else "train"].append(line)
        for part, rows in parts.items():
            if not rows:
                continue
            (root / part).mkdir(exist_ok=True)
            (root / part / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
            print(f"{part}/{name}: {len(rows)} paragraphs")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "training_data"))
