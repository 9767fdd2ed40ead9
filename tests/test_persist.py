import json
import pickle
import shutil

import pytest

import tamiz
from tamiz import defaults
from tamiz.errors import ModelError, UsageError
from tamiz.persist import read_card, save

from .conftest import SHIPPED


def copy_model(tmp_path, name="m"):
    dst = tmp_path / name
    shutil.copytree(SHIPPED, dst)
    return dst


def test_round_trip_gives_identical_scores(shipped, tmp_path):
    out = tamiz.save_model(shipped, tmp_path / "again")
    again = tamiz.load_model(out)
    texts = ["Cookie settings", "La fiscalía pidió seis años de prisión para el acusado."]
    assert [s.p_boilerplate for s in again.score(texts)] == [s.p_boilerplate for s in shipped.score(texts)]
    assert read_card(out) == shipped.card


def test_save_refuses_to_overwrite_without_force(shipped, tmp_path):
    out = tamiz.save_model(shipped, tmp_path / "m")
    with pytest.raises(UsageError, match="--force"):
        save(shipped.pipeline, shipped.card, out)
    save(shipped.pipeline, shipped.card, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["card.json", "model.skops", "scorer.npz"]


def test_card_records_what_the_issue_asks(shipped):
    card = shipped.card
    assert card["format"] == "tamiz-model" and card["format_version"] == defaults.MODEL_FORMAT_VERSION
    assert {"tamiz", "scikit-learn", "numpy"} <= set(card["versions"])
    assert len(card["training_data"]["sha256"]) == 64
    assert card["labels"] == ["content", "boilerplate"]
    assert 0 < card["threshold"] < 1
    assert set(card["metrics"]["cross_validated"]["document"]["by_lang"]) >= {"en", "es"}


def test_missing_model(tmp_path):
    with pytest.raises(ModelError, match="no such model"):
        tamiz.load_model(tmp_path / "nope")


def test_not_a_model(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "card.json").write_text('{"hello": 1}')
    with pytest.raises(ModelError, match="not a tamiz model"):
        tamiz.load_model(tmp_path / "x")
    with pytest.raises(ModelError, match="not a tamiz model"):
        tamiz.load_model(tmp_path / "x" / "card.json")


def test_other_format_version(tmp_path):
    m = copy_model(tmp_path)
    card = json.loads((m / "card.json").read_text())
    card["format_version"] = 99
    (m / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="format version 99"):
        tamiz.load_model(m)


@pytest.mark.parametrize("name", ["scorer.npz", "model.skops"])
def test_truncated_model(tmp_path, name):
    m = copy_model(tmp_path)
    data = (m / name).read_bytes()
    (m / name).write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelError, match=name):
        tamiz.load_model(m).pipeline  # the skops file is read only when asked for


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("name", ["scorer.npz", "model.skops"])
def test_pickle_payload_is_refused_and_never_runs(tmp_path, name):
    m = copy_model(tmp_path)
    marker = tmp_path / "pwned"
    (m / name).write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ModelError):
        tamiz.load_model(m).pipeline
    assert not marker.exists()


def test_scorer_with_an_object_array_is_refused(tmp_path):
    import numpy as np

    m = copy_model(tmp_path)
    with np.load(m / "scorer.npz") as data:
        arrays = dict(data)
    arrays["value"] = np.array([_Payload(str(tmp_path / "pwned"))], dtype=object)
    np.savez(m / "scorer.npz", **arrays)
    with pytest.raises(ModelError, match="scorer.npz"):
        tamiz.load_model(m)
    assert not (tmp_path / "pwned").exists()


def test_scorer_with_inconsistent_trees_is_refused(tmp_path):
    import numpy as np

    m = copy_model(tmp_path)
    with np.load(m / "scorer.npz") as data:
        arrays = dict(data)
    broken = dict(arrays, left=arrays["left"] + len(arrays["left"]))
    np.savez(m / "scorer.npz", **broken)
    with pytest.raises(ModelError, match="outside the table"):
        tamiz.load_model(m)
    broken = dict(arrays, feature=arrays["feature"] + 1000)
    np.savez(m / "scorer.npz", **broken)
    with pytest.raises(ModelError, match="does not exist"):
        tamiz.load_model(m)


class Foreign:
    """A type no tamiz model contains."""


def test_skops_file_with_untrusted_type_is_refused(tmp_path):
    import skops.io as sio

    m = copy_model(tmp_path)
    sio.dump({"x": Foreign()}, m / "model.skops")
    with pytest.raises(ModelError, match="untrusted type"):
        tamiz.load_model(m).pipeline


def test_version_drift_warns(tmp_path):
    m = copy_model(tmp_path)
    card = json.loads((m / "card.json").read_text())
    card["versions"]["scikit-learn"] = "0.1.0"
    card["versions"]["numpy"] = "0.2.0"
    (m / "card.json").write_text(json.dumps(card))
    with pytest.warns(UserWarning, match="numpy 0.2.0"):
        model = tamiz.load_model(m)
    with pytest.warns(UserWarning, match="scikit-learn 0.1.0"):
        model.pipeline
