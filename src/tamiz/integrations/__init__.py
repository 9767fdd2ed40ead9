"""Engines that run tamiz's core: one module each, behind its extra (`pip install 'tamiz[NAME]'`).

datatrove: TamizCleaner, TamizRepeatCounter (pipeline steps). dask: clean_bag,
clean_dataframe, and the worker pool behind `tamiz clean --engine dask`. hf: clean_batch
for `datasets.Dataset.map(batched=True)`. They import the core; the core never imports them.
"""

from __future__ import annotations

import importlib


def require(module: str, extra: str):
    """Import an engine's module, or fail with one line that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"tamiz.integrations.{extra} needs {module.split('.')[0]}: "
                          f"pip install 'tamiz[{extra}]'") from None
