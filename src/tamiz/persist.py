"""Saving and loading models safely.

A model is a directory holding ``card.json`` (format version, versions, data hash,
labels, thresholds, metrics), ``scorer.npz`` (what scoring reads: plain arrays, see
tamiz.scorer) and ``model.skops`` (the fitted scikit-learn pipeline, read only when
asked for). Loading never runs code from a file: numpy's loader is called with
allow_pickle=False, skops refuses any type not on TRUSTED_TYPES below, and
pickle/joblib are never used.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

from . import defaults
from .errors import ModelError, UsageError

# Every type a tamiz pipeline contains beyond what skops trusts by default.
# A file naming any other type is refused before anything in it is built.
TRUSTED_TYPES = frozenset(
    {
        "tamiz.estimators.ParagraphFeatures",
        "tamiz.estimators.TwoStageClassifier",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.Interval",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn.isotonic.IsotonicRegression",
        "numpy.dtype",
    }
)

CARD_FORMAT = "tamiz-model"
MODEL_FILES = (defaults.MODEL_FILE, defaults.SCORER_FILE, defaults.CARD_FILE)


def default_model_path() -> Path:
    """The shipped model: the package's copy in an installed wheel, `model/` at the
    project root in a checkout (see tamiz.shipped); $TAMIZ_MODEL overrides both."""
    from .shipped import model_dir

    env = os.environ.get("TAMIZ_MODEL")
    if env:
        return Path(env)
    return model_dir()


def save(pipeline, card: dict, out: str | Path, force: bool = False) -> Path:
    """Write the model directory atomically: a temporary sibling, then a rename."""
    import skops.io as sio

    from .scorer import Scorer

    out = Path(out)
    if out.exists() and not force:
        raise UsageError(f"{out} already exists; use --force to overwrite it")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a model directory")
    parent = out.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write the model into {parent}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        sio.dump(pipeline, tmp / defaults.MODEL_FILE)
        Scorer.from_pipeline(pipeline).save(tmp / defaults.SCORER_FILE)
        (tmp / defaults.CARD_FILE).write_text(
            json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if out.exists():
            # keep any other files the user put there; replace ours in one rename each
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            for name in MODEL_FILES:
                if (out / name).exists():
                    os.replace(out / name, old / name)
            for name in MODEL_FILES:
                os.replace(tmp / name, out / name)
            shutil.rmtree(old, ignore_errors=True)
            tmp.rmdir()
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def read_card(path: str | Path) -> dict:
    """The model card of the model at `path` (a model directory), validated."""
    path = Path(path)
    card_path = path / defaults.CARD_FILE
    if not path.exists():
        raise ModelError(f"{path}: no such model")
    if not path.is_dir() or not card_path.is_file():
        raise ModelError(f"{path}: not a tamiz model (expected a directory with {defaults.CARD_FILE})")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(f"{card_path}: unreadable model card ({err.__class__.__name__})") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelError(f"{card_path}: not a tamiz model card")
    version = card.get("format_version")
    if version != defaults.MODEL_FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {version!r}, this tamiz reads version "
            f"{defaults.MODEL_FORMAT_VERSION}; retrain it with `tamiz train`"
        )
    return card


def load(path: str | Path | None = None):
    """Load a model directory for scoring; returns a tamiz.model.Model."""
    import numpy as np

    from .model import Model
    from .scorer import Scorer

    path = Path(path) if path is not None else default_model_path()
    card = read_card(path)
    file = path / defaults.SCORER_FILE
    if not file.is_file():
        raise ModelError(f"{path}: missing {defaults.SCORER_FILE}")
    try:
        scorer = Scorer.load(file)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        raise ModelError(f"{file}: not a readable scorer file ({err})") from None
    _warn_on_version_drift(card, {"numpy": np.__version__})
    return Model(scorer, card, path=path)


def load_pipeline(path: str | Path | None):
    """The fitted scikit-learn pipeline of a model directory (for inspection or re-saving)."""
    import sklearn
    import skops.io as sio

    path = Path(path) if path is not None else default_model_path()
    file = path / defaults.MODEL_FILE
    if not file.is_file():
        raise ModelError(f"{path}: missing {defaults.MODEL_FILE}")
    try:
        untrusted = set(sio.get_untrusted_types(file=file))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, json.JSONDecodeError) as err:
        raise ModelError(f"{file}: not a readable model file ({err.__class__.__name__})") from None
    refused = sorted(untrusted - TRUSTED_TYPES)
    if refused:
        raise ModelError(f"{file}: refusing to load untrusted type(s): {', '.join(refused)}")
    try:
        pipeline = sio.load(file, trusted=sorted(untrusted))
    except Exception as err:  # a damaged archive can fail anywhere inside skops
        raise ModelError(f"{file}: cannot load model ({err.__class__.__name__}: {err})") from None
    _warn_on_version_drift(read_card(path), {"scikit-learn": sklearn.__version__})
    return pipeline


def _warn_on_version_drift(card: dict, installed: dict[str, str]) -> None:
    versions = card.get("versions", {})
    for name, running in installed.items():
        trained = versions.get(name)
        if trained and trained.split(".")[:2] != running.split(".")[:2]:
            warnings.warn(
                f"model trained with {name} {trained}, running {running}; "
                "scores may differ: retrain with `tamiz train`",
                stacklevel=3,
            )
