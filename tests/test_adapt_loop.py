"""The whole adapt loop through the CLI: suggest -> label (scripted keys) ->
train --base -> compare --report, on pages this test writes itself.

The base is a reduced copy of the shipped data layout (four validation files as
train/, one as validation/) so the two trainings take seconds; the full shipped base
is trained from an installed wheel in test_shipped.py.
"""

from __future__ import annotations

import json

from .conftest import run_cli
from .pages import corpus, gold, write_corpus, write_labeled

N = 24


def test_suggest_label_train_compare(tmp_path, small_base):
    pages = corpus(40, seed=11)
    crawl = tmp_path / "crawl.jsonl"
    write_corpus(crawl, pages)
    answers = gold(pages)

    res = run_cli("suggest", "--jsonl", str(crawl), "-n", str(N), "--seed", "4")
    assert res.returncode == 0, res.stderr
    queue = tmp_path / "queue.jsonl"
    queue.write_text(res.stdout, encoding="utf-8")
    items = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(items) == N

    # a person who knows the answers, skips one and fixes one slip with undo
    keys = []
    for k, q in enumerate(items):
        key = "k" if answers[(q["doc"], q["i"])] == "content" else "d"
        if k == 3:
            keys += ["s"]
            continue
        if k == 5:
            keys += ["d" if key == "k" else "k", "u"]
        keys.append(key)
    labels = tmp_path / "labels.jsonl"
    half = len(keys) // 2
    res = run_cli("label", str(queue), "--to", str(labels), input="\n".join(keys[:half] + ["q"]))
    assert res.returncode == 0, res.stderr
    res = run_cli("label", str(queue), "--to", str(labels), input="\n".join(keys[half:]))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    assert len(rows) == N - 1
    assert all(r["label"] == answers[(r["doc"], r["i"])] for r in rows)

    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    for data, out in ((empty, "before"), (labels, "after")):
        res = run_cli("train", str(data), "--base", str(small_base), "--out", str(tmp_path / out))
        assert res.returncode == 0, res.stderr
    card = json.loads((tmp_path / "after" / "card.json").read_text())
    assert card["training_data"]["user"]["paragraphs"] == N - 1

    held_out = tmp_path / "held_out.jsonl"
    write_labeled(held_out, corpus(20, seed=12))
    report = tmp_path / "report.html"
    res = run_cli("compare", str(tmp_path / "before"), str(tmp_path / "after"), str(held_out),
                  "--json", "--report", str(report))
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout)
    assert result["n"] == sum(len(p["rows"]) for p in corpus(20, seed=12))
    assert report.stat().st_size > 0
    # the labels were of this kind of page: the new model does better on more of it
    assert result["new"]["all"]["macro_f1"] > result["old"]["all"]["macro_f1"]
    assert result["mcnemar"]["c"] > result["mcnemar"]["b"]
