import subprocess
import sys

import numpy as np
import pytest

from tamiz.data import read_labeled
from tamiz.estimators import build_pipeline
from tamiz.features import Paragraphs
from tamiz.scorer import Scorer
from tamiz.training import to_table

from .conftest import VALIDATION


@pytest.fixture(scope="module")
def fitted():
    data = read_labeled([VALIDATION])
    data.documents = data.documents[1::3]
    table, y = to_table(data)
    return build_pipeline().fit(table, y), table


def test_scorer_reproduces_the_pipeline(fitted, tmp_path):
    pipeline, table = fitted
    scorer = Scorer.from_pipeline(pipeline)
    scorer.save(tmp_path / "s.npz")
    loaded = Scorer.load(tmp_path / "s.npz")
    for t in (table, Paragraphs.isolated(table.texts)):
        expected = pipeline.predict_proba(t)[:, 1]
        block = loaded.featurizer().transform(t)
        assert np.allclose(loaded.p_content(block), expected, rtol=0, atol=1e-9)


def test_missing_values_follow_the_learned_side(fitted):
    """Rows of NaN (no neighbours, no corpus counts) are scored like sklearn scores them."""
    pipeline, table = fitted
    scorer = Scorer.from_pipeline(pipeline)
    hgb = pipeline.named_steps["classifier"].stage2_
    Z = np.full((3, hgb.n_features_in_), np.nan)
    Z[1] = 0.0
    expected = hgb._raw_predict(Z).ravel()
    assert np.allclose(scorer.stage2_raw(Z), expected, rtol=0, atol=1e-9)


def test_values_on_split_thresholds_and_mixed_missing(fitted):
    """Values equal to a split's threshold go left (x <= t), as in scikit-learn."""
    pipeline, _ = fitted
    scorer = Scorer.from_pipeline(pipeline)
    hgb = pipeline.named_steps["classifier"].stage2_
    rng = np.random.default_rng(0)
    inner = ~scorer.is_leaf
    Z = np.zeros((500, hgb.n_features_in_))
    for f in range(Z.shape[1]):
        thresholds = scorer.threshold[inner & (scorer.feature == f)]
        pool = np.concatenate([thresholds, np.nextafter(thresholds, np.inf), [np.nan, -1.0, 1e9]])
        Z[:, f] = rng.choice(pool, size=len(Z))
    expected = hgb._raw_predict(Z).ravel()
    assert np.allclose(scorer.stage2_raw(Z), expected, rtol=0, atol=1e-9)


def test_a_cycle_in_the_tree_tables_is_refused(fitted):
    pipeline, _ = fitted
    scorer = Scorer.from_pipeline(pipeline)
    inner = np.flatnonzero(~scorer.is_leaf)
    scorer.left[inner[-1]] = scorer.roots[0]
    with pytest.raises(ValueError, match="do not form trees"):
        scorer._check()


def test_scoring_imports_neither_sklearn_nor_scipy():
    code = ("import sys, tamiz; m = tamiz.load_model(); m.score_document('Home\\nThe vote was "
            "held on Monday.'); print(sorted(k for k in ('sklearn', 'scipy', 'skops') "
            "if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_trees_of_other_context_features_are_refused(fitted, tmp_path):
    """A scorer file whose context columns differ (another tamiz) is refused, not misread."""
    pipeline, _ = fitted
    scorer = Scorer.from_pipeline(pipeline)
    scorer.context_names = scorer.context_names[::-1].copy()
    scorer.save(tmp_path / "s.npz")
    with pytest.raises(ValueError, match="other context features"):
        Scorer.load(tmp_path / "s.npz")
