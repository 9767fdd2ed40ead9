"""Deterministic language tagging with langdetect's own profiles.

``langdetect.detect()`` samples n-grams at random (hence its seed) and runs at a few
hundred texts per second. Its model is naive Bayes over character 1-3-grams; this
module scores *all* of a text's n-grams under the same profiles, the same character
normalization and the same smoothing, i.e. the limit that langdetect's sampling
estimates. The result is deterministic without a seed and agrees with ``detect()``
(``scripts/language_agreement.py`` measures it).

The unit of work is a whitespace token: its n-grams, looked up in the profiles, sum
to one log-likelihood vector per token, and a text's vector is the sum of its
tokens'. So a token seen before costs nothing (``tokens.TokenTable`` caches the
vectors per process), and new tokens are handled in bulk with array operations:
n-grams become integers (code points packed in 21-bit fields) looked up by binary
search in the sorted profile vocabulary, with no Python work per n-gram.

Two approximations of langdetect, both measured within the agreement figure: every
word is followed by a space (langdetect omits the text's final one), and URL, e-mail
and script rules are applied per token rather than per text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import defaults
from .profiles import PAD
from .profiles import load as load_profiles

# langdetect's pre-processing, as in langdetect.detector.Detector.append
_URL_RE = re.compile(r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}")
_MAIL_RE = re.compile(r"[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")
_LATIN_RE = re.compile(r"[A-z]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SPACE, _SLASH, _AT = ord(" "), ord("/"), ord("@")
_LATIN_BIT, _NON_LATIN_BIT, _LETTER_BIT = 1, 2, 4
_TOKEN_SLICE = 4096


class CodepointTable:
    """fn(char) -> small integer, for every character of a text at once (as a numpy array
    of code points); each code point's value is computed on first sight.

    Replaces ``str.translate`` with a dict for long texts: translate leaves its ASCII fast
    path at the first non-ASCII character and is then several times slower than the
    gathers here. The tables span all of Unicode but stay zero pages where unused.
    """

    def __init__(self, fn, dtype=np.uint8):
        self._fn = fn
        self._values = np.zeros(0x110000, dtype=dtype)
        self._known = np.zeros(0x110000, dtype=bool)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        known = self._known[codes]
        if not known.all():
            new = np.unique(codes[~known])
            self._values[new] = [self._fn(chr(c)) for c in new]
            self._known[new] = True
        return self._values[codes]


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (uint32); lone surrogates pass as their own values."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def token_characters(tokens: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code points of all tokens, one after another; length of each token; the token
    each character belongs to)."""
    lengths = np.fromiter(map(len, tokens), np.int64, count=len(tokens))
    return code_points("".join(tokens)), lengths, np.repeat(np.arange(len(tokens)), lengths)


def _is_non_latin(code: int) -> bool:
    # langdetect's [\u0300-\u1dff\u1f00-\U0010ffff]; compiling that class takes 9 ms
    return 0x300 <= code <= 0x1DFF or code >= 0x1F00


def _script_bits(ch: str) -> int:
    """Bits of one character (see _LATIN_BIT...)."""
    return ((_LATIN_BIT if _LATIN_RE.match(ch) else 0)
            | (_NON_LATIN_BIT if _is_non_latin(ord(ch)) else 0)
            | (_LETTER_BIT if _LETTER_RE.match(ch) else 0))


@dataclass(frozen=True)
class LanguageTags:
    """Per-text results of :meth:`LanguageTagger.tag`, all of length n."""

    lang: list[str]  # ISO code, or "und"
    prob: np.ndarray  # posterior probability of `lang` (0 for und)
    margin: np.ndarray  # mean per-n-gram log-likelihood margin over the runner-up


@dataclass
class TokenLanguage:
    """Per-token language evidence: summed log-likelihoods and counts, all of length n."""

    loglik: np.ndarray  # (n, languages) float32
    n_grams: np.ndarray  # profile n-grams found
    latin: np.ndarray  # [A-z] characters (langdetect's script rule counts these)
    non_latin: np.ndarray
    letters: np.ndarray


