"""scripts/simulate_active_learning.py runs (a tiny version: the script must not rot)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from .conftest import ROOT, VALIDATION


def test_simulation_runs_and_ends_with_one_json_line(tmp_path):
    # a miniature data root: four families, each file in both splits
    files = sorted(VALIDATION.glob("*.jsonl"))
    fam = next(f for f in files if f.stem.startswith("web_pages"))
    others = [f for f in files if f != fam][:3]
    for sub in ("train", "validation"):
        (tmp_path / "data" / sub).mkdir(parents=True)
        for f in [fam, *others]:
            shutil.copy(f, tmp_path / "data" / sub / f.name)
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "simulate_active_learning.py"),
         "--data", str(tmp_path / "data"), "--family", fam.stem, "--rounds", "1",
         "--per-round", "10", "--seeds", "1", "--plot", str(tmp_path / "curves.png")],
        capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    last = json.loads(res.stdout.strip().splitlines()[-1])
    assert last["labels"] == 10
    assert set(last["curves"]) == {"suggest", "random"}
    for name in ("suggest", "random"):
        f1 = last["curves"][name][0][0]
        assert abs(last[f"{name}_gain"] - (f1 - last["start_macro_f1"])) < 1e-3
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
