"""Counting how many documents of a corpus contain each paragraph, in bounded memory.

A paragraph that recurs across many documents is likely template (CCNet and Dolma
drop such lines); tamiz uses the count as a feature, not a rule.

:class:`RepeatCounts` is built per shard, merged, saved and loaded, so a first pass can
run on any engine and every worker of the second pass sees the same numbers:

- **exact** while the corpus has at most `max_exact` distinct paragraph keys: a sorted
  array of 64-bit key hashes and their counts (16 bytes per distinct key). Two keys
  share a hash with probability about n**2 / 2**65 (1e-5 at 25 million keys).
- a **count-min sketch** above that: `depth` rows of 2**`sketch_bits` counters, each
  key added to one counter per row (multiply-shift hashing of its 64-bit hash), read
  as the minimum over the rows. It never under-counts. With N the sum of all counts
  (documents x their distinct paragraphs) and w = 2**sketch_bits, a key's over-count
  is at most eps * N, eps = 2e / w, with probability at least 1 - e**-depth (the
  count-min bound of Cormode and Muthukrishnan, with multiply-shift's collision
  probability 2 / w instead of 1 / w). Defaults: w = 2**22, depth 4: eps = 1.3e-6,
  probability 0.98; 128 MiB. tests/test_repeats.py checks the bound on small sketches.

Counting is linear (a sketch is a sum of one-key sketches), so the counts, and the mode,
depend only on the multiset of documents, never on how they were cut into shards or in
which order the shards were merged.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from . import defaults
from .errors import DataError
from .paragraphs import repeat_key

FORMAT = "tamiz-repeats"
FORMAT_VERSION = 1
# what the key hashes are computed from; a file made with another key cannot be used
KEY = f"blake2b-64(corpus_key, {defaults.REPEAT_KEY_CHARS} chars), v1"


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


def key_hashes(paragraphs: list[str]) -> np.ndarray:
    """A stable 64-bit hash (uint64) of each paragraph's corpus key, the same on every
    machine and process (Python's hash() is salted per process)."""
    if not paragraphs:
        return np.zeros(0, np.uint64)
    digests = b"".join(hashlib.blake2b(k, digest_size=8).digest()
                       for k in corpus_keys(paragraphs))
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def _multipliers(seed: int, depth: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, np.iinfo(np.uint64).max, size=depth, dtype=np.uint64,
                     endpoint=True) | np.uint64(1)  # odd: multiply-shift needs it
    b = rng.integers(0, np.iinfo(np.uint64).max, size=depth, dtype=np.uint64, endpoint=True)
    return a, b


class RepeatCounts:
    """Documents containing each paragraph key: exact, or a count-min sketch when large.

    `add` counts one document (each distinct paragraph once), `merge` adds another
    shard's counts, `counts` reads them, `save` / :func:`load_repeats` persist them.
    """

    def __init__(self, max_exact: int = defaults.REPEAT_MAX_EXACT,
                 sketch_bits: int = defaults.REPEAT_SKETCH_BITS,
                 sketch_depth: int = defaults.REPEAT_SKETCH_DEPTH,
                 seed: int = defaults.SEED,
                 split_mode: str = defaults.DEFAULT_SPLIT):
        self.max_exact = int(max_exact)
        self.sketch_bits = int(sketch_bits)
        self.sketch_depth = int(sketch_depth)
        self.seed = int(seed)
        self.split_mode = split_mode
        self.keys = np.zeros(0, np.uint64)  # exact mode: sorted key hashes
        self.values = np.zeros(0, np.uint64)  # and their counts
        self.table: np.ndarray | None = None  # sketch mode: (depth, 2**bits) counters
        self.documents = 0
        self.paragraphs = 0  # counted so far (lets --jobs size its batches)
        self.total = 0  # N: the sum of all counts, which the sketch's error bound scales with
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self._a, self._b = _multipliers(self.seed, self.sketch_depth)

    # --- building ---------------------------------------------------------------

    @property
    def exact(self) -> bool:
        self._flush()
        return self.table is None

    @property
    def epsilon(self) -> float:
        """The sketch's relative error bound: over-count <= epsilon * total (see module doc)."""
        return 2 * np.e / (1 << self.sketch_bits)

    @property
    def delta(self) -> float:
        """Probability that a key's over-count exceeds epsilon * total, at most."""
        return float(np.exp(-self.sketch_depth))

    def add(self, paragraphs: list[str]) -> None:
        """Count one document: each distinct paragraph once."""
        self.documents += 1
        self.paragraphs += len(paragraphs)
        if not paragraphs:
            return
        hashes = np.unique(key_hashes(paragraphs))
        self.total += len(hashes)
        self._pending.append(hashes)
        self._pending_n += len(hashes)
        if self._pending_n >= defaults.REPEAT_PENDING_KEYS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        keys, counts = np.unique(np.concatenate(self._pending), return_counts=True)
        self._pending, self._pending_n = [], 0
        self._add_counts(keys, counts.astype(np.uint64))

    def _add_counts(self, keys: np.ndarray, counts: np.ndarray) -> None:
        if self.table is not None:
            self._sketch_add(keys, counts)
            return
        all_keys = np.concatenate([self.keys, keys])
        all_counts = np.concatenate([self.values, counts])
        order = np.argsort(all_keys, kind="stable")
        all_keys, all_counts = all_keys[order], all_counts[order]
        starts = np.flatnonzero(np.r_[True, all_keys[1:] != all_keys[:-1]])
        self.keys = all_keys[starts]
        self.values = np.add.reduceat(all_counts, starts) if len(starts) else all_counts
        if len(self.keys) > self.max_exact:
            self._to_sketch()

    def _slots(self, keys: np.ndarray, row: int) -> np.ndarray:
        # multiply-shift: the top bits of a*h + b (mod 2**64)
        with np.errstate(over="ignore"):
            mixed = keys * self._a[row] + self._b[row]
        return (mixed >> np.uint64(64 - self.sketch_bits)).astype(np.int64)

    def _sketch_add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        width = 1 << self.sketch_bits
        for row in range(self.sketch_depth):
            added = np.bincount(self._slots(keys, row), weights=counts.astype(np.float64),
                                minlength=width)
            self.table[row] += np.rint(added).astype(np.uint64)

    def _to_sketch(self) -> None:
        self.table = np.zeros((self.sketch_depth, 1 << self.sketch_bits), np.uint64)
        keys, values = self.keys, self.values
        self.keys, self.values = np.zeros(0, np.uint64), np.zeros(0, np.uint64)
        self._sketch_add(keys, values)

    def _settings(self) -> tuple:
        return (self.max_exact, self.sketch_bits, self.sketch_depth, self.seed, self.split_mode)

    def merge(self, other: "RepeatCounts") -> "RepeatCounts":
        """Add another shard's counts to these (in place; returns self)."""
        if other._settings() != self._settings():
            raise DataError("repeat counts made with different settings cannot be merged "
                            f"({other._settings()} vs {self._settings()})")
        self._flush()
        other._flush()
        self.documents += other.documents
        self.paragraphs += other.paragraphs
        self.total += other.total
        if other.table is not None:
            if self.table is None:
                self._to_sketch()
            self.table += other.table
        elif len(other.keys):
            self._add_counts(other.keys, other.values)
        return self

    # --- reading ----------------------------------------------------------------

    def raw_counts(self, paragraphs: list[str]) -> np.ndarray:
        """Counted documents containing each paragraph (uint64; 0 when never counted)."""
        self._flush()
        h = key_hashes(paragraphs)
        if self.table is not None:
            return np.min([self.table[row][self._slots(h, row)]
                           for row in range(self.sketch_depth)], axis=0)
        if not len(self.keys):
            return np.zeros(len(h), np.uint64)
        pos = np.minimum(np.searchsorted(self.keys, h), len(self.keys) - 1)
        return np.where(self.keys[pos] == h, self.values[pos], np.uint64(0))

    def counts(self, paragraphs: list[str]) -> np.ndarray:
        """The repeat feature's input: documents (this one included) containing each
        paragraph, at least 1 and at most REPEAT_CAP (float64)."""
        if not paragraphs:
            return np.zeros(0)
        c = self.raw_counts(paragraphs).astype(np.float64)
        return np.minimum(np.maximum(c, 1.0), defaults.REPEAT_CAP)

    def __eq__(self, other) -> bool:
        if not isinstance(other, RepeatCounts):
            return NotImplemented
        self._flush()
        other._flush()
        same_table = (self.table is None and other.table is None) or (
            self.table is not None and other.table is not None
            and np.array_equal(self.table, other.table))
        return (self._settings() == other._settings() and same_table
                and np.array_equal(self.keys, other.keys)
                and np.array_equal(self.values, other.values)
                and (self.documents, self.paragraphs, self.total)
                == (other.documents, other.paragraphs, other.total))

    __hash__ = None

    def __getstate__(self):  # sent to and from worker processes: pending keys flushed first
        self._flush()
        return self.__dict__

    # --- files ------------------------------------------------------------------

    def header(self) -> dict:
        return {"format": FORMAT, "version": FORMAT_VERSION, "key": KEY,
                "mode": "exact" if self.exact else "sketch", "max_exact": self.max_exact,
                "sketch_bits": self.sketch_bits, "sketch_depth": self.sketch_depth,
                "seed": self.seed, "split": self.split_mode, "documents": self.documents,
                "paragraphs": self.paragraphs, "total": self.total,
                "distinct": int(len(self.keys)) if self.exact else None}

    def write(self, fh) -> None:
        """Write the counts to a binary file object (numpy's .npz: arrays and a JSON
        header, no pickle)."""
        self._flush()
        arrays = {"header": np.frombuffer(json.dumps(self.header()).encode(), np.uint8)}
        if self.exact:
            arrays.update(keys=self.keys, values=self.values)
        else:
            arrays.update(table=self.table)
        np.savez(fh, **arrays)

    def save(self, path) -> None:
        """Write a counts file atomically (temporary file, then rename)."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                   dir=path.parent if str(path.parent) else ".")
        try:
            with os.fdopen(fd, "wb") as fh:
                self.write(fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def load_repeats(path) -> RepeatCounts:
    """Read a counts file written by RepeatCounts.save (or `tamiz repeats`).

    A missing, damaged or foreign file, or one made with another key, raises DataError.
    """
    path = Path(path)
    what = f"{path}: not a tamiz repeat counts file"
    if not path.is_file():
        raise DataError(f"{path}: no such counts file")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as err:
        raise DataError(f"{path}: cannot read ({err.strerror})") from None
    if magic != b"PK\x03\x04":  # an .npz is a zip archive
        raise DataError(what)
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
        reason = str(err).splitlines()[0] if str(err) else err.__class__.__name__
        raise DataError(f"{what} or damaged ({reason})") from None
    if not isinstance(data, dict) or "header" not in data:
        raise DataError(what)
    try:
        header = json.loads(bytes(data["header"]).decode())
    except (ValueError, UnicodeDecodeError):
        raise DataError(f"{what} (unreadable header)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DataError(what)
    if header.get("version") != FORMAT_VERSION or header.get("key") != KEY:
        raise DataError(f"{path}: repeat counts of another tamiz version "
                        f"(format {header.get('version')}, key {header.get('key')!r}); "
                        "count the corpus again with `tamiz repeats`")
    try:
        counts = RepeatCounts(header["max_exact"], header["sketch_bits"],
                              header["sketch_depth"], header["seed"], header["split"])
        counts.documents, counts.paragraphs = int(header["documents"]), int(header["paragraphs"])
        counts.total = int(header["total"])
        if header["mode"] == "exact":
            keys, values = data["keys"], data["values"]
            ok = (keys.dtype == np.uint64 and values.dtype == np.uint64
                  and keys.shape == values.shape and keys.ndim == 1
                  and bool(np.all(keys[1:] > keys[:-1])))
            counts.keys, counts.values = keys, values
        else:
            table = data["table"]
            ok = table.dtype == np.uint64 and table.shape == (
                counts.sketch_depth, 1 << counts.sketch_bits)
            counts.table = table
    except (KeyError, TypeError, ValueError):
        raise DataError(f"{what} (incomplete header or arrays)") from None
    if not ok:
        raise DataError(f"{path}: damaged repeat counts (arrays of the wrong shape or order)")
    return counts


def merge_files(paths) -> RepeatCounts:
    """The merged counts of several counts files (e.g. one per datatrove task)."""
    paths = list(paths)
    if not paths:
        raise DataError("no repeat counts files to merge")
    return merge_all(load_repeats(p) for p in paths)


def count_documents(documents: Iterable[list[str]], **settings) -> RepeatCounts:
    counter = RepeatCounts(**settings)
    for d in documents:
        counter.add(d)
    return counter


def merge_all(parts: Iterable[RepeatCounts]) -> RepeatCounts | None:
    """The sum of several shards' counts (None for no shards); the first part is
    merged into, in place."""
    merged = None
    for part in parts:
        merged = part if merged is None else merged.merge(part)
    return merged

