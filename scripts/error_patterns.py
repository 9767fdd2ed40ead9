"""Which kinds of lines a model gets wrong on labeled pages, counted by a fixed set of patterns.

Usage: python scripts/error_patterns.py DATA.jsonl [--model DIR] [--baseline DIR]

Each paragraph is scored in its document (as `tamiz clean` does); every error is put in the
first pattern that matches its text, in the order below, so the counts add up to the errors.
With --baseline, a second column counts the same patterns for another model on the same rows
(a before/after table). The patterns look at the text alone, so they describe the misses; they
are not labels and the gold data does not know them.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

from tamiz import defaults, load_model
from tamiz.data import read_labeled

LIST_START = re.compile(r"^\s*(?:[-•·*–—▪►]|\d{1,3}[.)]|[a-z][.)])\s")
TIME_OR_DATE = re.compile(r"^\W*(?:\d{1,2}[:.]\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})\b")
SECOND_PERSON = re.compile(r"\b(?:you|your|tu|tus|te|usted|vos)\b", re.IGNORECASE)

# (name, test) in the order they are tried; the last one catches the rest
PATTERNS = (
    ("number or time alone",
     lambda t: bool(re.fullmatch(r"[\W\d_]*", t)) or bool(TIME_OR_DATE.match(t))),
    ("list item (bullet, number)", lambda t: bool(LIST_START.match(t))),
    ("table-like (tabs, pipes, 3+ numbers)",
     lambda t: "\t" in t or t.count("|") >= 2 or (len(re.findall(r"\d+", t)) >= 3 and len(t) < 120)),
    ("ends with ':'", lambda t: t.rstrip().endswith(":")),
    ("one to three words", lambda t: len(t.split()) <= 3),
    ("heading-like (under 80 chars, no final stop)",
     lambda t: len(t) < 80 and not t.rstrip().endswith((".", "!", "?", "…", "»", '"', "”"))),
    ("addresses the reader (you, tu, usted)", lambda t: bool(SECOND_PERSON.search(t))),
    ("sentence under 200 chars", lambda t: len(t) < 200),
    ("prose, 200+ chars", lambda t: True),
)


def pattern(text: str) -> str:
    return next(name for name, test in PATTERNS if test(text))


def errors(model_dir, labeled) -> Counter:
    model = load_model(model_dir)
    docs = [d.texts for d in labeled.documents]
    scored = model.score_documents(docs)
    out: Counter = Counter()
    for doc, scores in zip(labeled.documents, scored):
        for row, s in zip(doc.rows, scores):
            if row.label != defaults.AMBIGUOUS and s.label != row.label:
                out[(row.label, pattern(row.text))] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+")
    ap.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--baseline", default=None, help="a second model directory, counted alongside")
    args = ap.parse_args()
    labeled = read_labeled(args.data)
    columns = ([("baseline", errors(args.baseline, labeled))] if args.baseline else []) + [
        ("model", errors(args.model, labeled))]
    print(f"{'gold label':12s} {'pattern':45s} " + " ".join(f"{name:>8s}" for name, _ in columns))
    for label, what in ((defaults.CONTENT, "content dropped"), (defaults.BOILERPLATE, "boilerplate kept")):
        print(f"-- {what}")
        for name in [n for n, _ in PATTERNS] + ["all"]:
            cells = [sum(v for (lab, _), v in counts.items() if lab == label)
                     if name == "all" else counts[(label, name)] for _, counts in columns]
            print(f"{label:12s} {name:45s} " + " ".join(f"{n:>8,}" for n in cells))


if __name__ == "__main__":
    main()
