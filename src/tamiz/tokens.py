"""Per-token featurization, cached per process.

Every paragraph feature that depends on its text is a sum over its whitespace tokens
(language log-likelihoods, character counts, stopwords, n-grams), plus a few facts
about its first and last token. So tamiz featurizes each *distinct token* once, keeps
the result in a :class:`TokenTable`, and featurizes a paragraph by splitting it and
gathering rows: Python does one dictionary lookup per token, numpy does the rest.
Words repeat (Zipf) and boilerplate repeats verbatim, so after a few thousand
paragraphs most tokens are found.

New tokens are featurized in bulk (code points and character classes as arrays, one
pass per batch), never one n-gram at a time.

The table belongs to one process and is bounded (``defaults.TOKEN_CACHE_SIZE``);
when full it keeps the half looked up most often, which costs speed and never changes
a result.
"""

from __future__ import annotations

import mmap
import re
import zlib
from functools import lru_cache

import numpy as np

from . import defaults
from .language import (CodepointTable, TokenLanguage, code_points, get_tagger,
                       segment_sums, token_characters)
from .lexicon import SECOND_PERSON, STOPWORDS, STOPWORDS_ANY

_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL_OR_MAIL = re.compile(r"(https?://|www\.|\S+@\S+\.\w{2,}|\.(com|org|net|es|mx)\b)", re.I)
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_LEGAL_MARK = re.compile(r"[©®™]|\(c\)", re.I)
_MOJIBAKE = re.compile(r"Ã.|Â|â€|&[a-z]+;|&#\d+;|\ufffd")
_SENTENCE_END = frozenset(".!?…")
_SEPARATORS = frozenset("|•·»«›‹/>")

# character classes, as bits of one byte per character
_LETTER, _UPPER, _DIGIT, _SYMBOL, _SEPARATOR, _COMMA = 1, 2, 4, 8, 16, 32
CLASS_BITS = {"letters": _LETTER, "uppers": _UPPER, "digits": _DIGIT, "symbols": _SYMBOL,
              "separators": _SEPARATOR, "commas": _COMMA}
# per-token statistics, summed over a paragraph's tokens (TOKEN_STATS order)
WORD_STATS = ("words", "word_chars", "title_words", "stop_en", "stop_es", "stop_any",
              "second_person", "sentence_ends", "url_or_mail", "legal_mark", "mojibake")
# facts about a paragraph's first or last token
EDGE_STATS = ("terminal", "ends_colon", "starts_upper")
TOKEN_STATS = (*CLASS_BITS, *WORD_STATS, *EDGE_STATS)
STAT = {name: k for k, name in enumerate(TOKEN_STATS)}

# 64-bit FNV-1a over code points, then a murmur-style finalizer: n-gram hashes are a
# pure function of the n-gram (no PYTHONHASHSEED), computed for all n-grams at once
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_BIGRAM = 1_000_003


def _class_bits(ch: str) -> int:
    """One byte of character-class bits (CLASS_BITS)."""
    bits = 0
    if ch.isalpha():
        bits |= _LETTER
    if ch.isupper():
        bits |= _UPPER
    if ch.isdecimal():
        bits |= _DIGIT
    if not (ch.isalnum() or ch == "_" or ch.isspace()):
        bits |= _SYMBOL
    if ch in _SEPARATORS:
        bits |= _SEPARATOR
    if ch == ",":
        bits |= _COMMA
    return bits


def _zeros(shape: tuple, dtype) -> np.ndarray:
    """Zeros in fresh anonymous memory, whose pages cost memory only once written: a table
    reserves its whole capacity up front and never copies itself to grow (a copy holds the
    table twice for a moment). Small arrays come from numpy as usual."""
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if nbytes < _MAPPED_BYTES:
        return np.zeros(shape, dtype=dtype)
    memory = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(memory, dtype=dtype).reshape(shape)


_MAPPED_BYTES = 1 << 20


