"""tamiz for Hugging Face datasets (`pip install 'tamiz[hf]'`).

    from tamiz.integrations.hf import clean_batch

    ds = ds.map(clean_batch, batched=True, num_proc=4,
                fn_kwargs={"repeats": "counts.tamizrep", "text_field": "text"})

Replaces the text column with the cleaned text and adds `tamiz_removed` (the removed
paragraphs: "i", "text", "lang", "p_boilerplate"). Each of map's processes loads the
model and the counts once (tamiz.core.worker_model / worker_repeats); pass the counts
as a path, which datasets hashes and pickles cheaply.
"""

from __future__ import annotations

from . import require

require("datasets", "hf")

from .. import defaults  # noqa: E402
from ..core import clean_records  # noqa: E402

REMOVED_FIELD = "tamiz_removed"


def clean_batch(batch: dict, text_field: str = defaults.DEFAULT_TEXT_FIELD, model=None,
                repeats=None, split_mode: str = defaults.DEFAULT_SPLIT,
                threshold: float | None = None) -> dict:
    """A batch (dict of columns) -> the same columns with `text_field` cleaned, plus
    `tamiz_removed`."""
    results = clean_records(list(batch[text_field]), model, repeats, split_mode, threshold)
    out = dict(batch)
    out[text_field] = [r.text for r in results]
    out[REMOVED_FIELD] = [r.removed for r in results]
    return out
