"""scripts/error_patterns.py: every error lands in exactly one pattern, and the script runs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from tamiz.data import read_labeled

from .conftest import ROOT, VALIDATION

SCRIPT = ROOT / "scripts" / "error_patterns.py"
spec = importlib.util.spec_from_file_location("error_patterns", SCRIPT)
error_patterns = importlib.util.module_from_spec(spec)
spec.loader.exec_module(error_patterns)


@pytest.mark.parametrize("text,expected", [
    ("14:32", "number or time alone"),
    ("42", "number or time alone"),
    ("• Two eggs, beaten", "list item (bullet, number)"),
    ("Madrid\t31\t12\t40", "table-like (tabs, pipes, 3+ numbers)"),
    ("Así quedó la clasificación:", "ends with ':'"),
    ("Opinion", "one to three words"),
    ("What the council decided on Tuesday night", "heading-like (under 80 chars, no final stop)"),
    ("Sign in to keep reading your saved stories.", "addresses the reader (you, tu, usted)"),
    ("The bridge reopened on Monday after two years of work.", "sentence under 200 chars"),
])
def test_each_text_gets_the_first_pattern_that_matches(text, expected):
    assert error_patterns.pattern(text) == expected


def test_counts_add_up_to_the_errors(shipped):
    labeled = read_labeled([VALIDATION / "short_cut.jsonl"])
    counts = error_patterns.errors(None, labeled)
    scores = shipped.score_documents([d.texts for d in labeled.documents])
    wrong = sum(s.label != r.label for d, ss in zip(labeled.documents, scores)
                for r, s in zip(d.rows, ss) if r.label != "ambiguous")
    assert sum(counts.values()) == wrong


def test_script_prints_both_columns(small_model_dir):
    res = subprocess.run([sys.executable, str(SCRIPT), str(VALIDATION / "short_cut.jsonl"),
                          "--baseline", str(small_model_dir)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "baseline" in res.stdout.splitlines()[0]
    assert sum(line.split()[0] == "content" for line in res.stdout.splitlines()) == len(error_patterns.PATTERNS) + 1