class _Growable:
    """An array that grows along its first axis; room for `reserve` rows costs nothing
    until used, beyond that it doubles."""

    def __init__(self, dtype, width: int | None = None, reserve: int = 1024):
        self.dtype, self.width, self.reserve = dtype, width, reserve
        self.clear()

    def clear(self) -> None:
        shape = (self.reserve,) if self.width is None else (self.reserve, self.width)
        self._data = _zeros(shape, self.dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self._data):
            grown = _zeros((max(end, 2 * len(self._data)), *self._data.shape[1:]), self.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    def keep(self, rows: np.ndarray) -> None:
        """Keep only `rows`, in that order."""
        kept = self.values[rows]
        self._data[: len(kept)] = kept
        self.size = len(kept)

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.size]


class _Ragged:
    """A variable-length array of integers per token row."""

    def __init__(self, dtype, reserve: int, per_row: int):
        self.data = _Growable(dtype, reserve=reserve * per_row)
        self.start = _Growable(np.int64, reserve=reserve)
        self.length = _Growable(np.int32, reserve=reserve)

    def clear(self) -> None:
        for part in (self.data, self.start, self.length):
            part.clear()

    def extend(self, values: np.ndarray, lengths: np.ndarray) -> None:
        self.start.extend(self.data.size + np.cumsum(lengths) - lengths)
        self.length.extend(lengths)
        self.data.extend(values)

    def keep(self, rows: np.ndarray) -> None:
        values, lengths = self.gather(rows)
        self.clear()
        self.extend(values, lengths)

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of `rows`, concatenated, and how many each row has."""
        lengths = self.length.values[rows]
        total = int(lengths.sum())
        offsets = np.cumsum(lengths) - lengths
        index = np.repeat(self.start.values[rows] - offsets, lengths) + np.arange(total)
        return self.data.values[index], lengths


class TokenTable:
    """Distinct tokens and everything tamiz derives from each; see the module doc."""

    def __init__(self, char_ngram_range=defaults.CHAR_NGRAM_RANGE,
                 char_bits=defaults.HASH_BITS_CHAR, word_bits=defaults.HASH_BITS_WORD,
                 capacity: int = defaults.TOKEN_CACHE_SIZE):
        self.char_ngram_range = char_ngram_range
        self.char_mask = (1 << char_bits) - 1
        self.word_mask = (1 << word_bits) - 1
        self.capacity = capacity
        self.tagger = get_tagger()
        self._classes = CodepointTable(_class_bits)
        self._index: dict[str, int] = {}
        self._tokens: list[str] = []  # row -> token
        # the table exceeds its capacity by one call's new tokens before it evicts
        rows = capacity + capacity // 4
        self._uses = _Growable(np.int64, reserve=rows)  # row -> how often it was looked up (aged)
        n_langs = len(self.tagger.languages)
        self.loglik = _Growable(np.float32, n_langs, reserve=rows)
        self.lang_counts = _Growable(np.int32, 4, reserve=rows)  # n_grams, latin, non_latin, letters
        self.stats = _Growable(np.float32, len(TOKEN_STATS), reserve=rows)
        # ids below 2**bits and CRC-32 values: 4 bytes each; about 24 char n-grams and
        # 2 word pieces per distinct token of the bench corpora
        self.char_grams = _Ragged(np.int32, rows, per_row=32)
        self.word_hashes = _Ragged(np.uint32, rows, per_row=4)

    def __len__(self) -> int:
        return len(self._index)

    def _parts(self):
        return (self.loglik, self.lang_counts, self.stats, self.char_grams, self.word_hashes,
                self._uses)

    def clear(self) -> None:
        self._index.clear()
        self._tokens.clear()
        for part in self._parts():
            part.clear()

    def _evict(self) -> None:
        """Keep the half of the capacity looked up most often, and halve their counts so
        that tokens frequent from now on can replace them (least-frequently-used, aged).
        Frequency rather than recency: word use is Zipfian, and the rare tail is what goes."""
        keep = np.argsort(-self._uses.values, kind="stable")[: self.capacity // 2]
        keep.sort()
        for part in self._parts():
            part.keep(keep)
        self._uses.values[:] //= 2
        self._tokens = [self._tokens[k] for k in keep]
        self._index = dict(zip(self._tokens, range(len(keep))))

    def rows(self, tokens: list[str]) -> np.ndarray:
        """Table rows of `tokens`, adding the new ones. Rows stay valid until the next call."""
        if len(self._index) > self.capacity:
            self._evict()
        get = self._index.get
        rows = np.fromiter(map(get, tokens, [-1] * len(tokens)), np.int64, count=len(tokens))
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            new = list(dict.fromkeys([tokens[k] for k in missing]))
            base = len(self._index)
            self._index.update(zip(new, range(base, base + len(new))))
            self._tokens.extend(new)
            self._uses.extend(np.zeros(len(new), dtype=np.int64))
            self._add(new)
            rows[missing] = [self._index[tokens[k]] for k in missing]
        self._uses.values[:] += np.bincount(rows, minlength=len(self._tokens))
        return rows

    def language(self) -> TokenLanguage:
        """The language evidence of every table row (views, valid until the next lookup)."""
        return TokenLanguage(self.loglik.values, *self.lang_counts.values.T)

    # -- featurizing new tokens ------------------------------------------------
    def _add(self, tokens: list[str]) -> None:
        ev = self.tagger.token_language(tokens)
        self.loglik.extend(ev.loglik)
        self.lang_counts.extend(np.column_stack([ev.n_grams, ev.latin, ev.non_latin, ev.letters]))
        self.stats.extend(self._stats(tokens))
        lowered = [t.lower() for t in tokens]
        self.char_grams.extend(*self._char_grams(lowered))
        self.word_hashes.extend(*_word_hashes(lowered))

    def _stats(self, tokens: list[str]) -> np.ndarray:
        out = np.zeros((len(tokens), len(TOKEN_STATS)), dtype=np.float32)
        codes, _, owner = token_characters(tokens)
        bits = self._classes(codes)
        for name, bit in CLASS_BITS.items():
            out[:, STAT[name]] = np.bincount(owner, weights=(bits & bit) > 0, minlength=len(tokens))
        rows = [_word_stats(t) for t in tokens]
        out[:, [STAT[name] for name in (*WORD_STATS, *EDGE_STATS)]] = rows
        return out

    def _char_grams(self, lowered: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Hashed character n-grams of each token padded with spaces (char_wb)."""
        lo, hi = self.char_ngram_range
        text = " " + "  ".join(lowered) + " "
        cp = code_points(text).astype(np.uint64)
        lengths = np.fromiter((len(t) + 2 for t in lowered), np.int64, count=len(lowered))
        seg_end = np.repeat(np.cumsum(lengths), lengths)
        owner = np.repeat(np.arange(len(lowered)), lengths)
        start = np.arange(len(cp))
        hashes, owners = [], []
        with np.errstate(over="ignore"):
            h = np.full(len(cp), _FNV_OFFSET)
            for n in range(1, hi + 1):
                shifted = np.zeros(len(cp), dtype=np.uint64)
                shifted[: len(cp) - n + 1] = cp[n - 1 :]
                h = (h ^ shifted) * _FNV_PRIME
                if n >= lo:
                    ok = np.flatnonzero(start + n <= seg_end)
                    hashes.append(_finalize(h[ok] ^ np.uint64(n)))
                    owners.append(owner[ok])
        grams = np.concatenate(hashes) & np.uint64(self.char_mask)
        order = np.argsort(np.concatenate(owners), kind="stable")
        counts = np.bincount(np.concatenate(owners), minlength=len(lowered))
        return grams[order].astype(np.int64), counts

    # -- paragraphs -------------------------------------------------------------
    def ngram_ids(self, rows: np.ndarray, counts: np.ndarray):
        """Per paragraph (runs of `counts` token rows): hashed char n-gram ids and word
        1-2-gram ids, each as (ids, ids per paragraph)."""
        chars, char_len = self.char_grams.gather(rows)
        n_par = len(counts)
        char_per_par = segment_sums(char_len, counts)
        h, sub_len = self.word_hashes.gather(rows)
        h = h.astype(np.int64)
        sub_per_par = segment_sums(sub_len, counts)
        par = np.repeat(np.arange(n_par), sub_per_par)
        same = np.flatnonzero(par[1:] == par[:-1])
        bigrams = h[same] * _BIGRAM + h[same + 1]
        words = np.concatenate([h, bigrams]) & self.word_mask
        word_par = np.concatenate([par, par[same]])
        order = np.argsort(word_par, kind="stable")
        words_per_par = np.bincount(word_par, minlength=n_par)
        return (chars, char_per_par), (words[order], words_per_par)


