"""Featurization: paragraphs -> text n-grams, shape statistics, language, context.

Two kinds of features:

* per paragraph (:class:`ParagraphFeatures`, a stateless scikit-learn transformer):
  hashed character and word n-grams, shape statistics and the language tag. They
  feed the first stage, which must score an isolated paragraph well on its own.
* per document (:func:`context_matrix`): for each paragraph, the first-stage scores
  and shapes of its neighbours, its position, its language against the document's
  main language, and how often it recurs across the corpus.

Input to the pipeline is a :class:`Paragraphs` table: texts in document order plus
a document code per row (rows of one document are consecutive) and, when known,
corpus repetition counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils import murmurhash3_32

from . import defaults
from .language import feature_language, get_tagger
from .lexicon import SECOND_PERSON, STOPWORDS, STOPWORDS_ANY
from .paragraphs import normalize, repeat_key

FEATURE_LANG_CODES = (*defaults.FEATURE_LANGUAGES, defaults.OTHER, defaults.UNDETERMINED)

_WORD_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL_OR_MAIL = re.compile(r"(https?://|www\.|\S+@\S+\.\w{2,}|\.(com|org|net|es|mx)\b)", re.I)
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)")
_SEPARATORS = re.compile(r"[|•·»«›‹/>]")
_LEGAL_MARK = re.compile(r"[©®™]|\(c\)", re.I)
_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-ZÁÉÍÓÚÑÜ]")
_LETTER = re.compile(r"[^\W\d_]")
_SYMBOL = re.compile(r"[^\w\s]")
_MOJIBAKE = re.compile(r"Ã.|Â|â€|&[a-z]+;|&#\d+;|\ufffd")


@dataclass
class Paragraphs:
    """A table of paragraphs in document order; the pipeline's input."""

    texts: list[str]
    doc: np.ndarray  # int code per row; rows of a document are consecutive and in order
    repeat: np.ndarray = field(default=None)  # documents containing the paragraph; NaN: unknown

    def __post_init__(self):
        self.doc = np.asarray(self.doc, dtype=np.int64)
        if self.repeat is None:
            self.repeat = np.full(len(self.texts), np.nan)
        self.repeat = np.asarray(self.repeat, dtype=np.float64)
        if not (len(self.texts) == len(self.doc) == len(self.repeat)):
            raise ValueError("texts, doc and repeat must have the same length")

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def from_documents(cls, docs: list[list[str]], repeat: list[np.ndarray] | None = None):
        texts = [p for d in docs for p in d]
        codes = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        rep = np.concatenate(repeat) if repeat else None
        return cls(texts, codes, rep)

    @classmethod
    def isolated(cls, texts: list[str]):
        """Each paragraph is its own one-paragraph document: no context."""
        return cls(list(texts), np.arange(len(texts)))


@dataclass
class FeatureBlock:
    """Output of :class:`ParagraphFeatures`: everything the classifier needs, per row."""

    text: sp.csr_matrix  # hashed n-grams
    shape: np.ndarray  # (n, len(SHAPE_NAMES)) float
    lang: list[str]  # tagged language (ISO code or und)
    lang_prob: np.ndarray
    doc: np.ndarray
    repeat: np.ndarray
    keys: list[str]  # repeat keys (see paragraphs.repeat_key)

    def __len__(self) -> int:
        return len(self.lang)

    def take(self, rows: np.ndarray) -> "FeatureBlock":
        return FeatureBlock(
            self.text[rows],
            self.shape[rows],
            [self.lang[r] for r in rows],
            self.lang_prob[rows],
            self.doc[rows],
            self.repeat[rows],
            [self.keys[r] for r in rows],
        )


SHAPE_NAMES = (
    "log_chars",
    "log_words",
    "mean_word_len",
    "ends_terminal",
    "ends_colon",
    "n_sentences",
    "upper_share",
    "starts_upper",
    "titlecase_share",
    "all_caps",
    "digit_share",
    "symbol_share",
    "letter_share",
    "separator_count",
    "url_or_mail",
    "legal_mark",
    "stopword_density",
    "stopword_density_any",
    "second_person",
    "comma_per_word",
    "mojibake",
    "lang_margin",
    "lang_prob",
    *(f"lang_{code}" for code in FEATURE_LANG_CODES),
)


