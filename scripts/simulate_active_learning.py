"""Does labeling what `tamiz suggest` picks pay off better than labeling at random?

A family of the shipped training data (by default web_pages and web_short_lines) plays a
user's own corpus. The starting model is trained on every other family (thresholds on
the other families' validation pages). The family's training pages are the pool to
label, its validation pages the test: never used to train or to choose a threshold.
Each round labels `--per-round` paragraphs of the pool, the gold labels standing in
for a person, and retrains on top of the base (`train --base`, the user's default
weight); `suggest` picks them with the current model, `random` uniformly among the
pool's unlabeled paragraphs. Macro-F1 on the test pages (in context, the model's own
thresholds) after each round gives the learning curves.

    python scripts/simulate_active_learning.py [--quick] [--plot curves.png]

The last line of stdout is one JSON object: labels, suggest_gain and random_gain (the
macro-F1 gains over the starting model after `labels` labels, averaged over the
seeds), the starting macro-F1 and the curves.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tamiz import defaults, shipped
from tamiz.corpus import InputOptions
from tamiz.data import read_labeled
from tamiz.paragraphs import split
from tamiz.retrain import train_on_base
from tamiz.suggest import suggest
from tamiz.training import evaluate_labeled

STRATEGIES = ("suggest", "random")


def family_files(split_dir: Path, families: list[str]) -> tuple[list[Path], list[Path]]:
    """(files of the families, the other files) of one split directory."""
    mine, rest = [], []
    for f in sorted(split_dir.glob("*.jsonl")):
        inside = any(f.stem == fam or f.stem.startswith(fam + "_") for fam in families)
        (mine if inside else rest).append(f)
    return mine, rest


def read_rows(files: list[Path]) -> dict[str, list[dict]]:
    """doc id -> its rows in position order."""
    docs: dict[str, list[dict]] = {}
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                docs.setdefault(str(r["doc"]), []).append(r)
    for rows in docs.values():
        rows.sort(key=lambda r: r["i"])
    return docs


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", action="append", help="held-out family (file stem); repeatable "
                    "[default: web_pages, web_short_lines]")
    ap.add_argument("--data", type=Path, default=None, help="training data root [shipped]")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--per-round", type=int, default=50)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--weight", type=float, default=defaults.USER_WEIGHT)
    ap.add_argument("--quick", action="store_true", help="one seed, two rounds (a few minutes)")
    ap.add_argument("--plot", type=Path, default=Path("active_learning.png"),
                    help="learning curves (PNG; needs matplotlib)")
    args = ap.parse_args(argv)
    if args.quick:
        args.seeds, args.rounds = 1, 2
    families = args.family or ["web_pages", "web_short_lines"]
    root = args.data or shipped.data_dir()
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="tamiz-sim-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        pool_files, base_train = family_files(root / "train", families)
        test_files, base_val = family_files(root / "validation", families)
        if not pool_files or not test_files:
            ap.error(f"no files of {families} in {root}/train and {root}/validation")
        for sub, files in (("train", base_train), ("validation", base_val)):
            (base / sub).mkdir(parents=True)
            for f in files:
                (base / sub / f.name).symlink_to(f.resolve())
        test = read_labeled(test_files, require_both=False)
        pool = read_rows(pool_files)
        # the pool as a corpus of pages (one paragraph per line), as a user's crawl
        corpus = tmp / "pool.jsonl"
        kept = {}
        with open(corpus, "w", encoding="utf-8") as fh:
            for doc, rows in pool.items():
                text = "\n".join(r["text"] for r in rows)
                if len(split(text)) != len(rows):  # a row that is not one line: leave out
                    log(f"note: pool document {doc} left out (rows are not one line each)")
                    continue
                kept[doc] = rows
                fh.write(json.dumps({"id": doc, "text": text}, ensure_ascii=False) + "\n")
        gold = {(doc, k): r for doc, rows in kept.items() for k, r in enumerate(rows)}
        log(f"held out {families}: pool {len(gold)} paragraphs in {len(kept)} pages, "
            f"test {len(test.rows)} paragraphs in {len(test.documents)} pages; base "
            f"{len(base_train)} train files")

        empty = tmp / "none.jsonl"
        empty.write_text("")
        start_model, _ = train_on_base([empty], base, weight=args.weight)
        start = evaluate_labeled(start_model, test)["macro_f1"]
        log(f"starting model: test macro-F1 {start:.4f} ({time.perf_counter() - started:.0f} s)")

        counts = [args.per_round * (r + 1) for r in range(args.rounds)]
        curves = {s: [] for s in STRATEGIES}
        for seed in range(args.seeds):
            for strategy in STRATEGIES:
                rng = np.random.default_rng(1000 + seed)
                labeled: list[tuple[str, int]] = []
                model, f1s = start_model, []
                for r in range(args.rounds):
                    done = set(labeled)
                    if strategy == "suggest":
                        texts = {" ".join(gold[k]["text"].split()) for k in labeled}
                        queue = suggest([str(corpus)], InputOptions(jsonl=True), model,
                                        n=args.per_round, seed=seed * 100 + r,
                                        answered=(done, texts))
                        picked = [(q["doc"], q["i"]) for q in queue]
                    else:
                        left = [k for k in gold if k not in done]
                        picked = [left[j] for j in rng.choice(len(left), args.per_round,
                                                              replace=False)]
                    labeled += picked
                    user = tmp / f"labels-{strategy}-{seed}.jsonl"
                    user.write_text("".join(
                        json.dumps({"doc": d, "i": i, "text": gold[(d, i)]["text"],
                                    "label": gold[(d, i)]["label"],
                                    "lang": gold[(d, i)].get("lang")},
                                   ensure_ascii=False) + "\n"
                        for d, i in labeled), encoding="utf-8")
                    model, _ = train_on_base([user], base, weight=args.weight)
                    f1s.append(evaluate_labeled(model, test)["macro_f1"])
                    log(f"seed {seed} {strategy:<8} {len(labeled):>4} labels: macro-F1 "
                        f"{f1s[-1]:.4f} ({f1s[-1] - start:+.4f}) "
                        f"[{time.perf_counter() - started:.0f} s]")
                curves[strategy].append(f1s)

    mean = {s: np.mean(curves[s], axis=0) for s in STRATEGIES}
    print(f"held-out families: {', '.join(families)}; seeds: {args.seeds}; "
          f"starting macro-F1 {start:.4f}")
    print(f"{'labels':>7}  {'suggest':>8} {'gain':>8}  {'random':>8} {'gain':>8}")
    for k, n in enumerate(counts):
        print(f"{n:>7}  {mean['suggest'][k]:>8.4f} {mean['suggest'][k] - start:>+8.4f}  "
              f"{mean['random'][k]:>8.4f} {mean['random'][k] - start:>+8.4f}")
    suggest_gain = float(mean["suggest"][-1] - start)
    random_gain = float(mean["random"][-1] - start)
    if args.plot:
        plot(args.plot, counts, start, curves, families)
        log(f"learning curves written to {args.plot}")
    print(json.dumps({
        "labels": counts[-1], "suggest_gain": round(suggest_gain, 4),
        "random_gain": round(random_gain, 4),
        "ratio": round(suggest_gain / random_gain, 2) if random_gain > 0 else None,
        "start_macro_f1": start, "seeds": args.seeds, "families": families,
        "weight": args.weight,
        "curves": {s: [[round(x, 4) for x in c] for c in curves[s]] for s in STRATEGIES},
        "seconds": round(time.perf_counter() - started),
    }))
    return 0


def plot(path: Path, counts, start, curves, families) -> None:
    try:
        import matplotlib
    except ImportError:
        log("note: no matplotlib (pip install 'tamiz[report]'): no plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    x = [0] + counts
    for s, color in zip(STRATEGIES, ("#1f6feb", "#8a8f98")):
        for c in curves[s]:
            ax.plot(x, [start] + c, color=color, alpha=0.3, lw=1)
        ax.plot(x, [start] + list(np.mean(curves[s], axis=0)), color=color, lw=2.5, marker="o",
                label=f"{s} (mean of {len(curves[s])} seeds)")
    ax.axhline(start, color="#1f2328", ls=":", lw=1, label="starting model")
    ax.set_xlabel("labels added")
    ax.set_ylabel("macro-F1 on held-out validation pages")
    ax.set_title(f"held out: {', '.join(families)}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
