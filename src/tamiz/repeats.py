"""Counting how many documents of a corpus contain each paragraph, in bounded memory.

A paragraph that recurs across many documents is likely template (CCNet and Dolma
drop such lines); tamiz uses the count as a feature, not a rule. Counts live in a
fixed table of 2**REPEAT_TABLE_BITS counters indexed by a hash of the paragraph's
repeat key, so memory does not grow with the corpus; a collision can only over-count.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np

from . import defaults
from .paragraphs import repeat_key


def corpus_key(paragraph: str) -> str:
    """The repeat key of a raw paragraph: whitespace collapsed, then repeat_key's folding.

    Cheaper than the features' NFKC normalization, which matters here: the corpus pass
    reads every paragraph once more before any scoring starts.
    """
    return repeat_key(" ".join(paragraph[: defaults.REPEAT_KEY_CHARS].split()))


class RepeatCounter:
    def __init__(self, bits: int = defaults.REPEAT_TABLE_BITS):
        self.mask = (1 << bits) - 1
        self.table = np.zeros(1 << bits, dtype=np.uint32)
        self.n_docs = 0

    def _slots(self, paragraphs: Iterable[str]) -> np.ndarray:
        return np.fromiter(
            (zlib.crc32(corpus_key(p).encode("utf-8")) & self.mask for p in paragraphs),
            dtype=np.int64,
        )

    def add(self, paragraphs: list[str]) -> None:
        """Count one document: each distinct paragraph once."""
        slots = np.unique(self._slots(paragraphs))
        self.table[slots] += 1
        self.n_docs += 1

    def counts(self, paragraphs: list[str]) -> np.ndarray:
        """Documents (this one included) containing each paragraph, capped."""
        if not paragraphs:
            return np.zeros(0)
        c = self.table[self._slots(paragraphs)].astype(np.float64)
        return np.minimum(np.maximum(c, 1.0), defaults.REPEAT_CAP)


def count_documents(documents: Iterable[list[str]]) -> RepeatCounter:
    counter = RepeatCounter()
    for d in documents:
        counter.add(d)
    return counter
