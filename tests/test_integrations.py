"""The engines' modules: datatrove steps, Dask bag/dataframe, datasets' batched function,
and the one-line error of an integration whose extra is missing."""

import importlib
import json
import sys
from pathlib import Path

import pytest

import tamiz
from tamiz.core import clean_records

from .synthetic import records

ROOT_SRC = str(Path(__file__).resolve().parents[1] / "src")

PAGE = ("Home\nWorld\nThe minister said on Tuesday that the plan would be approved by "
        "parliament before the summer.\nAccept all cookies")


@pytest.mark.parametrize("module,dependency,extra", [
    ("datatrove", "datatrove", "datatrove"), ("dask", "dask", "dask"), ("hf", "datasets", "hf")])
def test_missing_extra_is_one_line_naming_it(monkeypatch, module, dependency, extra):
    monkeypatch.setitem(sys.modules, dependency, None)  # what `import` sees when it is absent
    monkeypatch.delitem(sys.modules, f"tamiz.integrations.{module}", raising=False)
    with pytest.raises(ImportError) as err:
        importlib.import_module(f"tamiz.integrations.{module}")
    message = str(err.value)
    assert f"pip install 'tamiz[{extra}]'" in message and "\n" not in message
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_the_core_imports_no_engine():
    code = ("import sys, tamiz, tamiz.core, tamiz.corpus, tamiz.cli, tamiz.repeats; "
            "tamiz.clean_record('Home', tamiz.worker_model()); "
            "print(sorted(m for m in ('datatrove', 'dask', 'distributed', 'datasets', 'pandas') "
            "if m in sys.modules))")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_datatrove_cleaner_in_process(shipped):
    from datatrove.data import Document

    from tamiz.integrations.datatrove import TamizCleaner

    docs = [Document(text=PAGE, id="a"), Document(text="Home\nAccept all cookies", id="b")]
    step = TamizCleaner()
    out = list(step.run(iter(docs)))
    assert [d.id for d in out] == ["a"]  # b is left empty: dropped
    assert out[0].text == shipped.clean(PAGE)
    assert [r["i"] for r in out[0].metadata["tamiz_removed"]] == [0, 1, 3]
    assert len(out[0].metadata["tamiz_p_boilerplate"]) == 4
    assert step.stats["dropped_tamiz_empty"].total == 1 and step.stats["forwarded"].total == 1


def test_dask_bag_and_dataframe_on_two_workers(shipped, tmp_path):
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    from tamiz.core import _cached_model
    from tamiz.integrations.dask import clean_bag, clean_dataframe

    recs = records(120, seed=5)
    counts = tmp_path / "c.tamizrep"
    tamiz.count_documents(r["text"].splitlines() for r in recs).save(counts)
    expected = [r.text for r in clean_records([r["text"] for r in recs], shipped, str(counts))]
    _cached_model.cache_clear()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        bag = clean_bag(db.from_sequence(recs, npartitions=4), repeats=str(counts))
        ddf = clean_dataframe(dd.from_pandas(pd.DataFrame(recs), npartitions=3),
                              repeats=str(counts))
        assert "tamiz_removed" in ddf.columns  # from meta=, without running the function
        assert _cached_model.cache_info().currsize == 0  # nothing loaded in the driver
        got_bag = bag.compute()
        frame = ddf.compute()
    assert _cached_model.cache_info().currsize == 0
    assert [r["text"] for r in got_bag] == expected
    assert [r["id"] for r in got_bag] == [r["id"] for r in recs]
    assert frame["text"].tolist() == expected and frame["site"].tolist() == [r["site"] for r in recs]
    removed = [json.loads(x) for x in frame["tamiz_removed"]]
    assert removed == [r["tamiz_removed"] for r in got_bag]


def test_hf_clean_batch_keeps_other_columns(shipped):
    from tamiz.integrations.hf import clean_batch

    out = clean_batch({"body": [PAGE, ""], "url": ["u1", "u2"]}, text_field="body", model=shipped)
    assert out["url"] == ["u1", "u2"] and out["body"] == [shipped.clean(PAGE), ""]
    assert [r["i"] for r in out["tamiz_removed"][0]] == [0, 1, 3] and out["tamiz_removed"][1] == []


def test_engine_dask_without_the_extra_is_a_usage_error(tmp_path):
    from .conftest import assert_one_line_error, run_cli

    # a `dask` that cannot be imported, first on the path of the CLI process
    (tmp_path / "dask").mkdir()
    (tmp_path / "dask" / "__init__.py").write_text("raise ImportError('no dask here')\n")
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT_SRC}"}
    res = run_cli("clean", "--engine", "dask", "-", input="Home\n", env=env)
    assert_one_line_error(res, 2, "pip install 'tamiz[dask]'")
    assert_one_line_error(run_cli("clean", "--scheduler", "tcp://x:1", input=""), 2, "--engine dask")
