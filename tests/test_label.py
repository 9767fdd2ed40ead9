"""tamiz label: the terminal labeler, driven by scripted keys."""

from __future__ import annotations

import json

import pytest

from tamiz import label as labeler
from tamiz.data import read_labeled
from tamiz.errors import DataError
from tamiz.label import SKIPPED_SUFFIX, label, read_queue

from .conftest import assert_one_line_error, run_cli


def queue(n=5):
    return [{"doc": f"site/{k // 2}", "i": k % 2 * 3, "text": f"Paragraph number {k} of the queue",
             "lang": "en", "why": "uncertain", "count": 1 + k % 3,
             "before": [f"line before {k}"], "after": [f"line after {k}"]} for k in range(n)]


def rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_answers_written_in_training_schema(tmp_path):
    to = tmp_path / "labels.jsonl"
    run = label(queue(), to, ["k", "d", "a", "s", "k"])
    assert (run.labeled, run.skipped, run.remaining) == (4, 1, 0)
    got = rows(to)
    assert [r["label"] for r in got] == ["content", "boilerplate", "ambiguous", "content"]
    assert [(r["doc"], r["i"]) for r in got] == [("site/0", 0), ("site/0", 3), ("site/1", 0),
                                                 ("site/2", 0)]
    assert got[0]["text"] == "Paragraph number 0 of the queue" and got[0]["count"] == 1
    assert len(rows(tmp_path / ("labels.jsonl" + SKIPPED_SUFFIX))) == 1
    # train reads the file as it is: documents grouped, positions kept
    data = read_labeled([to])
    assert len(data.rows) == 4 and len(data.documents) == 3


def test_every_answer_is_fsynced(tmp_path, monkeypatch):
    synced = []
    real = labeler.os.fsync
    monkeypatch.setattr(labeler.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    label(queue(), tmp_path / "l.jsonl", ["k", "d", "s"])
    assert len(synced) >= 3


def test_resume_undo_and_quit(tmp_path):
    to = tmp_path / "labels.jsonl"
    shown = []
    run = label(queue(), to, ["k", "zz", "d", "u", "k", "q", "d"], show=shown.append)
    assert run.quit and run.labeled == 2 and run.remaining == 3
    assert any("unknown key" in s for s in shown)
    assert [r["label"] for r in rows(to)] == ["content", "content"]  # 'd' undone, then 'k'
    # a new run starts at the first suggestion not answered, and can undo the old run's last
    shown.clear()
    run = label(queue(), to, ["u", "d", "s", "k", "k"], show=shown.append)
    renders = [s for s in shown if s.startswith("[")]
    assert renders[0].startswith("[3/5]") and renders[1].startswith("[2/5]")
    assert [r["label"] for r in rows(to)] == ["content", "boilerplate", "content", "content"]
    assert run.remaining == 0 and run.resumed_from == 2
    # nothing left: a third run asks nothing
    assert label(queue(), to, []).labeled == 0


def test_keys_ending_is_quitting(tmp_path):
    run = label(queue(), tmp_path / "l.jsonl", ["k"])
    assert run.quit and run.labeled == 1 and run.remaining == 4


def test_unfinished_last_line_is_dropped(tmp_path):
    to = tmp_path / "l.jsonl"
    label(queue(), to, ["k", "d"])
    with open(to, "ab") as fh:
        fh.write(b'{"doc": "site/1", "i": 0, "te')  # a write cut short
    label(queue(), to, ["a"])
    assert [r["label"] for r in rows(to)] == ["content", "boilerplate", "ambiguous"]


def test_bad_queue(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"text": "no doc"}\n')
    with pytest.raises(DataError, match="q.jsonl:1"):
        read_queue(bad)
    res = run_cli("label", str(bad), "--to", str(tmp_path / "l.jsonl"), input="k\n")
    assert_one_line_error(res, 1, "q.jsonl:1")


def test_cli_reads_keys_from_a_pipe(tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text("".join(json.dumps(s) + "\n" for s in queue(3)))
    to = tmp_path / "labels.jsonl"
    res = run_cli("label", str(q), "--to", str(to), input="d\nk\n\nq\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert "Paragraph number 0" in res.stderr and "line before 0" in res.stderr
    assert [r["label"] for r in rows(to)] == ["boilerplate", "content"]
    assert "1 of 3 left" in res.stderr
