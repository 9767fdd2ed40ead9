"""Where the shipped model and its training data are.

In an installed wheel they are package data (`tamiz/_shipped/model`,
`tamiz/_shipped/training_data`, copied there by the build, see pyproject.toml); in a
source checkout (an editable install, or tests run from the repository) they are
`model/` and `training_data/` at the project root, next to `src/`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "_shipped"
CHECKOUT = Path(__file__).resolve().parents[2]
MODEL_DIR = "model"
DATA_DIR = "training_data"
TRAIN_SPLIT = "train"
VALIDATION_SPLIT = "validation"


def root() -> Path:
    """The directory holding `model/` and `training_data/`: the package's copy when
    there is one (an installed wheel), else the checkout's."""
    if (PACKAGED / MODEL_DIR).is_dir():
        return PACKAGED
    return CHECKOUT


def model_dir() -> Path:
    return root() / MODEL_DIR


def data_dir() -> Path:
    return root() / DATA_DIR