def shape_row(text: str, lang: str, lang_prob: float, lang_margin: float) -> list[float]:
    """Shape statistics of one normalized paragraph, in SHAPE_NAMES order."""
    n_chars = len(text)
    words = _WORDS.findall(text)
    n_words = len(words)
    lower = [w.lower() for w in words]
    letters = len(_LETTER.findall(text))
    uppers = len(_UPPER.findall(text))
    stop = STOPWORDS.get(lang, STOPWORDS_ANY)
    denom = max(n_words, 1)
    flang = feature_language(lang)
    return [
        np.log1p(n_chars),
        np.log1p(n_words),
        sum(map(len, words)) / denom,
        1.0 if _TERMINAL.search(text) else 0.0,
        1.0 if text.endswith(":") else 0.0,
        min(len(_SENTENCE_END.findall(text)), 20),
        uppers / max(letters, 1),
        1.0 if text[:1].isupper() else 0.0,
        sum(w[:1].isupper() for w in words) / denom,
        1.0 if letters >= 3 and uppers == letters else 0.0,
        len(_DIGIT.findall(text)) / max(n_chars, 1),
        len(_SYMBOL.findall(text)) / max(n_chars, 1),
        letters / max(n_chars, 1),
        min(len(_SEPARATORS.findall(text)), 20),
        1.0 if _URL_OR_MAIL.search(text) else 0.0,
        1.0 if _LEGAL_MARK.search(text) else 0.0,
        sum(w in stop for w in lower) / denom,
        sum(w in STOPWORDS_ANY for w in lower) / denom,
        sum(w in SECOND_PERSON for w in lower) / denom,
        text.count(",") / denom,
        1.0 if _MOJIBAKE.search(text) else 0.0,
        float(lang_margin),
        float(lang_prob),
        *(1.0 if flang == code else 0.0 for code in FEATURE_LANG_CODES),
    ]


@lru_cache(maxsize=1 << 18)
def _char_ids(token: str, lo: int, hi: int, bits: int) -> np.ndarray:
    """Hashed character n-grams of one whitespace token, padded with spaces (char_wb)."""
    padded = f" {token} "
    mask = (1 << bits) - 1
    grams = [padded[j : j + n] for n in range(lo, hi + 1) for j in range(len(padded) - n + 1)]
    return np.fromiter((murmurhash3_32(g, positive=True) & mask for g in grams), np.int64)


@lru_cache(maxsize=1 << 18)
def _word_hash(token: str) -> int:
    return murmurhash3_32(token, seed=1, positive=True)


