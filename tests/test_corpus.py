import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamiz.corpus import InputOptions, _lines_in_range, _shards, count_repeats

from .conftest import run_cli

MENU = ["Home", "World", "Sport", "Sign in to keep reading"]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"") + b"\n"),
                      max_size=20),
       cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=6))
def test_byte_ranges_read_every_line_once(lines, cuts):
    data = b"".join(lines)
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    got = []
    for start, end in zip(bounds, bounds[1:]):
        got += list(_lines_in_range(io.BufferedReader(io.BytesIO(data)), start, end))
    assert got == lines


@pytest.fixture(autouse=True)
def _count_with_workers_at_any_size(monkeypatch):
    # the corpora here are tiny: without this, jobs=2 would count in the main process
    from tamiz import defaults

    monkeypatch.setattr(defaults, "COUNT_WORKERS_MIN_BYTES", 0)


def _corpus(path, n_docs=60):
    rng = np.random.default_rng(3)
    rows = []
    for k in range(n_docs):
        body = [f"Paragraph {k} of a story about item number {k * 7}."]
        body += [m for m in MENU if rng.random() < 0.6]
        rows.append(json.dumps({"id": k, "text": "\n".join(body)}, ensure_ascii=False))
    rows.insert(10, "{not json")  # skipped by the counting pass, reported by the scoring pass
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def test_counting_in_shards_with_two_workers_equals_one_pass(tmp_path):
    src = _corpus(tmp_path / "c.jsonl")
    opts = InputOptions(jsonl=True)
    one = count_repeats([str(src)], opts, jobs=1)
    two = count_repeats([str(src)], opts, jobs=2)
    assert len(_shards([str(src)], True, 8)) > 2
    assert one == two
    assert one.counts(["Home", "Sign in to keep reading"]).min() > 10


def test_small_inputs_are_counted_without_workers(tmp_path, monkeypatch):
    import tamiz.corpus
    from tamiz import defaults

    src = _corpus(tmp_path / "c.jsonl")
    monkeypatch.setattr(defaults, "COUNT_WORKERS_MIN_BYTES", src.stat().st_size + 1)
    monkeypatch.setattr(tamiz.corpus, "ProcessPoolExecutor", None)  # any use fails
    two = count_repeats([str(src)], InputOptions(jsonl=True), jobs=2)
    assert two == count_repeats([str(src)], InputOptions(jsonl=True))


def test_counting_text_files_in_shards(tmp_path):
    for k in range(9):
        (tmp_path / f"p{k}.txt").write_text(f"Story {k} opens here.\n" + "\n".join(MENU))
    sources = sorted(str(p) for p in tmp_path.glob("*.txt"))
    opts = InputOptions()
    one, two = count_repeats(sources, opts, jobs=1), count_repeats(sources, opts, jobs=2)
    assert one == two
    assert one.counts(["Home"])[0] == 9


def test_clean_jsonl_with_two_jobs_equals_one_job(tmp_path):
    src = _corpus(tmp_path / "c.jsonl")
    runs = [run_cli("clean", "--jsonl", "--skip-bad", "--jobs", jobs, str(src)) for jobs in "12"]
    assert runs[0].returncode == runs[1].returncode == 0, runs[1].stderr
    assert runs[0].stdout == runs[1].stdout
    assert len(runs[0].stdout.splitlines()) == 60


def test_batches_shrink_towards_the_end_with_workers():
    from tamiz import defaults
    from tamiz.corpus import Doc, _batches

    docs = [Doc("-", str(k), "", paragraphs=["p"] * 100) for k in range(300)]  # 30k paragraphs
    sizes = [sum(len(d.paragraphs) for d in b)
             for b in _batches(iter(docs), 1000, 4096, total=30_000, jobs=2)]
    assert sum(sizes) == 30_000
    assert max(sizes) <= 4096
    assert sizes[-2] <= defaults.MIN_BATCH_PARAGRAPHS < sizes[0]
    # one process, or an unknown total: full batches, never above the limit
    assert [sum(len(d.paragraphs) for d in b)
            for b in _batches(iter(docs[:82]), 1000, 4096)] == [4000] * 2 + [200]
    # unless one document has more paragraphs than the limit: it comes alone
    big = [docs[0], Doc("-", "big", "", paragraphs=["p"] * 5000), docs[1]]
    assert [len(b) for b in _batches(iter(big), 1000, 4096)] == [1, 1, 1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_signal_stops_the_counting_pass(tmp_path, jobs):
    import signal

    from tamiz.errors import Interrupted

    src = _corpus(tmp_path / "c.jsonl")
    calls = []  # polled between documents (one process) or between shards (workers)

    def stop():
        calls.append(1)
        return signal.SIGINT if len(calls) > 3 else None

    with pytest.raises(Interrupted):
        count_repeats([str(src)], InputOptions(jsonl=True), jobs=jobs, stop_requested=stop)


def test_shards_are_bounded_in_bytes(tmp_path, monkeypatch):
    from tamiz import defaults

    src = _corpus(tmp_path / "c.jsonl")
    monkeypatch.setattr(defaults, "COUNT_SHARD_BYTES", 500)
    shards = _shards([str(src)], True, 2)
    assert len(shards) > 2 and all(s.end - s.start <= 500 for s in shards)
    one = count_repeats([str(src)], InputOptions(jsonl=True), jobs=1)
    two = count_repeats([str(src)], InputOptions(jsonl=True), jobs=2)
    assert one == two
