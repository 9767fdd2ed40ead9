"""The shipped model and data from an installed wheel, outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tamiz import shipped

from .conftest import ROOT, SHIPPED

# the promise: a retrain with no (or few) labels of one's own stays this close to
# the shipped model on the frozen validation split
MAX_DROP = 0.005


def test_checkout_uses_its_own_model_and_data():
    # tests run from the checkout (editable install): no packaged copy in src/
    assert shipped.root() == ROOT
    assert shipped.model_dir() == SHIPPED


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the wheel built from this checkout, dependencies borrowed from
    the running environment (no network, no compiling)."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp / "dist")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp / "dist").glob("tamiz-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
         "-q", str(wheel)], capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr
    site = Path(subprocess.check_output(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # appended after the venv's own site-packages: the wheel's tamiz comes first, and the
    # checkout's editable hook (a .pth inside the borrowed directory) is never run
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp / "elsewhere"
    work.mkdir()
    return venv, work


def test_wheel_trains_on_the_shipped_data(installed):
    venv, work = installed
    env = {k: v for k, v in os.environ.items() if k not in ("TAMIZ_MODEL", "PYTHONPATH")}
    where = subprocess.run(
        [venv / "bin" / "python", "-c",
         "import tamiz, tamiz.shipped as s; print(tamiz.__file__); print(s.root())"],
        cwd=work, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert str(venv) in where[0] and where[1].endswith("_shipped")
    assert not Path(where[1]).is_relative_to(ROOT)

    (work / "my.jsonl").write_text("")
    res = subprocess.run([venv / "bin" / "tamiz", "train", "my.jsonl", "--base", "shipped",
                          "--out", "m"], cwd=work, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    card = json.loads((work / "m" / "card.json").read_text())
    ship = json.loads((SHIPPED / "card.json").read_text())
    td = card["training_data"]
    assert td["base"]["sha256"] == ship["training_data"]["sha256"]
    assert td["user"]["paragraphs"] == 0
    new = card["metrics"]["validation"]["document"]["macro_f1"]
    old = ship["metrics"]["validation"]["document"]["macro_f1"]
    assert new >= old - MAX_DROP, (new, old)