class ParagraphFeatures(TransformerMixin, BaseEstimator):
    """Paragraphs -> FeatureBlock. Stateless: hashing needs no vocabulary.

    Language tagging runs here once per paragraph; its result is both a feature
    and part of every output record.
    """

    def __init__(
        self,
        char_ngram_range=defaults.CHAR_NGRAM_RANGE,
        word_ngram_range=defaults.WORD_NGRAM_RANGE,
        char_bits=defaults.HASH_BITS_CHAR,
        word_bits=defaults.HASH_BITS_WORD,
        prefix_chars=defaults.FEATURE_PREFIX_CHARS,
    ):
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.char_bits = char_bits
        self.word_bits = word_bits
        self.prefix_chars = prefix_chars

    def fit(self, X, y=None):
        self.n_text_features_ = (1 << self.char_bits) + (1 << self.word_bits)
        self.shape_names_ = list(SHAPE_NAMES)
        return self

    def transform(self, X: Paragraphs) -> FeatureBlock:
        texts = [normalize(t, self.prefix_chars) for t in X.texts]
        tags = get_tagger().tag(texts)
        shape = np.array(
            [shape_row(t, *v) for t, v in zip(texts, zip(tags.lang, tags.prob, tags.margin))],
            dtype=np.float64,
        ).reshape(len(texts), len(SHAPE_NAMES))
        keys = [repeat_key(t) for t in texts]
        return FeatureBlock(
            self._hash(texts), shape, tags.lang, tags.prob, X.doc.copy(), X.repeat.copy(), keys
        )

    def _hash(self, texts: list[str]) -> sp.csr_matrix:
        lo, hi = self.char_ngram_range
        wlo, whi = self.word_ngram_range
        n_char = 1 << self.char_bits
        wmask = (1 << self.word_bits) - 1
        char_rows, word_rows = [], []
        for text in texts:
            low = text.lower()
            ids = [_char_ids(tok, lo, hi, self.char_bits) for tok in low.split()]
            char_rows.append(np.concatenate(ids) if ids else np.zeros(0, np.int64))
            h = np.fromiter((_word_hash(t) for t in _WORD_TOKEN.findall(low)), np.int64)
            parts = []
            for n in range(wlo, whi + 1):
                if len(h) >= n:
                    # n-gram hash from the word hashes: no string building per n-gram
                    g = h[: len(h) - n + 1].copy()
                    for k in range(1, n):
                        g = g * 1_000_003 + h[k : len(h) - n + 1 + k]
                    parts.append(g & wmask)
            word_rows.append(np.concatenate(parts) + n_char if parts else np.zeros(0, np.int64))
        shape = (len(texts), n_char + wmask + 1)
        return sp.hstack([_rows_to_csr(char_rows, shape), _rows_to_csr(word_rows, shape)]).tocsr()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def _rows_to_csr(rows: list[np.ndarray], shape: tuple[int, int]) -> sp.csr_matrix:
    """Sublinear, L2-normalized term counts; each block is normalized on its own."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    m = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=shape)
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    return l2_normalize(m)


# --- document context ---------------------------------------------------------

CONTEXT_NAMES = (
    "s_self",
    *(f"s_prev{k}" for k in range(1, defaults.CONTEXT_WINDOW + 1)),
    *(f"s_next{k}" for k in range(1, defaults.CONTEXT_WINDOW + 1)),
    "s_window_mean",
    "s_wide_mean",
    "s_doc_mean",
    "s_doc_share_content",
    "content_chars_before",
    "content_chars_after",
    "gap_to_content_prev",
    "gap_to_content_next",
    "log_doc_len",
    "rel_pos",
    "pos",
    "pos_from_end",
    "char_pos",
    "chars_prev1",
    "chars_next1",
    "terminal_prev1",
    "terminal_next1",
    "lang_self",
    "lang_doc",
    "lang_mismatch",
    "repeat_docs",
    "repeat_in_doc",
    *SHAPE_NAMES[:6],
    "stopword_density_any",
    "second_person",
    "symbol_share",
    "titlecase_share",
)
_SHAPE_IDX = {name: k for k, name in enumerate(SHAPE_NAMES)}
_LANG_CODE = {code: float(k) for k, code in enumerate(FEATURE_LANG_CODES)}
# a paragraph counts as strong content for distance features above this stage-1 score
_STRONG = 1.0


def doc_slices(doc: np.ndarray) -> list[slice]:
    """Row ranges of consecutive equal document codes."""
    if len(doc) == 0:
        return []
    cuts = np.flatnonzero(np.diff(doc)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(doc)]])
    return [slice(int(a), int(b)) for a, b in zip(starts, ends)]


def main_language(langs: list[str], chars: np.ndarray) -> str:
    """The language holding most characters of a document (und if none is known)."""
    weight: dict[str, float] = {}
    for lang, c in zip(langs, chars):
        if lang != defaults.UNDETERMINED:
            weight[lang] = weight.get(lang, 0.0) + float(c)
    return max(weight, key=weight.get) if weight else defaults.UNDETERMINED


def context_matrix(block: FeatureBlock, s: np.ndarray) -> np.ndarray:
    """Per-row context features (CONTEXT_NAMES order) from stage-1 logits `s`.

    Missing neighbours are NaN, which the second stage handles natively.
    """
    n = len(block)
    out = np.full((n, len(CONTEXT_NAMES)), np.nan)
    chars = np.expm1(block.shape[:, _SHAPE_IDX["log_chars"]])
    terminal = block.shape[:, _SHAPE_IDX["ends_terminal"]]
    w = defaults.CONTEXT_WINDOW
    for sl in doc_slices(block.doc):
        ds = s[sl]
        m = len(ds)
        dc = chars[sl]
        dt = terminal[sl]
        pad = np.full(w, np.nan)
        padded = np.concatenate([pad, ds, pad])
        rows = np.empty((m, len(CONTEXT_NAMES)))
        col = 0
        rows[:, col] = ds
        col += 1
        for k in range(1, w + 1):
            rows[:, col] = padded[w - k : w - k + m]
            col += 1
        for k in range(1, w + 1):
            rows[:, col] = padded[w + k : w + k + m]
            col += 1
        with np.errstate(invalid="ignore"):
            win = np.stack([padded[w + k : w + k + m] for k in range(-w, w + 1) if k != 0])
            rows[:, col] = _nanmean(win)
            col += 1
            rows[:, col] = _rolling_mean(ds, 10)
            col += 1
        rows[:, col] = ds.mean()
        col += 1
        rows[:, col] = (ds > 0).mean()
        col += 1
        strong = (ds > _STRONG) & (dc > 60)
        content_chars = np.where(ds > 0, dc, 0.0)
        csum = np.cumsum(content_chars)
        rows[:, col] = np.log1p(csum - content_chars)
        col += 1
        rows[:, col] = np.log1p(csum[-1] - csum)
        col += 1
        rows[:, col] = _gap(strong, forward=False)
        col += 1
        rows[:, col] = _gap(strong, forward=True)
        col += 1
        idx = np.arange(m)
        rows[:, col] = np.log1p(m)
        col += 1
        rows[:, col] = idx / max(m - 1, 1)
        col += 1
        rows[:, col] = np.minimum(idx, 200)
        col += 1
        rows[:, col] = np.minimum(m - 1 - idx, 200)
        col += 1
        total = dc.sum()
        rows[:, col] = (np.cumsum(dc) - dc) / max(total, 1.0)
        col += 1
        lc = np.log1p(dc)
        rows[:, col] = np.concatenate([[np.nan], lc[:-1]])
        col += 1
        rows[:, col] = np.concatenate([lc[1:], [np.nan]])
        col += 1
        rows[:, col] = np.concatenate([[np.nan], dt[:-1]])
        col += 1
        rows[:, col] = np.concatenate([dt[1:], [np.nan]])
        col += 1
        langs = block.lang[sl]
        doc_lang = main_language(langs, dc)
        own = [feature_language(x) for x in langs]
        rows[:, col] = [_LANG_CODE[x] for x in own]
        col += 1
        rows[:, col] = _LANG_CODE[feature_language(doc_lang)]
        col += 1
        rows[:, col] = [
            np.nan if x == defaults.UNDETERMINED or doc_lang == defaults.UNDETERMINED
            else float(x != doc_lang)
            for x in langs
        ]
        col += 1
        rows[:, col] = np.log1p(block.repeat[sl])
        col += 1
        dk = block.keys[sl]
        counts: dict[str, int] = {}
        for key in dk:
            counts[key] = counts.get(key, 0) + 1
        rows[:, col] = [counts[key] for key in dk]
        col += 1
        for name in (*SHAPE_NAMES[:6], "stopword_density_any", "second_person",
                     "symbol_share", "titlecase_share"):
            rows[:, col] = block.shape[sl, _SHAPE_IDX[name]]
            col += 1
        out[sl] = rows
    return out


def _nanmean(stack: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(stack)
    total = np.where(valid, stack, 0.0).sum(axis=0)
    count = valid.sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _rolling_mean(x: np.ndarray, half: int) -> np.ndarray:
    """Mean of x over [i-half, i+half] excluding i itself (NaN for a lone paragraph)."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(len(x))
    lo = np.maximum(idx - half, 0)
    hi = np.minimum(idx + half + 1, len(x))
    n = hi - lo - 1
    total = c[hi] - c[lo] - x
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _gap(flags: np.ndarray, forward: bool) -> np.ndarray:
    """Distance in paragraphs to the nearest flagged paragraph before (or after) each row."""
    m = len(flags)
    out = np.full(m, np.nan)
    last = None
    order = range(m - 1, -1, -1) if forward else range(m)
    for k in order:
        if last is not None:
            out[k] = min(abs(k - last), 50)
        if flags[k]:
            last = k
    return out
