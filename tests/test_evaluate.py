import pytest

from tamiz.evaluate import best_threshold, format_report, prf, report


def test_prf_by_hand():
    t = ["content", "content", "boilerplate", "boilerplate"]
    p = ["content", "boilerplate", "boilerplate", "boilerplate"]
    r = prf(t, p)
    assert r["content"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4), "support": 2}
    assert r["boilerplate"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert r["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-4)
    assert r["confusion"]["content->boilerplate"] == 1


def test_report_by_lang_and_kind():
    r = report(["content", "boilerplate"], ["content", "content"], ["en", "es"], ["prose", "nav"], 3)
    assert r["by_lang"]["en"]["n"] == 1 and r["by_lang"]["es"]["boilerplate"]["recall"] == 0.0
    assert r["by_kind"]["nav"]["accuracy"] == 0.0 and r["ambiguous_skipped"] == 3
    assert "lang=es" in format_report(r)


def test_best_threshold_separates_scores():
    y = ["content"] * 5 + ["boilerplate"] * 5
    p = [0.1, 0.2, 0.2, 0.3, 0.35, 0.7, 0.8, 0.8, 0.9, 0.95]
    t = best_threshold(y, p)
    assert 0.35 < t <= 0.7


def test_one_class_slice_is_not_halved():
    assert prf(["boilerplate"] * 3, ["boilerplate"] * 3)["macro_f1"] == 1.0
    assert prf(["boilerplate"] * 2, ["boilerplate", "content"])["macro_f1"] == pytest.approx((2 / 3) / 2, abs=1e-4)


def test_best_threshold_prefers_the_calibrated_cut_on_a_flat_curve():
    # every cut between 0.3 and 0.8 separates the classes: no reason to leave 0.5
    y = ["content"] * 5 + ["boilerplate"] * 5
    p = [0.1, 0.1, 0.2, 0.2, 0.3, 0.8, 0.8, 0.9, 0.9, 0.95]
    assert best_threshold(y, p) == 0.5
    # a real gain moves it: content reaching 0.6 is only separated above 0.6
    p = [0.1, 0.6, 0.6, 0.6, 0.6, 0.9, 0.9, 0.9, 0.9, 0.95]
    assert 0.6 < best_threshold(y, p) <= 0.9
