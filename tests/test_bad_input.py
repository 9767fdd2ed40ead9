"""Dirty input, faults and untrusted models: one clear line, the right exit code, nothing lost."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamiz.corpus import InputOptions, RunStats, clean_corpus
from tamiz.paragraphs import split

from .conftest import SHIPPED, assert_one_line_error, run_cli

ARTICLE = ("The harbour authority said on Monday that the new ferry terminal would open in March, "
           "two years later than planned, after a dispute over the contract.")


# --- text input -------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \n\t\n"])
def test_empty_and_whitespace_input_give_one_empty_record(data):
    res = run_cli("clean", input=data)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "\n"
    assert "1 documents, 0 paragraphs" in res.stderr


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes(ARTICLE.encode() + b"\nCaf\xe9 y m\xe1s\n")
    removed = tmp_path / "r.jsonl"
    res = run_cli("clean", str(f), "--removed", str(removed))
    assert res.returncode == 0
    assert f"{f}: 2 invalid UTF-8 byte sequence(s) replaced" in res.stderr
    everything = res.stdout + removed.read_text()
    assert "Caf\ufffd y m\ufffds" in everything or "Caf\\ufffd" in everything


def test_bom_crlf_and_lone_cr(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode() + b"\r\nHome\rMenu\r\n")
    res = run_cli("score", "--format", "tsv", str(f))
    texts = [line.split("\t")[3] for line in res.stdout.splitlines()]
    assert texts == [ARTICLE, "Home", "Menu"]


def test_binary_file_in_directory_is_skipped_and_counted(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(ARTICLE + "\n")
    (d / "b.bin").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (d / "c.txt").write_text("Home\n" + ARTICLE + "\n")
    res = run_cli("clean", str(d))
    assert res.returncode == 1
    assert f"{d / 'b.bin'}: binary file (NUL bytes), skipped" in res.stderr
    assert "2 documents" in res.stderr and "1 input(s) skipped" in res.stderr
    assert res.stdout.count(ARTICLE) == 2
    assert "Traceback" not in res.stderr


def test_twenty_megabyte_line_is_bounded_and_kept_whole(tmp_path):
    big = ("word " * 4_000_000).strip()  # 20 MB, one line
    f = tmp_path / "big.txt"
    f.write_text(ARTICLE + "\n" + big + "\n")
    removed = tmp_path / "r.jsonl"
    start = time.monotonic()
    res = run_cli("clean", str(f), "--removed", str(removed), timeout=120)
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - start < 120
    outputs = res.stdout.splitlines() + [json.loads(x)["text"] for x in removed.read_text().splitlines()]
    assert big in outputs


def test_missing_path(tmp_path):
    assert_one_line_error(run_cli("clean", str(tmp_path / "nope.txt")), 1, "nope.txt",
                          "no such file or directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_path(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text("x")
    f.chmod(0)
    assert_one_line_error(run_cli("clean", str(f)), 1, "permission denied")


# --- JSON Lines ----------------------------------------------------------------------

@pytest.mark.parametrize("line,problem", [
    ('{"text": "ok"', "invalid JSON"),
    ('{"body": "no text field"}', "no 'text' field"),
    ('{"text": 42}', "field 'text' is not a string"),
    ('["a", "list"]', "expected a JSON object, got list"),
])
def test_bad_jsonl_line_cites_the_line(tmp_path, line, problem):
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps({"text": ARTICLE}) + "\n" + line + "\n")
    assert_one_line_error(run_cli("clean", "--jsonl", str(f)), 1, f"{f}:2:", problem)


def test_skip_bad_skips_and_counts(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join([json.dumps({"text": ARTICLE, "id": 1}), "{oops",
                            json.dumps({"text": "Home", "id": 2}), "7"]) + "\n")
    res = run_cli("clean", "--jsonl", "--skip-bad", str(f))
    assert res.returncode == 0
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [1, 2]
    assert f"skipped {f}:2: invalid JSON" in res.stderr
    assert f"skipped {f}:4: expected a JSON object" in res.stderr
    assert "2 input(s) skipped" in res.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unpaired_surrogate_escapes_are_replaced_and_counted(tmp_path, jobs):
    # "\ud800" alone is valid JSON but no Unicode text; a pair ("\ud83d\ude00") is one emoji
    f = tmp_path / "c.jsonl"
    f.write_text('{"id": "a\\udc00", "text": "%s \\ud800\\nFollow us \\ud83d\\ude00", '
                 '"tags": ["x\\ud801"]}\n{"text": "Home"}\n' % ARTICLE)
    res = run_cli("clean", "--jsonl", "--jobs", jobs, "--removed", str(tmp_path / "r.jsonl"), str(f))
    assert res.returncode == 0, res.stderr
    assert f"{f}: 3 unpaired surrogate escape(s)" in res.stderr
    first = json.loads(res.stdout.splitlines()[0])
    assert first["id"] == "a\ufffd" and first["tags"] == ["x\ufffd"]
    removed = [json.loads(x)["text"] for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    paragraphs = first["text"].splitlines() + removed
    assert sorted(paragraphs) == sorted([ARTICLE + " \ufffd", "Follow us \U0001F600", "Home"])


# --- training data -----------------------------------------------------------------------

def _train(tmp_path, rows):
    f = tmp_path / "t.jsonl"
    f.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return run_cli("train", str(f), "--out", str(tmp_path / "m")), f


@pytest.mark.parametrize("bad,fragment", [
    ({"text": "x", "label": "good"}, "unknown label 'good'"),
    ({"text": "", "label": "content"}, "empty 'text'"),
])
def test_train_rejects_bad_rows(tmp_path, bad, fragment):
    res, f = _train(tmp_path, [{"text": ARTICLE, "label": "content"}, bad])
    assert_one_line_error(res, 1, f"{f}:2:", fragment)


def test_train_rejects_a_single_class(tmp_path):
    res, _ = _train(tmp_path, [{"text": ARTICLE, "label": "content"}, {"text": "Hi.", "label": "content"}])
    assert_one_line_error(res, 1, "both content and boilerplate")


def test_train_reports_conflicting_labels(tmp_path):
    rows = [{"doc": f"d{k}", "i": 0, "text": ARTICLE if k % 2 else "Home",
             "label": "content" if k % 2 else "boilerplate"} for k in range(12)]
    rows.append({"doc": "d99", "i": 0, "text": "Home", "label": "content"})
    res, f = _train(tmp_path, rows)
    assert res.returncode == 0, res.stderr
    assert "same text labeled 'content' here and 'boilerplate'" in res.stderr


def test_train_on_directory_without_data(tmp_path):
    (tmp_path / "empty").mkdir()
    res = run_cli("train", str(tmp_path / "empty"), "--out", str(tmp_path / "m"))
    assert_one_line_error(res, 1, "no labeled data")


# --- model files -------------------------------------------------------------------------

def _broken_model(tmp_path, how):
    m = tmp_path / "m"
    shutil.copytree(SHIPPED, m)
    if how == "truncated":
        data = (m / "scorer.npz").read_bytes()
        (m / "scorer.npz").write_bytes(data[:1000])
    elif how == "version":
        card = json.loads((m / "card.json").read_text())
        card["format_version"] = 0
        (m / "card.json").write_text(json.dumps(card))
    elif how == "not-a-model":
        (m / "card.json").write_text("this is not json")
    return m


@pytest.mark.parametrize("how,fragment", [
    ("truncated", "scorer.npz"), ("version", "format version 0"), ("not-a-model", "unreadable model card")])
def test_bad_model_files(tmp_path, how, fragment):
    m = _broken_model(tmp_path, how)
    assert_one_line_error(run_cli("score", "--model", str(m), input="Home\n"), 1, fragment)


def test_missing_model_file(tmp_path):
    assert_one_line_error(run_cli("info", "--model", str(tmp_path / "gone")), 1, "no such model")


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("dumper", ["pickle", "joblib"])
def test_crafted_model_file_never_runs(tmp_path, dumper):
    import joblib

    m = _broken_model(tmp_path, "none")
    marker = tmp_path / "ran"
    # the file scoring reads, and the scikit-learn pipeline (read by `info --pipeline`)
    for name in ("scorer.npz", "model.skops"):
        if dumper == "pickle":
            (m / name).write_bytes(pickle.dumps(_Evil(marker)))
        else:
            joblib.dump(_Evil(marker), m / name)
    assert_one_line_error(run_cli("score", "--model", str(m), input="Home\n"), 1, "scorer.npz")
    shutil.copy(SHIPPED / "scorer.npz", m / "scorer.npz")
    assert_one_line_error(run_cli("info", "--pipeline", "--model", str(m)), 1, "model.skops")
    assert not marker.exists()


# --- outputs ---------------------------------------------------------------------------

def test_unwritable_output_directory_fails_before_work(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = run_cli("clean", str(tmp_path / "a.txt"), "--out", str(blocker / "out"))
    assert_one_line_error(res, 2, "not a directory")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_clean_leaves_only_complete_files(tmp_path, sig):
    src = tmp_path / "in"
    src.mkdir()
    page = "Home\n" + "\n".join([ARTICLE] * 30) + "\n© 2026\n"
    for k in range(400):
        (src / f"p{k:03}.txt").write_text(page)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "tamiz", "clean", str(src), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("p*.txt"))) < 3:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert b"interrupted" in err and b"Traceback" not in err
    done = sorted(out.glob("p*.txt"))
    assert 3 <= len(done) < 400
    # what an uninterrupted run over the same corpus writes (repeat counts included)
    assert run_cli("clean", str(src), "--out", str(tmp_path / "full")).returncode == 0
    for f in done:
        assert f.read_text() == (tmp_path / "full" / f.name).read_text()
    assert done[0].read_text().count(ARTICLE) >= 25
    assert not list(out.glob(".*"))  # no temporary files left behind


# --- nothing lost (property) ----------------------------------------------------------

LINES = st.one_of(
    st.sampled_from([ARTICLE, "Home", "Suscríbete", "© 2026", "_", "La vista se aplazó al lunes.",
                     "Read more", "Cookies help us deliver our services."]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
)
DOCS = st.lists(st.lists(LINES, max_size=8).map("\n".join), min_size=1, max_size=5)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=DOCS)
def test_clean_keeps_one_record_per_input_and_every_paragraph(shipped, docs):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "docs.jsonl"
        src.write_text("".join(json.dumps({"id": f"r{k}", "text": d, "extra": [k]}) + "\n"
                               for k, d in enumerate(docs)))
        opts = InputOptions(jsonl=True)
        clean_corpus([str(src)], opts, None, None, 1, tmp / "out", tmp / "removed.jsonl",
                     RunStats(), model=shipped)
        out = [json.loads(x) for x in (tmp / "out" / "docs.jsonl").read_text().splitlines()]
        assert [(o["id"], o["extra"]) for o in out] == [(f"r{k}", [k]) for k in range(len(docs))]
        removed = [json.loads(x) for x in (tmp / "removed.jsonl").read_text().splitlines()]
        for k, doc in enumerate(docs):
            paragraphs = split(doc)
            gone = {r["i"]: r["text"] for r in removed if r["doc"] == f"r{k}"}
            kept = iter(split(out[k]["text"]))
            rebuilt = [gone[i] if i in gone else next(kept) for i in range(len(paragraphs))]
            assert rebuilt == paragraphs
            assert next(kept, None) is None
