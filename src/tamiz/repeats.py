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


def corpus_keys(paragraphs: list[str]) -> list[bytes]:
    """corpus_key of each paragraph, UTF-8 encoded; each step runs once on the whole list
    joined by NUL (this pass reads every paragraph of the corpus before scoring starts)."""
    if any("\0" in p for p in paragraphs):
        return [corpus_key(p).encode("utf-8") for p in paragraphs]
    limit = defaults.REPEAT_KEY_CHARS
    joined = "\0".join(" ".join(p[:limit].split()) for p in paragraphs)
    return repeat_key(joined, limit=None).encode("utf-8").split(b"\0")


class RepeatCounter:
    def __init__(self, bits: int = defaults.REPEAT_TABLE_BITS):
        self.mask = (1 << bits) - 1
        self.table = np.zeros(1 << bits, dtype=np.uint32)
        self.paragraphs = 0  # counted so far (lets --jobs size its batches)

    def _slots(self, paragraphs: list[str]) -> np.ndarray:
        crcs = np.fromiter(map(zlib.crc32, corpus_keys(paragraphs)), dtype=np.int64,
                           count=len(paragraphs))
        return crcs & self.mask

    def add(self, paragraphs: list[str]) -> None:
        """Count one document: each distinct paragraph once."""
        self.table[np.unique(self._slots(paragraphs))] += 1
        self.paragraphs += len(paragraphs)

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
