"""tamiz: paragraph-level boilerplate removal for scraped English and Spanish text.

    >>> import tamiz
    >>> model = tamiz.load_model()           # the shipped model
    >>> model.clean(page_text)               # article paragraphs only
    >>> model.score_document(page_text)      # a ParagraphScore per paragraph, in context
    >>> model.score(["Suscríbete ya"])       # isolated paragraphs

The engine-neutral core (what datatrove, Dask and datasets integrations call):

    >>> model = tamiz.worker_model()          # loaded once per process
    >>> counts = tamiz.load_repeats("counts.tamizrep")   # or tamiz.RepeatCounts(), .add, .merge
    >>> r = tamiz.clean_record(page_text, model, counts)  # r.text, r.removed, r.scores
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataError, ModelError, TamizError, UsageError  # noqa: E402


def __getattr__(name: str):
    # imported on first use, so that `tamiz --help` and the CLI's set-up run before numpy loads
    if name in ("Model", "ParagraphScore"):
        from . import model

        return getattr(model, name)
    if name in ("worker_model", "worker_repeats", "clean_record", "clean_records", "CleanResult"):
        from . import core

        return getattr(core, name)
    if name in ("RepeatCounts", "load_repeats", "count_documents"):
        from . import repeats

        return getattr(repeats, name)
    raise AttributeError(f"module 'tamiz' has no attribute {name!r}")


def load_model(path=None) -> "Model":
    """Load a model directory (default: the shipped model). Never runs code from it."""
    from .persist import load

    return load(path)


def train(data_paths, validation_paths=None, **params):
    """Train a model from labeled JSON Lines files or directories; returns (Model, card)."""
    from .data import read_labeled
    from .training import train as _train

    data = read_labeled(list(data_paths))
    validation = read_labeled(list(validation_paths)) if validation_paths else None
    return _train(data, validation, params)


def save_model(model: "Model", path, force: bool = False):
    """Write a model directory atomically."""
    from .persist import save

    return save(model.pipeline, model.card, path, force=force)


__all__ = [
    "CleanResult", "DataError", "Model", "ModelError", "ParagraphScore", "RepeatCounts",
    "TamizError", "UsageError", "__version__", "clean_record", "clean_records",
    "count_documents", "load_model", "load_repeats", "save_model", "train", "worker_model",
    "worker_repeats",
]
