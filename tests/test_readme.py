"""The README's engine examples, run exactly as written (extracted from README.md), on a
corpus this test writes; all of them must give the CLI's cleaned text per record id."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .synthetic import write_jsonl

EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```(\w+)\n(.*?)```", re.S)


def examples() -> dict[str, tuple[str, str]]:
    return {name: (lang, code) for name, lang, code in
            EXAMPLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))}


def _texts(paths):
    out = {}
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out[r["id"]] = r["text"]
    return out


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Every example, in README order, in one folder: later ones use the counts file."""
    work = tmp_path_factory.mktemp("readme")
    write_jsonl(work / "crawl", 150, seed=21, files=3)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               PYTHONIOENCODING="utf-8")
    results = {}
    for name, (lang, code) in examples().items():
        cmd = (["bash", "-euo", "pipefail", "-c", code] if lang == "sh"
               else [sys.executable, "-c", code])
        results[name] = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                                       timeout=600)
    return work, results


def test_the_readme_has_each_engine():
    assert {"cli", "core", "datatrove", "dask", "hf"} <= set(examples())


@pytest.mark.parametrize("name", ["cli", "core", "datatrove", "dask", "hf"])
def test_example_runs(ran, name):
    _, results = ran
    assert results[name].returncode == 0, results[name].stderr[-2000:]


def test_examples_agree_with_the_cli(ran):
    work, results = ran
    expected = _texts([work / "cleaned.jsonl"])
    assert len(expected) == 150
    assert _texts([work / "cleaned-dask-cli.jsonl"]) == expected
    assert _texts(sorted((work / "cleaned-dask").glob("*.jsonl"))) == expected
    assert _texts([work / "cleaned-hf.jsonl"]) == expected
    assert _texts(sorted((work / "cleaned-datatrove").glob("*.jsonl"))) == {
        k: v for k, v in expected.items() if v}
    core = results["core"].stdout.splitlines()
    assert core[0] == "The minister said on Tuesday that the plan would be approved."
    assert "Accept all cookies" in core[-1]
