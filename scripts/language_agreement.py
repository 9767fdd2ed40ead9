"""How often tamiz's language tag equals langdetect.detect() (seeded) on the same texts.

Usage: python scripts/language_agreement.py PARAGRAPHS.jsonl [--n 3000] [--min-chars 30]
Reads the `text` field of every row, draws N texts of at least MIN_CHARS characters
(random.Random(0)), and prints the agreement and the most frequent disagreements.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--min-chars", type=int, default=30)
    args = ap.parse_args()
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    from tamiz.language import get_tagger

    with open(args.path, encoding="utf-8") as fh:
        texts = [t for t in (json.loads(line)["text"] for line in fh) if len(t) >= args.min_chars]
    sample = random.Random(0).sample(texts, min(args.n, len(texts)))
    DetectorFactory.seed = 0
    reference = []
    for text in sample:
        try:
            reference.append(detect(text))
        except LangDetectException:
            reference.append("und")
    ours = get_tagger().tag(sample).lang
    same = sum(a == b for a, b in zip(ours, reference))
    print(f"agreement with langdetect.detect(): {same / len(sample):.4f} ({same} of {len(sample)})")
    pairs = Counter((a, b) for a, b in zip(ours, reference) if a != b)
    print("most frequent (tamiz, langdetect):", ", ".join(f"{a}/{b} {n}" for (a, b), n in pairs.most_common(6)))


if __name__ == "__main__":
    main()
