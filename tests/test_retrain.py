"""Training on top of a base data set plus a user's labels (tamiz.retrain)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tamiz import defaults
from tamiz.data import read_labeled
from tamiz.errors import UsageError
from tamiz.retrain import merge, train_on_base

from .conftest import assert_one_line_error, run_cli

# invented rows; the first document reuses an id of the base on purpose
USER_ROWS = [
    {"doc": "D1", "i": 0, "text": "Members' area: sign in with your club card number",
     "label": "boilerplate", "lang": "en"},
    {"doc": "D1", "i": 1, "text": "The allotment society meets on the first Sunday of each "
     "month to share seeds and swap tools.", "label": "content", "lang": "en"},
    {"doc": "D1", "i": 2, "text": "Plots on the east side flood after heavy rain, so the "
     "committee asked members to dig a drain along the path.", "label": "content", "lang": "en"},
    {"doc": "huerto-7", "i": 0, "text": "Inicio > Huertos > Avisos", "label": "boilerplate",
     "lang": "es"},
    {"doc": "huerto-7", "i": 1, "text": "La asociación reparte este sábado plantones de tomate "
     "entre los socios que lo pidan.", "label": "content", "lang": "es"},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _base_rows(n_docs=2):
    base = [{"doc": "D1", "i": k, "text": f"Base paragraph {k} of the first page, plain prose.",
             "label": "content" if k else "boilerplate"} for k in range(3)]
    return base + [{"doc": "D2", "i": 0, "text": "Another base page", "label": "boilerplate"}]


def test_merge_keeps_colliding_documents_apart_and_weighs_user_rows(tmp_path):
    base = read_labeled([write_jsonl(tmp_path / "base.jsonl", _base_rows())])
    user = read_labeled([write_jsonl(tmp_path / "user.jsonl", USER_ROWS)], require_both=False)
    merged, w = merge(base, user, 2.5)
    names = [d.doc for d in merged.documents]
    assert len(names) == len(set(names)) == 4
    assert defaults.USER_DOC_PREFIX + "D1" in names
    # the renamed document holds the user's rows only, in order
    mine = next(d for d in merged.documents if d.doc == defaults.USER_DOC_PREFIX + "D1")
    assert [r.text for r in mine.rows] == [r["text"] for r in USER_ROWS[:3]]
    assert w.tolist() == [1.0] * 4 + [2.5] * 5
    assert merged.digest not in (base.digest, user.digest)


def test_empty_user_file_is_a_valid_addition(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert read_labeled([empty], require_both=False, allow_empty=True).rows == []


def test_train_on_base_records_both_data_sets(small_base, tmp_path):
    mine = write_jsonl(tmp_path / "mine.jsonl", USER_ROWS)
    model, card = train_on_base([mine], small_base, weight=4.0)
    td = card["training_data"]
    base = read_labeled([small_base / "train"])
    assert td["base"]["sha256"] == base.digest
    assert td["base"]["paragraphs"] == len(base.rows)
    assert td["user"]["paragraphs"] == len(USER_ROWS) and td["user"]["documents"] == 2
    assert td["user"]["sha256"] == read_labeled([mine], require_both=False).digest
    assert td["paragraphs"] == len(base.rows) + len(USER_ROWS)
    assert td["user_weight"] == 4.0
    # thresholds chosen on the base's own validation split
    assert td["validation_sha256"] == read_labeled([small_base / "validation"]).digest
    assert "validation" in card["metrics"]


def test_user_weight_moves_the_model(small_base, tmp_path):
    # a user whose corpus keeps bylines, which the base labels boilerplate: the heavier the
    # user's rows weigh, the closer the model comes to their convention
    bylines = ["By Marta Quiroga", "By Tomasz Wren and Ada Obi", "Por Lucía Ferrán",
               "By Kenji Alvarado, Science Editor", "Por Rocío Benítez y Hugo Salas"]
    rows = []
    for k, byline in enumerate(bylines):
        rows += [{"doc": f"u{k}", "i": 0, "text": byline, "label": "content"},
                 {"doc": f"u{k}", "i": 1, "text": USER_ROWS[1 + k % 2]["text"] if k < 3
                  else USER_ROWS[4]["text"], "label": "content"},
                 {"doc": f"u{k}", "i": 2, "text": "Share on Facebook", "label": "boilerplate"}]
    mine = write_jsonl(tmp_path / "mine.jsonl", rows)
    light, _ = train_on_base([mine], small_base, weight=1.0)
    heavy, _ = train_on_base([mine], small_base, weight=30.0)
    p = [np.mean([s.p_boilerplate for s in m.score(bylines)]) for m in (light, heavy)]
    assert p[1] < p[0]


def test_bad_base_and_weight(tmp_path):
    mine = write_jsonl(tmp_path / "mine.jsonl", USER_ROWS)
    with pytest.raises(UsageError):
        train_on_base([mine], tmp_path)
    res = run_cli("train", str(mine), "--base", str(tmp_path), "--out", str(tmp_path / "m"))
    assert_one_line_error(res, 2, "--base")
    res = run_cli("train", str(mine), "--base", "shipped", "--weight", "0",
                  "--out", str(tmp_path / "m"))
    assert_one_line_error(res, 2, "--weight")
