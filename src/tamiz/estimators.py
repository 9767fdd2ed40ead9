"""The scikit-learn side of tamiz: the estimators that are trained.

Pipeline = ParagraphFeatures (stateless) -> TwoStageClassifier:

1. stage 1, a linear model (logistic loss) on each paragraph alone (hashed n-grams, shape,
   language): good on isolated paragraphs, and a first-pass score for stage 2;
2. stage 2, gradient-boosted trees on the context of each paragraph in its document
   (neighbours' stage-1 scores and shapes, position, language against the document's,
   repetition across the corpus), trained on out-of-fold stage-1 scores so it learns
   how far to trust them, then calibrated (isotonic) on out-of-fold predictions.

An isolated paragraph is a one-paragraph document; stage 2 is trained on such
singletons as well, so scoring without context is a case it has seen.

Scoring does not run these objects: :mod:`tamiz.scorer` copies their fitted numbers
into plain arrays, so a scoring process never imports scikit-learn.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from . import defaults
from .features import FeatureBlock, Featurizer, Paragraphs, context_matrix


class ParagraphFeatures(TransformerMixin, BaseEstimator):
    """scikit-learn face of :class:`tamiz.features.Featurizer` (stateless)."""

    def __init__(
        self,
        char_ngram_range=defaults.CHAR_NGRAM_RANGE,
        char_bits=defaults.HASH_BITS_CHAR,
        word_bits=defaults.HASH_BITS_WORD,
        prefix_chars=defaults.FEATURE_PREFIX_CHARS,
    ):
        self.char_ngram_range = char_ngram_range
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.prefix_chars = prefix_chars

    def featurizer(self) -> Featurizer:
        return Featurizer(self.char_ngram_range, self.char_bits, self.word_bits,
                          self.prefix_chars)

    def fit(self, X, y=None):
        self.n_text_features_ = self.featurizer().n_text_features
        return self

    def transform(self, X: Paragraphs) -> FeatureBlock:
        return self.featurizer().transform(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


class TwoStageClassifier(ClassifierMixin, BaseEstimator):
    """Paragraph classifier over a FeatureBlock; labels `content` / `boilerplate`.

    Rows whose label is `ambiguous` are kept as context but are not training targets.
    """

    def __init__(
        self,
        alpha=defaults.STAGE1_ALPHA,
        cv_folds=defaults.CV_FOLDS,
        stage2_max_iter=defaults.STAGE2_MAX_ITER,
        stage2_learning_rate=defaults.STAGE2_LEARNING_RATE,
        stage2_max_leaf_nodes=defaults.STAGE2_MAX_LEAF_NODES,
        stage2_l2=defaults.STAGE2_L2,
        repeat_mask_share=defaults.REPEAT_MASK_SHARE,
        random_state=defaults.SEED,
    ):
        self.alpha = alpha
        self.cv_folds = cv_folds
        self.stage2_max_iter = stage2_max_iter
        self.stage2_learning_rate = stage2_learning_rate
        self.stage2_max_leaf_nodes = stage2_max_leaf_nodes
        self.stage2_l2 = stage2_l2
        self.repeat_mask_share = repeat_mask_share
        self.random_state = random_state

    # -- building blocks -------------------------------------------------------
    def _stage1_matrix(self, block: FeatureBlock) -> sp.csr_matrix:
        return sp.hstack([block.text.to_csr(),
                          sp.csr_matrix(self.scaler_.transform(block.shape))]).tocsr()

    def _stage1_decision(self, X: FeatureBlock) -> np.ndarray:
        """stage1_.decision_function(_stage1_matrix(X)) without stacking the blocks."""
        coef = self.stage1_.coef_.ravel()
        n_text = X.text.n_features
        shape = self.scaler_.transform(X.shape)
        return X.text.dot(coef[:n_text]) + shape @ coef[n_text:] + self.stage1_.intercept_[0]

    def _new_stage1(self, n_rows: int) -> SGDClassifier:
        # Averaged SGD on the logistic loss: within 0.005 macro-F1 of liblinear's exact
        # solution on our data at a tenth of the time. Epochs shrink as data grows
        # (a fixed budget of sample visits), so 100k paragraphs still train in minutes.
        epochs = int(np.clip(defaults.STAGE1_SAMPLE_BUDGET / max(n_rows, 1),
                             defaults.STAGE1_MIN_EPOCHS, defaults.STAGE1_MAX_EPOCHS))
        return SGDClassifier(
            loss="log_loss", alpha=self.alpha, max_iter=epochs, tol=None, average=True,
            random_state=self.random_state,
        )

    def _fit_stage1(self, X1: sp.csr_matrix, y: np.ndarray,
                    weight: np.ndarray | None) -> SGDClassifier:
        """SGD fits under STAGE1_RUNS shuffling seeds, their weights averaged into one linear
        model: scoring costs one model, and the borderline scores that stage 2 learns from
        depend less on the order SGD happened to visit the rows."""
        runs = []
        for k in range(defaults.STAGE1_RUNS):
            clf = self._new_stage1(len(y))
            clf.set_params(random_state=self.random_state + k)
            runs.append(clf.fit(X1, y, sample_weight=weight))
        clf = runs[0]
        clf.coef_ = np.mean([r.coef_ for r in runs], axis=0)
        clf.intercept_ = np.mean([r.intercept_ for r in runs], axis=0)
        # SGD keeps copies of its weights for a later partial_fit; the model never
        # continues training, and they would double the model file.
        for name in ("_standard_coef", "_standard_intercept", "_average_coef", "_average_intercept"):
            clf.__dict__.pop(name, None)
        return clf

    def _new_stage2(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.stage2_max_iter,
            learning_rate=self.stage2_learning_rate,
            max_leaf_nodes=self.stage2_max_leaf_nodes,
            l2_regularization=self.stage2_l2,
            early_stopping=False,
            random_state=self.random_state,
        )

    def _fit_stage2(self, Z: np.ndarray, y: np.ndarray,
                    weight: np.ndarray | None = None) -> HistGradientBoostingClassifier:
        """Fit stage 2, working around scikit-learn 1.9's failure on a constant column.

        HistGradientBoosting's binning raises on a column with a single distinct value
        (small training sets, or a fold without some language). Two extra rows with a
        negligible weight give such columns a second value; rows of weight 0 would be
        left out of the binning, and the error would stay.
        """
        constant = [j for j in range(Z.shape[1]) if len(np.unique(Z[~np.isnan(Z[:, j]), j])) < 2]
        if not constant:
            # no weights at all: unit weights would turn off HGB's constant-hessian fast path
            return self._new_stage2().fit(Z, y, sample_weight=weight)
        weight = np.ones(len(y)) if weight is None else weight
        extra = np.repeat(Z[:1], 2, axis=0)
        for j in constant:
            values = Z[~np.isnan(Z[:, j]), j]
            base = values[0] if len(values) else 0.0
            extra[:, j] = [base, base + 1.0]
        Z = np.vstack([Z, extra])
        y = np.concatenate([y, [0, 1]])
        weight = np.concatenate([weight, [1e-9, 1e-9]])
        return self._new_stage2().fit(Z, y, sample_weight=weight)

    def _splits(self, groups: np.ndarray, rows: np.ndarray):
        n_groups = len(np.unique(groups[rows]))
        folds = min(self.cv_folds, n_groups)
        if folds < 2:
            raise ValueError("training needs labeled paragraphs from at least 2 documents")
        return [(rows[a], rows[b]) for a, b in GroupKFold(folds).split(rows, groups=groups[rows])]

    # -- fit / predict -----------------------------------------------------------
    def fit(self, X: FeatureBlock, y, sample_weight=None):
        """`sample_weight`: one weight per row (None: all rows alike). Used to weigh a
        user's own labels above the shipped data they are added to."""
        # single-threaded trees: on a shared or busy 2-core machine OpenMP's parallel
        # tree growing waits for cores far longer than it saves (measured 10x slower)
        with _threadpools().limit(limits=1, user_api="openmp"):
            return self._fit(X, y, sample_weight)

    def _fit(self, X: FeatureBlock, y, sample_weight=None):
        y = np.asarray(y, dtype=object)
        if len(y) != len(X):
            raise ValueError("X and y have different lengths")
        w = None
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != (len(y),) or not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ValueError("sample_weight must hold one positive number per row")
        labeled = np.flatnonzero(y != defaults.AMBIGUOUS)
        target = (y == defaults.CONTENT).astype(np.int64)
        found = set(y[labeled])
        if not found <= set(defaults.LABELS) or len(found) < 2:
            raise ValueError(f"training needs both labels {defaults.LABELS}; found {sorted(found)}")
        self.classes_ = np.array([defaults.BOILERPLATE, defaults.CONTENT], dtype=object)
        self.scaler_ = StandardScaler().fit(X.shape[labeled])
        X1 = self._stage1_matrix(X)

        # Stage 1, out of fold: every row (ambiguous ones too, as context) gets a
        # score from a model that never saw its document.
        s_oof = np.zeros(len(X))
        doc_of_row = X.doc
        for train, _ in self._splits(doc_of_row, labeled):
            held = ~np.isin(doc_of_row, doc_of_row[train])
            clf = self._fit_stage1(X1[train], target[train], _take(w, train))
            s_oof[held] = clf.decision_function(X1[held])
        self.stage1_ = self._fit_stage1(X1[labeled], target[labeled], _take(w, labeled))

        # Stage 2 sees each labeled row twice: in its document, and alone.
        Z_doc = context_matrix(self._mask_repeats(X), s_oof)
        alone = X.take(labeled)
        alone.doc = np.arange(len(labeled))
        alone.repeat = np.full(len(labeled), np.nan)
        Z_alone = context_matrix(alone, s_oof[labeled])
        Z = np.vstack([Z_doc[labeled], Z_alone])
        yz = np.concatenate([target[labeled], target[labeled]])
        gz = np.concatenate([doc_of_row[labeled], doc_of_row[labeled]])
        wz = None if w is None else np.concatenate([w[labeled], w[labeled]])
        rows = np.arange(len(yz))
        p_oof = np.zeros(len(yz))
        for train, test in self._splits(gz, rows):
            p_oof[test] = self._fit_stage2(Z[train], yz[train],
                                           _take(wz, train)).predict_proba(Z[test])[:, 1]
        self.stage2_ = self._fit_stage2(Z, yz, wz)
        self.calibrator_ = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        self.calibrator_.fit(p_oof, yz, sample_weight=wz)
        n = len(labeled)
        # Out-of-fold calibrated P(content), for thresholds and cross-validated metrics.
        # Not part of the model: training removes it before saving.
        self.oof_ = {
            "rows": labeled,
            "document": self.calibrator_.predict(p_oof[:n]),
            "isolated": self.calibrator_.predict(p_oof[n:]),
        }
        return self

    def _mask_repeats(self, X: FeatureBlock) -> FeatureBlock:
        """Hide repetition counts for a fixed share of documents (see defaults)."""
        docs = np.unique(X.doc)
        rng = np.random.RandomState(self.random_state)
        hidden = docs[rng.random_sample(len(docs)) < self.repeat_mask_share]
        masked = X.take(np.arange(len(X)))
        masked.repeat = np.where(np.isin(X.doc, hidden), np.nan, X.repeat)
        return masked

    def predict_proba(self, X: FeatureBlock) -> np.ndarray:
        """(n, 2) probabilities in classes_ order: boilerplate, content."""
        if len(X) == 0:
            return np.zeros((0, 2))
        s = self._stage1_decision(X)
        p = self.stage2_.predict_proba(context_matrix(X, s))[:, 1]
        p = self.calibrator_.predict(p)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: FeatureBlock) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


def _take(weight: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if weight is None else weight[rows]


@lru_cache(maxsize=1)
def _threadpools() -> ThreadpoolController:
    """Inspecting the loaded thread pools reads files; do it once per process."""
    return ThreadpoolController()


def build_pipeline(**params) -> Pipeline:
    """The untrained tamiz pipeline; `params` go to TwoStageClassifier."""
    return Pipeline(
        [("features", ParagraphFeatures()), ("classifier", TwoStageClassifier(**params))]
    )
