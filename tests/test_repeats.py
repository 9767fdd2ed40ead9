"""Repeat counts: exact below the limit, a count-min sketch above it; shards merge, files round-trip."""

import random
from collections import Counter

import numpy as np
import pytest

from tamiz import DataError
from tamiz.repeats import RepeatCounts, corpus_key, count_documents, load_repeats, merge_all

from .synthetic import records


def _docs(n, seed=0):
    return [r["text"].splitlines() for r in records(n, seed)]


def _truth(docs):
    """Documents containing each corpus key, counted the plain way."""
    c = Counter()
    for d in docs:
        c.update({corpus_key(p) for p in d})
    return c


def test_exact_counts_are_the_plain_count():
    docs = _docs(400)
    counts = count_documents(docs)
    truth = _truth(docs)
    assert counts.exact and counts.documents == 400
    paragraphs = sorted({p for d in docs for p in d})
    assert counts.raw_counts(paragraphs).tolist() == [truth[corpus_key(p)] for p in paragraphs]
    assert counts.raw_counts(["never seen in this corpus"]).tolist() == [0]
    assert counts.counts(["never seen in this corpus"]).tolist() == [1.0]  # "this document"
    assert counts.total == sum(truth.values())


@pytest.mark.parametrize("max_exact", [10**9, 40])  # stays exact; turns into a sketch
def test_shards_merge_to_the_one_pass_count_in_any_order(max_exact):
    docs = _docs(300, seed=1)
    settings = dict(max_exact=max_exact, sketch_bits=10)
    whole = count_documents(docs, **settings)
    rng = random.Random(5)
    for _ in range(3):
        cuts = sorted(rng.sample(range(1, len(docs)), 4))
        parts = [count_documents(docs[a:b], **settings)
                 for a, b in zip([0, *cuts], [*cuts, len(docs)])]
        rng.shuffle(parts)
        assert merge_all(parts) == whole
    assert whole.exact == (max_exact > 100)


def test_files_round_trip(tmp_path):
    docs = _docs(200)
    for settings in (dict(), dict(max_exact=20, sketch_bits=9, sketch_depth=3)):
        counts = count_documents(docs, **settings)
        counts.save(tmp_path / "c.tamizrep")
        again = load_repeats(tmp_path / "c.tamizrep")
        assert again == counts
        flat = [p for d in docs for p in d]
        assert np.array_equal(again.counts(flat), counts.counts(flat))
        assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_merge_refuses_other_settings():
    with pytest.raises(DataError, match="different settings"):
        RepeatCounts(sketch_bits=10).merge(RepeatCounts(sketch_bits=11))


def _keys(n, rng):
    # letters only: the repeat key folds digits ("Page 2" and "Page 3" are one template)
    return list(dict.fromkeys("".join(rng.choices("abcdefghijklmnopqrstuvwxyz ", k=24))
                              for _ in range(n)))


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_sketch_error_bound(seed):
    """Count-min: never under-counts, and a key's over-count exceeds eps * N with
    probability at most e**-depth (checked as a share of keys); its expected over-count is
    at most 2N / w (multiply-shift's collision probability), checked on the mean."""
    rng = random.Random(seed)
    keys = _keys(3000, rng)
    # a skewed workload: a few keys in many documents, most in one or two
    true = np.array([max(1, int(rng.paretovariate(1.2))) for _ in keys])
    counts = RepeatCounts(max_exact=0, sketch_bits=8, sketch_depth=4, seed=seed)
    for key, c in zip(keys, true):
        for _ in range(c):
            counts.add([key])
    assert not counts.exact
    est = counts.raw_counts(keys).astype(np.int64)
    over = est - true
    n = counts.total
    assert n == true.sum()
    assert (over >= 0).all()
    assert np.mean(over > counts.epsilon * n) <= counts.delta
    assert over.mean() <= 2 * n / (1 << counts.sketch_bits)
    # and the sketch is not trivially loose: the exact counts of a key alone are found
    lone = RepeatCounts(max_exact=0, sketch_bits=8, sketch_depth=4, seed=seed)
    lone.add(["only key"])
    assert lone.raw_counts(["only key", "other"]).tolist() == [1, 0]


@pytest.mark.parametrize("content,fragment", [
    (b"", "not a tamiz repeat counts file"),
    (b"{\"format\": \"tamiz-repeats\"}\n", "not a tamiz repeat counts file"),
    (b"PK\x03\x04 truncated zip", "damaged"),
])
def test_corrupt_or_foreign_files(tmp_path, content, fragment):
    p = tmp_path / "c.tamizrep"
    p.write_bytes(content)
    with pytest.raises(DataError, match=fragment):
        load_repeats(p)


def test_foreign_npz_and_flipped_byte(tmp_path):
    p = tmp_path / "c.tamizrep"
    with open(p, "wb") as fh:
        np.savez(fh, x=np.arange(3))
    with pytest.raises(DataError, match="not a tamiz repeat counts file"):
        load_repeats(p)
    count_documents(_docs(50)).save(p)
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(DataError):
        load_repeats(p)
