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

from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from . import defaults
from .features import CONTEXT_NAMES, SHAPE_NAMES, FeatureBlock, Featurizer, context_matrix

SCORER_FORMAT_VERSION = 2
# a tree's leaves are bits of one unsigned 64-bit integer (see Scorer._trees)
MAX_LEAVES = 64
_ALL_LEAVES = np.uint64((1 << MAX_LEAVES) - 1)


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
    # the context features the trees were trained on, by name and in order: a model whose
    # columns differ from this tamiz's features.CONTEXT_NAMES is refused, not misread
    context_names: np.ndarray
    # derived from the trees on first use; not saved
    _leaf_masks: "_LeafMasks | None" = field(default=None, init=False, repr=False, compare=False)

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
            context_names=np.array(CONTEXT_NAMES),
        )

    # -- files -------------------------------------------------------------------
    def save(self, path: Path) -> None:
        arrays = {name: np.asarray(getattr(self, name)) for name in _saved_fields()}
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
            missing = [name for name in _saved_fields() if name not in data]
            if missing:
                raise ValueError(f"missing arrays: {', '.join(missing)}")
            values = {name: data[name] for name in _saved_fields()}
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
        if tuple(str(x) for x in self.context_names) != CONTEXT_NAMES:
            raise ValueError("the trees were trained on other context features than this "
                             "tamiz computes")
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
        self._masks()  # walks the trees: refuses cycles and trees of too many leaves

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
        """Every tree's exit leaf by bit masks (QuickScorer, Lucchese et al., SIGIR 2015).

        A row starts with all leaf bits set in every tree. Each split it fails (x above
        the threshold) clears the leaves of that split's left subtree, and its exit leaf
        is then the lowest bit left. The splits a value fails are those of its feature
        with a lower threshold: a prefix of that feature's splits sorted by threshold,
        whose masks are AND-ed in advance. So a row costs one binary search and one
        gather per feature, with no loop over tree levels.
        """
        masks = self._masks()
        acc = np.full((len(Z), len(self.roots)), _ALL_LEAVES)
        for f, (thresholds, table) in enumerate(zip(masks.thresholds, masks.tables)):
            if len(thresholds):
                x = Z[:, f]
                k = np.searchsorted(thresholds, x, side="left")
                k[np.isnan(x)] = len(thresholds) + 1  # the row of missing-value masks
                acc &= table[k]
        lowest = acc & (~acc + np.uint64(1))
        leaf = np.frexp(lowest.astype(np.float64))[1] - 1  # exact: a power of two
        return self.baseline + masks.leaf_value[np.arange(len(self.roots)), leaf].sum(axis=1)

    def _masks(self) -> "_LeafMasks":
        if self._leaf_masks is None:
            self._leaf_masks = _LeafMasks.build(self)
        return self._leaf_masks

    def p_content(self, block: FeatureBlock) -> np.ndarray:
        """Calibrated P(content) per row, as pipeline.predict_proba(...)[:, 1]."""
        if len(block) == 0:
            return np.zeros(0)
        raw = self.stage2_raw(context_matrix(block, self.stage1(block)))
        p = 1.0 / (1.0 + np.exp(-raw))
        return np.interp(p, self.iso_x, self.iso_y)


def _saved_fields() -> list[str]:
    return [f.name for f in fields(Scorer) if f.init]


@dataclass(frozen=True)
class _LeafMasks:
    """The trees in the form Scorer._trees evaluates: per feature, its splits' thresholds
    in ascending order and a (splits + 2, trees) table of leaf masks. Row k is the AND of
    the masks of the first k splits (row 0: all leaves); the last row is the AND of the
    masks of the splits that send a missing value right."""

    thresholds: list[np.ndarray]
    tables: list[np.ndarray]
    leaf_value: np.ndarray  # (trees, MAX_LEAVES): leaf values in left-to-right order

    @classmethod
    def build(cls, s: Scorer) -> "_LeafMasks":
        n_trees, n_nodes = len(s.roots), len(s.feature)
        # walk all trees a level at a time: each node's tree, then (bottom-up) its
        # number of leaves, then (top-down) the position of its leftmost leaf
        tree = np.full(n_nodes, -1)
        tree[s.roots] = np.arange(n_trees)
        levels = [s.roots]
        while True:
            inner = levels[-1][~s.is_leaf[levels[-1]]]
            if not len(inner):
                break
            children = np.concatenate([s.left[inner], s.right[inner]])
            if (tree[children] >= 0).any():  # reached twice: a cycle or a shared node
                raise ValueError("the tree tables do not form trees")
            tree[children] = np.tile(tree[inner], 2)
            levels.append(children)
        n_leaves = s.is_leaf.astype(np.int64)
        for level in reversed(levels):
            inner = level[~s.is_leaf[level]]
            n_leaves[inner] = n_leaves[s.left[inner]] + n_leaves[s.right[inner]]
        if n_trees and n_leaves[s.roots].max() > MAX_LEAVES:
            raise ValueError(f"a tree has more than {MAX_LEAVES} leaves")
        first = np.zeros(n_nodes, dtype=np.int64)
        for level in levels:
            inner = level[~s.is_leaf[level]]
            first[s.left[inner]] = first[inner]
            first[s.right[inner]] = first[inner] + n_leaves[s.left[inner]]
        leaves = np.flatnonzero(s.is_leaf & (tree >= 0))
        leaf_value = np.zeros((n_trees, MAX_LEAVES))
        leaf_value[tree[leaves], first[leaves]] = s.value[leaves]
        # failing a split clears the bits of its left subtree's leaves
        inner = np.flatnonzero(~s.is_leaf & (tree >= 0))
        width = n_leaves[s.left[inner]].astype(np.uint64)
        left_bits = ((np.uint64(1) << width) - np.uint64(1)) << first[inner].astype(np.uint64)
        mask = ~left_bits
        thresholds, tables = [], []
        for f in range(len(CONTEXT_NAMES)):
            sel = inner[s.feature[inner] == f]
            order = np.argsort(s.threshold[sel], kind="stable")
            sel, m = sel[order], len(sel)
            table = np.full((m + 2, n_trees), _ALL_LEAVES)
            table[np.arange(1, m + 1), tree[sel]] = mask[np.searchsorted(inner, sel)]
            table[: m + 1] = np.bitwise_and.accumulate(table[: m + 1], axis=0)
            right = sel[~s.missing_left[sel]]
            np.bitwise_and.at(table[m + 1], tree[right], mask[np.searchsorted(inner, right)])
            thresholds.append(s.threshold[sel])
            tables.append(table)
        return cls(thresholds, tables, leaf_value)
