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


def test_operating_points_order_and_targets():
    from tamiz.evaluate import operating_points

    y = ["content"] * 50 + ["boilerplate"] * 50
    # content scored 0.20..0.69, boilerplate 0.30..0.79: the classes overlap
    p = [(20 + k) / 100 for k in range(50)] + [(30 + k) / 100 for k in range(50)]
    pts = operating_points(y, p, balanced=0.5)
    assert pts["balanced"]["threshold"] == 0.5
    # the nearest cuts that meet each target: 0.69 keeps 49 of 50 content paragraphs (0.68
    # keeps 48, below 0.97); 0.30 drops every boilerplate paragraph (0.31 misses one)
    assert pts["keep-more"]["threshold"] == 0.69 and pts["keep-more"]["content"]["recall"] == 0.98
    assert pts["strict"]["threshold"] == 0.3 and pts["strict"]["boilerplate"]["recall"] == 1.0
    # targets already met at the balanced cut: the modes do not move past it
    easy = operating_points(["content", "boilerplate"], [0.1, 0.9], balanced=0.5)
    assert {v["threshold"] for v in easy.values()} == {0.5}


def test_report_by_kind_and_language_for_the_structure_kinds():
    r = report(["content"] * 3, ["content", "boilerplate", "content"], ["en", "es", "es"],
               ["title", "title", "table"])
    assert r["by_kind_lang"]["title"] == {"en": {"n": 1, "accuracy": 1.0},
                                          "es": {"n": 1, "accuracy": 0.0}}
    assert "title es 0.00" in format_report(r)


def test_parity_of_translated_pairs(small_model_dir, tmp_path):
    import json

    import tamiz
    from tamiz.data import read_labeled
    from tamiz.training import evaluate_labeled

    rows = []
    for k, (en, es) in enumerate([("Accept all cookies", "Aceptar todas las cookies"),
                                  ("The mayor opened the new bridge on Friday morning.",
                                   "La alcaldesa inauguró el nuevo puente el viernes por la mañana.")]):
        label = "boilerplate" if k == 0 else "content"
        rows += [{"doc": f"en{k}", "text": en, "label": label, "lang": "en", "pair": f"p{k}"},
                 {"doc": f"es{k}", "text": es, "label": label, "lang": "es", "pair": f"p{k}"}]
    rows.append({"doc": "x", "text": "Unpaired line", "label": "content", "lang": "en", "pair": "p9"})
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    model = tamiz.load_model(small_model_dir)
    rep = evaluate_labeled(model, read_labeled([path]))
    assert rep["parity"]["pairs"] == 2  # the unpaired row is not a pair
    p = [s.p_boilerplate for s in model.score([r["text"] for r in rows[:4]])]
    alone = rep["parity"]["isolated"]
    assert alone["mean_abs_diff"] == pytest.approx((abs(p[0] - p[1]) + abs(p[2] - p[3])) / 2, abs=1e-4)
    assert "language parity on 2" in format_report(rep)
