"""Training on top of a base data set (the shipped one) plus a user's own labels.

The user's rows are added to the base's training split with a larger weight, the
thresholds are chosen on the base's validation split (or the user's --validation),
and the card records both data sets: hashes, files and row counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import defaults, shipped
from .data import LabeledDocument, LabeledSet, read_labeled
from .errors import DataError, UsageError


def base_dir(base: str | Path) -> Path:
    """`shipped` -> the shipped training data; else a directory laid out like it
    (`train/`, optionally `validation/`)."""
    path = shipped.data_dir() if str(base) == defaults.BASE_SHIPPED else Path(base)
    if not (path / shipped.TRAIN_SPLIT).is_dir():
        if str(base) == defaults.BASE_SHIPPED:
            raise DataError(f"the shipped training data is missing ({path})")
        raise UsageError(f"--base {base}: expected 'shipped' or a directory with "
                         f"{shipped.TRAIN_SPLIT}/ (and {shipped.VALIDATION_SPLIT}/) inside")
    return path


def merge(base: LabeledSet, user: LabeledSet, weight: float) -> tuple[LabeledSet, np.ndarray]:
    """The base's documents, then the user's; one weight per row (1 base, `weight` user).

    A user document whose id is also a base document's is renamed with
    USER_DOC_PREFIX: two different pages must never become one document (or one
    cross-validation group).
    """
    taken = {d.doc for d in base.documents}
    docs = list(base.documents)
    for d in user.documents:
        name = d.doc
        while name in taken:
            name = defaults.USER_DOC_PREFIX + name
        taken.add(name)
        docs.append(LabeledDocument(name, d.rows))
    digest = hashlib.sha256(f"{base.digest}\n{user.digest}".encode()).hexdigest()
    merged = LabeledSet(docs, digest, base.files + user.files,
                        warnings=list(base.warnings) + list(user.warnings))
    weights = np.concatenate([np.ones(len(base.rows)), np.full(len(user.rows), float(weight))])
    return merged, weights


def describe(labeled: LabeledSet, root: Path | None = None) -> dict:
    """What the card records about one data set."""
    files = labeled.files
    if root is not None:
        files = [_relative(f, root) for f in files]
    return {"files": files, "sha256": labeled.digest, "paragraphs": len(labeled.rows),
            "documents": len(labeled.documents)}


def _relative(f: str, root: Path) -> str:
    try:
        return str(Path(f).resolve().relative_to(root.resolve().parent))
    except ValueError:
        return f


def train_on_base(
    user_paths: list[str | Path],
    base: str | Path = defaults.BASE_SHIPPED,
    validation_paths: list[str | Path] | None = None,
    weight: float = defaults.USER_WEIGHT,
    params: dict | None = None,
    log: Callable[[str], None] = lambda msg: None,
):
    """Train on the base's training split plus the user's rows; returns (Model, card)."""
    from .training import train

    if not weight > 0:
        raise UsageError(f"--weight must be positive, not {weight}")
    root = base_dir(base)
    base_train = read_labeled([root / shipped.TRAIN_SPLIT])
    user = read_labeled(list(user_paths), require_both=False, allow_empty=True)
    if validation_paths:
        validation = read_labeled(list(validation_paths), require_both=False)
    elif (root / shipped.VALIDATION_SPLIT).is_dir():
        validation = read_labeled([root / shipped.VALIDATION_SPLIT], require_both=False)
    else:
        validation = None
    for w in user.warnings[:20]:
        log(f"warning: {w}")
    data, weights = merge(base_train, user, weight)
    log(f"base: {len(base_train.rows)} paragraphs in {len(base_train.documents)} documents; "
        f"yours: {len(user.rows)} paragraphs in {len(user.documents)} documents "
        f"(weight {weight:g})")
    # no rows of the user's: exactly the base's own training (unit weights would change
    # the trees' fitting path, not the data)
    model, card = train(data, validation, params, log,
                        sample_weight=weights if user.rows else None)
    card["training_data"].update({
        "base": describe(base_train, root),
        "user": describe(user),
        "user_weight": float(weight),
        "validation": describe(validation, root) if validation else None,
    })
    return model, card
