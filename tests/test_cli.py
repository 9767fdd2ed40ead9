"""Every command through real subprocess pipes."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from .conftest import ROOT, VALIDATION, assert_one_line_error, run_cli

PAGE = (
    "Home\nWorld\nSign in\n"
    "Storm cuts power to thousands across the northern coast\n"
    "Crews worked through the night to restore electricity after winds of more than 100 km/h "
    "brought down lines in six towns, the regional utility said on Sunday.\n"
    "About 40,000 homes were still without power by midday, and schools in two districts "
    "stayed closed while roads were cleared of fallen trees.\n"
    "Newsletter: sign up for our morning briefing\n© 2026 Northern Post. All rights reserved.\n"
)


def test_score_streams_json_lines():
    res = run_cli("score", input="Suscríbete para seguir leyendo\n"
                  "The minister said on Tuesday that the plan would be approved by parliament.\n")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["boilerplate", "content"]
    assert {"text", "lang", "lang_prob", "p_boilerplate", "label"} <= set(rows[0])
    assert rows[0]["lang"] == "es" and rows[1]["lang"] == "en"
    assert res.stderr == ""


def test_score_records_are_the_library_records(shipped):
    texts = ['Quote: "fine" \\ done\tnow', "Política de privacidad", "_", "\u2028 odd ☃"]
    res = run_cli("score", input="\n".join(texts) + "\n")
    assert res.returncode == 0, res.stderr
    expected = [s.to_dict() for s in shipped.score([t.strip() for t in texts])]
    assert [json.loads(line) for line in res.stdout.splitlines()] == expected


def kept_by_library(model, page: str, repeats: float | None = None) -> list[str]:
    """What the library keeps of a page: CLI tests check the CLI against it, not the model.

    `repeats`: the corpus count every paragraph has (a file input is counted; stdin is not).
    """
    paragraphs = page.splitlines()
    counts = None if repeats is None else [np.full(len(paragraphs), repeats)]
    scores = model.score_documents([paragraphs], counts)[0]
    return [s.text for s in scores if s.label == "content"]


def test_score_tsv_and_doc_mode(shipped):
    res = run_cli("score", "--format", "tsv", input=PAGE)
    fields = [line.split("\t") for line in res.stdout.splitlines()]
    assert len(fields) == 8 and all(len(f) == 4 for f in fields)
    assert float(fields[0][0]) >= 0 and fields[0][1] in ("content", "boilerplate")
    doc = run_cli("score", "--doc", input=PAGE)
    labels = [json.loads(line)["label"] for line in doc.stdout.splitlines()]
    assert labels == [s.label for s in shipped.score_document(PAGE)]
    assert labels[:3] == ["boilerplate"] * 3 and labels[4:6] == ["content"] * 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_score_into_head_exits_quietly(jobs):
    lines = "".join(f"Paragraph number {k} of a long stream of text.\n" for k in range(3000))
    proc = subprocess.run(
        f"{sys.executable} -m tamiz score --jobs {jobs} | head -1", shell=True,
        input=lines.encode(), capture_output=True, timeout=300, executable="/bin/bash",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"),
             "TAMIZ_CACHE_DIR": os.environ["TAMIZ_CACHE_DIR"]},
    )
    assert proc.returncode == 0
    assert len(proc.stdout.decode().splitlines()) == 1
    assert proc.stderr == b""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_score_output_follows_input_before_eof(jobs):
    proc = subprocess.Popen([sys.executable, "-m", "tamiz", "score", "--jobs", jobs],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for text in ("Accept all cookies", "Read more"):
            proc.stdin.write(text.encode() + b"\n")
            proc.stdin.flush()
            line = proc.stdout.readline()  # would block forever if score waited for EOF
            assert json.loads(line)["text"] == text
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_score_file_with_two_jobs_equals_one(tmp_path):
    lines = [f"Story {k}: the council met on day {k % 7} to vote." for k in range(2500)]
    lines += ["Home", "Subscribe to our newsletter"] * 600
    src = tmp_path / "p.txt"
    src.write_text("\n".join(lines) + "\n")
    one, two = (run_cli("score", str(src), "--jobs", jobs) for jobs in "12")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == len(lines)


def test_clean_text_file_and_removed_side_file(tmp_path, shipped):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    removed = tmp_path / "removed.jsonl"
    res = run_cli("clean", str(page), "--removed", str(removed))
    assert res.returncode == 0, res.stderr
    kept = res.stdout.splitlines()
    assert kept == kept_by_library(shipped, PAGE, repeats=1)
    assert PAGE.splitlines()[4] in kept and "Home" not in kept
    rows = [json.loads(line) for line in removed.read_text().splitlines()]
    assert [r["i"] for r in rows][:3] == [0, 1, 2] and len(rows) + len(kept) == 8
    assert {"doc", "i", "text", "lang", "p_boilerplate"} == set(rows[0])
    assert f"8 paragraphs, {len(rows)} removed" in res.stderr


def test_clean_stdin_and_jsonl_keep_fields_and_order(tmp_path, shipped):
    res = run_cli("clean", input=PAGE)
    assert res.stdout.splitlines() == kept_by_library(shipped, PAGE)
    src = tmp_path / "c.jsonl"
    recs = [{"id": "a", "body": PAGE, "url": "u1"}, {"id": "b", "body": "Home\nMenu", "url": "u2"}]
    src.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    res = run_cli("clean", "--jsonl", "--text-field", "body", str(src))
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"] and out[1]["url"] == "u2"
    assert out[0]["body"].splitlines() == kept_by_library(shipped, PAGE, repeats=1)
    assert out[1]["body"] == ""  # nothing left, but the record is there


def test_clean_directory_to_out_dir_with_two_jobs(tmp_path, shipped):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for k in range(5):
        (src / ("sub" if k % 2 else "") / f"p{k}.txt").write_text(PAGE)
    out = tmp_path / "out"
    res = run_cli("clean", str(src), "--out", str(out), "--jobs", "2", "--no-repeats")
    assert res.returncode == 0, res.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert files == ["p0.txt", "p2.txt", "p4.txt", "sub/p1.txt", "sub/p3.txt"]
    assert (out / "sub" / "p3.txt").read_text().splitlines() == kept_by_library(shipped, PAGE)
    assert not [p for p in out.rglob(".*")]  # no temporary files left


def test_train_then_clean_with_the_new_model_and_determinism(small_model_dir, tmp_path):
    again = tmp_path / "again"
    res = run_cli("train", str(VALIDATION), "--out", str(again))
    assert res.returncode == 0, res.stderr
    assert "lang=es" in res.stdout and "macro-F1" in res.stdout
    score_a = run_cli("score", "--model", str(small_model_dir), input=PAGE).stdout
    score_b = run_cli("score", "--model", str(again), input=PAGE).stdout
    assert score_a == score_b and score_a
    refused = run_cli("train", str(VALIDATION), "--out", str(again))
    assert_one_line_error(refused, 2, "already exists")


def test_evaluate_json_and_table():
    res = run_cli("evaluate", "--json", str(VALIDATION))
    rep = json.loads(res.stdout)
    assert {"n", "macro_f1", "content", "boilerplate", "by_lang"} <= set(rep)
    assert {"precision", "recall", "f1"} <= set(rep["by_lang"]["es"]["content"])
    table = run_cli("evaluate", str(VALIDATION))
    assert "macro-F1" in table.stdout and "confusion" in table.stdout


def test_info_prints_the_card():
    card = json.loads(run_cli("info").stdout)
    assert card["format"] == "tamiz-model"


@pytest.mark.parametrize("args,code,fragment", [
    (("clean", "--split", "words"), 2, "--split"),
    (("score", "--format", "xml"), 2, "--format"),
    (("clean", "--jobs", "0"), 2, "--jobs"),
    (("score", "--doc", "--jobs", "2"), 2, "--jobs"),
    (("frobnicate",), 2, "frobnicate"),
    (("score", "--mode", "greedy"), 2, "greedy"),
])
def test_usage_errors_are_one_line(args, code, fragment):
    assert_one_line_error(run_cli(*args, input=""), code, fragment)


@pytest.mark.parametrize("doc", [False, True])
def test_mode_picks_the_cards_operating_point(shipped, doc):
    from tamiz.data import read_labeled

    texts = [r.text for r in read_labeled([VALIDATION / "en_news.jsonl"]).rows[:400]]
    where = "document" if doc else "isolated"
    flags = ["--doc"] if doc else []
    labels = {}
    for mode, point in shipped.card["operating_points"][where].items():
        res = run_cli("score", "--format", "tsv", "--mode", mode, *flags, input="\n".join(texts))
        assert res.returncode == 0, res.stderr
        rows = [line.split("\t") for line in res.stdout.splitlines()]
        assert all((float(p) >= point["threshold"]) == (label == "boilerplate") for p, label, *_ in rows)
        labels[mode] = [label for _, label, *_ in rows]
    # the modes differ on these paragraphs: strict drops more, keep-more keeps more
    n_bp = {mode: v.count("boilerplate") for mode, v in labels.items()}
    assert n_bp["strict"] > n_bp["balanced"] > n_bp["keep-more"]
    # --threshold overrides the mode
    res = run_cli("score", "--format", "tsv", "--mode", "keep-more", "--threshold", "0", *flags,
                  input="\n".join(texts))
    assert {line.split("\t")[1] for line in res.stdout.splitlines()} == {"boilerplate"}


def test_score_into_head_exits_zero_itself():
    # the README's promise, through a real pipe: tamiz's own exit status (not head's),
    # read from bash's PIPESTATUS; before the fix click's EPIPE handler made it 1
    proc = subprocess.run(
        "yes 'The minister said.' | head -20000 | "
        f"{sys.executable} -m tamiz score | head -1; echo \"status=${{PIPESTATUS[2]}}\" >&2",
        shell=True, capture_output=True, timeout=300, executable="/bin/bash",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"),
             "TAMIZ_CACHE_DIR": os.environ["TAMIZ_CACHE_DIR"]},
    )
    assert len(proc.stdout.decode().splitlines()) == 1
    assert proc.stderr.decode().strip() == "status=0"


@pytest.mark.parametrize("layout", ["two files", "two directories"])
def test_clean_out_refuses_inputs_that_share_an_output_path(tmp_path, layout):
    for d in ("x", "y"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "a.txt").write_text(PAGE)
    (tmp_path / "y" / "b.txt").write_text(PAGE)
    args = (["x/a.txt", "y/a.txt"] if layout == "two files" else ["x", "y"])
    res = run_cli("clean", *args, "--out", "o", cwd=tmp_path)
    assert_one_line_error(res, 2, "x/a.txt", "y/a.txt", "o/a.txt")
    assert not (tmp_path / "o").exists()  # refused before any work


def test_clean_out_accepts_same_names_under_different_subpaths(tmp_path):
    (tmp_path / "x" / "p").mkdir(parents=True)
    (tmp_path / "x" / "q").mkdir(parents=True)
    (tmp_path / "x" / "p" / "a.txt").write_text(PAGE)
    (tmp_path / "x" / "q" / "a.txt").write_text(PAGE.replace("Storm", "Flood"))
    res = run_cli("clean", "x", "--out", "o", "--no-repeats", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(p.relative_to(tmp_path / "o").as_posix()
                  for p in (tmp_path / "o").rglob("*.txt")) == ["p/a.txt", "q/a.txt"]