class LanguageTagger:
    """Tags texts with the most likely langdetect language, deterministically.

    Build it once per process (see :func:`get_tagger`); it holds the ~90k profile
    n-grams as sorted integer keys and a (n-grams x languages) matrix of log
    probabilities in the same order.
    """

    def __init__(self, alpha: float = defaults.LANG_ALPHA):
        profiles = load_profiles(alpha)
        self.languages: list[str] = profiles.languages
        self._keys, self._logp = profiles.keys, profiles.logp
        from langdetect.utils.ngram import NGram

        # langdetect's per-character form (always one character)
        self._normalize = CodepointTable(lambda ch: ord(NGram.normalize(ch)), dtype=np.uint32)
        self._upper = CodepointTable(str.isupper, dtype=bool)
        self._script = CodepointTable(_script_bits)

    # -- tokens --------------------------------------------------------------
    def token_language(self, tokens: list[str], strip_latin: bool = False) -> TokenLanguage:
        """Language evidence of whitespace tokens (a token is scored as its own text)."""
        # in slices: a slice's n-gram rows take ~1 KB per token
        parts = [self._token_language(tokens[k : k + _TOKEN_SLICE], strip_latin)
                 for k in range(0, len(tokens), _TOKEN_SLICE)]
        if len(parts) <= 1:
            return parts[0] if parts else self._token_language([], strip_latin)
        return TokenLanguage(*(np.concatenate([getattr(p, f) for p in parts])
                               for f in ("loglik", "n_grams", "latin", "non_latin", "letters")))

    def _token_language(self, tokens: list[str], strip_latin: bool) -> TokenLanguage:
        n = len(tokens)
        codes, lengths, owner = token_characters(tokens)
        bits = self._script(codes)
        latin, non_latin, letters = (
            np.bincount(owner, weights=(bits & bit) > 0, minlength=n).astype(np.int64)
            for bit in (_LATIN_BIT, _NON_LATIN_BIT, _LETTER_BIT))
        # langdetect's reading of a text: URLs and e-mail addresses blanked (both hold a
        # '/' or an '@'), Latin letters dropped on request, then its per-character form
        special = np.unique(owner[(codes == _SLASH) | (codes == _AT)])
        if len(special) or strip_latin:
            tokens = list(tokens)
            for k in special:
                tokens[k] = _MAIL_RE.sub(" ", _URL_RE.sub(" ", tokens[k]))
            if strip_latin:
                tokens = [_LATIN_RE.sub("", t) for t in tokens]
            codes, lengths, owner = token_characters(tokens)
        norm = self._normalize(codes)
        loglik = np.zeros((n, len(self.languages)), dtype=np.float32)
        n_grams = np.zeros(n, dtype=np.int64)
        # words: runs of non-spaces within a token, each read as " word " by langdetect
        word = norm != _SPACE
        if word.any():
            token_start = np.zeros(len(norm), dtype=bool)
            token_start[(np.cumsum(lengths) - lengths)[lengths > 0]] = True
            after_space = np.ones(len(norm), dtype=bool)
            after_space[1:] = ~word[:-1]
            starts_word = word & (token_start | after_space)
            first = np.flatnonzero(starts_word)
            word_id = np.cumsum(starts_word) - 1
            padded_len = np.bincount(word_id[word], minlength=len(first)) + 2
            padded = np.full(int(padded_len.sum()), _SPACE, dtype=np.uint32)
            at = np.flatnonzero(word)
            padded[(np.cumsum(padded_len) - padded_len + 1 - first)[word_id[at]] + at] = norm[at]
            gram_owner, ids = self._gram_ids(padded, padded_len, owner[first])
            n_grams = np.bincount(gram_owner, minlength=n)
            order = np.argsort(gram_owner, kind="stable")
            loglik = segment_sums(self._logp, n_grams, rows=ids[order])
        return TokenLanguage(loglik, n_grams, latin, non_latin, letters)

    def _gram_ids(self, codes: np.ndarray, lengths: np.ndarray,
                  owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owning token, profile row) of every n-gram langdetect extracts from words given
        as " word " (`codes`: their code points, one after another; `lengths` each).

        N-grams of 1-3 characters end at every position after a word's leading space,
        except the lone space and positions inside a run of capitals (from its second
        letter on, as langdetect's NGram.add_char skips them).
        """
        upper = self._upper(codes)
        cp = codes.astype(np.int64)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        pos = np.arange(len(cp)) - starts
        char_owner = np.repeat(owner, lengths)
        capital = np.zeros(len(cp), dtype=bool)
        capital[1:] = upper[1:] & upper[:-1]
        ok = (pos >= 1) & ~capital
        prev1 = np.roll(cp, 1)
        prev2 = np.roll(cp, 2)
        pad = np.int64(PAD)
        keys, owners = [], []
        for grams_ok, key in (
            (ok & (cp != _SPACE), (pad << 42) | (pad << 21) | cp),
            (ok, (pad << 42) | (prev1 << 21) | cp),
            (ok & (pos >= 2), (prev2 << 42) | (prev1 << 21) | cp),
        ):
            j = np.flatnonzero(grams_ok)
            keys.append(key[j])
            owners.append(char_owner[j])
        key = np.concatenate(keys)
        gram_owner = np.concatenate(owners)
        idx = np.minimum(np.searchsorted(self._keys, key), len(self._keys) - 1)
        found = self._keys[idx] == key
        return gram_owner[found], idx[found]

    # -- texts ---------------------------------------------------------------
    def tag(self, texts: list[str]) -> LanguageTags:
        """Language, posterior probability and margin for every text (uncached)."""
        step = defaults.FEATURIZE_ROWS
        if len(texts) > step:
            parts = [self.tag(texts[k : k + step]) for k in range(0, len(texts), step)]
            return LanguageTags([x for p in parts for x in p.lang],
                                np.concatenate([p.prob for p in parts]),
                                np.concatenate([p.margin for p in parts]))
        split = [t.split() for t in texts]
        counts = np.fromiter(map(len, split), np.int64, count=len(texts))
        flat = [tok for toks in split for tok in toks]
        return self.tag_tokens(flat, counts, self.token_language(flat))

    def tag_tokens(self, tokens: list[str], counts: np.ndarray, ev: TokenLanguage,
                   rows: np.ndarray | None = None) -> LanguageTags:
        """Tags of texts given as consecutive runs of tokens (`counts` per text), from
        the tokens' evidence `ev` (or from `ev[rows]`: evidence of a token table).

        langdetect drops Latin letters from a text that is mostly in another script;
        such texts (rare) are re-read here with their Latin letters stripped.
        """
        loglik = segment_sums(ev.loglik, counts, rows)
        n_grams = segment_sums(ev.n_grams, counts, rows)
        letters = segment_sums(ev.letters, counts, rows)
        latin = segment_sums(ev.latin, counts, rows)
        non_latin = segment_sums(ev.non_latin, counts, rows)
        starts = np.cumsum(counts) - counts
        for k in np.flatnonzero((non_latin > 0) & (latin * 2 < non_latin)):
            redo = self.token_language(tokens[starts[k] : starts[k] + counts[k]], strip_latin=True)
            loglik[k] = redo.loglik.sum(axis=0)
            n_grams[k] = redo.n_grams.sum()
        return self.decide(loglik, n_grams, letters)

    def decide(self, loglik: np.ndarray, n_grams: np.ndarray, letters: np.ndarray) -> LanguageTags:
        n = len(loglik)
        if n == 0:
            return LanguageTags([], np.zeros(0), np.zeros(0))
        best = loglik.argmax(axis=1)
        shifted = loglik - loglik[np.arange(n), best][:, None]
        post = 1.0 / np.exp(shifted).sum(axis=1)
        second = np.partition(shifted, -2, axis=1)[:, -2]
        margin = -second / np.maximum(n_grams, 1)
        unknown = (n_grams == 0) | (letters < defaults.LANG_MIN_LETTERS)
        names = np.array(self.languages + [defaults.UNDETERMINED], dtype=object)
        langs = names[np.where(unknown, len(self.languages), best)].tolist()
        post = np.where(unknown, 0.0, post)
        margin = np.where(unknown, 0.0, margin)
        return LanguageTags(langs, post, margin)


def segment_sums(values: np.ndarray, counts: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Sums of consecutive runs of rows of `values` (of `values[rows]` when `rows` is
    given), `counts[k]` rows in run k (0 allowed).

    A run's sum never depends on the other runs of the call, so a text's result never
    depends on its batch. Vectors are summed in blocks: runs of about one length, padded
    with zero rows to the same length, form a (runs, length, width) block summed along its
    middle axis. numpy adds such a block (of two or more columns; the test checks it) a
    row at a time, in order, and adding zero changes no sum, so a run's sum is always its
    rows added in order. (`np.add.reduceat` adds in another order: summing some runs with
    it gave float32 results that differed in their last bits with the batch.) Lengths up
    to _EXACT_LENGTHS have a block each; longer ones are padded by at most a quarter.
    """
    values = np.asarray(values)
    out = np.zeros((len(counts), *values.shape[1:]), dtype=values.dtype)
    if len(counts) == 0:
        return out
    starts = np.cumsum(counts) - counts
    if values.dtype.kind == "f" and (values.ndim == 1 or values.shape[1] == 1):
        # numpy sums a block of one column pairwise, not in order: give it a second one
        wide = np.zeros((len(values), 2), dtype=values.dtype)
        wide[:, 0] = values.reshape(len(values))
        return segment_sums(wide, counts, rows)[:, 0].reshape(out.shape)
    if values.ndim == 1:  # integers: any order gives the same sums
        _reduceat(values, counts, starts, rows, np.flatnonzero(counts > 0), out)
        return out
    nonempty = np.flatnonzero(counts)
    if not len(nonempty):
        return out
    padded = _PADDED_LENGTHS[np.searchsorted(_PADDED_LENGTHS, counts[nonempty])]
    order = np.argsort(padded, kind="stable")
    for group in np.split(order, np.flatnonzero(np.diff(padded[order])) + 1):
        runs = nonempty[group]
        length = int(padded[group[0]])
        n = counts[runs][:, None]
        pos = np.arange(length)
        idx = starts[runs][:, None] + np.minimum(pos, n - 1)
        block = values[idx if rows is None else rows[idx]]
        if length > _EXACT_LENGTHS:
            block[pos >= n] = 0
        out[runs] = block.sum(axis=1)
    return out


def _padded_lengths(exact: int, limit: int = 1 << 40) -> np.ndarray:
    lengths = list(range(1, exact + 1))
    while lengths[-1] < limit:
        lengths.append(lengths[-1] + lengths[-1] // 4)
    return np.array(lengths)


# lengths runs are padded to (see segment_sums): all up to 16, then a quarter apart
_EXACT_LENGTHS = 16
_PADDED_LENGTHS = _padded_lengths(_EXACT_LENGTHS)


def _reduceat(values, counts, starts, rows, runs, out) -> None:
    """out[runs] = sums of those (non-empty) runs, by one np.add.reduceat."""
    if not len(runs):
        return
    n = counts[runs]
    offsets = np.cumsum(n) - n
    idx = np.repeat(starts[runs] - offsets, n) + np.arange(int(n.sum()))
    out[runs] = np.add.reduceat(values[idx if rows is None else rows[idx]], offsets, axis=0)


@lru_cache(maxsize=1)
def get_tagger() -> LanguageTagger:
    """The process-wide tagger: built once per (worker) process, never mutated after."""
    return LanguageTagger()


def feature_language(lang: str) -> str:
    """The value the classifier sees: en, es, other or und."""
    if lang in defaults.FEATURE_LANGUAGES or lang == defaults.UNDETERMINED:
        return lang
    return defaults.OTHER