_STOP_EN, _STOP_ES = STOPWORDS["en"], STOPWORDS["es"]


# punctuation that wraps words ("(word", "word,", "«word»."): none of it is a word
# character, '@', '/', '&' or a legal mark, which the checks below rely on
_WRAPPING = ".,;:!?\"'()[]{}«»“”‘’„¿¡…-–—*"


def _word_stats(token: str) -> tuple:
    """WORD_STATS then EDGE_STATS of one token."""
    # most tokens are one word, bare or wrapped in punctuation; for them the values of
    # _word_stats_general follow from the word and a few checks, a few times faster
    bare = token.isalpha()
    word = token if bare else token.strip(_WRAPPING)
    if not (bare or word.isalpha()):  # empty, digits, inner punctuation, symbols
        return _word_stats_general(token)
    low = word.lower()
    mojibake = ("Ã" in token or "Â" in token) and _MOJIBAKE.search(token) is not None
    if bare:  # no punctuation: no URL, mark or end of sentence
        upper = token[0].isupper()
        return (1, len(token), upper, low in _STOP_EN, low in _STOP_ES, low in STOPWORDS_ANY,
                low in SECOND_PERSON, False, False, False, mojibake, False, False, upper)
    return (1, len(word), word[0].isupper(), low in _STOP_EN, low in _STOP_ES,
            low in STOPWORDS_ANY, low in SECOND_PERSON, token[-1] in _SENTENCE_END,
            "." in token and _URL_OR_MAIL.search(token) is not None,  # "www." or ".com"
            "(" in token and _LEGAL_MARK.search(token) is not None,  # "(c)"
            mojibake, _TERMINAL.search(token) is not None, token.endswith(":"),
            token[0].isupper())


