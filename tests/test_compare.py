"""tamiz compare: two models on the same labeled data."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from tamiz.compare import compare, format_comparison, mcnemar
from tamiz.data import read_labeled

from .conftest import SHIPPED, assert_one_line_error, run_cli
from .pages import corpus, write_labeled


@pytest.mark.parametrize("b,c", [(0, 0), (1, 9), (3, 3), (0, 12), (7, 17)])
def test_mcnemar_exact_for_small_counts(b, c):
    m = mcnemar(b, c)
    if b + c == 0:
        assert m["p_value"] == 1.0
        return
    assert m["method"] == "exact binomial"
    assert m["p_value"] == pytest.approx(stats.binomtest(b, b + c, 0.5).pvalue, rel=1e-9)


@pytest.mark.parametrize("b,c", [(10, 30), (40, 41), (100, 60)])
def test_mcnemar_chi_square_for_large_counts(b, c):
    m = mcnemar(b, c)
    assert m["method"].startswith("chi-square")
    chi2 = (abs(b - c) - 1) ** 2 / (b + c)
    assert m["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-9)


@pytest.fixture(scope="module")
def labeled(tmp_path_factory):
    path = tmp_path_factory.mktemp("cmp") / "labeled.jsonl"
    write_labeled(path, corpus(20, seed=3))
    return path


def test_compare_counts_flips_and_metrics(shipped, small_model_dir, labeled):
    import tamiz

    small = tamiz.load_model(small_model_dir)
    data = read_labeled([labeled])
    res = compare(shipped, small, data, names=("shipped", "small"))
    n = len(data.rows)
    assert res["n"] == n
    assert set(res["old"]["by_lang"]) >= {"en", "es"}
    assert res["old"]["all"]["n"] == res["new"]["all"]["n"] == n
    m = res["mcnemar"]
    assert m["b"] + m["c"] == len(res["flips"])
    # a flip is a paragraph the two models decide differently, shown in its context
    texts = {d.doc: d.texts for d in data.documents}
    for f in res["flips"]:
        assert f["old"] != f["new"]
        assert f["fixed"] == (f["new"] == f["label"])
        doc = texts[f["doc"]]
        assert doc[f["i"]] == f["text"]
        assert f["before"] == doc[max(0, f["i"] - 2):f["i"]]
    # a model against itself: nothing flips
    same = compare(shipped, shipped, data)
    assert same["flips"] == [] and same["mcnemar"]["p_value"] == 1.0
    assert same["old"]["all"] == same["new"]["all"]
    assert "flips: 0" in format_comparison(same)


def test_cli_compare(small_model_dir, labeled):
    res = run_cli("compare", "shipped", str(small_model_dir), str(labeled), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["names"] == ["shipped", str(small_model_dir)]
    assert "mcnemar" in out and "flips" in out
    res = run_cli("compare", "shipped", str(SHIPPED), str(labeled))
    assert res.returncode == 0 and "lang=es" in res.stdout
    res = run_cli("compare", "shipped", "no/such/model", str(labeled))
    assert_one_line_error(res, 1, "no such model")
