"""The engine-neutral core: clean_record / clean_records, worker_model, counts files."""

import json

import pytest

import tamiz
from tamiz.core import clean_records

from .conftest import SHIPPED, assert_one_line_error, run_cli
from .synthetic import write_jsonl


def test_worker_model_is_loaded_once_per_process():
    a = tamiz.worker_model()
    assert tamiz.worker_model() is a and tamiz.worker_model(SHIPPED) is a


def test_clean_record_matches_the_model_and_reports_what_it_removed(shipped):
    page = "Home\nWorld\nThe minister said on Tuesday that the plan would be approved.\nAccept all cookies"
    r = tamiz.clean_record(page, shipped)
    scores = shipped.score_document(page)
    assert r.text == shipped.clean(page)
    assert [s.p_boilerplate for s in r.scores] == [s.p_boilerplate for s in scores]
    assert [d["i"] for d in r.removed] == [i for i, s in enumerate(scores) if s.label != "content"]
    assert len(r.removed) + len(r.text.splitlines()) == 4
    assert {"i", "text", "lang", "p_boilerplate"} == set(r.removed[0])


def test_counts_file_and_clean_first_pass_give_the_same_bytes(tmp_path, shipped):
    corpus = tmp_path / "c.jsonl"
    recs = write_jsonl(corpus, 400, seed=3)
    counts = tmp_path / "counts.tamizrep"
    made = run_cli("repeats", "--jsonl", str(corpus), "--out", str(counts))
    assert made.returncode == 0, made.stderr
    assert "400 documents" in made.stderr and "exact" in made.stderr
    own = run_cli("clean", "--jsonl", str(corpus))
    given = run_cli("clean", "--jsonl", str(corpus), "--repeats", str(counts), "--jobs", "2")
    assert own.returncode == given.returncode == 0, given.stderr
    assert own.stdout == given.stdout
    # the library, one record at a time and in batches, gives the same text per id
    by_id = {json.loads(line)["id"]: json.loads(line)["text"] for line in own.stdout.splitlines()}
    loaded = tamiz.load_repeats(counts)
    one = {r["id"]: tamiz.clean_record(r["text"], shipped, loaded).text for r in recs[:60]}
    assert one == {k: by_id[k] for k in one}
    batch = clean_records([r["text"] for r in recs], shipped, str(counts))
    assert {r["id"]: b.text for r, b in zip(recs, batch)} == by_id
    # and the counts change answers: without them some record is cleaned differently
    alone = clean_records([r["text"] for r in recs], shipped, None)
    assert [b.text for b in alone] != [b.text for b in batch]


def test_repeats_command_errors(tmp_path):
    corpus = tmp_path / "c.jsonl"
    write_jsonl(corpus, 20)
    (tmp_path / "bad.tamizrep").write_text("not counts\n")
    res = run_cli("clean", "--jsonl", str(corpus), "--repeats", str(tmp_path / "bad.tamizrep"))
    assert_one_line_error(res, 1, "not a tamiz repeat counts file")
    res = run_cli("clean", "--jsonl", str(corpus), "--repeats", str(tmp_path / "none"))
    assert_one_line_error(res, 1, "no such counts file")
    good = tmp_path / "good.tamizrep"
    assert run_cli("repeats", "--jsonl", str(corpus), "--out", str(good)).returncode == 0
    res = run_cli("clean", "--jsonl", str(corpus), "--repeats", str(good), "--split", "blank")
    assert_one_line_error(res, 2, "--split lines")
    res = run_cli("clean", "--jsonl", str(corpus), "--repeats", str(good), "--no-repeats")
    assert_one_line_error(res, 2, "--no-repeats")
    assert_one_line_error(run_cli("repeats", "-", "--out", str(good), input="x\n"), 2, "stdin")


def test_split_mismatch_in_the_library(shipped):
    counts = tamiz.count_documents([["a b c"]])
    with pytest.raises(tamiz.UsageError):
        tamiz.clean_record("a b c", shipped, counts, split_mode="blank")