def _word_stats_general(token: str) -> tuple:
    words = _WORDS.findall(token)
    lower = [w.lower() for w in words]
    return (
        len(words),
        sum(map(len, words)),
        sum(w[:1].isupper() for w in words),
        sum(w in _STOP_EN for w in lower),
        sum(w in _STOP_ES for w in lower),
        sum(w in STOPWORDS_ANY for w in lower),
        sum(w in SECOND_PERSON for w in lower),
        token[-1] in _SENTENCE_END,
        _URL_OR_MAIL.search(token) is not None,
        _LEGAL_MARK.search(token) is not None,
        _MOJIBAKE.search(token) is not None,
        _TERMINAL.search(token) is not None,
        token.endswith(":"),
        token[:1].isupper(),
    )


def _finalize(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * _MIX
    return h ^ (h >> np.uint64(33))


def _word_hashes(lowered: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """CRC-32 of each word-or-punctuation piece of each token, in order."""
    pieces = [_WORD_TOKEN.findall(t) for t in lowered]
    counts = np.fromiter(map(len, pieces), np.int64, count=len(pieces))
    hashes = np.fromiter((zlib.crc32(p.encode("utf-8")) for ps in pieces for p in ps), np.int64,
                         count=int(counts.sum()))
    return hashes, counts


@lru_cache(maxsize=4)
def get_token_table(char_ngram_range=defaults.CHAR_NGRAM_RANGE,
                    char_bits=defaults.HASH_BITS_CHAR,
                    word_bits=defaults.HASH_BITS_WORD) -> TokenTable:
    """The process-wide table for one featurization setting."""
    return TokenTable(tuple(char_ngram_range), char_bits, word_bits)
