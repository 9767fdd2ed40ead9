"""Same answers everywhere: with counts from one first pass, `clean --jobs 1`, `clean --jobs 2`,
a datatrove LocalPipelineExecutor with 2 tasks, `clean --engine dask` on a 2-worker
LocalCluster and datasets.map(num_proc=2) give byte-identical cleaned text per record id."""

import json
from types import SimpleNamespace

import pytest

import tamiz

from .conftest import run_cli
from .synthetic import write_jsonl


def _texts(lines):
    return {r["id"]: r["text"] for r in map(json.loads, lines)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("same")
    recs = write_jsonl(root / "in", 300, seed=11, files=3)
    counts = root / "counts.tamizrep"
    made = run_cli("repeats", "--jsonl", str(root / "in"), "--out", str(counts), "--jobs", "2")
    assert made.returncode == 0, made.stderr
    ref = run_cli("clean", "--jsonl", str(root / "in"), "--repeats", str(counts), "--jobs", "1")
    assert ref.returncode == 0, ref.stderr
    expected = _texts(ref.stdout.splitlines())
    assert len(expected) == len(recs) == 300
    assert any(t == "" for t in expected.values())  # some records end up empty
    assert sum(t != r["text"] for t, r in zip(expected.values(), recs)) > 100  # work was done
    return SimpleNamespace(root=root, recs=recs, counts=counts, expected=expected)


def test_clean_counting_itself_gives_the_same_bytes(corpus):
    own = run_cli("clean", "--jsonl", str(corpus.root / "in"), "--jobs", "2")
    assert own.returncode == 0, own.stderr
    assert _texts(own.stdout.splitlines()) == corpus.expected


def test_clean_jobs_2(corpus):
    res = run_cli("clean", "--jsonl", str(corpus.root / "in"), "--repeats", str(corpus.counts),
                  "--jobs", "2")
    assert res.returncode == 0, res.stderr
    assert _texts(res.stdout.splitlines()) == corpus.expected


def test_clean_engine_dask_two_workers(corpus):
    res = run_cli("clean", "--jsonl", str(corpus.root / "in"), "--repeats", str(corpus.counts),
                  "--engine", "dask", "--jobs", "2")
    assert res.returncode == 0, res.stderr
    assert _texts(res.stdout.splitlines()) == corpus.expected


def test_datatrove_two_tasks_with_its_own_first_pass(corpus):
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from tamiz.integrations.datatrove import TamizCleaner, TamizRepeatCounter, resolve_repeats

    work = corpus.root / "datatrove"
    LocalPipelineExecutor([JsonlReader(str(corpus.root / "in")),
                           TamizRepeatCounter(str(work / "counts"))],
                          tasks=2, workers=2, logging_dir=str(work / "log1")).run()
    # datatrove's first pass, merged task by task, is the `tamiz repeats` count (its
    # reader skips records with empty text, which hold no paragraph to count)
    assert len(list((work / "counts").glob("*.tamizrep"))) == 2
    mine, cli = resolve_repeats(str(work / "counts")), tamiz.load_repeats(corpus.counts)
    assert mine.documents == cli.documents - sum(not r["text"] for r in corpus.recs)
    mine.documents = cli.documents
    assert mine == cli
    LocalPipelineExecutor([JsonlReader(str(corpus.root / "in")),
                           TamizCleaner(repeats=str(work / "counts"),
                                        exclusion_writer=JsonlWriter(str(work / "empty"),
                                                                     compression=None)),
                           JsonlWriter(str(work / "out"), compression=None)],
                          tasks=2, workers=2, logging_dir=str(work / "log2")).run()
    kept = _texts(line for f in sorted((work / "out").glob("*.jsonl"))
                  for line in f.read_text().splitlines())
    dropped = [json.loads(line) for f in sorted((work / "empty").glob("*.jsonl"))
               for line in f.read_text().splitlines()]
    assert kept == {k: v for k, v in corpus.expected.items() if v}
    inputs = {r["id"]: r["text"] for r in corpus.recs}
    assert sorted(d["id"] for d in dropped) == sorted(
        k for k, v in corpus.expected.items() if not v and inputs[k])
    assert dropped and all(d["text"] == inputs[d["id"]] for d in dropped)  # as it came in
    assert all(d["metadata"]["filter_reason"] == "tamiz_empty" for d in dropped)


def test_datasets_map_two_processes(corpus):
    import datasets

    from tamiz.integrations.hf import clean_batch

    datasets.disable_progress_bars()
    ds = datasets.Dataset.from_list(corpus.recs)
    out = ds.map(clean_batch, batched=True, num_proc=2,
                 fn_kwargs={"repeats": str(corpus.counts)})
    assert {r["id"]: r["text"] for r in out} == corpus.expected
    removed = {r["id"]: r["tamiz_removed"] for r in out}
    some = next(k for k, v in removed.items() if v)
    assert {"i", "text", "lang", "p_boilerplate"} == set(removed[some][0])
