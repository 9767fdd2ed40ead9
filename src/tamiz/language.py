"""Deterministic language tagging with langdetect's own profiles.

``langdetect.detect()`` samples n-grams at random (hence its seed) and runs at a few
hundred texts per second. Its model is naive Bayes over character 1-3-grams; this
module scores *all* of a text's n-grams under the same profiles, the same character
normalization and the same smoothing, i.e. the limit that langdetect's sampling
estimates. The result is deterministic without a seed, agrees with ``detect()``
(measured in ``scripts/bench.py``) and runs as one sparse matrix product per batch.

Work per paragraph is dominated by splitting it into words; n-grams are looked up
once per distinct word and cached, since words repeat (Zipf).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from . import defaults

# langdetect's pre-processing, as in langdetect.detector.Detector.append
_URL_RE = re.compile(r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}")
_MAIL_RE = re.compile(r"[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")
_LATIN_RE = re.compile(r"[A-z]")
_NON_LATIN_RE = re.compile(r"[\u0300-\u1dff\u1f00-\U0010ffff]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_WORD_CACHE_SIZE = 1 << 18


class _NormalizeTable(dict):
    """str.translate table computed lazily with langdetect's per-character normalization."""

    def __missing__(self, code: int) -> str:
        from langdetect.utils.ngram import NGram

        ch = chr(code)
        value = NGram.normalize(ch)
        self[code] = value
        return value


@dataclass(frozen=True)
class LanguageTags:
    """Per-text results of :meth:`LanguageTagger.tag`, all of length n."""

    lang: list[str]  # ISO code, or "und"
    prob: np.ndarray  # posterior probability of `lang` (0 for und)
    margin: np.ndarray  # mean per-n-gram log-likelihood margin over the runner-up


class LanguageTagger:
    """Tags texts with the most likely langdetect language, deterministically.

    Build it once per process (see :func:`get_tagger`); it holds a vocabulary of
    ~90k n-grams and a (vocabulary x languages) matrix of log probabilities.
    """

    def __init__(self, alpha: float = defaults.LANG_ALPHA):
        import langdetect

        profile_dir = Path(langdetect.__file__).parent / "profiles"
        self.languages: list[str] = []
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for lang_idx, path in enumerate(sorted(profile_dir.iterdir())):
            profile = json.loads(path.read_text(encoding="utf-8"))
            self.languages.append(profile["name"])
            n_words = profile["n_words"]
            for gram, count in profile["freq"].items():
                n = len(gram)
                if n < 1 or n > 3 or count <= 0:
                    continue
                idx = vocab.setdefault(gram, len(vocab))
                rows.append(idx)
                cols.append(lang_idx)
                vals.append(count / n_words[n - 1])
        prob = sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)),
            shape=(len(vocab), len(self.languages)),
        ).toarray()
        # langdetect multiplies each language's probability by (alpha/BASE_FREQ + p)
        self._logp = np.log(prob + alpha / defaults.LANG_BASE_FREQ).astype(np.float32)
        self._vocab = vocab
        self._table = _NormalizeTable()
        self._word_ids = lru_cache(maxsize=_WORD_CACHE_SIZE)(self._word_ngram_ids)

    # -- n-grams -------------------------------------------------------------
    def _word_ngram_ids(self, word: str, trailing_space: bool) -> tuple[int, ...]:
        """Vocabulary ids of the n-grams langdetect extracts from one normalized word."""
        padded = " " + word + (" " if trailing_space else "")
        skipped = _capital_run_positions(padded) if word.lower() != word else ()
        vocab = self._vocab
        out = []
        for j in range(1, len(padded)):
            if j in skipped:
                continue
            for n in (1, 2, 3):
                if n > j + 1:
                    break
                gram = padded[j - n + 1 : j + 1]
                if gram != " ":
                    idx = vocab.get(gram)
                    if idx is not None:
                        out.append(idx)
        return tuple(out)

    def _text_ngram_ids(self, text: str) -> list[int]:
        text = _URL_RE.sub(" ", text[: defaults.LANG_MAX_CHARS])
        text = _MAIL_RE.sub(" ", text)
        non_latin = len(_NON_LATIN_RE.findall(text))
        if non_latin and len(_LATIN_RE.findall(text)) * 2 < non_latin:
            text = re.sub(r"[A-z]", "", text)
        words = text.translate(self._table).split(" ")
        ids: list[int] = []
        last = len(words) - 1
        for k, word in enumerate(words):
            if word:
                ids.extend(self._word_ids(word, k < last))
        return ids

    # -- tagging -------------------------------------------------------------
    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(n x languages) summed log-likelihoods and the n-gram count of each text."""
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            indices.extend(self._text_ngram_ids(text))
            indptr.append(len(indices))
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(texts), len(self._vocab)),
        )
        return np.asarray(counts @ self._logp), np.diff(indptr)

    def tag(self, texts: list[str]) -> LanguageTags:
        """Language, posterior probability and margin for every text."""
        n = len(texts)
        if n == 0:
            return LanguageTags([], np.zeros(0), np.zeros(0))
        loglik, n_grams = self.scores(texts)
        best = loglik.argmax(axis=1)
        shifted = loglik - loglik[np.arange(n), best][:, None]
        post = 1.0 / np.exp(shifted).sum(axis=1)
        second = np.partition(shifted, -2, axis=1)[:, -2]
        margin = -second / np.maximum(n_grams, 1)
        letters = np.fromiter((_letter_count(t) for t in texts), dtype=np.int64, count=n)
        unknown = (n_grams == 0) | (letters < defaults.LANG_MIN_LETTERS)
        langs = [
            defaults.UNDETERMINED if unknown[k] else self.languages[best[k]] for k in range(n)
        ]
        post = np.where(unknown, 0.0, post)
        margin = np.where(unknown, 0.0, margin)
        return LanguageTags(langs, post, margin)


def _capital_run_positions(padded: str) -> set[int]:
    """Positions langdetect's NGram.add_char skips: from the second of two consecutive
    upper-case letters until the next character that is not upper case."""
    skipped, capital = set(), False
    for j in range(1, len(padded)):
        if padded[j].isupper():
            capital = capital or padded[j - 1].isupper()
        else:
            capital = False
        if capital:
            skipped.add(j)
    return skipped


def _letter_count(text: str) -> int:
    return len(_LETTER_RE.findall(text[:200]))


@lru_cache(maxsize=1)
def get_tagger() -> LanguageTagger:
    """The process-wide tagger: built once per (worker) process, never mutated after."""
    return LanguageTagger()


def feature_language(lang: str) -> str:
    """The value the classifier sees: en, es, other or und."""
    if lang in defaults.FEATURE_LANGUAGES or lang == defaults.UNDETERMINED:
        return lang
    return defaults.OTHER
