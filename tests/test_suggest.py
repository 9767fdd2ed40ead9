"""tamiz suggest: which paragraphs are worth labeling."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from tamiz import defaults
from tamiz.corpus import InputOptions
from tamiz.errors import UsageError
from tamiz.suggest import _allot, default_quotas, parse_quotas, suggest

from .conftest import assert_one_line_error, run_cli
from .pages import corpus, write_corpus

JSONL = InputOptions(jsonl=True)


@pytest.fixture(scope="module")
def pages():
    return corpus(40, seed=1)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory, pages):
    path = tmp_path_factory.mktemp("corpus") / "crawl.jsonl"
    write_corpus(path, pages)
    return path


def test_deterministic_and_seeded(corpus_file, shipped):
    a = suggest([str(corpus_file)], JSONL, shipped, n=20, seed=5)
    b = suggest([str(corpus_file)], JSONL, shipped, n=20, seed=5)
    assert a == b
    c = suggest([str(corpus_file)], JSONL, shipped, n=20, seed=6)
    rand = lambda q: [(s["doc"], s["i"]) for s in q if s["why"] == "random"]  # noqa: E731
    assert rand(a) != rand(c)
    assert [s for s in a if s["why"] != "random"] != []


def test_limits_hold(corpus_file, shipped, pages):
    n = 10  # four sites x a cap of 3 leave room for the 9 ranked suggestions
    q = suggest([str(corpus_file)], JSONL, shipped, n=n, seed=5)
    assert len(q) == n
    assert sum(s["why"] == "random" for s in q) == round(n * defaults.SUGGEST_RANDOM_SHARE)
    ranked = [s for s in q if s["why"] != "random"]
    assert max(Counter(s["doc"] for s in ranked).values()) <= defaults.SUGGEST_PER_DOC
    hosts = Counter(s["doc"].split("/")[0] for s in ranked)
    assert max(hosts.values()) <= max(defaults.SUGGEST_PER_DOC,
                                      math.ceil(defaults.SUGGEST_SITE_SHARE * n))
    # more than four sites can give within the caps: the queue is still filled
    assert len(suggest([str(corpus_file)], JSONL, shipped, n=30, seed=5)) == 30
    # no text suggested twice: identical texts are one suggestion with their count
    keys = [" ".join(s["text"].split()) for s in q]
    assert len(keys) == len(set(keys))


def test_ranked_by_uncertainty_or_disagreement(corpus_file, shipped):
    q = suggest([str(corpus_file)], JSONL, shipped, n=10, seed=5, random_share=0.0)
    t = shipped.threshold
    for s in q:
        closeness = 1 - abs(s["p_boilerplate"] - t) / max(t, 1 - t)
        assert s["priority"] == pytest.approx(
            closeness + abs(s["p_boilerplate"] - s["p_isolated"]), abs=2e-4)
    # the queue holds the highest priorities of the corpus, bar the limits
    everything = suggest([str(corpus_file)], JSONL, shipped, n=10_000, random_share=0.0)
    assert q[0]["priority"] == max(s["priority"] for s in everything)


def test_groups_carry_counts_and_context(corpus_file, shipped, pages):
    q = suggest([str(corpus_file)], JSONL, shipped, n=10_000, random_share=0.0)
    text_count = Counter(" ".join(t.split()) for p in pages for t, _ in p["rows"])
    by_id = {p["id"]: [t for t, _ in p["rows"]] for p in pages}
    assert len(q) == len(text_count)
    for s in q:
        assert s["count"] == text_count[" ".join(s["text"].split())]
        rows = by_id[s["doc"]]
        assert rows[s["i"]] == s["text"]
        assert s["before"] == rows[max(0, s["i"] - 2):s["i"]]
        assert s["after"] == rows[s["i"] + 1:s["i"] + 3]


def test_language_quotas(corpus_file, shipped):
    q = suggest([str(corpus_file)], JSONL, shipped, n=10, random_share=0.0,
                quotas=parse_quotas("es=1"))
    assert {s["lang"] for s in q} == {"es"}
    assert _allot(10, {"en": 0.5, "es": 0.3, "other": 0.2}) == {"en": 5, "es": 3, "other": 2}
    assert _allot(3, {"en": 0.5, "es": 0.5}) == {"en": 2, "es": 1}
    shares = default_quotas(["en"] * 95 + ["es"] * 5)
    assert shares["es"] >= 0.2 - 1e-9 and sum(shares.values()) == pytest.approx(1.0)
    with pytest.raises(UsageError):
        parse_quotas("en:0.5")


def test_cli_writes_json_lines(corpus_file):
    res = run_cli("suggest", "--jsonl", str(corpus_file), "-n", "7", "--seed", "2")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 7
    assert {"doc", "i", "text", "before", "after", "count", "why"} <= set(rows[0])
    res = run_cli("suggest", "--jsonl", str(corpus_file), "-n", "0")
    assert_one_line_error(res, 2, "-n")
    res = run_cli("suggest", "--jsonl", str(corpus_file), "--quota", "en")
    assert_one_line_error(res, 2, "--quota")


def test_answered_rows_and_texts_are_not_suggested_again(corpus_file, tmp_path):
    first = run_cli("suggest", "--jsonl", str(corpus_file), "-n", "8", "--seed", "2")
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(
        json.dumps({"doc": q["doc"], "i": q["i"], "text": q["text"], "label": "content"}) + "\n"
        for q in map(json.loads, first.stdout.splitlines())))
    second = run_cli("suggest", "--jsonl", str(corpus_file), "-n", "8", "--seed", "2",
                     "--exclude", str(labels))
    assert second.returncode == 0, second.stderr
    before = {" ".join(json.loads(x)["text"].split()) for x in first.stdout.splitlines()}
    after = {" ".join(json.loads(x)["text"].split()) for x in second.stdout.splitlines()}
    assert len(after) == 8 and not before & after
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    res = run_cli("suggest", "--jsonl", str(corpus_file), "--exclude", str(bad))
    assert_one_line_error(res, 1, "bad.jsonl:1")
