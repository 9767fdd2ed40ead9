"""The trained pipeline as plain arrays, evaluated with numpy alone.

Training builds scikit-learn estimators (:mod:`tamiz.estimators`); scoring needs only
their fitted numbers: stage 1's weights and scaler, stage 2's trees, the isotonic
calibration curve. :meth:`Scorer.from_pipeline` copies them out, ``scorer.npz`` stores
them (``numpy.load`` with ``allow_pickle=False``: nothing in the file can run), and
:meth:`Scorer.p_content` reproduces ``pipeline.predict_proba`` (tested to 1e-9).

Why: importing scikit-learn and SciPy and unpacking the skops file took 1.9 s of
every ``tamiz`` run, longer than jusText takes for 10,000 paragraphs; this module
loads in milliseconds. The skops file stays in the model directory as the
inspectable scikit-learn artifact (:attr:`tamiz.Model.pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from . import defaults
from .features import CONTEXT_NAMES, SHAPE_NAMES, FeatureBlock, Featurizer, context_matrix

SCORER_FORMAT_VERSION = 1


@dataclass
class Scorer:
    # featurization settings
    char_ngram_range: np.ndarray  # (lo, hi)
    char_bits: int
    word_bits: int
    prefix_chars: int
    # stage 1: logit = ngrams . coef_text + ((shape - mean) / scale) . coef_shape + intercept
    coef_text: np.ndarray
    coef_shape: np.ndarray
    intercept: float
    shape_mean: np.ndarray
    shape_scale: np.ndarray
    # stage 2: gradient-boosted trees as one flat node table; tree t starts at roots[t].
    # Leaves point to themselves. P = sigmoid(baseline + sum of reached leaf values).
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: float
    # calibration: piecewise-linear isotonic curve, clipped at its ends
    iso_x: np.ndarray
    iso_y: np.ndarray

    @classmethod
    def from_pipeline(cls, pipeline) -> "Scorer":
        """Copy the fitted numbers out of a tamiz scikit-learn pipeline."""
        features = pipeline.named_steps["features"]
        clf = pipeline.named_steps["classifier"]
        coef = clf.stage1_.coef_.ravel().astype(np.float64)
        n_text = features.featurizer().n_text_features
        tables = {name: [] for name in ("feature", "threshold", "missing_left", "left",
                                        "right", "is_leaf", "value")}
        roots = []
        offset = 0
        for (tree,) in clf.stage2_._predictors:  # binary: one tree per iteration
            nodes = tree.nodes
            own = np.arange(len(nodes)) + offset
            leaf = nodes["is_leaf"].astype(bool)
            tables["feature"].append(nodes["feature_idx"].astype(np.int64))
            tables["threshold"].append(nodes["num_threshold"].astype(np.float64))
            tables["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            tables["left"].append(np.where(leaf, own, nodes["left"].astype(np.int64) + offset))
            tables["right"].append(np.where(leaf, own, nodes["right"].astype(np.int64) + offset))
            tables["is_leaf"].append(leaf)
            tables["value"].append(nodes["value"].astype(np.float64))
            roots.append(offset)
            offset += len(nodes)
        iso = clf.calibrator_
        return cls(
            char_ngram_range=np.asarray(features.char_ngram_range, dtype=np.int64),
            char_bits=int(features.char_bits), word_bits=int(features.word_bits),
            prefix_chars=int(features.prefix_chars),
            coef_text=coef[:n_text].astype(np.float32), coef_shape=coef[n_text:],
            intercept=float(clf.stage1_.intercept_[0]),
            shape_mean=clf.scaler_.mean_.astype(np.float64),
            shape_scale=clf.scaler_.scale_.astype(np.float64),
            **{name: np.concatenate(parts) for name, parts in tables.items()},
            roots=np.asarray(roots, dtype=np.int64),
            baseline=float(np.ravel(clf.stage2_._baseline_prediction)[0]),
            iso_x=np.asarray(iso.X_thresholds_, dtype=np.float64),
            iso_y=np.asarray(iso.y_thresholds_, dtype=np.float64),
        )

    # -- files -------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays = {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}
        with open(path, "wb") as fh:
            np.savez(fh, format_version=np.int64(SCORER_FORMAT_VERSION), **arrays)

    @classmethod
    def load(cls, path: Path) -> "Scorer":
        """Read a scorer file; raises ValueError (with the reason) on anything unexpected."""
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"]) if "format_version" in data else None
            if version != SCORER_FORMAT_VERSION:
                raise ValueError(f"scorer format version {version!r}, expected "
                                 f"{SCORER_FORMAT_VERSION}")
            missing = [f.name for f in fields(cls) if f.name not in data]
            if missing:
                raise ValueError(f"missing arrays: {', '.join(missing)}")
            values = {f.name: data[f.name] for f in fields(cls)}
        for name in ("char_bits", "word_bits", "prefix_chars"):
            values[name] = int(values[name])
        for name in ("intercept", "baseline"):
            values[name] = float(values[name])
        scorer = cls(**values)
        scorer._check()
        return scorer

    def _check(self) -> None:
        n_nodes = len(self.feature)
        if len(self.coef_text) != Featurizer(
                tuple(self.char_ngram_range), self.char_bits, self.word_bits).n_text_features:
            raise ValueError("stage-1 weights do not match the featurization settings")
        if not (len(self.coef_shape) == len(self.shape_mean) == len(self.shape_scale)
                == len(SHAPE_NAMES)):
            raise ValueError("stage-1 shape weights do not match the shape features")
        inner = ~self.is_leaf
        if inner.any() and (self.feature[inner].min() < 0
                            or self.feature[inner].max() >= len(CONTEXT_NAMES)):
            raise ValueError("a tree splits on a context feature that does not exist")
        for name in ("threshold", "missing_left", "left", "right", "is_leaf", "value"):
            if len(getattr(self, name)) != n_nodes:
                raise ValueError(f"tree table {name!r} has the wrong length")
        for name in ("left", "right", "roots"):
            ix = getattr(self, name)
            if len(ix) and (ix.min() < 0 or ix.max() >= n_nodes):
                raise ValueError(f"tree table {name!r} points outside the table")

    # -- scoring -------------------------------------------------------------------
    def featurizer(self) -> Featurizer:
        return Featurizer(tuple(self.char_ngram_range), self.char_bits, self.word_bits,
                          self.prefix_chars)

    def stage1(self, block: FeatureBlock) -> np.ndarray:
        shape = (block.shape - self.shape_mean) / self.shape_scale
        return block.text.dot(self.coef_text) + shape @ self.coef_shape + self.intercept

    def stage2_raw(self, Z: np.ndarray) -> np.ndarray:
        """Summed tree outputs per row, TREE_ROWS rows at a time (bounded memory)."""
        step = defaults.TREE_ROWS
        return np.concatenate([self._trees(Z[k : k + step]) for k in range(0, len(Z), step)]
                              or [np.zeros(0)])

    def _trees(self, Z: np.ndarray) -> np.ndarray:
        """All trees advance one level per step, and (row, tree) pairs leave the arrays
        as soon as they reach a leaf."""
        n, width = Z.shape
        flat = np.ascontiguousarray(Z, dtype=np.float64).ravel()
        # children[2 * node + go_right]: one gather per step instead of two and a select
        children = np.column_stack([self.left, self.right]).ravel()
        out = np.full(n, self.baseline)
        row = np.repeat(np.arange(n), len(self.roots))
        base = row * width
        node = np.tile(self.roots, n)
        while True:
            leaf = self.is_leaf[node]
            if leaf.any():
                out += np.bincount(row[leaf], weights=self.value[node[leaf]], minlength=n)
                keep = ~leaf
                row, base, node = row[keep], base[keep], node[keep]
                if not len(node):
                    return out
            x = flat[base + self.feature[node]]
            go_right = ~(x <= self.threshold[node])  # NaN compares False: right, unless...
            missing = np.flatnonzero(np.isnan(x))
            if len(missing):  # ...the node learned to send missing values left
                go_right[missing] = ~self.missing_left[node[missing]]
            node = children[2 * node + go_right]

    def p_content(self, block: FeatureBlock) -> np.ndarray:
        """Calibrated P(content) per row, as pipeline.predict_proba(...)[:, 1]."""
        if len(block) == 0:
            return np.zeros(0)
        raw = self.stage2_raw(context_matrix(block, self.stage1(block)))
        p = 1.0 / (1.0 + np.exp(-raw))
        return np.interp(p, self.iso_x, self.iso_y)
