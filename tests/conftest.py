"""Shared fixtures: the shipped model, a small model trained here, and CLI helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "model"
VALIDATION = ROOT / "training_data" / "validation"
SHARED_EXAMPLE = ROOT.parent / "shared" / "examples" / "elpais-usa-article.labels.jsonl"


def pytest_configure(config):
    # hermetic: the tests (and the CLI processes they start) never read or write the
    # user's cache of language profile arrays, only this run's own
    config._tamiz_cache = tempfile.mkdtemp(prefix="tamiz-cache-")
    os.environ["TAMIZ_CACHE_DIR"] = config._tamiz_cache
    # the engines' tests (datasets, datatrove) run offline and leave no cache behind
    os.environ["HF_HOME"] = os.path.join(config._tamiz_cache, "hf")
    os.environ["HF_DATASETS_OFFLINE"] = os.environ["HF_HUB_OFFLINE"] = "1"


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_tamiz_cache", ""), ignore_errors=True)


@pytest.fixture(scope="session")
def shipped():
    import tamiz

    return tamiz.load_model(SHIPPED)


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory):
    """A model trained by the CLI on the validation split (seconds, not minutes)."""
    out = tmp_path_factory.mktemp("models") / "small"
    res = run_cli("train", str(VALIDATION), "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def small_base(tmp_path_factory):
    """A base laid out like training_data/ (train/ and validation/), small enough to train in
    seconds: four validation files as its training split, one as its validation split."""
    root = tmp_path_factory.mktemp("base")
    files = sorted(VALIDATION.glob("*.jsonl"))
    (root / "train").mkdir()
    (root / "validation").mkdir()
    for f in files[1:5]:  # four families: enough for both classes and languages, and fast
        shutil.copy(f, root / "train" / f.name)
    shutil.copy(files[0], root / "validation" / files[0].name)
    return root


def run_cli(*args, input: str | bytes | None = None, timeout: float = 300, env=None, cwd=None):
    """Run `python -m tamiz ARGS` through real pipes; returns CompletedProcess (text)."""
    full_env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    data = input.encode("utf-8") if isinstance(input, str) else input
    res = subprocess.run(
        [sys.executable, "-m", "tamiz", *args], input=data, capture_output=True,
        timeout=timeout, env=full_env, cwd=cwd,
    )
    res.stdout = res.stdout.decode("utf-8", errors="replace")
    res.stderr = res.stderr.decode("utf-8", errors="replace")
    return res


def assert_one_line_error(res, code: int, *fragments: str):
    """The CLI failed with `code` and said so in one line, without a traceback."""
    assert res.returncode == code, (res.returncode, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
